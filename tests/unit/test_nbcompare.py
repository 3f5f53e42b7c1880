"""nbcompare: numbers may drift within the tolerance; words, integers and shapes may not."""
import pytest
from nbformat.v4 import new_code_cell

from torchcourse.nbcompare import RTOL, cell_atol, cpu_path, numbers_close


def test_float_drift_within_tolerance_passes():
    """A float32 drift in a long loop, or one unit in the last printed digit, passes."""
    assert numbers_close("Epoch  100/2000 Cost: 8.771832", "Epoch  100/2000 Cost: 8.771906")
    assert numbers_close("tensor([[0.7181]])", "tensor([[0.7180]])")
    assert numbers_close("cost 1.2e-07", "cost 1.3e-07")


def test_real_changes_fail():
    """A changed word, integer, shape or a number off by more than the tolerance fails."""
    assert not numbers_close("Epoch 100/2000", "Epoch 101/2000")
    assert not numbers_close("torch.Size([3, 1])", "torch.Size([3, 2])")
    assert not numbers_close("Cost: 8.77", "Loss: 8.77")
    assert not numbers_close("Cost: 1.000000", f"Cost: {1 + 10 * RTOL:.6f}")
    assert not numbers_close("a 1.0 b", "a 1.0")


def test_every_notebook_gets_a_forced_cpu_path():
    """Each notebook always runs on the same forced path, and both paths are used."""
    names = [f"{i:02d}_x.ipynb" for i in range(10)]
    assert {cpu_path(n) for n in names} == {"default", "avx2"}
    assert cpu_path("a/07_x.ipynb") == cpu_path("b/07_x.ipynb")


def test_hidden_values_compare_within_the_graders_own_tolerance():
    """A hidden value near 0 may drift by its atol (as the grader allows), never beyond."""
    assert numbers_close('{"atol": 0.0001, "value": [0.00081]}',
                         '{"atol": 0.0001, "value": [0.00079]}', atol=1e-4)
    assert not numbers_close('{"atol": 0.0001, "value": [0.00081]}',
                             '{"atol": 0.0001, "value": [0.00079]}')
    assert not numbers_close('{"value": [0.0012]}', '{"value": [0.0010]}', atol=1e-4)


def test_a_cell_may_state_an_absolute_tolerance_with_its_reason():
    """A minibatch cost near 0 drifts by its cell's stated atol; a stated atol needs a why."""
    cell = new_code_cell("print(cost)", metadata={"nbcompare": {"atol": 5e-5, "why": "near 0"}})
    atol = cell_atol(cell)
    assert atol == 5e-5 and cell_atol(new_code_cell("x")) == 0.0
    assert numbers_close("Cost: 0.006789", "Cost: 0.006792", atol=atol)
    assert not numbers_close("Cost: 0.006789", "Cost: 0.006792")
    assert not numbers_close("Cost: 0.006689", "Cost: 0.006792", atol=atol)
    with pytest.raises(ValueError, match="reason"):
        cell_atol(new_code_cell("x", metadata={"nbcompare": {"atol": 1e-3}}))
