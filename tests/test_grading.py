"""Grading through nbgrader's own autograde: full, zero, and exactly the broken part's points."""
import pytest

from torchcourse import grading, nbtools

from conftest import BROKEN, BROKEN_CASES, IDS, ROOT, broken_student


def test_every_graded_part_has_a_broken_submission():
    """Each test cell of every assignment is broken by at least one shipped submission."""
    for aid in IDS:
        parts = {c.metadata["nbgrader"]["grade_id"]
                 for p in nbtools.notebooks(ROOT / "source" / aid) for c in nbtools.read(p).cells
                 if c.metadata.get("nbgrader", {}).get("grade")}
        covered = {gid for b in BROKEN.get(aid, []) for gid in b.costs}
        assert parts <= covered, f"{aid}: no broken submission for {sorted(parts - covered)}"


@pytest.mark.parametrize("aid", IDS)
def test_reference_solution_gets_full_marks(graded, aid):
    """The source notebook's answers, submitted as a student, earn every point."""
    cells = grading.cell_scores(graded, "correct", aid)
    lost = {k: v for k, v in cells.items() if v[0] != v[1]}
    assert not lost, f"{aid}: the reference solution loses points in {lost}"


@pytest.mark.parametrize("aid", IDS)
def test_untouched_release_gets_zero(graded, aid):
    """The release notebook as downloaded earns nothing."""
    score, max_score = grading.scores(graded)[("blank", aid)]
    assert max_score > 0 and score == 0, f"{aid}: untouched release scored {score}/{max_score}"


@pytest.mark.parametrize("aid,i", BROKEN_CASES,
                         ids=[f"{a}-{BROKEN[a][i].cell}-{i}" for a, i in BROKEN_CASES])
def test_broken_part_costs_exactly_its_points(graded, aid, i):
    """A typical mistake in one part loses that part's points and nothing else, with a clear message."""
    b = BROKEN[aid][i]
    cells = grading.cell_scores(graded, broken_student(i), aid)
    for gid, (score, max_score) in cells.items():
        if gid in b.costs:
            assert score == 0, f"{aid} '{b.why}': {gid} should get 0, got {score}/{max_score}"
        else:
            assert score == max_score, (f"{aid} '{b.why}': {gid} should keep its points, "
                                        f"got {score}/{max_score}")
    errors = " ".join(o.get("evalue", "")
                      for p in nbtools.notebooks(graded / "autograded" / broken_student(i) / aid)
                      for c in nbtools.read(p).cells
                      if c.metadata.get("nbgrader", {}).get("grade_id") in b.costs
                      for o in c.get("outputs", []) if o.output_type == "error")
    assert b.says in errors, f"{aid} '{b.why}': the message should say {b.says!r}, it says {errors!r}"
