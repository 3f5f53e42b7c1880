"""Autograde with nbgrader, read scores from its gradebook, and the `make demo` command."""
import shutil
from pathlib import Path

from . import nbtools
from .build import _check, nbgrader_api, scratch_course


def new_course(dest, root=nbtools.ROOT, ids=None):
    """A scratch course at ``dest`` with every assignment generated into its gradebook."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    scratch_course(root, dest)
    api = nbgrader_api(dest)
    for aid in ids or nbtools.assignments(root):
        _check(api.generate_assignment(aid, force=True), f"generate_assignment {aid}")
    return dest


def submitted(course):
    """(student, assignment) pairs found in ``course``/submitted/, sorted."""
    base = Path(course) / "submitted"
    return sorted((s.name, a.name) for s in base.iterdir() if s.is_dir()
                  for a in s.iterdir() if a.is_dir())


def autograde(course, pairs=None, workers=0, feedback=False):
    """Run nbgrader's autograde (and with ``feedback`` its generate_feedback) on each
    (student, assignment) pair, on all cores.

    The engine runs nbgrader's own Autograde in parallel workers; tests/test_engine.py
    proves it gives the gradebook exactly the scores of sequential `nbgrader autograde`.
    """
    from . import engine

    run = engine.grade(course=course, pairs=list(pairs) if pairs else None, force=True,
                       workers=workers,
                       feedback=feedback, report=False, progress=False)
    failed = [r for r in run.records.values() if r.get("status") != "graded"]
    if failed:
        raise RuntimeError("autograde failed:\n" + "\n".join(
            f"{r['student']}/{r['assignment']}: {r.get('reason') or r.get('flags')}"
            for r in failed))
    if feedback:
        missing = [f"{s}/{a}" for s, a in run.records if not engine.has_feedback(course, s, a)]
        if missing:
            raise RuntimeError("generate_feedback failed for " + ", ".join(missing))


def scores(course):
    """{(student, assignment): (score, max_score)} from the course's gradebook."""
    from nbgrader.api import Gradebook

    api = nbgrader_api(course)
    out = {}
    with Gradebook(api.coursedir.db_url) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                out[(sub.student.id, assignment.name)] = (sub.score, sub.max_score)
    return out


def cell_scores(course, student, aid):
    """{test cell grade_id: (score, max_score)} of one graded submission."""
    from nbgrader.api import Gradebook

    api = nbgrader_api(course)
    with Gradebook(api.coursedir.db_url) as gb:
        sub = gb.find_submission(aid, student)
        return {g.name: (g.score, g.max_score)
                for nb in sub.notebooks for g in nb.grades if g.cell.cell_type == "code"}


def score_table(table, students, ids):
    """A plain-text table of score / max per student (rows) and assignment (columns)."""
    width = max(len(a) for a in ids)
    lines = ["student".ljust(10) + "".join(a.rjust(width + 2) for a in ids) + "   total"]
    for s in students:
        cells, got, most = [], 0.0, 0.0
        for a in ids:
            score, max_score = table.get((s, a), (0.0, None))
            cells.append((f"{score:g}/{max_score:g}" if max_score else "missing").rjust(width + 2))
            got, most = got + score, most + (max_score or 0)
        lines.append(s.ljust(10) + "".join(cells) + f"   {got:g}/{most:g}")
    return "\n".join(lines)


DEMO_STUDENTS = {
    "ada": "every answer correct (the reference solutions)",
    "ben": "partly correct (the first two typical mistakes of each tests/broken/ list)",
    "cyd": "untouched release notebooks",
}


def demo(dest=nbtools.ROOT / "build" / "demo", root=nbtools.ROOT):
    """Grade three sample students on every assignment; print scores and feedback paths."""
    from .submissions import load_broken, write_submission

    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    ids = nbtools.assignments(root)
    print(f"setting up a course in {dest.relative_to(root) if dest.is_relative_to(root) else dest}",
          flush=True)
    new_course(dest, root, ids)
    for aid in ids:
        write_submission(dest, "ada", aid, root=root)
        broken_file = Path(root) / "tests" / "broken" / f"{aid}.py"
        broken = load_broken(broken_file)[:2] if broken_file.exists() else []
        write_submission(dest, "ben", aid, {b.cell: b.code for b in broken}, root=root)
        write_submission(dest, "cyd", aid, fill=False, root=root)
    print("autograding and giving feedback (nbgrader autograde, generate_feedback) ...",
          flush=True)
    autograde(dest, feedback=True)
    print()
    for s, what in DEMO_STUDENTS.items():
        print(f"  {s}: {what}")
    print()
    print(score_table(scores(dest), list(DEMO_STUDENTS), ids))
    print(f"\nfeedback (HTML): {dest}/feedback/<student>/<assignment>/")
    return dest
