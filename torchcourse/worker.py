"""Grade one submission: the task a dask worker runs, in a scratch course of its own.

A ``Task`` carries everything grading needs — the submitted files, and in ``Spec`` the
course's nbgrader_config.py, its gradebook URL and the reference values — so a worker needs
no access to the course's folders: it writes them into a scratch course, runs nbgrader's
Autograde there with the course's own preprocessors (kernels in the sandbox, hidden values
judged outside them), optionally its feedback, and returns a ``Result``: the record, the
autograded notebooks and the feedback pages. Only the coordinator writes them to the course.

Each dask worker keeps a grading process (``GradingProcess``) per thread, which does the
work: if a submission kills it or runs past the wall limit, that submission's task returns
an error record and the dask worker itself lives on.
"""
import atexit
import os
import pickle
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from . import speedups
from .ledger import Record, digest

#: Kernels run side by side, one per core: each keeps to one thread.
THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
DB_BUSY = ("database is locked", "could not serialize", "deadlock detected")


@dataclass
class Spec:
    """What every task of one grading run shares."""
    config: str                      # the text of nbgrader_config.py
    db_url: str
    references: dict                 # {assignment: recorded reference values}
    released: dict                   # {assignment: {notebook: {grade_id: checksum}}}
    settings: dict = field(default_factory=dict)  # {"Execute.timeout": 10, ...} overrides
    feedback: bool = True
    wall_limit: float = 1020.0       # seconds a task may take before its process is killed


@dataclass
class Task:
    """One submission to grade (or, with ``autograded``, only to give feedback on)."""
    student: str
    assignment: str
    files: dict                      # {name: bytes} of the submission folder
    autograded: dict = None          # {name: bytes}: feedback only, for a graded submission


@dataclass
class Result:
    """What a task returns to the coordinator."""
    record: Record
    autograded: dict = field(default_factory=dict)   # {name: bytes}
    feedback: dict = field(default_factory=dict)     # {name: bytes}
    lost: bool = False               # the grading process died: the coordinator records 0


def folder_files(folder, pattern):
    """{name: bytes} of the files of ``folder`` that match ``pattern``."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob(pattern))}


def _last_error(result):
    """The exception nbgrader's log or traceback ends with: the reason it failed."""
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    found = [m.group(1).strip() for m in re.finditer(
        r"^\s*((?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Error|Exception|Exit):.*)$", text, re.M)
        if "NbGraderException: Please see" not in m.group(1)]
    if found:
        return found[-1]
    errors = [ln[len("[ERROR] "):] for ln in text.splitlines() if ln.startswith("[ERROR]")]
    return errors[0] if errors else "unknown error"


def settings_lines(settings):
    """nbgrader_config.py lines for {"Class.trait": value} overrides."""
    return "".join(f"c.{k} = {v!r}\n" for k, v in sorted(settings.items()))


class Scratch:
    """A scratch course in this process for one Spec: config, references, gradebook URL."""

    def __init__(self, spec, base):
        from . import refs
        from .course import Course

        self.root = Path(tempfile.mkdtemp(prefix="course-", dir=base))
        (self.root / "nbgrader_config.py").write_text(
            spec.config + "\n# this worker's scratch copy\n" + settings_lines(
                {**spec.settings, "CourseDirectory.root": str(self.root),
                 "CourseDirectory.db_url": spec.db_url}))
        for aid, data in spec.references.items():
            refs.write(self.root, aid, data)
            (self.root / "source" / aid).mkdir(parents=True, exist_ok=True)
        self.course = Course(self.root, db_url=spec.db_url)
        self.spec = spec
        self._cells = {}

    def source_cells(self, aid):
        """{notebook: {cell: what the gradebook knows of it}} of ``aid``, in order."""
        if aid not in self._cells:
            with self.course.gradebook() as gb:
                a = gb.find_assignment(aid)
                self._cells[aid] = {
                    nb.name: {c.name: {"locked": c.locked, "checksum": c.checksum,
                                       "grade": c.name in {g.name for g in nb.grade_cells},
                                       "solution": c.name in {s.name for s in nb.solution_cells}}
                              for c in nb.source_cells}
                    for nb in a.notebooks}
        return self._cells[aid]

    def clear(self, student, aid):
        for kind in ("submitted", "autograded", "feedback"):
            shutil.rmtree(self.course.folder(kind, student, aid), ignore_errors=True)

    def grade(self, task):
        """Autograde one submission here (and give feedback); return its Result."""
        import nbformat

        from . import flags as fl
        from .preprocessors import PEAKS
        start = time.monotonic()
        student, aid = task.student, task.assignment
        self.clear(student, aid)
        folder = self.course.folder("submitted", student, aid)
        folder.mkdir(parents=True)
        for name, data in task.files.items():
            (folder / name).write_bytes(data)
        record = Record(student, aid, "graded", submitted=digest(task.files))
        if task.autograded is not None:
            graded = self.course.folder("autograded", student, aid)
            graded.mkdir(parents=True)
            for name, data in task.autograded.items():
                (graded / name).write_bytes(data)
            return self._feedback(Result(record), task, start)
        expected = self.source_cells(aid)
        present = sorted(n for n in expected if f"{n}.ipynb" in task.files)
        others = sorted(n for n in task.files if n.endswith(".ipynb")
                        and n[:-len(".ipynb")] not in expected)
        fatal = None
        for name in sorted(expected):
            if name not in present:
                record.flags.append(f"missing notebook {name}.ipynb"
                                    + (f" (found {', '.join(others)})" if others else ""))
        for name in present:
            try:
                nb = nbformat.reads(task.files[f"{name}.ipynb"].decode("utf-8"), as_version=4)
            except Exception as e:  # noqa: BLE001 - not JSON, not a notebook: nothing to run
                fatal = f"{name}.ipynb is not a readable notebook ({type(e).__name__}: {e})"
                break
            released = self.spec.released.get(aid, {}).get(name, {})
            record.flags += fl.structure_flags(nb, expected[name], released)
        if not present:
            fatal = fatal or "no notebook of the assignment was submitted"
        PEAKS.clear()
        if fatal is None:
            result = self._autograde(student, aid)
            if result["success"]:
                timeout = self.course.config.Execute.get("timeout", 120)
                for path in sorted(self.course.folder("autograded", student, aid).glob("*.ipynb")):
                    record.flags += fl.output_flags(nbformat.read(str(path), as_version=4),
                                                    timeout)
            elif any(b in (result.get("error", "") + result.get("log", "")) for b in DB_BUSY):
                record.status, record.reason = "error", "the gradebook stayed busy; run again"
                return Result(record)
            else:
                fatal = "nbgrader could not grade it: " + _last_error(result)
        if fatal is not None:
            record_fallback(self.course, student, aid)
            record.status, record.reason = "fallback", fatal
            record.flags.append(fatal)
        record.score, record.max_score = submission_score(self.course, student, aid)
        out = Result(record)
        graded = self.course.folder("autograded", student, aid)
        out.autograded = folder_files(graded, "*.ipynb")
        record.autograded = sorted(out.autograded)
        record.peak_mb = {"kernel": round(PEAKS.get("kernel_kb", 0) / 1024, 1)}
        if record.status == "graded" and self.spec.feedback:
            return self._feedback(out, task, start)
        record.seconds = round(time.monotonic() - start, 3)
        return out

    def _autograde(self, student, aid, tries=4):
        """nbgrader's autograde (as NbGraderAPI.autograde), retried while the database is busy."""
        for attempt in range(tries):
            result = self.course.api.autograde(aid, student, force=True, create=True)
            text = result.get("error", "") + result.get("log", "")
            if result["success"] or not any(b in text for b in DB_BUSY):
                return result
            time.sleep(0.5 * 2 ** attempt)
        return result

    def _feedback(self, out, task, start):
        result = self.course.api.generate_feedback(task.assignment, task.student, force=True)
        folder = self.course.folder("feedback", task.student, task.assignment)
        out.feedback = folder_files(folder, "*.html")
        out.record.feedback = bool(result["success"] and out.feedback)
        if not out.record.feedback:
            out.record.flags.append("feedback failed: " + _last_error(result))
        out.record.seconds = round(time.monotonic() - start, 3)
        return out


def record_fallback(course, student, aid):
    """Grade a submission nbgrader could not grade: 0 on every part."""
    shutil.rmtree(course.folder("autograded", student, aid), ignore_errors=True)
    with course.gradebook() as gb:
        sub = gb.update_or_create_submission(aid, student)
        for nb in sub.notebooks:
            for grade in nb.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gb.db.commit()


def submission_score(course, student, aid):
    """(score, max_score) of one submission in the gradebook."""
    with course.gradebook() as gb:
        sub = gb.find_submission(aid, student)
        return float(sub.score), float(sub.max_score)


# --- the grading process --------------------------------------------------------------

def serve(fd, log_path, base):
    """Main loop of a grading process: take (task, spec) from ``fd``, send back Results.

    ``base``: its scratch folder, made by its parent; removed by the one that outlives
    the other.
    """
    # Kernels and nbgrader write notices to our stdout/stderr: keep them in a log, out of
    # the instructor's terminal and out of the protocol.
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    conn = Connection(fd)
    _die_with(os.getppid(), base)
    scratches = {}
    _warm_sandbox()
    speedups.apply()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        task, spec = job
        key = pickle.dumps((spec.config, spec.db_url, sorted(spec.settings.items())))
        try:
            if key not in scratches:
                scratches[key] = Scratch(spec, base)
            scratches[key].spec = spec
            result = scratches[key].grade(task)
        except Exception:  # noqa: BLE001 - report it as this submission's error, go on
            result = Result(Record(task.student, task.assignment, "error",
                                   reason=traceback.format_exc().strip().splitlines()[-1]))
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result.record.peak_mb["worker"] = round(own, 1)
        try:
            conn.send(("done", result))
        except (BrokenPipeError, OSError):
            break
    shutil.rmtree(base, ignore_errors=True)  # its parent has gone, or asked it to stop


def start_sandbox(check=False):
    """The machine's zygote for this process's kernels, as root (``check``: started again
    if it is no longer running)."""
    from .sandbox.kernel import PASSTHROUGH, SandboxKernelManager, Zygote, privileged

    if privileged() and shutil.which("bwrap"):
        env = {k: os.environ[k] for k in PASSTHROUGH if k in os.environ}
        Zygote.shared(env, SandboxKernelManager().tmp_mb, check=check)


def _warm_sandbox():
    """Start this process's zygote now, beside nbgrader's imports, not at the first kernel."""
    threading.Thread(target=start_sandbox, daemon=True).start()


def _die_with(parent, base):
    """Stop this process as soon as ``parent`` is gone, removing ``base`` (which the
    parent can no longer do)."""
    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        shutil.rmtree(base, ignore_errors=True)
        os.killpg(0, 9)

    threading.Thread(target=watch, daemon=True).start()


class GradingProcess:
    """A child process that grades one task at a time; restarted if a task kills it."""

    _idle = []      # this process's grading processes not grading now
    _made = 0
    _lock = threading.Lock()

    def __init__(self, name=None):
        self.name = name or str(os.getpid())  # of its log file
        self.proc = None
        self.conn = None
        self.base = None

    @classmethod
    @contextmanager
    def taken(cls):
        """One of this process's grading processes, for one task: one per task at once
        (a dask worker with several threads runs several)."""
        with cls._lock:
            if cls._idle:
                process = cls._idle.pop()
            else:
                process = cls(f"{os.getpid()}-{cls._made}")
                cls._made += 1
        try:
            yield process
        finally:
            with cls._lock:
                cls._idle.append(process)

    def _start(self, log_dir):
        parent, child = socket.socketpair()
        log = Path(log_dir) / f"grading-{self.name}.log"
        self._release()  # what a grading process that died between tasks left
        self.base = tempfile.mkdtemp(prefix="torchcourse-worker-")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; from torchcourse import worker; "
             f"worker.serve({child.fileno()}, *sys.argv[1:])", str(log), self.base],
            pass_fds=[child.fileno()], start_new_session=True, stdin=subprocess.DEVNULL,
            env={**os.environ, **THREAD_ENV})
        child.close()
        self.conn = Connection(parent.detach())
        if not self.conn.poll(120):
            self.kill()
            raise RuntimeError(f"the grading process did not start; see {log}")
        kind, _ = self.conn.recv()
        assert kind == "ready"
        atexit.register(self.close)

    def close(self):
        """Ask the grading process to stop after its task; kill it if it does not."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.conn.send(None)
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def kill(self):
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self._release()
        self.proc = None

    def _release(self):
        """Close the socket to the grading process and remove its scratch folder."""
        if self.conn is not None:
            self.conn.close()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
        self.conn = self.base = None

    def ensure_started(self, log_dir):
        """Start the grading process unless it is running."""
        if self.proc is None or self.proc.poll() is not None:
            self._start(log_dir)

    def run(self, task, spec, log_dir):
        """Grade ``task`` in the child; a lost Result if it dies or exceeds the wall limit."""
        self.ensure_started(log_dir)
        try:
            self.conn.send((task, spec))
            if self.conn.poll(spec.wall_limit):
                kind, result = self.conn.recv()
                return result
            reason = f"grading took longer than {spec.wall_limit:.0f} s"
        except (EOFError, OSError, BrokenPipeError):
            self.proc.wait()
            reason = f"its grading process died (exit code {self.proc.returncode})"
        self.kill()
        return Result(Record(task.student, task.assignment, "error", reason=reason), lost=True)


def warm_up(log_dir=None, dask_worker=None, count=None):
    """Start grading processes (each with its sandbox) before the first task, side by
    side: ``count`` of them, or one per thread of ``dask_worker``."""
    from concurrent.futures import ThreadPoolExecutor

    n = count or getattr(getattr(dask_worker, "state", None), "nthreads", 1) or 1
    with ExitStack() as stack:
        taken = [stack.enter_context(GradingProcess.taken()) for _ in range(n)]
        with ThreadPoolExecutor(n) as pool:
            for started in [pool.submit(p.ensure_started, log_dir or tempfile.gettempdir())
                            for p in taken]:
                started.result()
    return os.getpid()


def grade_task(task, spec, log_dir=None):
    """The dask task: grade ``task`` in a grading process of this worker's."""
    with GradingProcess.taken() as process:
        result = process.run(task, spec, log_dir or tempfile.gettempdir())
    try:
        from distributed import get_worker

        result.record.worker = get_worker().address
    except (ImportError, ValueError):
        result.record.worker = f"pid {os.getpid()}"
    return result
