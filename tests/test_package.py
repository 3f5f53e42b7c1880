"""Unit tests of the torchcourse package: checks, data builders, submissions, refs."""
import json
import os

import pytest
import torch

from torchcourse import checks, data, nbtools, refs
from torchcourse.checks import CheckError, check_close, check_shape, expect
from torchcourse.submissions import make_submission, solution_code

from conftest import ROOT


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


def test_hidden_checks_never_show_the_expected_value():
    """expect() and show_expected=False keep the reference value out of the message."""
    msg = message(expect, {"k": [3.25]}, "k", torch.tensor([1.0]), "W on other data")
    assert "3.25" not in msg and "W on other data is off by 2.25" in msg


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


def test_expect_records_instead_of_comparing(tmp_path, monkeypatch):
    """With RECORD_ENV set, expect() appends the value as JSON and does not compare."""
    out = tmp_path / "rec.jsonl"
    monkeypatch.setenv(checks.RECORD_ENV, str(out))
    expect({}, "k", torch.tensor([[1.0], [2.0]]), "W")
    assert json.loads(out.read_text()) == {"key": "k", "value": [[1.0], [2.0]]}


def test_round_sig_and_stale_comparison():
    """Values keep 7 significant digits; refs call a change beyond 1e-5 relative stale."""
    assert checks.round_sig(123.456789) == 123.4568
    assert checks.round_sig([0.000123456789, 0.0]) == [0.0001234568, 0.0]
    assert refs._close([1.0, 2.0], [1.0, 2.000001]) and not refs._close([1.0], [1.001])
    assert not refs._close([1.0], 1.0)


def test_stale_names_changed_and_missing_references(tmp_path):
    """refs.stale reports a REF value that moved and a key no run recorded; a fresh one passes."""
    from nbformat.v4 import new_code_cell, new_notebook

    cell = new_code_cell('REF = {"cost": 2.5, "W": [1.0, 2.0]}  # generated\n'
                         'expect(REF, "cost", c, "cost")\nexpect(REF, "W", W, "W")')
    path = tmp_path / "a.ipynb"
    nbtools.write(new_notebook(cells=[cell]), path)
    assert refs.stale(path, {"cost": 2.5, "W": [1.0, 2.0]}) == []
    problems = refs.stale(path, {"cost": 2.6})
    assert len(problems) == 2 and "'cost' is stale" in problems[0] and "'W' never" in problems[1]
    with refs.recording() as values:  # what a kernel started in the block would do
        expect({}, "cost", 2.5, "cost")
    assert values == {"cost": 2.5} and checks.RECORD_ENV not in os.environ


def test_data_builders_are_deterministic_and_leave_the_global_seed_alone():
    """Same seed, same data; building data does not move the global random state."""
    torch.manual_seed(0)
    before = torch.get_rng_state()
    a, b = data.line(5, W=2.0, b=1.0, noise=0.1, seed=3), data.line(5, W=2.0, b=1.0, noise=0.1, seed=3)
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
    assert data.quiz_scores()[0].shape == (5, 3) and data.six_points()[1].sum() == 3


def test_make_submission_fills_answers_and_applies_replacements():
    """Answers come from the source without markers; a replaced cell gets the given code."""
    aid = "02_linear_regression"
    release = ROOT / "release" / aid / f"{aid}.ipynb"
    source = ROOT / "source" / aid / f"{aid}.ipynb"
    nb = make_submission(release, source, {"mse": "def mse(y_hat, y):\n    return 0"})
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
    assert cells["mse"].startswith("def mse(y_hat, y):\n    return 0")
    assert "BEGIN SOLUTION" not in cells["hypothesis"] and "x * W + b" in cells["hypothesis"]
    blank = make_submission(release, source, fill=False)
    assert all("raise NotImplementedError()" in c.source for c in blank.cells
               if c.metadata.get("nbgrader", {}).get("solution"))
    with pytest.raises(KeyError):
        make_submission(release, source, {"no_such_cell": ""})
    assert solution_code("a\n    ### BEGIN SOLUTION\nb\n    ### END SOLUTION\n") == "a\nb\n"


def test_normalize_makes_ids_stable_and_drops_timings():
    """Cell ids come from grade_ids or positions; execution timings are dropped."""
    nb = nbtools.read(ROOT / "source" / "02_linear_regression" / "02_linear_regression.ipynb")
    nb.cells[1].metadata["execution"] = {"t": 1}
    nbtools.normalize(nb)
    assert nb.cells[1].id == "setup" and "execution" not in nb.cells[1].metadata
