"""What the tests share: the assignments under test and their broken submissions.

Set TORCHCOURSE_ONLY=01_autograd,02_linear_regression to test only some assignments
while working on them (CI always tests all).
"""
import math
import os

from torchcourse import grading, nbtools
from torchcourse.submissions import load_broken, write_submission

ROOT = nbtools.ROOT
IDS = [a for a in nbtools.assignments()
       if not os.environ.get("TORCHCOURSE_ONLY") or a in os.environ["TORCHCOURSE_ONLY"].split(",")]
BROKEN = {aid: load_broken(ROOT / "tests" / "broken" / f"{aid}.py")
          for aid in IDS if (ROOT / "tests" / "broken" / f"{aid}.py").exists()}
BROKEN_CASES = [(aid, i) for aid, cases in BROKEN.items() for i in range(len(cases))]


def broken_rounds(cases):
    """Share the broken cases out into few submissions that still prove isolation.

    Parts (answer cells) are numbered in binary; for each bit there is a round breaking
    the parts whose bit is 0 and one breaking those whose bit is 1. So for any two parts
    A and C some round breaks A and leaves C intact: a mistake in A that leaked into C
    would show. Each round uses the next case of each part it breaks; cases left over
    get rounds of their own, one case per part. Returns lists of case indices.
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
        rounds.append([left[part].pop(0) for part in parts if left[part]])
    return rounds


def broken_student(r):
    return f"broken{r:02d}"


def write_broken(course, aid):
    """Submit every broken case of ``aid`` into ``course``, one student per round."""
    cases = BROKEN.get(aid, [])
    rounds = broken_rounds(cases)
    for r, members in enumerate(rounds):
        write_submission(course, broken_student(r), aid,
                         {cases[i].cell: cases[i].code for i in members})
    return rounds


def grade_class(dest, aid):
    """A course at ``dest`` where 'correct', 'blank' and each broken round of ``aid`` are autograded."""
    course = grading.new_course(dest, ROOT, [aid])
    write_submission(course, "correct", aid)
    write_submission(course, "blank", aid, fill=False)
    write_broken(course, aid)
    # Under pytest-xdist the cores are already shared out between test processes.
    grading.autograde(course, workers=1 if os.environ.get("PYTEST_XDIST_WORKER") else 0)
    return course
