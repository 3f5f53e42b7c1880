"""Build student submissions from the release and source notebooks.

A submission starts from the release notebook (what a student downloads) and
fills each answer cell with the reference solution, except the cells given in
``replace``: those get the learner's (typically broken) code instead. The broken
submissions shipped under tests/broken/ are described this way, so they stay in
step with source/ instead of going stale as copies.
"""
import hashlib
import re
import runpy
from dataclasses import dataclass, field
from pathlib import Path

from . import nbtools

MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|\Z)", re.M)


@dataclass
class Broken:
    """One typical mistake: the answer cell ``cell`` gets ``code``.

    ``costs`` are the test cells (grade_ids) that must lose all their points
    (default: ``"correct_" + cell``), and ``says`` is a phrase the failing
    test's message must contain, so learners are told what went wrong.
    """
    cell: str
    code: str
    says: str
    why: str = ""
    costs: list = field(default_factory=list)

    def __post_init__(self):
        self.costs = self.costs or ["correct_" + self.cell]


def load_broken(path):
    """The ``BROKEN`` list of a tests/broken/<assignment>.py file."""
    return runpy.run_path(str(path))["BROKEN"]


def solution_code(source):
    """The source of an answer cell with its solution markers dropped."""
    return MARKERS.sub("", source)


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def make_submission(release_path, source_path, replace=None, fill=True):
    """A submission notebook: the release with answers filled in from the source.

    ``replace`` maps an answer cell's grade_id to the code to put there instead;
    with ``fill=False`` the other answer cells keep the release stubs.
    """
    replace = dict(replace or {})
    release = nbtools.read(release_path)
    answers = {_grade_id(c): solution_code(c.source)
               for c in nbtools.read(source_path).cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in release.cells:
        gid = _grade_id(cell)
        if gid in replace:
            cell.source = replace.pop(gid)
        elif fill and gid in answers:
            cell.source = answers[gid]
    if replace:
        raise KeyError(f"{release_path}: no answer cell named {sorted(replace)}")
    return release


#: The submission time written with every sample submission (nbgrader's format).
TIMESTAMP = "2026-09-01 09:00:00.000000 UTC"


def write_submission(course, student, aid, replace=None, fill=True, root=nbtools.ROOT):
    """Write ``student``'s submission of ``aid`` into ``course``/submitted/ (nbgrader's layout)."""
    root = Path(root)
    out = Path(course) / "submitted" / student / aid
    for release_path in nbtools.notebooks(root / "release" / aid):
        nb = make_submission(release_path, root / "source" / aid / release_path.name,
                             replace, fill)
        nbtools.write(nb, out / release_path.name)
    # what `nbgrader collect` leaves beside the notebooks
    (out / "timestamp.txt").write_text(TIMESTAMP)
    (out / "submission_secret.txt").write_text(hashlib.sha256(student.encode()).hexdigest())
    return out
