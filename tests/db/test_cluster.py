"""Grading on a dask cluster: a scheduler and two workers on loopback, PostgreSQL, a lost worker.

The workers run in scratch folders of their own that hold no course file: each task
carries the submission, the configuration and the reference values, and only the
coordinator writes the course's autograded/, feedback/ and ledger. One worker is killed
in the middle of the run: its task is graded by the other, each submission exactly once.
"""
import os
import signal
import subprocess
import sys
import time

import pytest

from torchcourse import nbtools
from torchcourse.course import Course, new_course
from torchcourse.ledger import Ledger
from torchcourse.submissions import load_broken, write_submission

ROOT = nbtools.ROOT
AID = "02_linear_regression"
pytestmark = [pytest.mark.database, pytest.mark.slow]


def start(cmd, cwd, log):
    return subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, env=dict(os.environ, OMP_NUM_THREADS="1"))


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.fixture
def cluster(tmp_path):
    """tcp://127.0.0.1:PORT of `dask scheduler` with two `dask worker`s, and the workers."""
    bindir = os.path.dirname(sys.executable)
    file = tmp_path / "scheduler.json"
    log = open(tmp_path / "cluster.log", "w")
    procs = [start([f"{bindir}/dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                    "--no-dashboard", "--scheduler-file", str(file)], tmp_path, log)]
    deadline = time.monotonic() + 60
    while not file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = []
    for i in range(2):
        scratch = tmp_path / f"worker{i}"
        scratch.mkdir()
        workers.append(start([f"{bindir}/dask", "worker", "--scheduler-file", str(file),
                              "--nthreads", "1", "--no-nanny", "--no-dashboard",
                              "--local-directory", str(scratch)], scratch, log))
    procs += workers
    from distributed import Client

    with Client(scheduler_file=str(file), timeout="60s") as c:
        c.wait_for_workers(2, timeout=120)
        address = c.scheduler.address
    try:
        yield address, workers
    finally:
        for p in procs:
            stop(p)
        log.close()


def test_a_cluster_grades_like_nbgrader_even_when_a_worker_dies(cluster, new_database, tmp_path):
    """Scores equal plain nbgrader's; the killed worker's task is graded elsewhere, once."""
    address, workers = cluster
    db_url = new_database()
    course = new_course(tmp_path / "course", ROOT, [AID])
    broken = load_broken(ROOT / "tests" / "broken" / f"{AID}.py")
    students = [f"s{i}" for i in range(6)]
    for i, s in enumerate(students):
        b = broken[i % len(broken)] if i % 3 else None
        write_submission(course.root, s, AID, {b.cell: b.code} if b else None)
    sqlite = subprocess.run([sys.executable, "-m", "torchcourse", "grade", "--course",
                             str(course.root), "--scheduler", address], capture_output=True,
                            text=True)
    assert sqlite.returncode == 2 and "database server" in sqlite.stderr
    grade = subprocess.Popen([sys.executable, "-m", "torchcourse", "grade", "--course",
                              str(course.root), "--scheduler", address, "--db-url", db_url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ledger = Ledger(Course(course.root, db_url=db_url))
    deadline = time.monotonic() + 300
    while not ledger.all() and time.monotonic() < deadline:
        time.sleep(0.1)
    stop(workers[0])  # a machine failure, in the middle of the run
    out, err = grade.communicate(timeout=600)
    assert grade.returncode == 0, out + err[-3000:]
    assert f"graded {len(students)} submissions" in out
    records = {r.student: r for r in ledger.all()}
    assert sorted(records) == students and all(r.status == "graded" for r in records.values())
    assert all(r.worker for r in records.values())
    shared = Course(course.root, db_url=db_url)
    engine = {s: shared.cell_scores(s, AID) for s in students}
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    with open(course.root / "nbgrader_config.py", "a") as f:
        f.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    plain = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", AID, "--force"],
                           cwd=course.root, env=env, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr[-3000:]
    assert {s: shared.cell_scores(s, AID) for s in students} == engine
