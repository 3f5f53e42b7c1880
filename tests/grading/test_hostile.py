"""Hostile submissions, graded by `make grade` and by plain `nbgrader autograde` alike.

Every case of tests/robust/ (02 and 07) is submitted next to an honest bystander graded
before them. Each case must score 0 on the parts it attacks and full marks on all others,
in both pipelines; its feedback must hold none of its secrets; and nothing outside its
own grade may change: not the bystander's grades or files, not source/, not
nbgrader_config.py, not the gradebook's test cells; no process may outlive the run.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import time

import pytest

from torchcourse import nbtools, robust
from torchcourse.course import new_course
from torchcourse.ledger import Ledger
from torchcourse.submissions import write_submission

ROOT = nbtools.ROOT
HOSTILE = ["02_linear_regression", "07_logistic_regression"]
CASES = {aid: robust.load(ROOT / "tests" / "robust" / f"{aid}.py") for aid in HOSTILE}
PARAMS = [(aid, case) for aid, cases in CASES.items() for case in cases]
UIDS = (63000, 200)  # a range of sandbox uids of its own: no other test's kernels in it
LIMITS = f"""
c.Execute.timeout = 10
c.SandboxedExecute.notebook_timeout = 60
c.SandboxKernelManager.memory_mb = 1024
c.SandboxKernelManager.nproc = 64
c.SandboxKernelManager.uid_base = {UIDS[0]}
c.SandboxKernelManager.uid_count = {UIDS[1]}
"""

pytestmark = pytest.mark.slow


def tree_digest(folder):
    """A digest of every file under ``folder``."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


def sandbox_processes():
    """Processes running as a uid of the sandbox range (left behind by a kernel)."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/status") as f:
                uid = int(next(ln for ln in f if ln.startswith("Uid:")).split()[1])
        except (OSError, StopIteration, ValueError):
            continue
        if UIDS[0] <= uid < UIDS[0] + UIDS[1]:
            found.append(pid)
    return found


def wait_no_processes(limit=15):
    """The sandbox processes still there after ``limit`` seconds (empty once all are gone)."""
    deadline = time.monotonic() + limit
    while (left := sandbox_processes()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def snapshot(course):
    """Everything a case must not change."""
    with course.gradebook() as gb:
        cells = sorted((c.notebook.assignment.name, c.name, c.source, c.checksum)
                       for a in HOSTILE for nb in gb.find_assignment(a).notebooks
                       for c in nb.source_cells)
        bystander = {a: [(g.name, g.score, g.extra_credit, g.manual_score)
                         for nb in gb.find_submission(a, "bystander").notebooks
                         for g in nb.grades] for a in HOSTILE}
    return {"source": tree_digest(course.folder("source")),
            "config": (course.root / "nbgrader_config.py").read_bytes(),
            "cells": cells, "bystander": bystander,
            "bystander_files": tree_digest(course.folder("submitted", "bystander"))}


def feedback_pages(course, student, aid):
    folder = course.folder("feedback", student, aid)
    return " ".join(p.read_text() for p in folder.glob("*.html")) if folder.is_dir() else ""


def collect(course):
    """{(aid, case): (cell scores, feedback text)} of every case."""
    out = {}
    for aid, case in PARAMS:
        try:
            cells = course.cell_scores(case.name, aid)
        except Exception:  # noqa: BLE001 - no submission row: nothing was graded
            cells = {}
        out[(aid, case.name)] = (cells, feedback_pages(course, case.name, aid))
    return out


def feedback(course):
    """nbgrader's generate_feedback, afresh, for the cases that hide secrets."""
    for aid, case in PARAMS:
        if case.secrets:
            shutil.rmtree(course.folder("feedback", case.name, aid), ignore_errors=True)
            proc = run([sys.executable, "-m", "nbgrader", "generate_feedback", aid, "--student",
                        case.name, "--force"], course)
            assert proc.returncode == 0, proc.stderr[-2000:]


def run(cmd, course):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    return subprocess.run(cmd, cwd=course.root, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The hostile class graded by the engine, then again by plain nbgrader."""
    course = new_course(tmp_path_factory.mktemp("hostile") / "course", ROOT, HOSTILE)
    with open(course.root / "nbgrader_config.py", "a") as f:
        f.write(LIMITS)
    for aid in HOSTILE:
        write_submission(course.root, "bystander", aid)
    grade = [sys.executable, "-m", "torchcourse", "grade", "--course", str(course.root),
             "-j", "2", "--no-report", "--no-feedback"]
    proc = run(grade, course)
    assert proc.returncode == 0, proc.stderr[-3000:]
    before = snapshot(course)
    for aid, case in PARAMS:
        robust.write(course.root, case.name, aid, case)
    proc = run(grade, course)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    feedback(course)
    engine = collect(course)
    records = {(r.assignment, r.student): r for r in Ledger(course).all()}
    left_engine = wait_no_processes()
    after_engine = snapshot(course)
    for aid in HOSTILE:  # plain nbgrader regrades every submission, the bystander too
        run([sys.executable, "-m", "nbgrader", "autograde", aid, "--force"], course)
    feedback(course)
    plain = collect(course)
    left_plain = wait_no_processes()
    return {"engine": engine, "plain": plain, "records": records, "before": before,
            "after": {"engine": after_engine, "plain": snapshot(course)},
            "left": {"engine": left_engine, "plain": left_plain}}


def test_there_are_enough_cases_on_two_assignments():
    """At least 25 hostile cases, on at least two assignments, names unique per assignment."""
    assert len(PARAMS) >= 25 and len(CASES) >= 2
    for aid, cases in CASES.items():
        assert len({c.name for c in cases}) == len(cases), aid


@pytest.mark.parametrize("pipeline", ["engine", "plain"])
@pytest.mark.parametrize("aid, case", PARAMS, ids=[f"{a[:2]}-{c.name}" for a, c in PARAMS])
def test_case_loses_exactly_its_parts(graded, pipeline, aid, case):
    """0 on the attacked parts, full marks on every other; no secret in its feedback."""
    cells, page = graded[pipeline][(aid, case.name)]
    parts = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
             for p in nbtools.notebooks(ROOT / "source" / aid) for c in nbtools.read(p).cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    for gid, points in parts.items():
        score = (cells.get(gid) or (0, points))[0] or 0
        want = 0 if case.costs == robust.ALL or gid in case.costs else points
        assert score == want, f"{pipeline}: {case.why}: {gid} got {score}, should get {want}"
    for secret in case.secrets:
        assert secret not in page, f"{pipeline}: the feedback of {case.name} shows {secret!r}"


@pytest.mark.parametrize("aid, case", [(a, c) for a, c in PARAMS if c.flag],
                         ids=[f"{a[:2]}-{c.name}" for a, c in PARAMS if c.flag])
def test_flagged_with_the_reason(graded, aid, case):
    """The report names what happened (limits, deleted, moved or pasted cells, dead kernels)."""
    record = graded["records"][(aid, case.name)]
    assert record.final and any(case.flag in f for f in record.flags), (case.why, record.flags)


@pytest.mark.parametrize("pipeline", ["engine", "plain"])
def test_nothing_outside_the_submissions_changed(graded, pipeline):
    """The bystander's grades and files, source/, nbgrader_config.py and test cells: unchanged."""
    before, after = graded["before"], graded["after"][pipeline]
    for key in before:
        assert after[key] == before[key], f"{pipeline}: {key} changed"
    assert not os.path.exists("/tmp/rewrote-grades")


@pytest.mark.parametrize("pipeline", ["engine", "plain"])
def test_no_process_outlives_the_run(graded, pipeline):
    """Nothing a kernel started (new sessions, double forks, fork bombs) is left running."""
    assert graded["left"][pipeline] == [], f"{pipeline}: processes left: {graded['left'][pipeline]}"
