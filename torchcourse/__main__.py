"""Command line of the course: ``python -m torchcourse <command>``.

  build   record reference values, generate release/ and solutions/, execute lectures
  refs    record reference values only (``--check``: report stale ones, change nothing)
  demo    grade three sample students on every assignment and print the scores
  grade   autograde a whole class in parallel, give feedback, export grades, write a report
  bench   time plain nbgrader autograde against `grade` on a synthetic class
"""
import argparse
import os
import sys

from . import nbtools


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m torchcourse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="regenerate release/, solutions/ and the lectures' outputs")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--no-lectures", action="store_true", help="do not execute notebooks/")
    p.add_argument("--no-refs", action="store_true", help="do not re-record reference values")

    p = sub.add_parser("refs", help="record the hidden tests' reference values")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--check", action="store_true", help="only report stale values")

    sub.add_parser("demo", help="grade sample submissions and print a score table")

    p = sub.add_parser("grade", help="autograde every submission on all cores, with a report")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all submitted)")
    p.add_argument("--student", dest="students", action="append",
                   help="grade only this student (repeatable)")
    p.add_argument("-j", "--workers", type=int, default=0, help="parallel workers (default: cores)")
    p.add_argument("--from", dest="source", metavar="DIR",
                   help="collect an LMS download (zip/notebook files) with zip_collect first")
    p.add_argument("--regexp", help="how a downloaded file's path names student and notebook")
    p.add_argument("--force", action="store_true", help="grade again what is already graded")
    p.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
    p.add_argument("--notebook-timeout", type=int, help="seconds per notebook")
    p.add_argument("--memory-mb", type=int, help="memory limit of each kernel, MB")
    p.add_argument("--db-url", help="gradebook SQLAlchemy URL (default: the course's SQLite)")
    p.add_argument("--course", default=str(nbtools.ROOT), help="course root (nbgrader_config.py)")
    p.add_argument("--out", help="folder for grades.csv and the report (default: build/grading)")
    p.add_argument("--no-feedback", action="store_true", help="do not generate feedback")
    p.add_argument("--no-report", action="store_true", help="no CSV export, no report")

    p = sub.add_parser("bench", help="time nbgrader autograde against `grade` and the floor")
    p.add_argument("--students", type=int, default=12, help="synthetic students (default 12)")
    p.add_argument("--assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("-j", "--workers", type=int, default=0, help="parallel workers (default: cores)")
    p.add_argument("--dest", help="where to build the synthetic courses (default: build/bench)")

    args = parser.parse_args(argv)
    if args.command == "build":
        from .build import build
        build(ids=args.assignments or None, lectures=not args.no_lectures,
              refs=not args.no_refs)
    elif args.command == "refs":
        from . import refs
        problems = refs.update_all(ids=args.assignments or None, check=args.check,
                                   workers=os.cpu_count() or 1)
        print("\n".join(problems) or "reference values are up to date")
        return 1 if problems else 0
    elif args.command == "demo":
        from .grading import demo
        demo()
    elif args.command == "grade":
        from . import engine
        return engine.main(args)
    elif args.command == "bench":
        from . import bench
        return bench.main(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
