"""Submissions that try to break the grader, shipped under tests/robust/<assignment>.py.

Like tests/broken/, each case is built from the release with every other answer
filled from the source (``make_submission``), so the cases stay in step with
source/. A case may also delete cells, rename the notebook or replace it with
bytes that are not a notebook. ``costs`` are the test cells that must get 0 (every
other one keeps its points; ``ALL`` for all of them) and ``flag`` a phrase the
report's reason must contain.
"""
import runpy
from dataclasses import dataclass, field
from pathlib import Path

from . import nbtools
from .submissions import make_submission

ALL = ["*"]


@dataclass
class Robust:
    """One hostile or damaged submission and the grade it must get."""
    name: str
    flag: str
    costs: list
    replace: dict = field(default_factory=dict)   # grade_id -> source (answer or test cell)
    delete: list = field(default_factory=list)    # grade_ids of cells to remove
    rename: str = None                            # submit the notebook under this file name
    raw: str = None                               # submit these bytes instead of a notebook
    why: str = ""


def load(path):
    """The ``ROBUST`` list of a tests/robust/<assignment>.py file."""
    return runpy.run_path(str(path))["ROBUST"]


def write(course, student, aid, case, root=nbtools.ROOT):
    """Write ``case`` as ``student``'s submission of ``aid`` into ``course``/submitted/."""
    root = Path(root)
    out = Path(course) / "submitted" / student / aid
    out.mkdir(parents=True, exist_ok=True)
    for release_path in nbtools.notebooks(root / "release" / aid):
        target = out / (case.rename or release_path.name)
        if case.raw is not None:
            target.write_text(case.raw)
            continue
        nb = make_submission(release_path, root / "source" / aid / release_path.name,
                             case.replace)
        ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
        unknown = set(case.delete) - ids
        if unknown:
            raise KeyError(f"{release_path}: no cell named {sorted(unknown)}")
        nb.cells = [c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") not in case.delete]
        nbtools.write(nb, target)
    return out
