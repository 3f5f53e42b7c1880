"""What the tests share: the assignments under test, their broken submissions, grading.

Set TORCHCOURSE_ONLY=01_autograd,02_linear_regression to test only some assignments
while working on them (CI always tests all).
"""
import math
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

    Parts (answer cells) are numbered in binary; for each bit there is a round breaking
    the parts whose bit is 0 and one breaking those whose bit is 1. So for any two parts
    A and C some round breaks A and leaves C intact: a mistake in A that leaked into C
    would show. Each round uses the next case of each part it breaks; cases left over
    get rounds of their own, one case per part, never every part at once. Returns lists of
    case indices.
    """
    parts = list(dict.fromkeys(b.cell for b in cases))
    todo = {part: [i for i, b in enumerate(cases) if b.cell == part] for part in parts}
    seen = {part: 0 for part in parts}
    rounds = []
    for bit in range(max(1, math.ceil(math.log2(max(len(parts), 2))))):
        for value in (0, 1):
            members = []
            for k, part in enumerate(parts):
                if (k >> bit) & 1 == value:
                    members.append(todo[part][seen[part] % len(todo[part])])
                    seen[part] += 1
            if members:
                rounds.append(members)
    left = {part: todo[part][seen[part]:] for part in parts}
    while any(left.values()):
        ready = [part for part in parts if left[part]]
        if len(ready) == len(parts) > 1:
            ready = ready[:-1]  # leave a part intact: the round must show nothing else is lost
        rounds.append([left[part].pop(0) for part in ready])
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
