"""The gradebook on PostgreSQL: a real server, started here, that two graders fill at once."""
import shutil
import subprocess
import sys

import pytest

from torchcourse import nbtools
from torchcourse.course import Course, new_course
from torchcourse.submissions import load_broken, write_submission

ROOT = nbtools.ROOT
AID = "02_linear_regression"
pytestmark = pytest.mark.database


def test_two_graders_share_one_postgres_gradebook(new_database, tmp_path):
    """Two graders (own course folders) grade halves of a class into one db at once."""
    db_url = new_database()
    broken = load_broken(ROOT / "tests" / "broken" / f"{AID}.py")[:2]
    first = new_course(tmp_path / "first", ROOT, [AID])
    students = {"correct": None, "blank": None}
    students.update({f"broken{i}": b for i, b in enumerate(broken)})
    for s, b in students.items():
        if s == "blank":
            write_submission(first.root, s, AID, fill=False)
        else:
            write_submission(first.root, s, AID, {b.cell: b.code} if b else None)
    second = Course(shutil.copytree(first.root, tmp_path / "second"))
    # Register the assignment once (as `make grade` does on first use), then grade at once.
    Course(first.root, db_url=db_url).ensure_assignments([AID])
    halves = [list(students)[0::2], list(students)[1::2]]
    procs = [subprocess.Popen([sys.executable, "-m", "torchcourse", "grade", "--course",
                               str(c.root), "--db-url", db_url, "-j", "1", "--no-feedback",
                               "--no-report", *[a for s in half for a in ("--student", s)]],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c, half in zip((first, second), halves)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, out + err[-3000:]
    shared = Course(first.root, db_url=db_url)
    for s, b in students.items():
        lost = set(shared.cell_scores(s, AID)) if s == "blank" else set(b.costs) if b else set()
        for gid, (score, max_score) in shared.cell_scores(s, AID).items():
            assert score == (0 if gid in lost else max_score), f"{s}: {gid} {score}/{max_score}"
    assert shared.scores()[("correct", AID)] == (15, 15)
    for c in (first, second):  # nothing went to the courses' own SQLite gradebooks
        assert c.scores() == {}, f"grades went to {c.root / 'gradebook.db'}"
