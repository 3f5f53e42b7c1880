"""Grade a whole class with one command: every submission in parallel, resumably, with a report.

``grade()`` is what ``make grade`` runs: it takes submissions from nbgrader's
``submitted/`` layout (or collects an LMS download with nbgrader's zip_collect),
autogrades every (student, assignment) on all cores with nbgrader's own Autograde
(one worker process per core, see ``gradeworker``), generates feedback, exports
grades to CSV and writes a report. Each finished grade is recorded as it finishes,
so a second run skips it unless forced, and a run killed half-way loses nothing.
"""
import multiprocessing
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from . import gradeworker, nbtools
from .build import nbgrader_api

#: Kernels run side by side, one per core: each keeps to one thread.
THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@dataclass
class Options:
    """What to grade and how; every field has a command-line option."""
    course: Path = nbtools.ROOT
    assignments: list = None          # default: every assignment with submissions
    students: list = None             # default: every student with submissions
    workers: int = 0                  # default: one per core
    source: Path = None               # an LMS download to collect first (zip_collect)
    regexp: str = None                # how a downloaded file's name gives student and notebook
    force: bool = False               # grade again what is already graded
    timeout: int = None               # seconds per cell (default: nbgrader_config's)
    notebook_timeout: int = None      # seconds per notebook (default: nbgrader_config's)
    memory_mb: int = None             # kernel memory limit (default: nbgrader_config's)
    db_url: str = None                # gradebook (default: nbgrader_config's, SQLite)
    feedback: bool = True
    report: bool = True
    out: Path = None                  # grades.csv, report.html, plots (default build/grading)
    progress: bool = True
    pairs: list = None                # exact (student, assignment) pairs, instead of all


@dataclass
class Run:
    """What one run did: a record per submission, and the time of each phase."""
    records: dict = field(default_factory=dict)   # (student, aid) -> record
    graded: list = field(default_factory=list)    # pairs graded in this run
    skipped: list = field(default_factory=list)   # pairs already graded
    missing: list = field(default_factory=list)   # (student, aid) with no submission
    times: dict = field(default_factory=dict)
    workers: dict = field(default_factory=dict)   # pid -> (worker MB, kernel MB) peaks
    out: Path = None

    @property
    def errors(self):
        return [r for r in self.records.values() if r.get("status") == "error"]


def submitted_pairs(course):
    """(student, assignment) folders under ``course``/submitted/, sorted."""
    base = Path(course) / "submitted"
    if not base.is_dir():
        return []
    return sorted((s.name, a.name) for s in base.iterdir() if s.is_dir()
                  for a in s.iterdir() if a.is_dir())


def is_done(course, student, aid):
    """The ledger's record if this submission is graded and unchanged since, else None."""
    record = gradeworker.read_ledger(course, student, aid)
    if not record or record.get("status") not in ("graded", "fallback"):
        return None
    folder = Path(course) / "submitted" / student / aid
    if record["submitted"] != gradeworker.digest(folder):
        return None
    graded = Path(course) / "autograded" / student / aid
    if not all((graded / name).exists() for name in record.get("autograded", [])):
        return None
    return record


def ensure_assignments(course, ids, db_url):
    """Put assignments the gradebook lacks into it, as generate_assignment does (scratch copy)."""
    import tempfile
    from nbgrader.api import Gradebook, MissingEntry
    from .build import _check, scratch_course

    api = nbgrader_api(course)
    db_url = db_url or api.coursedir.db_url
    with Gradebook(db_url, api.coursedir.course_id) as gb:
        missing = []
        for aid in ids:
            try:
                gb.find_assignment(aid)
            except MissingEntry:
                missing.append(aid)
    if missing:
        with tempfile.TemporaryDirectory() as tmp:
            scratch = nbgrader_api(scratch_course(course, tmp))
            scratch.coursedir.db_url = db_url
            for aid in missing:
                result = scratch.generate_assignment(aid, force=True)
                if not result["success"] and not _has_assignment(db_url, api, aid):
                    _check(result, f"generate_assignment {aid}")  # else: another grader did it
    return missing


def _has_assignment(db_url, api, aid):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, api.coursedir.course_id) as gb:
        try:
            return bool(gb.find_assignment(aid))
        except MissingEntry:
            return False


def ensure_students(db_url, course_id, students):
    """Create the gradebook's course rows and students first, so workers never race to."""
    from nbgrader.api import Gradebook, InvalidEntry, MissingEntry

    from sqlalchemy.exc import SQLAlchemyError

    for cid in ("default_course", course_id):  # nbgrader opens both
        for attempt in range(3):  # another grader may be creating the same rows or tables
            try:
                Gradebook(db_url, cid).close()
                break
            except (InvalidEntry, SQLAlchemyError):
                if attempt == 2:
                    raise
                time.sleep(1)
    with Gradebook(db_url, course_id) as gb:
        for student in students:
            try:
                gb.find_student(student)
            except MissingEntry:
                try:
                    gb.add_student(student)
                except InvalidEntry:  # another grader added it meanwhile
                    gb.find_student(student)


class Pool:
    """N persistent worker processes, each grading one submission at a time."""

    def __init__(self, n, options, log_dir):
        self.options = options
        self.log_dir = Path(log_dir)
        self.ctx = multiprocessing.get_context("spawn")
        self.slots = [None] * n
        self.peaks = {}
        self.failed_starts = 0
        for i in range(n):
            self._start(i)

    def _start(self, i):
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=gradeworker.serve, daemon=True,
                                args=(child, self.options, self.log_dir / f"worker{i}.log"))
        with nbtools.env(**THREAD_ENV):
            proc.start()
        child.close()
        self.slots[i] = {"proc": proc, "conn": parent, "job": None, "since": None,
                         "ready": False}

    def _kill(self, i):
        """Stop worker ``i`` and every process it started (its kernel)."""
        import psutil

        proc = self.slots[i]["proc"]
        try:
            worker = psutil.Process(proc.pid)
            tree = worker.children(recursive=True) + [worker]
        except psutil.Error:
            tree = []
        for p in tree:
            try:
                p.kill()
            except psutil.Error:
                pass
        proc.join(5)

    def run(self, jobs, on_done, wall_limit=None):
        """Run ``jobs`` [(kind, student, aid)]; call ``on_done(record)`` as each finishes."""
        queue = list(jobs)
        busy = 0
        while queue or busy:
            for i, slot in enumerate(self.slots):
                if slot["ready"] and slot["job"] is None and queue:
                    slot["job"], slot["since"] = queue.pop(0), time.monotonic()
                    slot["conn"].send(slot["job"])
                    busy += 1
            waitables = {}
            for i, slot in enumerate(self.slots):
                waitables[slot["conn"]] = i
                waitables[slot["proc"].sentinel] = i
            for ready in wait(list(waitables), timeout=1.0):
                i = waitables[ready]
                slot = self.slots[i]
                if ready is slot["conn"]:
                    try:
                        kind, payload = slot["conn"].recv()
                    except (EOFError, OSError):
                        continue  # the sentinel reports the death below
                    if kind == "ready":
                        slot["ready"] = True
                    else:
                        self.peaks[slot["proc"].pid] = (payload.pop("worker_mb", None),
                                                        payload.pop("kernel_mb", None))
                        slot["job"] = None
                        busy -= 1
                        on_done(payload)
                elif not slot["proc"].is_alive():
                    job = slot["job"]
                    if not slot["ready"]:
                        self.failed_starts += 1
                        if self.failed_starts > 2 * len(self.slots):
                            raise RuntimeError("grading workers die as they start; see "
                                               f"{self.log_dir}/worker*.log")
                    self._start(i)
                    if job is not None:
                        busy -= 1
                        on_done(_lost(job, f"its grading process died (exit code "
                                           f"{slot['proc'].exitcode})"))
            if wall_limit:
                for i, slot in enumerate(self.slots):
                    if slot["job"] and time.monotonic() - slot["since"] > wall_limit:
                        job = slot["job"]
                        self._kill(i)
                        self._start(i)
                        busy -= 1
                        on_done(_lost(job, f"grading took longer than {wall_limit} s"))

    def close(self):
        for i, slot in enumerate(self.slots):
            try:
                slot["conn"].send(None)
            except OSError:
                pass
        for i, slot in enumerate(self.slots):
            slot["proc"].join(10)
            if slot["proc"].is_alive():
                self._kill(i)


def _lost(job, reason):
    kind, student, aid = job
    return {"student": student, "assignment": aid, "status": "error", "kind": kind,
            "reason": reason, "lost": True}


class Progress:
    """A one-line progress bar on stderr: counts, elapsed time and ETA."""

    def __init__(self, total, label, enabled=True, stream=sys.stderr):
        self.total, self.label, self.enabled, self.stream = total, label, enabled, stream
        self.done = 0
        self.counts = {}
        self.start = time.monotonic()
        self.tty = enabled and stream.isatty()
        self.last = 0.0

    def update(self, status):
        self.done += 1
        self.counts[status] = self.counts.get(status, 0) + 1
        now = time.monotonic()
        if self.enabled and (self.tty or now - self.last > 5 or self.done == self.total):
            self.last = now
            self.stream.write(("\r" if self.tty else "") + self.line(now)
                              + ("" if self.tty else "\n"))
            self.stream.flush()

    def line(self, now):
        elapsed = now - self.start
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0
        width = 24
        filled = int(width * self.done / max(self.total, 1))
        counts = " ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        return (f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
                f" ({counts}) elapsed {_mmss(elapsed)} ETA {_mmss(eta)}")

    def close(self):
        if self.enabled and self.tty and self.total:
            self.stream.write("\n")


def _mmss(seconds):
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _worker_options(opts, db_url):
    return {"course": str(opts.course), "db_url": db_url, "timeout": opts.timeout,
            "notebook_timeout": opts.notebook_timeout, "memory_mb": opts.memory_mb}


def wall_limit(opts, config):
    """Seconds after which a worker is stopped: the notebook limit, plus room to start and save."""
    nb_limit = opts.notebook_timeout or config.LimitedExecute.get("notebook_timeout", 600)
    return nb_limit * 1.5 + 120


def grade(opts=None, **kwargs):
    """Autograde, give feedback, export and report: the one command behind `make grade`."""
    opts = opts or Options(**kwargs)
    course = Path(opts.course)
    out = Path(opts.out or course / "build" / "grading")
    run = Run(out=out)
    t0 = time.monotonic()
    if opts.source:
        from .lms import collect
        collect(course, opts.source, opts.assignments, opts.regexp)
    api = nbgrader_api(course)
    db_url = opts.db_url or api.coursedir.db_url
    pairs = opts.pairs or submitted_pairs(course)
    known = set(nbtools.assignments(course))
    unknown = sorted(set(opts.assignments or []) - known)
    if unknown:
        raise SystemExit(f"unknown assignment {', '.join(unknown)}: the assignments are the "
                         f"folders of {course / 'source'} ({', '.join(sorted(known))})")
    pairs = [(s, a) for s, a in pairs if a in known
             and (not opts.assignments or a in opts.assignments)
             and (not opts.students or s in opts.students)]
    ids = sorted({a for _, a in pairs} | set(opts.assignments or []))
    students = sorted({s for s, _ in pairs} | set(opts.students or []))
    have = set(pairs)
    run.missing = [(s, a) for s in students for a in ids if (s, a) not in have]
    if not pairs:
        print("nothing to grade: no submissions found under "
              f"{course / 'submitted'}", file=sys.stderr)
    ensure_assignments(course, ids, db_url)
    ensure_students(db_url, api.coursedir.course_id, students)
    todo = []
    for pair in pairs:
        record = None if opts.force else is_done(course, *pair)
        if record:
            run.records[pair] = record
            run.skipped.append(pair)
        else:
            todo.append(pair)
    run.times["setup"] = time.monotonic() - t0

    n = min(opts.workers or os.cpu_count() or 1, max(len(todo), 1))
    pool = None
    try:
        if todo:
            pool = Pool(n, _worker_options(opts, db_url), out / "logs")
            bar = Progress(len(todo), "grading", opts.progress)
            t = time.monotonic()

            def graded(record):
                pair = (record["student"], record["assignment"])
                if record.get("status") == "error" and record.get("lost"):
                    record = gradeworker.record_fallback(
                        course, db_url, api.coursedir.course_id, *pair,
                        [f"could not be graded: {record['reason']}"])
                run.records[pair] = record
                run.graded.append(pair)
                bar.update("flagged" if record.get("flags") else record.get("status", "?"))

            pool.run([("grade", s, a) for s, a in todo], graded,
                     wall_limit(opts, api.config))
            bar.close()
            run.times["grade"] = time.monotonic() - t
        if opts.feedback:
            jobs = [("feedback", s, a) for (s, a) in pairs
                    if run.records.get((s, a), {}).get("status") == "graded"
                    and ((s, a) in run.graded or not has_feedback(course, s, a))]
            if jobs:
                pool = pool or Pool(min(n, len(jobs)), _worker_options(opts, db_url),
                                    out / "logs")
                bar = Progress(len(jobs), "feedback", opts.progress)
                t = time.monotonic()
                pool.run(jobs, lambda r: bar.update("ok" if r.get("feedback") else "failed"))
                bar.close()
                run.times["feedback"] = time.monotonic() - t
    finally:
        if pool:
            run.workers = dict(pool.peaks)
            pool.close()
    if opts.report:
        from . import report
        t = time.monotonic()
        report.export_csv(course, db_url, out / "grades.csv", ids)
        report.write(course, db_url, run, ids, out)
        run.times["report"] = time.monotonic() - t
    run.times["total"] = time.monotonic() - t0
    return run


def has_feedback(course, student, aid):
    """Whether ``course``/feedback/ holds an HTML page for this submission."""
    folder = Path(course) / "feedback" / student / aid
    return folder.is_dir() and any(folder.glob("*.html"))


def summary(run):
    """A few lines for the terminal: counts, flagged submissions, where the report is."""
    graded = [r for r in run.records.values() if r.get("status") in ("graded", "fallback")]
    flagged = [r for r in graded if r.get("flags")]
    lines = [f"graded {len(run.graded)} submissions, skipped {len(run.skipped)} already graded, "
             f"{len(flagged)} flagged, {len(run.errors)} errors, "
             f"{len(run.missing)} not submitted ({run.times.get('total', 0):.1f} s)"]
    for r in run.errors:
        lines.append(f"  ERROR {r['student']}/{r['assignment']}: {r.get('reason')}")
    if run.out and (run.out / "report.html").exists():
        lines.append(f"report: {run.out / 'report.html'}")
        lines.append(f"grades: {run.out / 'grades.csv'}")
    return "\n".join(lines)


def main(args):
    """`python -m torchcourse grade ...`: exit status 1 if a submission could not be graded."""
    opts = Options(course=Path(args.course), assignments=args.assignments or None,
                   students=args.students or None, workers=args.workers,
                   source=args.source, regexp=args.regexp, force=args.force,
                   timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                   memory_mb=args.memory_mb, db_url=args.db_url,
                   feedback=not args.no_feedback, report=not args.no_report,
                   out=Path(args.out) if args.out else None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up workers on `kill`
    run = grade(opts)
    print(summary(run))
    return 1 if run.errors else 0
