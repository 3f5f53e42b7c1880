"""`make grade`: nbgrader's scores, on dask, resumable, reported, with feedback that hides tests."""
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from helpers import broken_rounds, broken_student, grade
from nbformat.v4 import new_code_cell, new_notebook

from torchcourse import nbtools, refs
from torchcourse.course import new_course
from torchcourse.flags import output_flags
from torchcourse.ledger import Ledger
from torchcourse.preprocessors import NOT_RUN, SandboxedExecute, SaveAutoGradesAtomic
from torchcourse.submissions import load_broken, write_submission

ROOT = nbtools.ROOT
AID = "02_linear_regression"
BROKEN = load_broken(ROOT / "tests" / "broken" / f"{AID}.py")

pytestmark = pytest.mark.slow


def table(course, aid=AID):
    """{(student, grade_id): (score, auto_score, needs_manual_grade)} of every submission."""
    out = {}
    with course.gradebook() as gb:
        for sub in gb.find_assignment(aid).submissions:
            out[(sub.student.id, "total")] = (sub.score, sub.max_score, None)
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[(sub.student.id, g.name)] = (g.score, g.auto_score, g.needs_manual_grade)
    return out


@pytest.fixture(scope="module")
def empty_course(tmp_path_factory):
    """A course with the assignment in its gradebook and no submissions; tests copy it."""
    return new_course(tmp_path_factory.mktemp("empty") / "course", ROOT, [AID])


def copy_of(course, dest):
    from torchcourse.course import Course

    return Course(shutil.copytree(course.root, dest))


def nbgrader_cli(course, *args):
    """Run the `nbgrader` command itself in ``course``."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course.root, env=env,
                          capture_output=True, text=True)


#: Graded before the engine's run (it must skip them), then the rest of the class.
FIRST = ["correct", "blank"]


@pytest.fixture(scope="module")
def compared(empty_course, tmp_path_factory, dask_client):
    """A small class graded by the engine in two runs, then by plain `nbgrader autograde`."""
    course = copy_of(empty_course, tmp_path_factory.mktemp("equal") / "course")
    write_submission(course.root, "correct", AID)
    write_submission(course.root, "blank", AID, fill=False)
    for r, members in enumerate(broken_rounds(BROKEN)[:2]):
        write_submission(course.root, broken_student(r), AID,
                         {BROKEN[i].cell: BROKEN[i].code for i in members})
    grade(course.root, dask_client, pairs=[(s, AID) for s in FIRST])
    run = grade(course.root, dask_client, assignments=[AID], feedback=True, report=True)
    engine = table(course)
    proc = nbgrader_cli(course, "autograde", AID, "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return course, table(course), engine, run


def test_engine_gives_exactly_nbgrader_scores(compared):
    """Every cell of every submission scores the same as under plain sequential nbgrader."""
    course, plain, engine, run = compared
    assert {s for s, _ in plain} == set(FIRST) | {"broken00", "broken01"}
    assert engine == plain
    totals = {s: v[0] for (s, k), v in plain.items() if k == "total"}
    assert totals["correct"] == 15 and totals["blank"] == 0
    assert any(0 < t < 15 for t in totals.values()), "no partial scores: nothing compared"


def test_second_run_skips_what_is_graded(compared, dask_client):
    """A run grades only what is new; a resubmission is graded again, alone."""
    course, plain, _, run = compared
    students = {s for s, _ in plain}
    assert sorted(run.skipped) == sorted((s, AID) for s in FIRST)
    assert sorted(run.graded) == sorted((s, AID) for s in students if s not in FIRST)
    again = grade(course.root, dask_client, assignments=[AID])
    assert again.graded == [] and len(again.skipped) == len(students)
    write_submission(course.root, "blank", AID)  # the blank student resubmits every answer
    third = grade(course.root, dask_client, assignments=[AID])
    assert third.graded == [("blank", AID)]
    assert course.scores()[("blank", AID)] == (15, 15)


def test_report_and_csv(compared):
    """The report shows scores and parts; the CSV has every student's score."""
    course, plain, _, run = compared
    out = course.root / "build" / "grading"
    page = (out / "report.html").read_text()
    for png in ("scores.png", "parts.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"src='{png}'" in page
    assert "correct_train" in page and "pass rate" in page
    rows = [r.split(",") for r in (out / "grades.csv").read_text().splitlines()[1:]]
    scores = {r[3]: float(r[9]) for r in rows if r[0] == AID}
    # the engine's run graded the broken rounds; plain nbgrader's run came after the report
    assert {s: scores[s] for s in ("broken00", "broken01")} == {
        s: plain[(s, "total")][0] for s in ("broken00", "broken01")}


def reference_values():
    """The recorded reference values of AID with 5+ digits (distinctive enough to search for)."""
    found = [str(x) for cells in refs.load(refs.folder(ROOT), AID)["notebooks"].values()
             for entries in cells["cells"].values() for e in entries
             for x in (e["value"] if isinstance(e["value"], list) else [e["value"]])
             for x in (x if isinstance(x, list) else [x])]
    return [x for x in found if sum(c.isdigit() for c in x) >= 5]


def test_feedback_never_shows_hidden_tests(compared):
    """Feedback (engine, and plain `nbgrader generate_feedback`) shows failures, not hidden code."""
    course = compared[0]
    secrets = ["BEGIN HIDDEN TESTS", "expect(", "data.line(", "seed=21", *reference_values()]
    pages = {s: (course.folder("feedback", s, AID) / f"{AID}.html").read_text()
             for s in ("correct", "broken00")}
    proc = nbgrader_cli(course, "generate_feedback", AID, "--student", "broken01", "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages["plain"] = (course.folder("feedback", "broken01", AID) / f"{AID}.html").read_text()
    for who, page in pages.items():
        for secret in secrets:
            assert secret not in page, f"feedback of {who} shows {secret!r}"
        assert "hidden tests: they check your code" in page
    assert "This part does not pass." in pages["broken00"]
    assert "This part does not pass." not in pages["correct"]


def test_feedback_can_be_released_through_the_exchange(compared, tmp_path):
    """`nbgrader release_feedback` takes the engine's feedback (it needs its timestamp.txt)."""
    course = compared[0]
    for s in ("correct", "broken00"):
        stamp = course.folder("feedback", s, AID) / "timestamp.txt"
        assert stamp.read_text() == (
            course.folder("submitted", s, AID) / "timestamp.txt").read_text()
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    proc = nbgrader_cli(course, "release_feedback", AID, "--student", "correct",
                        f"--Exchange.root={exchange}", "--CourseDirectory.course_id=demo")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(list((exchange / "demo" / "feedback").glob("*.html"))) == 1


def test_killed_run_loses_nothing(empty_course, tmp_path, dask_client):
    """`make grade` killed half-way keeps its finished grades; the next run grades only the rest."""
    course = copy_of(empty_course, tmp_path / "course")
    students = ["s1", "s2", "s3"]
    for s in students:
        write_submission(course.root, s, AID)
    cmd = [sys.executable, "-m", "torchcourse", "grade", "--course", str(course.root), "-j", "1",
           "--no-feedback", "--no-report"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    ledger = Ledger(course)
    deadline = time.monotonic() + 300
    while not ledger.all() and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator, its cluster and their kernels
    proc.wait()
    done = [r.student for r in ledger.all()]
    assert 1 <= len(done) < len(students), done
    import sqlite3
    with sqlite3.connect(course.root / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert all(course.scores()[(s, AID)] == (15, 15) for s in done)
    run = grade(course.root, dask_client)
    assert sorted(s for s, _ in run.skipped) == sorted(done)
    assert sorted(s for s, _ in run.graded) == sorted(set(students) - set(done))
    assert {s: course.scores()[(s, AID)] for s in students} == {s: (15, 15) for s in students}


def test_lms_download_is_collected_and_graded(empty_course, tmp_path, dask_client):
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
    run = grade(course.root, dask_client, source=download)
    assert sorted(run.graded) == [("ada", AID), ("ben", AID)]
    assert course.scores()[("ada", AID)] == (15, 15)
    assert course.scores()[("ben", AID)] == (0, 15)


def test_unknown_assignment_and_missing_course_say_so(tmp_path):
    """A typo in an assignment id or a folder that is not a course: one clear line, exit 2."""
    cmd = [sys.executable, "-m", "torchcourse", "grade", "02_linear_regresion"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown assignment 02_linear_regresion" in proc.stderr
    proc = subprocess.run(cmd[:4] + ["--course", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2 and "has no nbgrader_config.py" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_notebook_grades_are_saved_all_or_nothing(compared):
    """Grades of a notebook are committed together: a failure half-way changes none of them."""
    from nbformat.v4 import new_output
    from nbgrader.api import MissingEntry

    course = compared[0]
    before = table(course)
    nb = nbtools.read(course.folder("autograded", "correct", AID) / f"{AID}.ipynb")
    for cell in nb.cells:  # every test now fails: saved, they would all become 0 ...
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.outputs = [new_output("error", ename="E", evalue="x", traceback=[])]
    bogus = new_code_cell("pass")  # ... but the last cell is unknown to the gradebook
    bogus.metadata["nbgrader"] = {"grade": True, "grade_id": "nope", "points": 1,
                                  "solution": False, "locked": True, "schema_version": 3}
    nb.cells.append(bogus)
    resources = {"nbgrader": {"notebook": AID, "assignment": AID, "student": "correct",
                              "db_url": course.db_url}}
    with pytest.raises(MissingEntry):
        SaveAutoGradesAtomic().preprocess(nb, resources)
    assert table(course) == before and before[("correct", "total")][0] == 15


def test_notebook_time_limit_stops_the_rest(tmp_path):
    """Cells within their own limit still stop at the notebook's; the cells left are not run."""
    nb = new_notebook(cells=[new_code_cell("import time"), new_code_cell("time.sleep(60)"),
                             new_code_cell("print('never')")])
    ex = SandboxedExecute(timeout=120, notebook_timeout=5)
    nb, _ = ex.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    errors = [[(o.ename, o.evalue) for o in c.outputs if o.output_type == "error"]
              for c in nb.cells]
    assert errors[0] == []
    assert "CellTimeoutError" in [ename for ename, _ in errors[1]]  # cut at 5 s, not 120
    assert errors[2] == [(NOT_RUN, "Not run: the notebook ran past its time limit (5 s).")]
    assert output_flags(nb, 120)[-1] == (
        "later cells not run: the notebook ran past its time limit (5 s)")



def test_a_submission_that_stops_its_grading_process_is_recorded_not_retried(empty_course,
                                                                              tmp_path,
                                                                              dask_client):
    """Past the wall limit the grading process is killed: 0 with the reason, graded once."""
    course = copy_of(empty_course, tmp_path / "course")
    # Slow on any machine: a correct submission alone can be graded within 1 s.
    write_submission(course.root, "slow", AID, {"error_table": "import time\ntime.sleep(60)"})
    run = grade(course.root, dask_client, wall_limit=1)
    record = run.records[("slow", AID)]
    assert record.status == "fallback" and run.graded == [("slow", AID)]
    assert any("grading took longer than 1 s" in f for f in record.flags)
    assert course.scores()[("slow", AID)] == (0, 15)
    again = grade(course.root, dask_client)  # final: the next run does not grade it again
    assert again.graded == [] and again.skipped == [("slow", AID)]


def test_a_grading_process_that_dies_leaves_no_scratch_folder(tmp_path):
    """Its folder goes when it dies between tasks, when its parent kills it, and when its
    parent is killed."""
    from torchcourse.worker import GradingProcess

    process = GradingProcess()
    process._start(tmp_path)
    base = process.base
    os.kill(process.proc.pid, signal.SIGKILL)
    process.proc.wait()
    process._start(tmp_path)  # as the next task does
    assert not os.path.exists(base) and os.path.isdir(process.base)
    base = process.base
    process.kill()
    assert not os.path.exists(base)

    code = ("import sys, time; from torchcourse.worker import GradingProcess; "
            "p = GradingProcess(); p._start(sys.argv[1]); print(p.base, flush=True); "
            "time.sleep(120)")
    parent = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    base = parent.stdout.readline().strip()
    assert os.path.isdir(base)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 15
    while os.path.exists(base) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(base), "an orphaned grading process left its folder"
