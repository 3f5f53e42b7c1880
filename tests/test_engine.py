"""The class grader (`make grade`): nbgrader's scores, in parallel, resumable, robust, reported."""
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from torchcourse import engine, grading, gradeworker, nbtools, refs, robust
from torchcourse.submissions import load_broken, write_submission

from conftest import broken_rounds, broken_student

ROOT = nbtools.ROOT
AID = "02_linear_regression"  # the reference assignment; others may still be being written
BROKEN = load_broken(ROOT / "tests" / "broken" / f"{AID}.py")
ROBUST = robust.load(ROOT / "tests" / "robust" / f"{AID}.py")
# Cases plain nbgrader grades too (no dead kernel, no endless loop, a notebook to read, no
# deleted answer cell: nbgrader's add_missing_cells fails on that, the engine puts it back).
PLAIN_OK = ["syntax", "deleted_test", "edited_test"]
LIMITS = dict(timeout=10, notebook_timeout=90, memory_mb=1024)  # short, so tests stay fast


def table(course, aid=AID):
    """{(student, grade_id): (score, auto_score, needs_manual_grade)} of every submission."""
    from nbgrader.api import Gradebook

    api = grading.nbgrader_api(course)
    out = {}
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        for sub in gb.find_assignment(aid).submissions:
            out[(sub.student.id, "total")] = (sub.score, sub.max_score, None)
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[(sub.student.id, g.name)] = (g.score, g.auto_score, g.needs_manual_grade)
    return out


@pytest.fixture(scope="module")
def empty_course(tmp_path_factory):
    """A course with the assignment in its gradebook and no submissions; tests copy it."""
    return grading.new_course(tmp_path_factory.mktemp("empty") / "course", ROOT, [AID])


def copy_of(course, dest):
    import shutil

    return Path(shutil.copytree(course, dest))


def nbgrader_cli(course, *args):
    """Run the `nbgrader` command itself in ``course``."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True)


#: Graded before the engine's run (it must skip them), then the rest of the class.
FIRST = ["correct", "blank"]


@pytest.fixture(scope="module")
def compared(empty_course, tmp_path_factory):
    """A small class and 3 gradable hostile cases: engine (in two runs), then plain nbgrader.

    correct, blank, two broken rounds (full, zero, partial scores) and the hostile cases
    nbgrader itself can grade; plain `nbgrader autograde --force` regrades the same db.
    """
    course = copy_of(empty_course, tmp_path_factory.mktemp("equal") / "course")
    write_submission(course, "correct", AID)
    write_submission(course, "blank", AID, fill=False)
    for r, members in enumerate(broken_rounds(BROKEN)[:2]):
        write_submission(course, broken_student(r), AID, {BROKEN[i].cell: BROKEN[i].code
                                                          for i in members})
    for case in ROBUST:
        if case.name in PLAIN_OK:
            robust.write(course, case.name, AID, case)
    engine.grade(course=course, pairs=[(s, AID) for s in FIRST], workers=2, progress=False,
                 feedback=False, report=False)
    run = engine.grade(course=course, assignments=[AID], workers=2, progress=False)
    parallel = table(course)
    proc = nbgrader_cli(course, "autograde", AID, "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return course, table(course), parallel, run, set(FIRST)


def test_engine_gives_exactly_nbgrader_scores(compared):
    """Every cell of every submission scores the same as under plain sequential nbgrader."""
    course, plain, parallel, run, before = compared
    students = {s for s, _ in plain}
    assert students == before | {"broken00", "broken01"} | set(PLAIN_OK)
    assert parallel == plain
    totals = {s: v[0] for (s, k), v in plain.items() if k == "total"}
    assert totals["correct"] == 15 and totals["blank"] == 0
    assert any(0 < t < 15 for t in totals.values()), "no partial scores: nothing compared"


def test_second_run_skips_what_is_graded(compared):
    """A run grades only what is new; a resubmission is graded again, alone."""
    course, plain, _, run, before = compared
    students = {s for s, _ in plain}
    assert sorted(run.skipped) == sorted((s, AID) for s in before)
    assert sorted(run.graded) == sorted((s, AID) for s in students if s not in before)
    again = engine.grade(course=course, assignments=[AID], workers=2, progress=False,
                         feedback=False, report=False)
    assert again.graded == [] and len(again.skipped) == len(students)
    assert table(course) == plain
    write_submission(course, "blank", AID)  # the blank student resubmits every answer
    third = engine.grade(course=course, assignments=[AID], workers=2, progress=False,
                         feedback=False, report=False)
    assert third.graded == [("blank", AID)]
    assert grading.scores(course)[("blank", AID)] == (15, 15)


def test_report_and_csv(compared):
    """The report shows scores, parts and flagged submissions; the CSV has every student."""
    course, plain, _, run, _ = compared
    out = course / "build" / "grading"
    page = (out / "report.html").read_text()
    for png in ("scores.png", "parts.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"src='{png}'" in page
    for name in PLAIN_OK:
        assert f"<td>{name}</td>" in page, f"{name} is not among the flagged submissions"
    assert "deleted the test cell correct_mse" in page
    assert "correct_train" in page and "pass rate" in page
    rows = [r.split(",") for r in (out / "grades.csv").read_text().splitlines()[1:]]
    scores = {r[3]: float(r[9]) for r in rows if r[0] == AID}
    expected = {s: v[0] for (s, k), v in plain.items() if k == "total"}
    assert {s: scores[s] for s in expected} == expected


def reference_values():
    """The hidden REF values of AID as its source writes them (those of 5+ digits: distinctive)."""
    def flat(v):
        return [x for item in v for x in flat(item)] if isinstance(v, list) else [str(v)]

    found = [x for p in nbtools.notebooks(ROOT / "source" / AID)
             for cell in nbtools.read(p).cells if refs.REF_LINE.search(cell.source)
             for v in refs.written(cell.source).values() for x in flat(v)]
    return [x for x in found if sum(c.isdigit() for c in x) >= 5]


def test_feedback_never_shows_hidden_tests(compared):
    """Feedback (engine, and plain `nbgrader generate_feedback`) shows failures, not hidden code."""
    course = compared[0]
    secrets = ["BEGIN HIDDEN TESTS", "REF = {", "data.line(", "seed=21", *reference_values()]
    pages = {}
    for student in ("correct", "broken00", "deleted_test"):
        pages[student] = (course / "feedback" / student / AID / f"{AID}.html").read_text()
    proc = nbgrader_cli(course, "generate_feedback", AID, "--student", "broken01", "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages["plain"] = (course / "feedback" / "broken01" / AID / f"{AID}.html").read_text()
    for who, page in pages.items():
        for secret in secrets:
            assert secret not in page, f"feedback of {who} shows {secret!r}"
        assert "hidden tests: they check your code" in page
    assert BROKEN[0].says in pages["broken00"]
    assert BROKEN[1].says in pages["plain"]


@pytest.fixture(scope="module")
def hostile(empty_course, tmp_path_factory):
    """Every shipped hostile submission, plus a correct one, graded by the engine."""
    course = copy_of(empty_course, tmp_path_factory.mktemp("robust") / "course")
    write_submission(course, "correct", AID)
    for case in ROBUST:
        robust.write(course, case.name, AID, case)
    run = engine.grade(course=course, workers=2, progress=False, feedback=False, **LIMITS)
    return course, run


def test_robust_cases_stay_in_step_with_source():
    """Each case's cells exist in the assignment (robust.write checks), names are unique."""
    parts = {c.metadata["nbgrader"]["grade_id"]
             for p in nbtools.notebooks(ROOT / "source" / AID) for c in nbtools.read(p).cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    assert len({c.name for c in ROBUST}) == len(ROBUST)
    for case in ROBUST:
        assert case.costs == robust.ALL or set(case.costs) <= parts, case.name


@pytest.mark.parametrize("case", ROBUST, ids=[c.name for c in ROBUST])
def test_hostile_submission_is_graded_with_a_reason(hostile, case):
    """Loops, dead kernels, memory, syntax, edited or deleted cells, no notebook: graded, why."""
    course, run = hostile
    record = run.records[(case.name, AID)]
    assert record["status"] in ("graded", "fallback"), record
    assert any(case.flag in f for f in record["flags"]), (case.why, record["flags"])
    cells = grading.cell_scores(course, case.name, AID)
    for gid, (score, max_score) in cells.items():
        lost = case.costs == robust.ALL or gid in case.costs
        assert score == (0 if lost else max_score), f"{case.why}: {gid} got {score}/{max_score}"
    assert grading.scores(course)[(case.name, AID)][0] == record["score"]


def test_hostile_submissions_do_not_stop_the_run(hostile):
    """The correct submission among them gets full marks; the run reports no error."""
    course, run = hostile
    assert run.errors == []
    assert grading.scores(course)[("correct", AID)] == (15, 15)
    assert run.records[("correct", AID)]["flags"] == []
    page = (course / "build" / "grading" / "report.html").read_text()
    for case in ROBUST:
        assert f"<td>{case.name}</td>" in page


def test_killed_run_loses_nothing(empty_course, tmp_path):
    """A run killed half-way keeps its finished grades; the next run grades only the rest."""
    course = copy_of(empty_course, tmp_path / "course")
    students = ["s1", "s2"]
    for s in students:
        write_submission(course, s, AID)
    cmd = [sys.executable, "-m", "torchcourse", "grade", "--course", str(course), "-j", "1",
           "--no-feedback", "--no-report"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    ledger = course / gradeworker.LEDGER
    deadline = time.monotonic() + 300
    while not list(ledger.glob("*/*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator and its worker, mid-notebook
    proc.wait()
    done = [p.parent.name for p in ledger.glob("*/*.json")]
    assert 1 <= len(done) < len(students), done
    import sqlite3
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    kept = grading.scores(course)
    assert all(kept[(s, AID)] == (15, 15) for s in done)
    run = engine.grade(course=course, workers=2, progress=False, feedback=False, report=False)
    assert sorted(s for s, _ in run.skipped) == sorted(done)
    assert sorted(s for s, _ in run.graded) == sorted(set(students) - set(done))
    assert {s: grading.scores(course)[(s, AID)] for s in students} == {s: (15, 15)
                                                                       for s in students}


def test_lms_download_is_collected_and_graded(empty_course, tmp_path):
    """A zip and a Canvas-named notebook, as an LMS downloads them, become graded submissions."""
    course = copy_of(empty_course, tmp_path / "course")
    stage = tmp_path / "stage"
    write_submission(stage, "ada", AID)
    write_submission(stage, "ben", AID, fill=False)
    download = tmp_path / "download"
    download.mkdir()
    with zipfile.ZipFile(download / f"ada_{AID}.zip", "w") as z:
        z.write(stage / "submitted" / "ada" / AID / f"{AID}.ipynb", f"{AID}.ipynb")
    (download / f"ben_1234_5678_{AID}-1.ipynb").write_bytes(
        (stage / "submitted" / "ben" / AID / f"{AID}.ipynb").read_bytes())
    run = engine.grade(course=course, source=download, workers=2, progress=False,
                       feedback=False, report=False)
    assert sorted(run.graded) == [("ada", AID), ("ben", AID)]
    assert grading.scores(course)[("ada", AID)] == (15, 15)
    assert grading.scores(course)[("ben", AID)] == (0, 15)


def test_a_notebook_grades_are_saved_all_or_nothing(compared):
    """Grades of a notebook are committed together: a failure half-way changes none of them."""
    from nbformat.v4 import new_code_cell, new_output
    from nbgrader.api import MissingEntry

    course = compared[0]
    before = table(course)
    nb = nbtools.read(course / "autograded" / "correct" / AID / f"{AID}.ipynb")
    for cell in nb.cells:  # every test now fails: saved, they would all become 0 ...
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.outputs = [new_output("error", ename="E", evalue="x", traceback=[])]
    bogus = new_code_cell("pass")  # ... but the last cell is unknown to the gradebook
    bogus.metadata["nbgrader"] = {"grade": True, "grade_id": "nope", "points": 1,
                                  "solution": False, "locked": True, "schema_version": 3}
    nb.cells.append(bogus)
    resources = {"nbgrader": {"notebook": AID, "assignment": AID, "student": "correct",
                              "db_url": grading.nbgrader_api(course).coursedir.db_url}}
    with pytest.raises(MissingEntry):
        gradeworker.SaveAutoGradesAtomic().preprocess(nb, resources)
    assert table(course) == before
    assert before[("correct", "total")][0] == 15


def test_notebook_time_limit_stops_the_rest(tmp_path):
    """Cells within their own limit still stop at the notebook's; the cells left are not run."""
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("import time"), new_code_cell("time.sleep(60)"),
                             new_code_cell("print('never')")])
    ex = gradeworker.LimitedExecute(timeout=120, notebook_timeout=5)
    nb, _ = ex.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    errors = [[(o.ename, o.evalue) for o in c.outputs if o.output_type == "error"]
              for c in nb.cells]
    assert errors[0] == []
    assert "CellTimeoutError" in [ename for ename, _ in errors[1]]  # cut at 5 s, not 120
    assert errors[2] == [(gradeworker.NOT_RUN,
                          "Not run: the notebook ran past its time limit (5 s).")]
    assert gradeworker.output_flags(nb, 120)[-1] == (
        "later cells not run: the notebook ran past its time limit (5 s)")
