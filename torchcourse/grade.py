"""`make grade`: grade a whole class on dask.distributed, resumably, with feedback and a report.

By default a ``LocalCluster`` with one worker per core, each with a grading process of its
own (see ``worker``; the workers are threads of this process: a dask worker process would
only relay to its grading process, and costs seconds to start and stop); ``--scheduler
tcp://HOST:PORT`` grades on an existing cluster (``dask scheduler`` / ``dask worker``) whose
workers need no access to the course's folders (see ``worker``). Each submission is one
task; its result is written here as it arrives (autograded notebooks, feedback, the ledger
record), so a second run skips what is graded and a run killed half-way loses nothing. A
task whose grading process dies is recorded as 0 with the reason; a task whose worker is
lost (a machine failure) is graded again elsewhere by dask.
"""
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import nbtools
from .course import Course
from .errors import CourseError
from .ledger import Ledger, Record, submission_files
from .worker import Spec, Task, folder_files, grade_task, record_fallback, submission_score, warm_up


@dataclass
class Options:
    """What to grade and how; every field has a command-line option."""
    course: Path = nbtools.ROOT
    assignments: list = None          # default: every assignment with submissions
    students: list = None             # default: every student with submissions
    workers: int = 0                  # local workers, each a grading process (default: per core)
    scheduler: str = None             # tcp://HOST:PORT of an existing dask cluster
    source: Path = None               # an LMS download to collect first (zip_collect)
    regexp: str = None                # how a downloaded file's name gives student and notebook
    force: bool = False               # grade again what is already graded
    timeout: int = None               # seconds per cell (default: nbgrader_config's)
    notebook_timeout: int = None      # seconds per notebook (default: SandboxedExecute's)
    memory_mb: int = None             # kernel memory limit (default: SandboxKernelManager's)
    wall_limit: float = None          # seconds a task may take (default: from the notebook's)
    sandbox: bool = True              # False: kernels see the grader's files (unsafe)
    db_url: str = None                # gradebook (default: nbgrader_config's, SQLite)
    feedback: bool = True
    report: bool = True
    out: Path = None                  # grades.csv, report.html, plots (default build/grading)
    progress: bool = True
    pairs: list = None                # exact (student, assignment) pairs, instead of all


@dataclass
class Run:
    """What one run did: a Record per submission, and the time of each phase."""
    records: dict = field(default_factory=dict)   # (student, aid) -> Record
    graded: list = field(default_factory=list)    # pairs graded in this run
    skipped: list = field(default_factory=list)   # pairs already graded
    missing: list = field(default_factory=list)   # (student, aid) with no submission
    times: dict = field(default_factory=dict)
    out: Path = None
    dashboard: str = None

    @property
    def errors(self):
        return [r for r in self.records.values() if r.status == "error"]


def settings(opts):
    """nbgrader_config.py overrides from the command line."""
    out = {}
    if opts.timeout:
        out["Execute.timeout"] = opts.timeout
    if opts.notebook_timeout:
        out["SandboxedExecute.notebook_timeout"] = opts.notebook_timeout
    if opts.memory_mb is not None:
        out["SandboxKernelManager.memory_mb"] = opts.memory_mb
    if not opts.sandbox:
        out["SandboxedExecute.sandbox"] = False
    return out


def wall_limit(course, opts):
    """Seconds after which a task's grading process is stopped: the notebook's limit and room."""
    from .preprocessors import SandboxedExecute

    if opts.wall_limit:
        return opts.wall_limit
    limit = opts.notebook_timeout or SandboxedExecute(config=course.config).notebook_timeout
    return limit * 1.5 + 120


def make_spec(course, ids, opts):
    """The Spec every task of this run carries: config, gradebook, references, checksums."""
    from .flags import released_checksums

    released = {aid: {p.stem: released_checksums(nbtools.read(p))
                      for p in nbtools.notebooks(course.folder("release", aid=aid))}
                for aid in ids}
    return Spec(config=(course.root / "nbgrader_config.py").read_text(), db_url=course.db_url,
                references={aid: course.references(aid) for aid in ids}, released=released,
                settings=settings(opts), feedback=opts.feedback,
                wall_limit=wall_limit(course, opts))


class Cluster:
    """A dask client: on a LocalCluster started here, or on the scheduler given."""

    def __init__(self, opts, n, course, client=None):
        self.cluster, self.own = None, client is None
        if client is not None:
            self.client = client
            return
        from distributed import Client, LocalCluster

        scheduler = opts.scheduler or course.config.get("Grade", {}).get("scheduler")
        if scheduler:
            if course.is_sqlite:
                raise CourseError(
                    "grading on a cluster needs a gradebook every worker can reach: give a "
                    "database server with --db-url postgresql://... (SQLite is a local file)")
            self.client = Client(scheduler, timeout="30s")
            return
        import logging

        # A free port: the scheduler's HTTP server starts even without a dashboard (bokeh),
        # and on dask's fixed 8787 it warns whenever another cluster runs on the machine.
        # No memory limit for a worker: it holds results in passing; kernels have theirs.
        self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=False,
                                    memory_limit=0, dashboard_address=":0",
                                    silence_logs=logging.ERROR)
        self.client = Client(self.cluster)

    @property
    def dashboard(self):
        try:
            return self.client.dashboard_link if _has_bokeh() else None
        except (AttributeError, KeyError):
            return None

    def close(self):
        if self.own:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()


def _has_bokeh():
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


class Progress:
    """Counts and time left with tqdm, on stderr."""

    def __init__(self, total, label, enabled):
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=label, unit="nb", disable=not enabled or not total,
                        file=sys.stderr, dynamic_ncols=True)
        self.counts = {}

    def update(self, status):
        self.counts[status] = self.counts.get(status, 0) + 1
        self.bar.set_postfix(self.counts, refresh=False)
        self.bar.update(1)

    def close(self):
        self.bar.close()


def select(course, opts):
    """(pairs to consider, assignment ids, students) from the options."""
    course.check_assignments(opts.assignments)
    known = set(course.assignments())
    pairs = [(s, a) for s, a in (opts.pairs or course.submitted()) if a in known
             and (not opts.assignments or a in opts.assignments)
             and (not opts.students or s in opts.students)]
    ids = sorted({a for _, a in pairs} | set(opts.assignments or []))
    students = sorted({s for s, _ in pairs} | set(opts.students or []))
    return pairs, ids, students


def save(course, ledger, result):
    """Write a task's result into the course: autograded notebooks, feedback, the record."""
    import shutil

    record = result.record
    if result.lost:
        record_fallback(course, record.student, record.assignment)
        record.status = "fallback"
        record.flags.append(f"could not be graded: {record.reason}")
        record.score, record.max_score = submission_score(course, record.student,
                                                          record.assignment)
        record.submitted = ledger_digest(course, record.student, record.assignment)
    submitted = course.folder("submitted", record.student, record.assignment)
    if result.autograded or record.status == "fallback":
        folder = course.folder("autograded", record.student, record.assignment)
        shutil.rmtree(folder, ignore_errors=True)
        _write_files(folder, result.autograded)
        _copy_receipt(submitted, folder)
    if result.feedback:
        folder = course.folder("feedback", record.student, record.assignment)
        shutil.rmtree(folder, ignore_errors=True)
        _write_files(folder, result.feedback)
        _copy_receipt(submitted, folder)
    if record.status != "error":
        ledger.write(record)
    return record


def ledger_digest(course, student, aid):
    from .ledger import digest

    return digest(submission_files(course.folder("submitted", student, aid)))


def _write_files(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


#: What `nbgrader collect` leaves beside a submission's notebooks and nbgrader carries on to
#: autograded/ and feedback/: `nbgrader release_feedback` reads both. Workers get the
#: notebooks and the timestamp alone, so the coordinator copies them.
RECEIPT = ("timestamp.txt", "submission_secret.txt")


def _copy_receipt(submitted, folder):
    import shutil

    for name in RECEIPT:
        if (submitted / name).is_file():
            shutil.copyfile(submitted / name, folder / name)


def has_feedback(course, student, aid):
    """Whether the course holds a feedback page for this submission."""
    folder = course.folder("feedback", student, aid)
    return folder.is_dir() and any(folder.glob("*.html"))


def grade(opts=None, client=None, **kwargs):
    """Autograde, give feedback, export and report: the one command behind `make grade`."""
    opts = opts or Options(**kwargs)
    if opts.sandbox:
        from .sandbox import check
        check()
    course = Course(opts.course, db_url=opts.db_url)
    out = Path(opts.out or course.root / "build" / "grading")
    run = Run(out=out)
    t0 = time.monotonic()
    if opts.source:
        from .lms import collect
        collect(course, opts.source, opts.assignments, opts.regexp)
    pairs, ids, students = select(course, opts)
    have = set(pairs)
    run.missing = [(s, a) for s in students for a in ids if (s, a) not in have]
    if not pairs:
        print(f"nothing to grade: no submissions found under {course.folder('submitted')}",
              file=sys.stderr)
    course.ensure_assignments(ids)
    course.ensure_students(students)
    ledger = Ledger(course)
    todo = []
    for pair in pairs:
        record = None if opts.force else ledger.done(*pair)
        if record:
            run.records[pair] = record
            run.skipped.append(pair)
        else:
            todo.append(pair)
    feedback_only = [p for p in run.skipped if opts.feedback and not has_feedback(course, *p)
                     and run.records[p].status == "graded"]
    run.times["setup"] = time.monotonic() - t0
    if todo or feedback_only:
        spec = make_spec(course, ids, opts)
        n = min(opts.workers or os.cpu_count() or 1, len(todo) + len(feedback_only))
        t = time.monotonic()
        cluster = Cluster(opts, n, course, client)
        run.times["cluster"] = time.monotonic() - t
        if cluster.cluster is not None:  # its workers are threads here: one pool for all
            warm_up(str(out / "logs"), count=n)
        else:  # every worker's grading processes, now
            cluster.client.run(warm_up, str(out / "logs"))
        run.times["warm_up"] = time.monotonic() - t - run.times["cluster"]
        run.dashboard = cluster.dashboard
        if run.dashboard and opts.progress:
            print(f"dask dashboard: {run.dashboard}", file=sys.stderr)
        try:
            t = time.monotonic()
            _dispatch(course, ledger, cluster.client, spec, todo, feedback_only, run, opts)
            run.times["grade"] = time.monotonic() - t
        finally:
            t = time.monotonic()
            cluster.close()
            run.times["close"] = time.monotonic() - t
    if opts.report:
        from . import report

        t = time.monotonic()
        report.export_csv(course, out / "grades.csv", ids)
        report.write(course, run, ids, out)
        run.times["report"] = time.monotonic() - t
    run.times["total"] = time.monotonic() - t0
    return run


def _dispatch(course, ledger, client, spec, todo, feedback_only, run, opts):
    """Submit one task per submission and save each result as it arrives."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    log_dir = str(run.out / "logs")
    spec_future = client.scatter(spec, broadcast=True, hash=False)
    tasks = [Task(s, a, submission_files(course.folder("submitted", s, a))) for s, a in todo]
    for s, a in feedback_only:
        graded = course.folder("autograded", s, a)
        tasks.append(Task(s, a, submission_files(course.folder("submitted", s, a)),
                          autograded=folder_files(graded, "*.ipynb")))
    futures = {client.submit(grade_task, task, spec_future, log_dir, pure=False): task
               for task in tasks}
    bar = Progress(len(futures), "grading", opts.progress)
    try:
        for future in as_completed(futures):
            task = futures[future]
            pair = (task.student, task.assignment)
            try:
                result = future.result()
            except KilledWorker:
                from .worker import Result
                result = Result(Record(*pair, "error", reason="its grading killed every "
                                       "worker that tried it"), lost=True)
            except Exception as e:  # noqa: BLE001 - one submission's trouble, not the run's
                from .worker import Result
                result = Result(Record(*pair, "error", reason=f"{type(e).__name__}: {e}"))
            if task.autograded is not None:  # feedback only: the grade stays as recorded
                graded = run.records[pair]
                graded.feedback = result.record.feedback
                graded.flags = [f for f in graded.flags if not f.startswith("feedback failed")]
                graded.flags += [f for f in result.record.flags if f.startswith("feedback")]
                result.record, result.autograded = graded, {}
            record = save(course, ledger, result)
            run.records[pair] = record
            if task.autograded is None:
                run.graded.append(pair)
            bar.update("flagged" if record.flags else record.status)
    finally:
        bar.close()


def summary(run):
    """A few lines for the terminal: counts, flagged submissions, where the report is."""
    final = [r for r in run.records.values() if r.final]
    flagged = [r for r in final if r.flags]
    lines = [f"graded {len(run.graded)} submissions, skipped {len(run.skipped)} already graded, "
             f"{len(flagged)} flagged, {len(run.errors)} errors, "
             f"{len(run.missing)} not submitted ({run.times.get('total', 0):.1f} s)"]
    for r in run.errors:
        lines.append(f"  ERROR {r.student}/{r.assignment}: {r.reason}")
    if run.out and (run.out / "report.html").exists():
        lines.append(f"report: {run.out / 'report.html'}")
        lines.append(f"grades: {run.out / 'grades.csv'}")
    return "\n".join(lines)


def main(args):
    """`python -m torchcourse grade ...`: exit status 1 if a submission could not be graded."""
    import signal

    opts = Options(course=Path(args.course), assignments=args.assignments or None,
                   students=args.students or None, workers=args.workers,
                   scheduler=args.scheduler, source=args.source, regexp=args.regexp,
                   force=args.force, timeout=args.timeout,
                   notebook_timeout=args.notebook_timeout, memory_mb=args.memory_mb,
                   wall_limit=args.wall_limit,
                   sandbox=not args.no_sandbox, db_url=args.db_url,
                   feedback=not args.no_feedback, report=not args.no_report,
                   out=Path(args.out) if args.out else None)
    if args.no_sandbox:
        print("WARNING: --no-sandbox: learner code runs with the grader's rights and can read "
              "solutions and change grades", file=sys.stderr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up workers on `kill`
    run = grade(opts)
    print(summary(run))
    return 1 if run.errors else 0
