"""checks (the learner's self-checks), data builders and submissions, on tiny inputs."""
import pytest
import torch

from torchcourse import channel, data, nbtools
from torchcourse.checks import CheckError, check_close, check_shape, expect
from torchcourse.submissions import make_submission, solution_code

ROOT = nbtools.ROOT


def message(fn, *args, **kwargs):
    with pytest.raises(CheckError) as err:
        fn(*args, **kwargs)
    return str(err.value)


def test_check_close_passes_within_tolerance_and_says_how_far_off():
    """A close value passes; a far one names the value, the error and both numbers."""
    check_close(torch.tensor([1.00001]), torch.tensor([1.0]), "W")
    msg = message(check_close, torch.tensor([1.5]), torch.tensor([1.0]), "W", hint="Try again.")
    assert "W is off by 0.5" in msg and "you have 1.5" in msg and "expected 1" in msg
    assert msg.endswith("Try again.")


def test_shape_messages_name_the_broadcasting_mistake():
    """(n,) against (n, 1) and a square (n, n) result get a message about keeping (n, 1)."""
    assert "(n, 1)" in message(check_shape, torch.zeros(3), (3, 1), "y_hat")
    assert "broadcast" in message(check_close, torch.zeros(3, 3), torch.zeros(3, 1), "y_hat")
    assert "scalar" in message(check_shape, torch.zeros(3), (), "cost")


def test_bad_values_get_plain_reasons():
    """None, strings, nan and bools fail with a reason, not a crash."""
    assert "return" in message(check_close, None, 1.0, "cost")
    assert "str" in message(check_close, "1.0", 1.0, "cost")
    assert "nan" in message(check_close, torch.tensor(float("nan")), 1.0, "cost")
    assert "dtype" in message(check_close, torch.tensor(True), 1.0, "flag")


def test_expect_sends_the_value_and_compares_nothing(monkeypatch):
    """expect() displays one hidden-value message and never raises, whatever the value."""
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw: shown.append(obj))
    expect("k", torch.tensor([[1.0], [2.0]]), "W", atol=0.1)
    expect("none", None, "W")
    assert len(shown) == 2 and set(shown[0]) == {channel.MIME}
    key, fields = channel.decode(shown[0][channel.MIME])
    assert key == "k" and fields["value"] == [[1.0], [2.0]] and fields["shape"] == [2, 1]
    assert "error" in channel.decode(shown[1][channel.MIME])[1]


def test_data_builders_are_deterministic_and_leave_the_global_seed_alone():
    """Same seed, same data; building data does not move the global random state."""
    torch.manual_seed(0)
    before = torch.get_rng_state()
    a, b = data.line(5, W=2.0, b=1.0, noise=0.1, seed=3), data.line(5, W=2.0, b=1.0, noise=0.1,
                                                                     seed=3)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], data.line(5, W=2.0, b=1.0, seed=4)[0])
    assert torch.equal(before, torch.get_rng_state())
    X, y = data.blobs(4, k=3, seed=0)
    assert X.shape == (12, 2) and y.tolist() == [0] * 4 + [1] * 4 + [2] * 4


def test_seed_data_match_the_notes():
    """The seeds' data sets have the shapes and values the lectures rely on."""
    x, y = data.hours_scores()
    assert torch.equal(y, 2 * x) and x.shape == (3, 1)
    hours, actual, predicted = data.error_table()
    # The notes' table says -9 for hour 4 (and so 210 and 52.5), but 42 - 53 = -11.
    assert (actual - predicted).tolist() == [-2, 10, -11, -5]
    assert ((actual - predicted) ** 2).sum() == 250 and ((actual - predicted) ** 2).mean() == 62.5
    X, y = data.quiz_scores()
    # seed 003's three-weight data: x3 = [75, 93, 90, 100, 70] (its matrix version's 80 is a typo)
    assert X.shape == (5, 3) and X[:, 2].tolist() == [75, 93, 90, 100, 70]
    assert data.six_points()[1].sum() == 3


def test_make_submission_fills_answers_and_applies_replacements():
    """Answers come from the source without markers; a replaced cell gets the given code."""
    aid = "02_linear_regression"
    release = ROOT / "release" / aid / f"{aid}.ipynb"
    source = ROOT / "source" / aid / f"{aid}.ipynb"
    nb = make_submission(release, source, {"mse": "def mse(y_hat, y):\n    return 0"})
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
    assert cells["mse"].startswith("def mse(y_hat, y):\n    return 0")
    assert "BEGIN SOLUTION" not in cells["hypothesis"] and "x * W + b" in cells["hypothesis"]
    assert "END SOLUTION" not in cells["cost_curve"]
    blank = make_submission(release, source, fill=False)
    assert all("raise NotImplementedError()" in c.source for c in blank.cells
               if c.metadata.get("nbgrader", {}).get("solution"))
    with pytest.raises(KeyError):
        make_submission(release, source, {"no_such_cell": ""})
    assert solution_code("a\n    ### BEGIN SOLUTION\nb\n    ### END SOLUTION") == "a\nb\n"


def test_normalize_makes_ids_stable_and_drops_timings():
    """Cell ids come from grade_ids or positions; execution timings are dropped."""
    nb = nbtools.read(ROOT / "source" / "02_linear_regression" / "02_linear_regression.ipynb")
    nb.cells[1].metadata["execution"] = {"t": 1}
    nbtools.normalize(nb)
    assert nb.cells[1].id == "setup" and "execution" not in nb.cells[1].metadata


def test_a_mistake_is_named_only_on_evidence():
    """check_close names a mistake when the value is that mistake's value, else says how far."""
    right, summed = torch.tensor(2.0), torch.tensor(6.0)
    msg = message(check_close, summed, right, "mse", mistakes={"a sum instead of a mean": summed},
                  hint="Average over the examples.")
    assert msg == "mse is what a sum instead of a mean gives."
    other = message(check_close, torch.tensor(5.0), right, "mse",
                    mistakes={"a sum instead of a mean": summed})
    assert "sum" not in other and "off by 3" in other


def test_raw_errors_get_the_courses_words_and_keep_the_original():
    """attempt() names the call, the likely reason, and keeps PyTorch's line below."""
    from torchcourse.checks import attempt

    msg = message(attempt, "hypothesis(x, W, b)", torch.matmul, torch.zeros(3, 2),
                  torch.zeros(3, 1))
    assert msg.startswith("hypothesis(x, W, b) raised RuntimeError: the shapes do not fit")
    assert "mat1 and mat2 shapes cannot be multiplied" in msg.splitlines()[-1]

    def stub():
        raise NotImplementedError()
    assert "not answered yet" in message(attempt, "mse(y_hat, y)", stub)
    assert attempt("abs", abs, -2) == 2
