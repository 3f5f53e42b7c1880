"""The gradebook on PostgreSQL: a real server, started here, that two graders fill at once."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from torchcourse import engine, grading, nbtools
from torchcourse.submissions import load_broken, write_submission

ROOT = nbtools.ROOT
AID = "02_linear_regression"
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
pytestmark = pytest.mark.skipif(not PG_BIN, reason="PostgreSQL is not installed "
                                "(.ci/run installs Debian's postgresql)")


@pytest.fixture(scope="module")
def db_url():
    """A private PostgreSQL server on a Unix socket, with an empty database; stopped after."""
    bindir = os.path.dirname(PG_BIN[-1])
    base = tempfile.mkdtemp(prefix="torchcourse-pg-")
    # The server refuses to run as root: run it as Debian's postgres user then.
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(base, "postgres")

    def pg(*cmd):
        proc = subprocess.run(run_as + [os.path.join(bindir, cmd[0]), *cmd[1:]],
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"{cmd[0]} failed: {proc.stdout}{proc.stderr}"

    data = os.path.join(base, "data")
    pg("initdb", "-D", data, "-U", "grader", "-A", "trust", "-E", "UTF8", "--no-sync")
    pg("pg_ctl", "-D", data, "-l", os.path.join(base, "server.log"), "-w", "start",
       "-o", f"-k {base} -c listen_addresses='' -p 5432 -c fsync=off")
    try:
        pg("createdb", "-h", base, "-p", "5432", "-U", "grader", "gradebook")
        yield f"postgresql+psycopg2://grader@/gradebook?host={base}&port=5432"
    finally:
        pg("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


def test_two_graders_share_one_postgres_gradebook(db_url, tmp_path):
    """Two graders (own course folders, 2 workers each) grade halves of a class into one db."""
    broken = load_broken(ROOT / "tests" / "broken" / f"{AID}.py")[:2]
    first = grading.new_course(tmp_path / "first", ROOT, [AID])
    students = {"correct": None, "blank": None}
    students.update({f"broken{i}": b for i, b in enumerate(broken)})
    for s, b in students.items():
        if s == "blank":
            write_submission(first, s, AID, fill=False)
        else:
            write_submission(first, s, AID, {b.cell: b.code} if b else None)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    # Register the assignment once (as `make grade` does on first use), then grade at once.
    engine.ensure_assignments(first, [AID], db_url)
    halves = [list(students)[0::2], list(students)[1::2]]
    procs = [subprocess.Popen([sys.executable, "-m", "torchcourse", "grade", "--course", str(c),
                               "--db-url", db_url, "-j", "2", "--no-feedback", "--no-report",
                               *[a for s in half for a in ("--student", s)]],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c, half in zip((first, second), halves)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, out + err[-3000:]

    from nbgrader.api import Gradebook
    course_id = grading.nbgrader_api(first).coursedir.course_id
    with Gradebook(db_url, course_id) as gb:
        sub = {s.student.id: s for s in gb.find_assignment(AID).submissions}
        assert sorted(sub) == sorted(students)
        cells = {s: {g.name: (g.score, g.max_score) for nb in sub[s].notebooks for g in nb.grades}
                 for s in students}
        totals = {s: sub[s].score for s in students}
    for s, b in students.items():
        lost = set(cells[s]) if s == "blank" else set(b.costs) if b else set()
        for gid, (score, max_score) in cells[s].items():
            assert score == (0 if gid in lost else max_score), f"{s}: {gid} {score}/{max_score}"
    assert totals["correct"] == 15 and totals["blank"] == 0
    for c in (first, second):  # nothing went to the courses' own SQLite gradebooks
        assert grading.scores(c) == {}, f"grades went to {c / 'gradebook.db'}"
