"""HideHiddenTests: hidden-test code and tracebacks never reach the learner's feedback."""
import nbformat
from nbformat.v4 import new_code_cell, new_output

from torchcourse.feedback import NOTE, OUTPUT_NOTE, HideHiddenTests, hide

SOURCE = '''"""Check mse."""
check_close(mse(a, b), F.mse_loss(a, b), "mse")
    ### BEGIN HIDDEN TESTS
    REF = {"mse": 31.59958}
    x_h, y_h = data.line(9, W=3.0, seed=22)
    ### END HIDDEN TESTS
print("Part 3 passes its visible checks.")
### BEGIN HIDDEN TESTS
expect(REF, "other", mse(x_h, y_h), "mse on other data")
### END HIDDEN TESTS'''


def grade_cell(source, outputs):
    cell = new_code_cell(source, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "correct_mse", "points": 2,
                                 "locked": True, "solution": False, "schema_version": 3}
    return cell


def run(cell):
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb, _ = HideHiddenTests().preprocess(nb, {})
    return nb.cells[0]


def test_hidden_regions_become_a_note_keeping_indentation():
    """Every region between the markers, markers included, is replaced; visible code stays."""
    new, had = hide(SOURCE)
    assert had and "REF" not in new and "data.line" not in new and "expect(" not in new
    assert new.count(NOTE) == 2 and "    " + NOTE in new
    assert 'check_close(mse(a, b), F.mse_loss(a, b), "mse")' in new
    assert hide("print(1)") == ("print(1)", False)


def test_failed_test_shows_only_its_message():
    """The traceback (which quotes hidden code) is cut to 'Name: message'; prints are dropped."""
    error = new_output("error", ename="CheckError", evalue="mse on other data is off by 3",
                       traceback=["\x1b[0;31m---\x1b[0m", 'x_h, y_h = data.line(9, W=3.0, seed=22)',
                                  "CheckError: mse on other data is off by 3"])
    printed = new_output("stream", name="stdout", text="tensor([[0.5], [3.1]])\n")
    cell = run(grade_cell(SOURCE, [printed, error]))
    assert [o.output_type for o in cell.outputs] == ["error", "stream"]
    assert cell.outputs[0].traceback == ["CheckError: mse on other data is off by 3"]
    assert cell.outputs[1].text == OUTPUT_NOTE
    assert "seed=22" not in str(cell)


def test_cells_without_hidden_tests_keep_their_output():
    """A visible-only test cell keeps its printed output; answer cells are untouched."""
    printed = new_output("stream", name="stdout", text="Part 1 passes its visible checks.\n")
    cell = run(grade_cell('check_close(x, y, "x")\nprint("Part 1 passes")', [printed]))
    assert cell.outputs == [printed]
    answer = new_code_cell("### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS",
                           outputs=[new_output("error", ename="E", evalue="m", traceback=["t"])])
    assert run(answer).outputs[0].traceback == ["t"]
