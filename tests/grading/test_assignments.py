"""Each assignment, graded: full, zero, and exactly the broken part's points, with its message.

One test class per assignment, each grading its own scratch course once (correct,
blank, and every broken round of tests/broken/, see conftest.broken_rounds), so that
pytest-xdist (`--dist loadscope`) spreads the assignments over the cores. A round breaks
several different parts at once and must lose exactly their points.
"""
import functools

import pytest
from helpers import BROKEN, IDS, LIMITS, ROOT, broken_rounds, broken_student, grade, write_broken

from torchcourse import nbtools
from torchcourse.course import new_course
from torchcourse.preprocessors import HIDDEN_FAILED
from torchcourse.submissions import write_submission

pytestmark = pytest.mark.slow


def test_every_graded_part_has_a_broken_submission():
    """Each test cell of every assignment is broken by at least one shipped submission."""
    for aid in IDS:
        parts = {c.metadata["nbgrader"]["grade_id"]
                 for p in nbtools.notebooks(ROOT / "source" / aid) for c in nbtools.read(p).cells
                 if c.metadata.get("nbgrader", {}).get("grade")}
        covered = {gid for b in BROKEN.get(aid, []) for gid in b.costs}
        assert parts <= covered, f"{aid}: no broken submission for {sorted(parts - covered)}"


def pytest_generate_tests(metafunc):
    """Parametrize `case` and `round_` with the broken submissions of the class's assignment."""
    cases = BROKEN.get(getattr(metafunc.cls, "aid", None), [])
    if "case" in metafunc.fixturenames:
        metafunc.parametrize("case", range(len(cases)),
                             ids=[f"{b.cell}-{i}" for i, b in enumerate(cases)])
    if "round_" in metafunc.fixturenames:
        metafunc.parametrize("round_", range(len(broken_rounds(cases))))


def messages(notebooks, cells):
    """Every error message (the grader's and the kernel's) of the given test cells."""
    return " ".join(o.get("evalue", "")
                    for nb in notebooks for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") in cells
                    for o in c.get("outputs", []) if o.output_type == "error")


class GradedAssignment:
    """The tests of one assignment; subclasses set `aid`."""
    aid = None

    @pytest.fixture(scope="class")
    def course(self, tmp_path_factory, dask_client):
        """This assignment's class: correct, blank and every broken round, graded once."""
        course = new_course(tmp_path_factory.mktemp(self.aid) / "course", ROOT, [self.aid])
        write_submission(course.root, "correct", self.aid)
        write_submission(course.root, "blank", self.aid, fill=False)
        write_broken(course.root, self.aid)
        run = grade(course.root, dask_client, **LIMITS)
        assert not run.errors, run.errors
        return course

    @pytest.fixture(scope="class")
    def cells(self, course):
        """{student: {grade_id: (score, max_score)}} of the class, read once."""
        return course.cell_table(self.aid)

    @pytest.fixture(scope="class")
    def totals(self, course):
        """{(student, assignment): (score, max_score)} of the class, read once."""
        return course.scores()

    @pytest.fixture(scope="class")
    def autograded(self, course):
        """autograded(student): the student's autograded notebooks, each read once."""
        @functools.cache
        def notebooks(student):
            return [nbtools.read(p)
                    for p in nbtools.notebooks(course.folder("autograded", student, self.aid))]
        return notebooks

    def test_reference_solution_gets_full_marks(self, cells):
        """The source notebook's answers, submitted as a student, earn every point."""
        mine = cells["correct"]
        lost = {k: v for k, v in mine.items() if v[0] != v[1]}
        assert mine and not lost, f"{self.aid}: the reference solution loses points in {lost}"

    def test_untouched_release_gets_zero(self, totals, autograded):
        """The release as downloaded earns nothing, and every test cell fails in the kernel too."""
        score, max_score = totals[("blank", self.aid)]
        assert max_score > 0 and score == 0, f"untouched release scored {score}/{max_score}"
        graded = [c for nb in autograded("blank") for c in nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade")]
        passing = [c.metadata["nbgrader"]["grade_id"] for c in graded
                   if not any(o.output_type == "error" and o.ename != HIDDEN_FAILED
                              for o in c.get("outputs", []))]
        assert graded and passing == [], (f"{self.aid}: the visible checks of {passing} pass "
                                          "without an answer")

    def test_broken_part_scores_zero_and_says_why(self, cells, autograded, case):
        """A typical mistake in one part costs all that part's points, with a message naming it."""
        aid, b = self.aid, BROKEN[self.aid][case]
        rounds = [r for r, members in enumerate(broken_rounds(BROKEN[aid])) if case in members]
        assert rounds, f"'{b.why}' is never submitted"
        for student in map(broken_student, rounds):
            for gid in b.costs:
                got = cells[student][gid]
                assert got[0] == 0, f"'{b.why}': {gid} should get 0, got {got}"
            said = messages(autograded(student), b.costs)
            assert b.says in said, f"'{b.why}': the message should say {b.says!r}, it says {said!r}"

    def test_broken_part_is_diagnosed_by_the_grader(self, autograded, case):
        """The grader's own message (what feedback shows) names the mistake, from evidence."""
        aid, b = self.aid, BROKEN[self.aid][case]
        for r, members in enumerate(broken_rounds(BROKEN[aid])):
            if case not in members:
                continue
            said = " ".join(o.evalue for nb in autograded(broken_student(r)) for c in nb.cells
                            if c.metadata.get("nbgrader", {}).get("grade_id") in b.costs
                            for o in c.get("outputs", []) if o.get("ename") == HIDDEN_FAILED)
            assert f"This is what {b.why} gives" in said or "your code raised" in said, (
                f"'{b.why}': the grader says {said!r}")

    def test_broken_parts_cost_exactly_their_points(self, cells, totals, round_):
        """A submission with some parts broken loses exactly those parts' points, nothing else."""
        cases = BROKEN[self.aid]
        members = broken_rounds(cases)[round_]
        broken = {gid for i in members for gid in cases[i].costs}
        mine = cells[broken_student(round_)]
        kept = {gid: v for gid, v in mine.items() if gid not in broken}
        assert broken <= set(mine) and kept, f"nothing to compare in {sorted(mine)}"
        lost = {gid: v for gid, v in kept.items() if v[0] != v[1]}
        assert not lost, (f"breaking {sorted(broken)} also cost {lost}: "
                          "grade each part on its own (see CONTRIBUTING.md)")
        score, max_score = totals[(broken_student(round_), self.aid)]
        assert score == max_score - sum(mine[gid][1] for gid in broken)


for _aid in IDS:
    globals()[f"TestGrading_{_aid}"] = type(f"TestGrading_{_aid}", (GradedAssignment,),
                                            {"aid": _aid})
