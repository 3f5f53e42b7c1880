"""Command line of the course: ``python -m torchcourse <command>``.

  build   record reference values, generate release/ and solutions/, execute lectures
  refs    record reference values only (``--check``: report stale ones, change nothing)
  demo    grade three sample students on every assignment and print the scores
"""
import argparse
import os
import sys


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
