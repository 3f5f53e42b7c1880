"""nbgrader validate: source notebooks pass, release notebooks fail every test (--invert)."""
import pytest

from torchcourse import nbtools
from torchcourse.build import nbgrader_api

from conftest import IDS, ROOT


def validator(invert):
    from nbgrader.validator import Validator

    return Validator(config=nbgrader_api(ROOT).config, invert=invert)


@pytest.mark.parametrize("aid", IDS)
def test_source_validates(aid):
    """`nbgrader validate source/<id>/<id>.ipynb` reports no failing cell."""
    for path in nbtools.notebooks(ROOT / "source" / aid):
        assert validator(invert=False).validate(str(path)) == {}


@pytest.mark.parametrize("aid", IDS)
def test_release_fails_every_test_cell(aid):
    """`nbgrader validate --invert release/<id>/<id>.ipynb` finds no passing test cell."""
    for path in nbtools.notebooks(ROOT / "release" / aid):
        assert validator(invert=True).validate(str(path)) == {}
