"""Hostile submissions, graded by `make grade` and by plain `nbgrader autograde` alike.

Every case of tests/robust/ (02 and 07) is submitted next to an honest bystander graded
before them. Each case must score 0 on the parts it attacks and full marks on all others,
in both pipelines; its feedback must hold none of its secrets; and nothing outside its
own grade may change: not the bystander's grades or files, not source/, not
nbgrader_config.py, not the gradebook's test cells; no process may outlive the run.
"""
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import time

import pytest
from helpers import grade

from torchcourse import nbtools, robust
from torchcourse.build import check_result
from torchcourse.course import new_course
from torchcourse.ledger import Ledger
from torchcourse.submissions import write_submission

ROOT = nbtools.ROOT
HOSTILE = ["02_linear_regression", "07_logistic_regression"]
CASES = {aid: robust.load(ROOT / "tests" / "robust" / f"{aid}.py") for aid in HOSTILE}
PARAMS = [(aid, case) for aid, cases in CASES.items() for case in cases]
#: Each run (pipeline x assignment) has sandbox uids of its own, so that runs going on side
#: by side never see each other's kernels as processes left behind.
UID_BASE, UID_COUNT = 63000, 200
LIMITS = """
c.Execute.timeout = 5
c.SandboxedExecute.notebook_timeout = 60
c.SandboxKernelManager.memory_mb = 1024
c.SandboxKernelManager.nproc = 64
c.SandboxKernelManager.uid_base = {base}
c.SandboxKernelManager.uid_count = {count}
"""

pytestmark = pytest.mark.slow


def tree_digest(folder):
    """A digest of every file under ``folder``."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


def sandbox_processes(base):
    """Processes running as a uid of a run's sandbox range (left behind by a kernel)."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/status") as f:
                uid = int(next(ln for ln in f if ln.startswith("Uid:")).split()[1])
        except (OSError, StopIteration, ValueError):
            continue
        if base <= uid < base + UID_COUNT:
            found.append(pid)
    return found


def wait_no_processes(base, limit=15):
    """The sandbox processes still there after ``limit`` seconds (empty once all are gone)."""
    deadline = time.monotonic() + limit
    while (left := sandbox_processes(base)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def snapshot(course, aid):
    """Everything a case must not change."""
    with course.gradebook() as gb:
        cells = sorted((c.notebook.assignment.name, c.name, c.source, c.checksum)
                       for nb in gb.find_assignment(aid).notebooks for c in nb.source_cells)
        bystander = [(g.name, g.score, g.extra_credit, g.manual_score)
                     for nb in gb.find_submission(aid, "bystander").notebooks
                     for g in nb.grades]
    return {"source": tree_digest(course.folder("source")),
            "config": (course.root / "nbgrader_config.py").read_bytes(),
            "cells": cells, "bystander": bystander,
            "bystander_files": tree_digest(course.folder("submitted", "bystander"))}


def feedback_pages(course, student, aid):
    folder = course.folder("feedback", student, aid)
    return " ".join(p.read_text() for p in folder.glob("*.html")) if folder.is_dir() else ""


def collect(course, aid):
    """{case: (cell scores, feedback text)} of every case of ``aid``."""
    table = course.cell_table(aid)  # a case with no submission row was not graded: {}
    return {case.name: (table.get(case.name, {}), feedback_pages(course, case.name, aid))
            for case in CASES[aid]}


def feedback(course, aid):
    """nbgrader's generate_feedback, afresh, for the cases that hide secrets (through
    NbGraderAPI, as Formgrader's button runs it: no process per case)."""
    for case in CASES[aid]:
        if case.secrets:
            shutil.rmtree(course.folder("feedback", case.name, aid), ignore_errors=True)
            check_result(course.api.generate_feedback(aid, case.name, force=True),
                         f"generate_feedback {case.name}")


@functools.cache
def parts(aid):
    """{grade_id: points} of the test cells of ``aid``."""
    return {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
            for p in nbtools.notebooks(ROOT / "source" / aid)
            for c in nbtools.read(p).cells if c.metadata.get("nbgrader", {}).get("grade")}


def run_cli(cmd, course):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    return subprocess.run(cmd, cwd=course.root, env=env, capture_output=True, text=True,
                          timeout=900)


def graded_class(pipeline, aid, uid_base, folder, client):
    """The hostile class of ``aid`` graded by ``pipeline``: the engine or plain nbgrader.

    An honest bystander is graded first; then every case is submitted and the whole class
    graded (plain nbgrader regrades the bystander too). The engine is this test process's
    `make grade` (its dask worker, grading process and zygote, which outlive the run: what a
    case leaves behind would show), plain nbgrader the `nbgrader` command.
    """
    course = new_course(folder / "course", ROOT, [aid])
    with open(course.root / "nbgrader_config.py", "a") as f:
        f.write(LIMITS.format(base=uid_base, count=UID_COUNT))
    write_submission(course.root, "bystander", aid)
    if pipeline == "engine":
        run = grade(course.root, client, pairs=[("bystander", aid)])
        assert [r.status for r in run.records.values()] == ["graded"], run.records
    else:
        cmd = [sys.executable, "-m", "nbgrader", "autograde", aid, "--force"]
        proc = run_cli(cmd[:-1] + ["--student", "bystander"], course)
        assert proc.returncode == 0, proc.stderr[-3000:]
    before = snapshot(course, aid)
    for case in CASES[aid]:
        robust.write(course.root, case.name, aid, case)
    if pipeline == "engine":  # the engine grades every case, whatever it does
        run = grade(course.root, client, assignments=[aid])
        assert not run.errors, [(r.student, r.reason) for r in run.errors]
    else:  # plain nbgrader may fail on a hostile notebook
        run_cli(cmd, course)
    feedback(course, aid)
    return {"cases": collect(course, aid), "left": wait_no_processes(uid_base),
            "records": {r.student: r for r in Ledger(course).all()},
            "before": before, "after": snapshot(course, aid)}


def test_there_are_enough_cases_on_two_assignments():
    """At least 25 hostile cases, on at least two assignments, names unique per assignment."""
    assert len(PARAMS) >= 25 and len(CASES) >= 2
    for aid, cases in CASES.items():
        assert len({c.name for c in cases}) == len(cases), aid


def pytest_generate_tests(metafunc):
    """The cases of the class's assignment (those the report must flag, for that test)."""
    if "case" in metafunc.fixturenames and metafunc.cls is not None:
        cases = CASES[metafunc.cls.aid]
        if metafunc.function.__name__ == "test_flagged_with_the_reason":
            cases = [c for c in cases if c.flag]
        metafunc.parametrize("case", cases, ids=[c.name for c in cases])


class HostileRun:
    """One assignment's hostile class through one pipeline; subclasses set the three.

    Each run is a class of its own, so that pytest-xdist spreads the runs over its
    processes."""
    pipeline = aid = None
    uid_base = UID_BASE

    @pytest.fixture(scope="class")
    def graded(self, tmp_path_factory, dask_client):
        folder = tmp_path_factory.mktemp(f"hostile-{self.pipeline}-{self.aid[:2]}")
        return graded_class(self.pipeline, self.aid, self.uid_base, folder, dask_client)

    def test_case_loses_exactly_its_parts(self, graded, case):
        """0 on the attacked parts, full marks on every other; no secret in its feedback."""
        cells, page = graded["cases"][case.name]
        for gid, points in parts(self.aid).items():
            score = (cells.get(gid) or (0, points))[0] or 0
            want = 0 if case.costs == robust.ALL or gid in case.costs else points
            assert score == want, (f"{self.pipeline}: {case.why}: {gid} got {score}, "
                                   f"should get {want}")
        for secret in case.secrets:
            assert secret not in page, (f"{self.pipeline}: the feedback of {case.name} shows "
                                        f"{secret!r}")

    def test_nothing_outside_the_submissions_changed(self, graded):
        """The bystander's grades and files, source/, nbgrader_config.py and test cells."""
        before, after = graded["before"], graded["after"]
        for key in before:
            assert after[key] == before[key], f"{self.pipeline}: {key} changed"
        assert not os.path.exists("/tmp/rewrote-grades")

    def test_no_process_outlives_the_run(self, graded):
        """Nothing a kernel started (new sessions, double forks, fork bombs) is left running."""
        assert graded["left"] == [], f"{self.pipeline}: processes left: {graded['left']}"


class EngineRun(HostileRun):
    pipeline = "engine"

    def test_flagged_with_the_reason(self, graded, case):
        """The report names what happened (limits, deleted, moved or pasted cells, dead
        kernels)."""
        record = graded["records"][case.name]
        assert record.final and any(case.flag in f for f in record.flags), (case.why,
                                                                           record.flags)


class TestEngine02(EngineRun):
    aid, uid_base = "02_linear_regression", UID_BASE


class TestPlain02(HostileRun):
    pipeline, aid, uid_base = "plain", "02_linear_regression", UID_BASE + UID_COUNT


class TestEngine07(EngineRun):
    aid, uid_base = "07_logistic_regression", UID_BASE + 2 * UID_COUNT


class TestPlain07(HostileRun):
    pipeline, aid, uid_base = "plain", "07_logistic_regression", UID_BASE + 3 * UID_COUNT
