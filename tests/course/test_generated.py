"""Everything generated is what the build generates: release/, solutions/ and the references.

The reference values are recorded again here on a CPU path other than the machine's own
(ATEN_CPU_CAPABILITY=default): they must be what the build wrote (within half of the grader's
tolerance for each, ``refs.STALE_SHARE``) and grade full marks against the committed ones, so
they hold on any x86-64 machine.
"""
import pytest
from helpers import IDS, ROOT

from torchcourse import build, judge, nbtools, refs

pytestmark = pytest.mark.slow


def test_release_and_solutions_are_what_the_build_generates(tmp_path):
    """release/ is byte-identical to a fresh build; solutions/ too, outputs aside (nbcompare)."""
    build.generate(ROOT, tmp_path, IDS, execute=False)
    for aid in IDS:
        fresh = {p.name: p.read_bytes() for p in nbtools.notebooks(tmp_path / "release" / aid)}
        shipped = {p.name: p.read_bytes() for p in nbtools.notebooks(ROOT / "release" / aid)}
        assert fresh == shipped, f"release/{aid} is stale: run `make build`"
        fresh = {p.name: nbtools.read(p) for p in nbtools.notebooks(tmp_path / "solutions" / aid)}
        shipped = {p.name: nbtools.strip_outputs(nbtools.read(p))
                   for p in nbtools.notebooks(ROOT / "solutions" / aid)}
        assert fresh == shipped, f"solutions/{aid} is stale: run `make build`"


class GeneratedAssignment:
    """The generated files of one assignment; subclasses set `aid` (one xdist group each)."""
    aid = None

    def test_references_are_fresh_and_grade_the_same_on_another_cpu_path(self):
        """A clean run of the reference solution on the `default` path sends the recorded values."""
        with nbtools.env(ATEN_CPU_CAPABILITY="default"):
            fresh = refs.record_assignment(ROOT, self.aid, mistakes=False)
        current = refs.load(refs.folder(ROOT), self.aid)
        problems = refs.stale(current, fresh)
        assert not problems, "\n".join(problems) + "\nrun `make build`"
        for nb, data in fresh["notebooks"].items():
            for gid, entries in data["cells"].items():
                received = {e["key"]: [e] for e in entries}
                verdict = judge.judge_cell(refs.cell_entries(current, nb, gid), received)
                assert verdict.passed, verdict.messages


for _aid in IDS:
    globals()[f"TestGenerated_{_aid}"] = type(f"TestGenerated_{_aid}", (GeneratedAssignment,),
                                              {"aid": _aid})


def test_nbgrader_validate_agrees_on_one_assignment():
    """`nbgrader validate` itself: the source passes, the release fails every test (--invert)."""
    from nbgrader.validator import Validator

    from torchcourse.course import Course

    aid = "02_linear_regression"
    config = Course(ROOT).config
    assert Validator(config=config).validate(str(ROOT / "source" / aid / f"{aid}.ipynb")) == {}
    assert Validator(config=config, invert=True).validate(
        str(ROOT / "release" / aid / f"{aid}.ipynb")) == {}
