"""`make build`: record reference values, generate release/ and solutions/, execute the lectures.

nbgrader runs in a scratch copy of the course, so a build never leaves a gradebook.db
behind, and its output is normalized so that building unchanged sources twice gives
byte-identical files (a test relies on that).
"""
import os
import shutil
import tempfile
from pathlib import Path

from . import nbtools
from .errors import CourseError


def check_result(result, what):
    """Raise CourseError with nbgrader's log unless an NbGraderAPI call succeeded."""
    if not result["success"]:
        raise CourseError(f"{what} failed:\n{result.get('log', '')}\n{result.get('error', '')}")


def scratch_course(root, dest):
    """Copy what nbgrader needs of the course at ``root`` into ``dest``: config, source, refs."""
    from . import refs

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(root) / "nbgrader_config.py", dest)
    shutil.copytree(Path(root) / "source", dest / "source")
    if refs.folder(root).is_dir():
        shutil.copytree(refs.folder(root), refs.folder(dest))
    return dest


def generate(root, out, ids=None, execute=True):
    """Write release/ and solutions/ for assignments ``ids`` (default all) under ``out``.

    ``execute=False`` leaves the solutions unexecuted: the freshness test compares
    everything but outputs that way, and nbval checks the outputs.
    """
    from nbgrader.converters import GenerateSolution
    from nbgrader.preprocessors import Execute
    from nbgrader.utils import capture_log, temp_attrs

    from .course import Course
    from .preprocessors import SandboxedExecute

    ids = ids or nbtools.assignments(root)
    with tempfile.TemporaryDirectory() as tmp:
        course = Course(scratch_course(root, tmp))
        api = course.api
        for aid in ids:
            check_result(api.generate_assignment(aid, force=True), f"generate_assignment {aid}")
            with temp_attrs(api.coursedir, assignment_id=aid):
                app = GenerateSolution(coursedir=api.coursedir, parent=api)
                app.force = True
                # The solution runs as a submission would: in the sandbox (and fast).
                app.preprocessors = [SandboxedExecute if p is Execute else p
                                     for p in app.preprocessors if execute or p is not Execute]
                check_result(capture_log(app), f"generate_solution {aid}")
        for kind, folder in (("release", "release"), ("solution", "solutions")):
            for aid in ids:
                target = Path(out) / folder / aid
                shutil.rmtree(target, ignore_errors=True)
                for nb_path in nbtools.notebooks(course.folder(kind, aid=aid)):
                    nbtools.write(nbtools.read(nb_path), target / nb_path.name)


def execute_lectures(root, names=None):
    """Execute the lecture notebooks in place (all, or those whose name starts with ``names``)."""
    for path in nbtools.notebooks(Path(root) / "notebooks"):
        if not names or any(path.name.startswith(n) for n in names):
            print(f"executing {path.relative_to(root)}", flush=True)
            nbtools.execute_file(path)


def build(root=nbtools.ROOT, ids=None, lectures=True, refs=True, mutate=None):
    """The one command behind `make build`: refs, release/, solutions/, lectures, mutants.

    ``mutate`` (default: on a build of every assignment) grades every mutant of the
    reference answers again and records the results (tests/mutation/results.json).
    """
    from . import refs as refs_mod

    root = Path(root)
    if refs:
        print("recording the hidden tests' reference values", flush=True)
        problems = refs_mod.update_all(root, ids, workers=os.cpu_count() or 1)
        if problems:
            raise CourseError("\n".join(problems))
    print("generating release/ and solutions/", flush=True)
    generate(root, root, ids)
    if lectures:
        execute_lectures(root, ids)
    if mutate if mutate is not None else not ids:
        from . import mutate as mutate_mod

        print("grading the mutants of the reference answers (mutation testing)", flush=True)
        mutate_mod.record_all(ids or nbtools.assignments(root), root)
