"""flags, ledger and LMS file names: what the report says and what a second run skips."""
import copy
import re

from nbformat.v4 import new_code_cell, new_notebook, new_output

from torchcourse import flags, lms
from torchcourse.ledger import Ledger, Record, digest, submission_files
from torchcourse.preprocessors import grade_id


def source_cells(release):
    out = {}
    for c in release.cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("grade_id"):
            out[meta["grade_id"]] = {"grade": meta.get("grade", False),
                                     "solution": meta.get("solution", False),
                                     "locked": meta.get("locked", False), "checksum": None}
    return out


def test_structure_flags_name_what_the_learner_did(release):
    """Deleted, edited, moved and pasted-twice cells each get their own reason."""
    cells, released = source_cells(release), flags.released_checksums(release)
    assert flags.structure_flags(release, cells, released) == []
    nb = copy.deepcopy(release)
    nb.cells = [c for c in nb.cells if grade_id(c) != "correct_g"]
    nb.cells[3].source = "pass"                    # correct_f emptied
    nb.cells.append(copy.deepcopy(nb.cells[3]))    # and pasted again
    nb.cells.insert(1, nb.cells.pop(2))            # the answer f moved above setup
    found = " | ".join(flags.structure_flags(nb, cells, released))
    assert "deleted the test cell correct_g" in found
    assert "edited the locked cell correct_f" in found
    assert "pasted the cell correct_f twice" in found and "moved the cell" in found


def test_output_flags_name_limits_and_dead_kernels():
    """Time limit, dead kernel, cells not run, memory and syntax errors are reported."""
    def cell(ename, evalue="x"):
        return new_code_cell("", outputs=[new_output("error", ename=ename, evalue=evalue,
                                                     traceback=[])])
    nb = new_notebook(cells=[cell("CellTimeoutError"), cell("DeadKernelError", "died"),
                             cell("NotRunError", "Not run: the kernel died."),
                             cell("MemoryError"), cell("SyntaxError", "bad")])
    found = flags.output_flags(nb, 10)
    assert [f.split(":")[0] for f in found] == ["time limit", "kernel died in cell 2",
                                                "later cells not run", "memory limit",
                                                "syntax error in cell 5"]


def test_ledger_records_round_trip_and_go_stale_on_resubmission(tiny, tmp_path):
    """A final record of an unchanged submission is done; a resubmission is not."""
    ledger = Ledger(tiny)
    folder = tiny.folder("submitted", "s", "tiny")
    folder.mkdir(parents=True)
    (folder / "tiny.ipynb").write_text("{}")
    (folder / "extra.py").write_text("ignored")
    files = submission_files(folder)
    assert sorted(files) == ["tiny.ipynb"]
    record = Record("s", "tiny", "graded", 2, 3, flags=["x"], submitted=digest(files))
    ledger.write(record)
    assert ledger.read("s", "tiny") == record and ledger.done("s", "tiny") == record
    (folder / "tiny.ipynb").write_text('{"cells": []}')
    assert ledger.done("s", "tiny") is None
    ledger.write(Record("s", "tiny", "error", submitted=digest(submission_files(folder))))
    assert ledger.done("s", "tiny") is None  # an error is retried


def test_canvas_file_names_give_student_and_notebook():
    """The default rule reads Canvas's names, with its -1, -2 copies."""
    rule = re.compile(lms.DEFAULT_REGEXP)
    m = rule.match("/c/downloaded/02_x/extracted/smithj_1234_5678_02_linear_regression-1.ipynb")
    assert m and m["student_id"] == "smithj" and m["file_id"] == "02_linear_regression"
    assert rule.match("/c/downloaded/02_x/extracted/ada_02_linear_regression.ipynb")["student_id"] \
        == "ada"
