"""Feedback that never shows hidden tests (nbgrader shows them: its issues #917 and #1363).

``HideHiddenTests`` runs in ``nbgrader generate_feedback`` (nbgrader_config.py registers
it): in every test cell it replaces the code between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS`` with a one-line note and cuts each error's traceback down to
the exception's message, so the learner sees which part failed and why, never the
hidden inputs or code. A test cell with hidden tests also loses its printed output,
which the learner's code may have written while running on the hidden inputs.
"""
import re

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from nbformat import NotebookNode

HIDDEN = re.compile(r"^([ \t]*)### BEGIN HIDDEN TESTS[ \t]*$.*?^[ \t]*### END HIDDEN TESTS[ \t]*$",
                    re.M | re.S)
NOTE = "# [hidden tests: they check your code on inputs you have not seen; not shown]"
OUTPUT_NOTE = "[printed output not shown: this cell also runs hidden tests]\n"


def hide(source):
    """``source`` with each hidden-test region replaced by the note; and whether it had any."""
    new, count = HIDDEN.subn(lambda m: m.group(1) + NOTE, source)
    return new, count > 0


class HideHiddenTests(NbGraderPreprocessor):
    """Replace hidden-test code with a note and reduce test-cell errors to their messages."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        cell.source, had_hidden = hide(cell.source)
        outputs = []
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                # The message says what failed; the traceback would show hidden code.
                out.traceback = [f"{out.ename}: {out.evalue}"]
                outputs.append(out)
            elif not had_hidden:
                outputs.append(out)
        if had_hidden and len(outputs) < len(cell.get("outputs", [])):
            outputs.append(NotebookNode(output_type="stream", name="stdout", text=OUTPUT_NOTE))
        cell.outputs = outputs
        return cell, resources
