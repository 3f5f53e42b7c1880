"""The course's nbgrader preprocessors, on the tiny course's notebooks (no kernel)."""
import copy

from nbformat.v4 import new_code_cell, new_output
from traitlets.config import Config

from torchcourse import channel, nbtools
from torchcourse.preprocessors import (
    HIDDEN_FAILED,
    META,
    NOTE,
    HiddenTestsFeedback,
    JudgeHiddenTests,
    RestoreStructure,
    grade_id,
)


def ids(nb):
    return [grade_id(c) for c in nb.cells]


def test_a_pasted_copy_keeps_its_role_in_the_first_copy_only(release, resources):
    """A test cell pasted below (nbgrader's DeduplicateIds keeps the LAST) is graded in place."""
    nb = copy.deepcopy(release)
    nb.cells.append(copy.deepcopy(nb.cells[3]))  # a copy of correct_f at the very end
    nb, _ = RestoreStructure().preprocess(nb, resources)
    assert ids(nb).count("correct_f") == 1 and ids(nb).index("correct_f") == 3
    assert all("nbgrader" not in c.metadata for c in nb.cells if grade_id(c) is None)


def test_moved_cells_go_back_in_order_with_the_learners_own_cells(release, resources):
    """A test cell moved below a later part returns; a learner's cell follows its anchor."""
    nb = copy.deepcopy(release)
    mine = new_code_cell("print('my own cell')")
    test_f = nb.cells.pop(3)
    nb.cells.insert(3, mine)  # the learner's cell right after the answer f
    nb.cells.append(test_f)   # correct_f moved to the end, after g's test
    nb, _ = RestoreStructure().preprocess(nb, resources)
    assert ids(nb) == ["intro", "setup", "f", None, "correct_f", "g", "correct_g"]
    assert nb.cells[3].source == mine.source


def test_deleted_answer_and_locked_cells_come_back_and_stray_metadata_goes(release, resources):
    """Deleted cells return (answer as its stub); unknown ids and grader metadata are dropped."""
    nb = copy.deepcopy(release)
    nb.cells = [c for c in nb.cells if grade_id(c) not in ("setup", "g")]
    stray = new_code_cell("1")
    stray.metadata["nbgrader"] = {"grade": True, "grade_id": "made_up", "points": 99}
    nb.cells.append(stray)
    nb.cells[0].metadata[META] = {"verdict": {"passed": True}}
    nb, _ = RestoreStructure().preprocess(nb, resources)
    assert ids(nb) == ["intro", "setup", "f", "correct_f", "g", "correct_g", None]
    assert "raise NotImplementedError()" in nb.cells[4].source
    assert "nbgrader" not in nb.cells[-1].metadata and META not in nb.cells[0].metadata


def sent(key, value):
    return new_output("display_data", data={channel.MIME: channel.encode(
        key, value, "what the kernel says", 1e9, 1e9, "kernel hint")})


def judged(tiny, nb, resources):
    config = Config()
    config.CourseDirectory.root = str(tiny.root)
    return JudgeHiddenTests(config=config).preprocess(nb, resources)[0]


def test_judge_passes_matching_values_and_fails_the_rest_with_its_own_words(tiny, release,
                                                                            resources):
    """Right values pass; a wrong one gets the grader's message first; tolerances are its own."""
    nb = copy.deepcopy(release)
    nb.cells[3].outputs = [sent("f", 6.0)]
    nb.cells[5].outputs = [sent("g", 4.5)]  # the kernel claims a huge tolerance: ignored
    nb = judged(tiny, nb, resources)
    assert nb.cells[3].outputs == [] and nb.cells[3].metadata[META]["verdict"]["passed"]
    first = nb.cells[5].outputs[0]
    assert first.ename == HIDDEN_FAILED and "g on other inputs is off by 0.5" in first.evalue
    assert "kernel" not in first.evalue and "4.0" not in first.evalue


def test_nothing_the_kernel_shows_can_raise_a_score(tiny, release, resources):
    """Partial credit, stderr, values from answer cells or for other keys: worth nothing."""
    nb = copy.deepcopy(release)
    nb.cells[2].outputs = [sent("f", 6.0)]                   # from the answer cell
    nb.cells[3].outputs = [sent("g", 4.0),                   # another part's key
                           new_output("execute_result", data={"text/plain": "2"},
                                      execution_count=1)]
    nb.cells[5].outputs = [sent("g", 4.0),
                           new_output("stream", name="stderr", text="a thread's warning\n")]
    nb = judged(tiny, nb, resources)
    f, g = nb.cells[3], nb.cells[5]
    assert f.outputs[0].ename == HIDDEN_FAILED and len(f.outputs) == 1
    assert g.outputs == []  # stderr from a passing cell no longer zeroes it
    assert all(channel.MIME not in o.get("data", {}) for c in nb.cells
               for o in c.get("outputs", []))


def test_feedback_shows_the_graders_words_never_hidden_code_or_kernel_text(tiny, release,
                                                                         resources):
    """Hidden code becomes a note; outputs become the verdict; answer outputs are dropped."""
    nb = nbtools.read(tiny.folder("source", aid="tiny") / "tiny.ipynb")
    nb.cells[2].outputs = [new_output("stream", name="stdout", text="SECRET from the kernel")]
    nb.cells[3].outputs = [new_output("error", ename="CheckError", evalue="SECRET", traceback=[]),
                           new_output("stream", name="stdout", text="SECRET")]
    nb.cells[3].metadata[META] = {"error": "CheckError", "verdict": {"passed": False, "checks": [
        {"key": "f", "what": "f on other inputs", "passed": False,
         "message": "f on other inputs is off by 1."}]}}
    nb.cells[3].metadata.nbgrader.update(score=0, points=2)
    nb.cells[5].metadata.nbgrader.update(score=1, points=1)
    nb, _ = HiddenTestsFeedback().preprocess(nb, resources)
    text = str(nb)
    assert "SECRET" not in text and 'expect("f"' not in text and NOTE in nb.cells[3].source
    assert "f on other inputs is off by 1." in nb.cells[3].outputs[0].text
    assert "stopped with CheckError" in nb.cells[3].outputs[0].text
    assert nb.cells[5].outputs[0].text.endswith("This part passes.\n")
    assert nb.cells[2].outputs == []
