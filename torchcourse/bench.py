"""`make bench`: plain nbgrader autograde against `make grade`'s engine and the floor.

On a synthetic class (STUDENTS x every assignment; full, partial, blank and broken
submissions in turn) it times, one after the other:
  (a) plain sequential ``nbgrader autograde <assignment> --force``, assignment by assignment;
  (b) the engine (``engine.grade``) on a copy of the same course, on all workers;
  (c) the floor: the same autograded notebooks only executed (kernel start + run), spread
      over the same number of processes;
then prints a table and ``speedup_vs_nbgrader=<a/b> floor_ratio=<b/c>``.
"""
import concurrent.futures
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import engine, grading, nbtools
from .submissions import load_broken, make_submission, write_submission

KINDS = ["full", "partial", "blank", "broken"]


def _answer_ids(aid, root):
    return [c.metadata["nbgrader"]["grade_id"]
            for p in nbtools.notebooks(root / "source" / aid) for c in nbtools.read(p).cells
            if c.metadata.get("nbgrader", {}).get("solution")]


def _test_ids(aid, root):
    return [c.metadata["nbgrader"]["grade_id"]
            for p in nbtools.notebooks(root / "release" / aid) for c in nbtools.read(p).cells
            if c.metadata.get("nbgrader", {}).get("grade")]


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
            _answer_ids(aid, root)[0]: "raise NotImplementedError()"}
        return write_submission(course, student, aid, replace, root=root)
    # broken: a syntax error in the first answer, and the last test cell deleted
    out = Path(course) / "submitted" / student / aid
    last_test = _test_ids(aid, root)[-1]
    for release in nbtools.notebooks(root / "release" / aid):
        nb = make_submission(release, root / "source" / aid / release.name,
                             {_answer_ids(aid, root)[0]: "def broken(:\n    pass\n"})
        nb.cells = [c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") != last_test]
        nbtools.write(nb, out / release.name)
    return out


def build_class(dest, students, ids, root=nbtools.ROOT):
    """Course (a) with the synthetic class submitted; course (b) is a copy of it."""
    dest = Path(dest)
    shutil.rmtree(dest, ignore_errors=True)
    a = grading.new_course(dest / "nbgrader", root, ids)
    kinds = {}
    for i in range(students):
        kind = KINDS[i % len(KINDS)]
        for aid in ids:
            write_student(a, f"student{i:03d}", aid, kind, root)
        kinds[kind] = kinds.get(kind, 0) + len(ids)
    shutil.copytree(a, dest / "engine")
    return a, dest / "engine", kinds


def time_nbgrader(course, ids):
    """(a): `nbgrader autograde <aid> --force` for each assignment, one after the other."""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    start = time.monotonic()
    for aid in ids:
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", aid, "--force"],
                              cwd=course, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"nbgrader autograde {aid} reported errors:\n{proc.stderr[-1500:]}",
                  file=sys.stderr)
    return time.monotonic() - start


def _execute(path):
    """Floor task: start a kernel, run the notebook, stop the kernel; nothing else."""
    from nbclient import NotebookClient

    nb = nbtools.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    start = time.monotonic()
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   shutdown_kernel="immediate",  # as the engine stops its kernels
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    return time.monotonic() - start


def _quiet():
    # As the engine's workers do: the kernels' notices go nowhere, not to the table.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def time_floor(paths, workers):
    """(c): the notebooks executed on ``workers`` processes, as the engine spreads them."""
    ctx = multiprocessing.get_context("spawn")
    start = time.monotonic()
    with nbtools.env(**engine.THREAD_ENV):
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=ctx,
                                                    initializer=_quiet) as pool:
            list(pool.map(_execute, paths))
    return time.monotonic() - start


def main(args):
    """Build the class, time (a), (b), (c), print the table and the ratio line."""
    root = nbtools.ROOT
    ids = [a for a in (args.assignments or nbtools.assignments(root))
           if nbtools.notebooks(root / "release" / a)]
    workers = args.workers or os.cpu_count() or 1
    dest = Path(args.dest or root / "build" / "bench")
    print(f"building a synthetic class: {args.students} students x {len(ids)} assignments",
          flush=True)
    a_course, b_course, kinds = build_class(dest, args.students, ids, root)
    n = args.students * len(ids)

    print("(a) plain nbgrader autograde, sequential ...", flush=True)
    t_a = time_nbgrader(a_course, ids)
    print(f"(b) the engine, {workers} workers ...", flush=True)
    run = engine.grade(course=b_course, workers=workers, force=True, feedback=False,
                       report=False)
    t_b = run.times["total"]
    t = time.monotonic()
    engine.grade(course=b_course, workers=workers, feedback=True, report=True, progress=False)
    t_extra = time.monotonic() - t
    paths = sorted((b_course / "autograded").glob("*/*/*.ipynb"))
    print(f"(c) the floor: {len(paths)} notebooks executed on {workers} processes ...",
          flush=True)
    t_c = time_floor(paths, workers)

    same = grading.scores(a_course) == grading.scores(b_course)
    peaks = list(run.workers.values())
    own = max((p[0] or 0) for p in peaks) if peaks else 0
    kern = max((p[1] or 0) for p in peaks) if peaks else 0
    mix = ", ".join(f"{k} {v}" for k, v in kinds.items())
    print()
    print(f"synthetic class: {args.students} students x {len(ids)} assignments = {n} "
          f"submissions ({mix}); {workers} workers on {os.cpu_count()} cores")
    print(f"{'':44}{'wall s':>9}{'notebooks/min':>15}")
    for label, secs in [("(a) nbgrader autograde, sequential", t_a),
                        (f"(b) make grade engine, {workers} workers", t_b),
                        (f"(c) floor: kernel start + run, {workers} processes", t_c)]:
        print(f"{label:44}{secs:9.1f}{60 * n / secs:15.1f}")
    print(f"{'then feedback + grades.csv + report':44}{t_extra:9.1f}")
    print(f"peak memory per worker: {own:.0f} MB (worker) + {kern:.0f} MB (largest kernel) "
          f"= {own + kern:.0f} MB")
    print(f"scores identical to nbgrader's: {'yes' if same else 'NO'} "
          f"({len(grading.scores(b_course))} submissions)")
    print(f"speedup_vs_nbgrader={t_a / t_b:.2f} floor_ratio={t_b / t_c:.2f}")
    return 0 if same else 1
