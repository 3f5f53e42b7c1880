"""A tiny nbgrader course (two parts, no kernel needed) for the preprocessors' unit tests."""
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from torchcourse import nbtools

AID = "tiny"


def _cell(kind, source, gid, **meta):
    cell = (new_code_cell if kind == "code" else new_markdown_cell)(source)
    cell.metadata["nbgrader"] = {"grade": False, "solution": False, "locked": False,
                                 "grade_id": gid, "schema_version": 3, **meta}
    return cell


def tiny_source():
    """The source notebook: intro, setup, two answers each followed by its test."""
    return new_notebook(cells=[
        _cell("markdown", "# Tiny", "intro", locked=True),
        _cell("code", "x = 1", "setup", locked=True),
        _cell("code", "def f(a):\n    ### BEGIN SOLUTION\n    return 2 * a\n"
                      "    ### END SOLUTION", "f", solution=True),
        _cell("code", '"""f doubles."""\nassert f(1) == 2\n### BEGIN HIDDEN TESTS\n'
                      'expect("f", f(3.0), "f on other inputs")\n### END HIDDEN TESTS\n'
                      'print("Part 1 passes its visible checks.")', "correct_f",
              grade=True, locked=True, points=2),
        _cell("code", "def g(a):\n    ### BEGIN SOLUTION\n    return a + 1\n"
                      "    ### END SOLUTION", "g", solution=True),
        _cell("code", '"""g adds one."""\n### BEGIN HIDDEN TESTS\n'
                      'expect("g", g(3.0), "g on other inputs")\n### END HIDDEN TESTS\n'
                      'print("Part 2 passes its visible checks.")', "correct_g",
              grade=True, locked=True, points=1),
    ])


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """A course with the tiny assignment generated into its gradebook, and its references."""
    from torchcourse import refs
    from torchcourse.course import Course

    root = tmp_path_factory.mktemp("tiny")
    (root / "nbgrader_config.py").write_text(
        (nbtools.ROOT / "nbgrader_config.py").read_text())
    nbtools.write(tiny_source(), root / "source" / AID / f"{AID}.ipynb")
    course = Course(root)
    result = course.api.generate_assignment(AID, force=True)
    assert result["success"], result.get("log")
    entry = {"what": "f on other inputs", "atol": 1e-4, "rtol": 1e-4, "hint": None,
             "kind": "number", "dtype": "float", "shape": [], "value": 6.0}
    refs.write(root, AID, {"assignment": AID, "notebooks": {AID: {"cells": {
        "correct_f": [{"key": "f", **entry}],
        "correct_g": [{"key": "g", **entry, "what": "g on other inputs", "value": 4.0}]}}}})
    return course


@pytest.fixture
def release(tiny):
    """A fresh copy of the tiny release notebook."""
    return nbtools.read(tiny.folder("release", aid=AID) / f"{AID}.ipynb")


@pytest.fixture
def resources(tiny):
    return {"nbgrader": {"db_url": tiny.db_url, "notebook": AID, "assignment": AID,
                         "student": "s"}}
