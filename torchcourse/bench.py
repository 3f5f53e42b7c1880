"""`make bench`: plain nbgrader against `make grade`, with and without the sandbox, 1 and N workers.

On a synthetic class (STUDENTS x every assignment; full, partial, blank and broken
submissions in turn) it times, one after the other, on copies of the same course:
  (a) plain sequential ``nbgrader autograde <assignment> --force``, assignment by assignment
      (the course's own pipeline: sandboxed kernels, hidden values judged outside);
  (b) `make grade` on N workers (default: one per core), sandboxed;
  (c) `make grade` on N workers with ``--no-sandbox`` (kernels started as plain processes);
  (d) `make grade` on 1 worker, sandboxed;
then prints a table and ``speedup_vs_nbgrader=a/b sandbox_cost=b/c scaling=d/b``.
As root, the sandboxed runs (a), (b) and (d) each start with the machine's zygote running
(as on a class server): none pays its start-up while another does not.
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import nbtools
from .course import Course, new_course
from .submissions import load_broken, make_submission, write_submission
from .worker import start_sandbox

KINDS = ["full", "partial", "blank", "broken"]


def _ids(aid, root, key):
    return [c.metadata["nbgrader"]["grade_id"]
            for p in nbtools.notebooks(root / "source" / aid) for c in nbtools.read(p).cells
            if c.metadata.get("nbgrader", {}).get(key)]


def write_student(course, student, aid, kind, root=nbtools.ROOT):
    """One synthetic submission of ``kind``: full, partial, blank or broken."""
    if kind == "full":
        return write_submission(course, student, aid, root=root)
    if kind == "blank":
        return write_submission(course, student, aid, fill=False, root=root)
    if kind == "partial":  # two typical mistakes, or the first answer left undone
        broken = root / "tests" / "broken" / f"{aid}.py"
        cases = load_broken(broken)[:2] if broken.exists() else []
        replace = {b.cell: b.code for b in cases} or {
            _ids(aid, root, "solution")[0]: "raise NotImplementedError()"}
        return write_submission(course, student, aid, replace, root=root)
    # broken: a syntax error in the first answer, and the last test cell deleted
    out = Path(course) / "submitted" / student / aid
    last_test = _ids(aid, root, "grade")[-1]
    for release in nbtools.notebooks(root / "release" / aid):
        nb = make_submission(release, root / "source" / aid / release.name,
                             {_ids(aid, root, "solution")[0]: "def broken(:\n    pass\n"})
        nb.cells = [c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") != last_test]
        nbtools.write(nb, out / release.name)
    return out


def build_class(dest, students, ids, root=nbtools.ROOT):
    """The synthetic class in one course; the runs grade copies of it."""
    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    course = new_course(dest / "class", root, ids)
    kinds = {}
    for i in range(students):
        kind = KINDS[i % len(KINDS)]
        for aid in ids:
            write_student(course.root, f"student{i:03d}", aid, kind, root)
        kinds[kind] = kinds.get(kind, 0) + len(ids)
    return course, kinds


def _env():
    return dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
                + os.environ["PATH"])


def time_nbgrader(course, ids):
    """(a): `nbgrader autograde <aid> --force` for each assignment, one after the other."""
    start_sandbox(check=True)
    start = time.monotonic()
    for aid in ids:
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", aid, "--force"],
                              cwd=course.root, env=_env(), capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"nbgrader autograde {aid} reported errors (a broken submission is "
                  f"expected to):\n{proc.stderr[-600:]}", file=sys.stderr)
    return time.monotonic() - start


def time_grade(course, workers, sandbox=True):
    """`make grade` itself (its command line), as an instructor runs it; wall seconds."""
    cmd = [sys.executable, "-m", "torchcourse", "grade", "--course", str(course.root), "-j",
           str(workers), "--force", "--no-feedback", "--no-report"]
    if sandbox:
        start_sandbox(check=True)
    start = time.monotonic()
    proc = subprocess.run(cmd + ([] if sandbox else ["--no-sandbox"]), env=_env(),
                          capture_output=True, text=True)
    took = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError(f"make grade failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return took


def main(args):
    """Build the class, time (a) to (d), print the table and the ratio line."""
    root = nbtools.ROOT
    ids = [a for a in (args.assignments or nbtools.assignments(root))
           if nbtools.notebooks(root / "release" / a)]
    workers = args.workers or os.cpu_count() or 1
    dest = Path(args.dest or root / "build" / "bench")
    print(f"building a synthetic class: {args.students} students x {len(ids)} assignments",
          flush=True)
    base, kinds = build_class(dest, args.students, ids, root)
    n = args.students * len(ids)
    copies = {k: Course(shutil.copytree(base.root, dest / k)) for k in "abcd"}
    times = {}
    print("(a) plain nbgrader autograde, sequential ...", flush=True)
    times["a"] = time_nbgrader(copies["a"], ids)
    print(f"(b) make grade, {workers} workers, sandboxed ...", flush=True)
    times["b"] = time_grade(copies["b"], workers)
    print(f"(c) make grade, {workers} workers, --no-sandbox ...", flush=True)
    times["c"] = time_grade(copies["c"], workers, sandbox=False)
    print("(d) make grade, 1 worker, sandboxed ...", flush=True)
    times["d"] = time_grade(copies["d"], 1)
    scores = {k: c.scores() for k, c in copies.items()}
    same = all(s == scores["a"] for s in scores.values())
    mix = ", ".join(f"{k} {v}" for k, v in kinds.items())
    print()
    print(f"synthetic class: {args.students} students x {len(ids)} assignments = {n} "
          f"submissions ({mix}); {os.cpu_count()} cores")
    print(f"{'':44}{'wall s':>9}{'notebooks/min':>15}")
    for key, label in [("a", "(a) nbgrader autograde, sequential"),
                       ("b", f"(b) make grade, {workers} workers, sandboxed"),
                       ("c", f"(c) make grade, {workers} workers, no sandbox"),
                       ("d", "(d) make grade, 1 worker, sandboxed")]:
        print(f"{label:44}{times[key]:9.1f}{60 * n / times[key]:15.1f}")
    print(f"scores identical in all four runs: {'yes' if same else 'NO'} "
          f"({len(scores['a'])} submissions)")
    print(f"speedup_vs_nbgrader={times['a'] / times['b']:.2f} "
          f"sandbox_cost={times['b'] / times['c']:.2f} scaling={times['d'] / times['b']:.2f}")
    return 0 if same else 1
