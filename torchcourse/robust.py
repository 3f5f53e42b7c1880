"""Hostile and damaged submissions, shipped under tests/robust/<assignment>.py.

Like tests/broken/, each case is built from the release with every other answer filled
from the source (``make_submission``), so the cases stay in step with source/. A case may
replace answer or test cells, delete, move or paste cells, add files to the submission
folder, rename the notebook or replace it with bytes that are not a notebook. ``costs``
are the test cells that must get 0 (every other one keeps its points; ``ALL`` for all of
them); ``flag``, if given, a phrase the report's reason must contain; ``secrets``, text that
must never reach the case's feedback page.
"""
import copy
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
    why: str
    costs: list = field(default_factory=list)
    flag: str = None
    replace: dict = field(default_factory=dict)   # grade_id -> source (answer or test cell)
    delete: list = field(default_factory=list)    # grade_ids of cells to remove
    paste: list = field(default_factory=list)     # grade_ids of cells pasted again at the end
    move: list = field(default_factory=list)      # grade_ids of cells moved to the end
    files: dict = field(default_factory=dict)     # extra files of the submission folder
    rename: str = None                            # submit the notebook under this file name
    raw: str = None                               # submit these bytes instead of a notebook
    secrets: list = field(default_factory=list)   # never in this case's feedback


def load(path):
    """The ``ROBUST`` list of a tests/robust/<assignment>.py file."""
    return runpy.run_path(str(path))["ROBUST"]


def _gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def write(course, student, aid, case, root=nbtools.ROOT):
    """Write ``case`` as ``student``'s submission of ``aid`` into ``course``/submitted/."""
    root = Path(root)
    out = Path(course) / "submitted" / student / aid
    out.mkdir(parents=True, exist_ok=True)
    for name, text in case.files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    for release_path in nbtools.notebooks(root / "release" / aid):
        target = out / (case.rename or release_path.name)
        if case.raw is not None:
            target.write_text(case.raw)
            continue
        nb = make_submission(release_path, root / "source" / aid / release_path.name,
                             case.replace)
        ids = {_gid(c) for c in nb.cells}
        unknown = set(case.delete + case.paste + case.move) - ids
        if unknown:
            raise KeyError(f"{release_path}: no cell named {sorted(unknown)}")
        nb.cells = [c for c in nb.cells if _gid(c) not in case.delete]
        nb.cells += [copy.deepcopy(c) for c in nb.cells if _gid(c) in case.paste]
        moved = [c for c in nb.cells if _gid(c) in case.move]
        nb.cells = [c for c in nb.cells if _gid(c) not in case.move] + moved
        nbtools.write(nb, target)
    return out
