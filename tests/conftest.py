"""Shared fixtures: one scratch course, graded once per test session.

Set TORCHCOURSE_ONLY=01_autograd,02_linear_regression to test only some assignments
while working on them (CI always tests all).
"""
import os

import pytest

from torchcourse import grading, nbtools
from torchcourse.submissions import load_broken, write_submission

ROOT = nbtools.ROOT
IDS = [a for a in nbtools.assignments()
       if not os.environ.get("TORCHCOURSE_ONLY") or a in os.environ["TORCHCOURSE_ONLY"].split(",")]
BROKEN = {aid: load_broken(ROOT / "tests" / "broken" / f"{aid}.py")
          for aid in IDS if (ROOT / "tests" / "broken" / f"{aid}.py").exists()}
BROKEN_CASES = [(aid, i) for aid, cases in BROKEN.items() for i in range(len(cases))]


def broken_student(i):
    return f"broken{i:02d}"


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """A course where, for every assignment, 'correct', 'blank' and each broken case are autograded."""
    course = grading.new_course(tmp_path_factory.mktemp("course"), ROOT, IDS)
    for aid in IDS:
        write_submission(course, "correct", aid)
        write_submission(course, "blank", aid, fill=False)
        for i, b in enumerate(BROKEN.get(aid, [])):
            write_submission(course, broken_student(i), aid, {b.cell: b.code})
    grading.autograde(course)
    return course
