"""nbgrader validate: source notebooks pass with fresh REF values, release notebooks fail every test."""
import pytest

from torchcourse import nbtools, refs
from torchcourse.build import nbgrader_api

from conftest import IDS, ROOT


def validator(invert):
    from nbgrader.validator import Validator

    return Validator(config=nbgrader_api(ROOT).config, invert=invert)


@pytest.mark.parametrize("aid", IDS)
def test_source_validates_and_its_reference_values_are_fresh(aid):
    """`nbgrader validate source/<id>/<id>.ipynb` passes, and every REF value is what it produces.

    One run serves both checks: under refs.recording() each hidden `expect` records its
    value instead of comparing, and refs.stale compares those values with the REF lines
    (relative 1e-5, tighter than any expect's tolerance). That the hidden checks pass in
    earnest is proven by grading: the reference solution gets full marks (test_grading.py).
    """
    for path in nbtools.notebooks(ROOT / "source" / aid):
        with refs.recording() as values:
            failed = validator(invert=False).validate(str(path))
        assert failed == {}, f"nbgrader validate fails on {path.name}: {failed}"
        problems = refs.stale(path, values)
        assert not problems, "\n".join(problems) + "\nrun `make build`"


@pytest.mark.parametrize("aid", IDS)
def test_release_fails_every_test_cell(aid):
    """`nbgrader validate --invert release/<id>/<id>.ipynb` finds no passing test cell."""
    for path in nbtools.notebooks(ROOT / "release" / aid):
        assert validator(invert=True).validate(str(path)) == {}
