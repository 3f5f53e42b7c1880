"""`make demo`: grade three sample students on every assignment and print their scores."""
import shutil
from pathlib import Path

from . import nbtools

STUDENTS = {
    "ada": "every answer correct (the reference solutions)",
    "ben": "partly correct (the first two typical mistakes of each tests/broken/ list)",
    "cyd": "untouched release notebooks",
}


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


def demo(dest=nbtools.ROOT / "build" / "demo", root=nbtools.ROOT):
    """Grade three sample students on every assignment; print scores and feedback paths."""
    from .course import new_course
    from .grade import grade, summary
    from .submissions import load_broken, write_submission

    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    ids = nbtools.assignments(root)
    shown = dest.relative_to(root) if dest.is_relative_to(root) else dest
    print(f"setting up a course in {shown}", flush=True)
    course = new_course(dest, root, ids)
    for aid in ids:
        write_submission(dest, "ada", aid, root=root)
        broken_file = Path(root) / "tests" / "broken" / f"{aid}.py"
        broken = load_broken(broken_file)[:2] if broken_file.exists() else []
        write_submission(dest, "ben", aid, {b.cell: b.code for b in broken}, root=root)
        write_submission(dest, "cyd", aid, fill=False, root=root)
    print("grading (sandboxed kernels, hidden values judged outside them), feedback, report",
          flush=True)
    run = grade(course=dest)
    print(summary(run))
    print()
    for s, what in STUDENTS.items():
        print(f"  {s}: {what}")
    print()
    print(score_table(course.scores(), list(STUDENTS), ids))
    print(f"\nfeedback (HTML): {shown}/feedback/<student>/<assignment>/")
    return 0 if not run.errors else 1
