"""What the tests share: the assignments under test, their broken submissions, grading.

Set TORCHCOURSE_ONLY=01_autograd,02_linear_regression to test only some assignments
while working on them (CI always tests all).
"""
import os

from torchcourse import nbtools
from torchcourse.submissions import load_broken, write_submission

ROOT = nbtools.ROOT
IDS = [a for a in nbtools.assignments()
       if not os.environ.get("TORCHCOURSE_ONLY") or a in os.environ["TORCHCOURSE_ONLY"].split(",")]
BROKEN = {aid: load_broken(ROOT / "tests" / "broken" / f"{aid}.py")
          for aid in IDS if (ROOT / "tests" / "broken" / f"{aid}.py").exists()}
#: Grading limits for tests: short, so a hostile submission costs little time.
LIMITS = dict(timeout=10, notebook_timeout=90, memory_mb=1024)


def broken_rounds(cases):
    """Share the broken cases out into few submissions that still prove isolation.

    Each round breaks every part (answer cell) but one, with the next case of each part it
    breaks; each part is left intact in a round of its own, where all the others are broken,
    so for any two parts A and C some round breaks A and leaves C intact: a mistake in A
    that leaked into C would show. Rounds beyond one per part leave intact the parts with
    the fewest cases, until every case is submitted. Returns lists of case indices.
    """
    parts = list(dict.fromkeys(b.cell for b in cases))
    todo = {part: [i for i, b in enumerate(cases) if b.cell == part] for part in parts}
    if len(parts) < 2:
        return [[i] for part in parts for i in todo[part]]
    n = max(len(parts), max(map(len, todo.values())) + 1)
    spare = {part: n - 1 - len(todo[part]) for part in parts}  # more rounds it may sit out
    while sum(spare.values()) < n - len(parts):  # too few to fill the extra rounds
        n += 1
        spare = {part: v + 1 for part, v in spare.items()}
    intact = list(parts)
    for _ in range(n - len(parts)):
        part = max(parts, key=spare.get)
        intact.append(part)
        spare[part] -= 1
    seen = {part: 0 for part in parts}
    rounds = []
    for kept in intact:
        members = []
        for part in parts:
            if part != kept:
                members.append(todo[part][seen[part] % len(todo[part])])
                seen[part] += 1
        rounds.append(members)
    return rounds


def broken_student(r):
    return f"broken{r:02d}"


def write_broken(course, aid, rounds=None):
    """Submit the broken cases of ``aid`` into ``course``, one student per round."""
    cases = BROKEN.get(aid, [])
    all_rounds = broken_rounds(cases)
    for r in rounds if rounds is not None else range(len(all_rounds)):
        write_submission(course, broken_student(r), aid,
                         {cases[i].cell: cases[i].code for i in all_rounds[r]})
    return all_rounds


def grade(course, client, **kwargs):
    """`make grade` on ``course`` with the test client: quiet, no report unless asked."""
    from torchcourse.grade import grade as run

    kwargs.setdefault("report", False)
    kwargs.setdefault("feedback", False)
    return run(course=course, client=client, progress=False, **kwargs)
