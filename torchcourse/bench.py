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

Beside ``scaling`` it prints ``machine_scaling``: how much work N copies of a fixed
single-threaded torch loop (a kernel's kind of work, no I/O, nothing shared) get done at
once against one copy alone, measured in the same run. It is the ceiling of ``scaling`` on
this machine: on a virtual machine whose cores share a physical one, or a busy host, it is
well under N, and ``scaling`` with it.
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
from .worker import THREAD_ENV, start_sandbox

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


#: One copy of the machine probe (a script: it imports torch alone): each line of its
#: standard input, a number of epochs, runs 02's training loop that long and prints the
#: seconds it took.
PROBE = """
import sys, time, torch
torch.set_num_threads(1)
X, y = torch.tensor([[1.0], [2.0], [3.0]]), torch.tensor([[2.0], [4.0], [6.0]])
def train(epochs):
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=0.01)
    for _ in range(epochs):
        cost = torch.mean((X * W + b - y) ** 2)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
train(100)
print("ready", flush=True)
for line in sys.stdin:
    start = time.perf_counter()
    train(int(line))
    print(time.perf_counter() - start, flush=True)
"""
#: Epochs of one probe round (about a second alone).
PROBE_EPOCHS = 6000


def speedup(alone, together):
    """How much more work copies running together get done than one alone, from one
    copy's seconds alone and each copy's seconds together (for the same work)."""
    n = len(together)
    return n * alone / (sum(together) / n)


def machine_scaling(workers, reps=5, epochs=PROBE_EPOCHS):
    """How much faster ``workers`` probe copies at once get work done than one alone (the
    median ``speedup`` of ``reps`` rounds): what this machine's cores give a kernel's work."""
    procs = [subprocess.Popen([sys.executable, "-c", PROBE], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**_env(), **THREAD_ENV})
             for _ in range(workers)]
    try:
        for p in procs:
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError("the machine probe did not start")

        def round_(copies):
            for p in copies:
                p.stdin.write(f"{epochs}\n")
                p.stdin.flush()
            return [float(p.stdout.readline()) for p in copies]

        ratios = []
        for _ in range(reps):
            alone = round_(procs[:1])[0]
            together = round_(procs)
            ratios.append(speedup(alone, together))
        return sorted(ratios)[len(ratios) // 2]
    finally:
        for p in procs:
            p.stdin.close()
            p.wait()


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
    print(f"(e) the machine probe: {workers} copies of a torch loop against 1 ...", flush=True)
    machine = machine_scaling(workers)
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
          f"sandbox_cost={times['b'] / times['c']:.2f} scaling={times['d'] / times['b']:.2f} "
          f"machine_scaling={machine:.2f}")
    return 0 if same else 1
