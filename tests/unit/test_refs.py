"""refs: reference values come from a clean run of the reference solution, once per key."""
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from torchcourse import channel, refs


def graded_cell(gid, *messages, error=None):
    cell = new_code_cell("pass")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "points": 1, "locked": True,
                                 "solution": False, "schema_version": 3}
    cell.outputs = [new_output("display_data", data={channel.MIME: m}) for m in messages]
    if error:
        cell.outputs.append(new_output("error", ename=error, evalue="boom", traceback=[]))
    return cell


def msg(key, value):
    return channel.encode(key, value, f"{key} on other data", 1e-4, 1e-4, None)


def test_entries_group_values_by_graded_cell():
    """Each test cell's keys, in order, with what and tolerances, 7 significant digits."""
    nb = new_notebook(cells=[graded_cell("correct_a", msg("a", 1.0 / 3)),
                             graded_cell("correct_b", msg("b1", [1.0, 2.0]), msg("b2", 3))])
    cells = refs.entries(nb, "t")
    assert [e["key"] for e in cells["correct_b"]] == ["b1", "b2"]
    assert cells["correct_a"][0]["value"] == 0.3333333 and cells["correct_a"][0]["atol"] == 1e-4


@pytest.mark.parametrize("cells, says", [
    ([graded_cell("correct_a", msg("a", 1.0)), graded_cell("correct_b", msg("a", 1.0))], "twice"),
    ([graded_cell("correct_a")], "sends no hidden value"),
    ([graded_cell("correct_a", msg("a", 1.0), error="NameError")], "raised NameError"),
    ([graded_cell("correct_a", msg("a", None))], "not a number"),
])
def test_a_recording_that_is_not_clean_is_refused(cells, says):
    """Duplicate keys, silent test cells, errors and non-numbers stop the recording."""
    with pytest.raises(refs.RecordingError, match=says):
        refs.entries(new_notebook(cells=cells), "t")


def test_expect_outside_a_test_cell_is_refused():
    """A hidden value sent from an answer cell would be judged nowhere: refused."""
    cell = new_code_cell("pass", outputs=[new_output("display_data",
                                                     data={channel.MIME: msg("a", 1.0)})])
    with pytest.raises(refs.RecordingError, match="not a test cell"):
        refs.entries(new_notebook(cells=[cell]), "t")


def test_stale_names_changed_missing_and_extra_keys():
    """A value that moved, a key never recorded and one no longer sent are all reported."""
    cur = {"notebooks": {"n": {"cells": {"c": [
        {"key": "a", "value": 1.0, "what": "a"}, {"key": "old", "value": 2.0, "what": "o"}]}}}}
    fresh = {"notebooks": {"n": {"cells": {"c": [
        {"key": "a", "value": 1.1, "what": "a"}, {"key": "new", "value": 2.0, "what": "n"}]}}}}
    problems = refs.stale(cur, fresh)
    assert any("'a' is stale" in p for p in problems)
    assert any("'new' is not recorded" in p for p in problems)
    assert any("'old' is recorded but never sent" in p for p in problems)
    assert refs.stale(cur, cur) == []


def test_round_sig_and_closeness():
    """Values keep 7 significant digits; a change beyond 1e-5 relative is stale."""
    assert refs.round_sig(123.456789) == 123.4568
    assert refs.round_sig([0.000123456789, 0.0]) == [0.0001234568, 0.0]
    assert refs._close([1.0, 2.0], [1.0, 2.000001]) and not refs._close([1.0], [1.001])
    assert not refs._close([1.0], 1.0)


def test_a_drift_between_cpus_is_fresh_within_half_the_graders_tolerance():
    """Off by 2e-5 (a CPU's drift) is fresh, by more than half of atol + rtol·|value| stale."""
    def entry(value):
        return {"notebooks": {"n": {"cells": {"c": [
            {"key": "w", "value": value, "what": "w", "atol": 1e-4, "rtol": 1e-4}]}}}}
    cur = entry([0.5, 2.0])
    assert refs.stale(cur, entry([0.50002, 2.00004])) == []
    assert refs.stale(cur, entry([0.5, 2.00014])) == []
    (problem,) = refs.stale(cur, entry([0.5, 2.00016]))
    assert "'w' is stale (off by up to 0.00016; the grader allows 0.0001 + 0.0001" in problem
    (problem,) = refs.stale(cur, {"notebooks": {"n": {"cells": {"c": [
        {"key": "w", "value": [0.5, 2.0], "what": "w", "atol": 1e-3, "rtol": 1e-4}]}}}})
    assert "'w' is stale (its atol changed)" in problem
