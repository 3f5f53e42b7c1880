"""Command line of the course: ``python -m torchcourse <command>``.

  build   record reference values, generate release/ and solutions/, execute lectures
  refs    record reference values only (``--check``: report stale ones, change nothing)
  demo    grade three sample students on every assignment and print the scores
  grade   grade a whole class on dask (all cores, or a cluster), feedback, grades, report
  bench   time plain nbgrader autograde against `grade` on a synthetic class
  mutate  mutation testing of the exercises: which mistakes would no check catch?
"""
import argparse
import os
import sys

from . import nbtools
from .errors import CourseError


def parser():
    p = argparse.ArgumentParser(prog="python -m torchcourse", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="regenerate release/, solutions/ and the lectures' outputs")
    b.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    b.add_argument("--no-lectures", action="store_true", help="do not execute notebooks/")
    b.add_argument("--no-refs", action="store_true", help="do not re-record reference values")
    b.add_argument("--mutate", action=argparse.BooleanOptionalAction, default=None,
                   help="grade the mutants and record the results (default: on a full build)")

    r = sub.add_parser("refs", help="record the hidden tests' reference values")
    r.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    r.add_argument("--check", action="store_true", help="only report stale values")

    sub.add_parser("demo", help="grade sample submissions and print a score table")

    g = sub.add_parser("grade", help="grade every submission on all cores or a cluster")
    g.add_argument("assignments", nargs="*", help="assignment ids (default: all submitted)")
    g.add_argument("--student", dest="students", action="append",
                   help="grade only this student (repeatable)")
    g.add_argument("-j", "--workers", type=int, default=0,
                   help="local workers, each with a grading process (default: one per core)")
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="grade on this dask cluster (its workers need no course files)")
    g.add_argument("--from", dest="source", metavar="DIR",
                   help="collect an LMS download (zip/notebook files) with zip_collect first")
    g.add_argument("--regexp", help="how a downloaded file's path names student and notebook")
    g.add_argument("--force", action="store_true", help="grade again what is already graded")
    g.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
    g.add_argument("--notebook-timeout", type=int, help="seconds per notebook")
    g.add_argument("--memory-mb", type=int, help="memory limit of each kernel, MB")
    g.add_argument("--wall-limit", type=float, help="seconds a submission may take in all "
                   "(default: 1.5 x the notebook's limit + 120); its grading is then stopped")
    g.add_argument("--no-sandbox", action="store_true",
                   help="UNSAFE: run learner code without the sandbox, with the grader's rights")
    g.add_argument("--db-url", help="gradebook SQLAlchemy URL (default: the course's SQLite)")
    g.add_argument("--course", default=str(nbtools.ROOT), help="course root (nbgrader_config.py)")
    g.add_argument("--out", help="folder for grades.csv and the report (default: build/grading)")
    g.add_argument("--no-feedback", action="store_true", help="do not generate feedback")
    g.add_argument("--no-report", action="store_true", help="no CSV export, no report")

    m = sub.add_parser("mutate", help="mutation testing: grade mutants of the reference answers")
    m.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    m.add_argument("-j", "--workers", type=int, default=0, help="assignments at once")
    m.add_argument("--record", action="store_true",
                   help="write the results to tests/mutation/results.json (make build does)")

    h = sub.add_parser("bench", help="time nbgrader autograde against `grade`, and its scaling")
    h.add_argument("--students", type=int, default=12, help="synthetic students (default 12)")
    h.add_argument("--assignments", nargs="*", help="assignment ids (default: all)")
    h.add_argument("-j", "--workers", type=int, default=0, help="workers (default: cores)")
    h.add_argument("--dest", help="where to build the synthetic courses (default: build/bench)")
    return p


def run(args):
    if args.command == "build":
        from .build import build
        build(ids=args.assignments or None, lectures=not args.no_lectures,
              refs=not args.no_refs, mutate=args.mutate)
    elif args.command == "refs":
        from . import refs
        problems = refs.update_all(ids=args.assignments or None, check=args.check,
                                   workers=os.cpu_count() or 1)
        print("\n".join(problems) or "reference values are up to date")
        return 1 if problems else 0
    elif args.command == "demo":
        from .demo import demo
        return demo()
    elif args.command == "grade":
        from . import grade
        return grade.main(args)
    elif args.command == "bench":
        from . import bench
        return bench.main(args)
    elif args.command == "mutate":
        from . import mutate
        return mutate.main(args)
    return 0


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return run(args)
    except CourseError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
