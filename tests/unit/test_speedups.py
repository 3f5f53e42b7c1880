"""The grading process's speed-ups decide exactly as the code they replace."""
import jsonschema
import nbgrader.api
import pytest
from nbformat import ValidationError
from nbformat.v4 import nbbase, new_output
from nbgrader.nbgraderformat import MetadataValidator, common

from torchcourse import speedups


@pytest.fixture
def patched(monkeypatch):
    """The speed-ups applied in this test only (the modules are restored after it)."""
    monkeypatch.setattr(common, "jsonschema", common.jsonschema)
    monkeypatch.setattr(nbbase, "validate", nbbase.validate)
    monkeypatch.setattr(nbgrader.api, "create_engine", nbgrader.api.create_engine)
    monkeypatch.setattr(nbgrader.api.Base.metadata, "create_all",
                        nbgrader.api.Base.metadata.create_all)
    monkeypatch.setattr(nbgrader.api, "get_alembic_version", nbgrader.api.get_alembic_version)
    original = nbbase.validate
    speedups.apply()
    assert nbbase.validate is not original and common.jsonschema is not jsonschema
    return original


GOOD_META = {"grade": True, "solution": False, "locked": True, "points": 2,
             "grade_id": "correct_f", "schema_version": 3}


def test_cell_metadata_is_judged_as_jsonschema_does(patched):
    """Valid metadata passes; invalid metadata raises jsonschema's own error."""
    validator = MetadataValidator()
    validator.validate_cell(nbbase.new_code_cell("x", metadata={"nbgrader": dict(GOOD_META)}))
    for bad in ({**GOOD_META, "points": "two"}, {**GOOD_META, "grade_id": 5},
                {k: v for k, v in GOOD_META.items() if k != "locked"}):
        cell = nbbase.new_code_cell("x", metadata={"nbgrader": bad})
        with pytest.raises(jsonschema.ValidationError) as fast:
            validator.validate_cell(cell)
        with pytest.raises(jsonschema.ValidationError) as slow:
            jsonschema.validate(bad, validator.schema)
        assert fast.value.message == slow.value.message


OUTPUTS = [("stream", {"name": "stdout", "text": "hi\n"}),
           ("display_data", {"data": {"text/plain": "1"}}),
           ("execute_result", {"data": {"text/plain": "1"}, "execution_count": 3}),
           ("error", {"ename": "E", "evalue": "v", "traceback": ["t"]})]
BAD_OUTPUTS = [("stream", {"name": "stdout", "text": 5}),
               ("display_data", {"data": {"text/plain": "1"}, "metadata": []}),
               ("execute_result", {"data": {"text/plain": "1"}, "execution_count": "3"}),
               ("error", {"ename": "E", "evalue": "v", "traceback": "t"}),
               ("stream", {"name": "stdout", "text": "", "extra": 1})]


def test_outputs_are_judged_as_nbformat_does(patched, monkeypatch):
    """Valid outputs pass; an invalid one raises nbformat's own error, as before."""
    import nbformat

    compiled, calls = nbbase.validate, []
    slow_path = nbformat.validate
    monkeypatch.setattr(nbformat, "validate", lambda *a, **k: calls.append(a) or slow_path(*a, **k))
    for kind, fields in OUTPUTS:
        assert new_output(kind, **fields).output_type == kind
    assert calls == [], "a valid output went through jsonschema"
    for kind, fields in BAD_OUTPUTS:
        with pytest.raises(ValidationError) as fast:
            new_output(kind, **fields)
        monkeypatch.setattr(nbbase, "validate", patched)
        with pytest.raises(ValidationError) as slow:
            new_output(kind, **fields)
        monkeypatch.setattr(nbbase, "validate", compiled)
        assert str(fast.value) == str(slow.value)


def test_one_engine_per_gradebook_url(patched, tmp_path):
    """Two gradebooks on one URL share their engine (tables checked once); another URL has
    its own."""
    from nbgrader.api import Gradebook

    one, two = (f"sqlite:///{tmp_path}/{n}.db" for n in ("one", "two"))
    with Gradebook(one) as a, Gradebook(one) as b:
        assert a.db.get_bind() is b.db.get_bind()
        assert nbgrader.api.create_engine(two) is not a.db.get_bind()
        a.add_student("ada")
    with Gradebook(one) as c:  # the tables were checked once; the data is all there
        assert [s.id for s in c.students] == ["ada"]


def test_a_new_gradebook_is_stamped_with_the_head_alembic_prints(monkeypatch, tmp_path):
    """The revision read in this process is the one `alembic heads` gives (nbgrader's way)."""
    import os
    import sqlite3
    import sys

    from nbgrader.api import Gradebook

    current = nbgrader.api.get_alembic_version
    original = getattr(current, "original", current)
    monkeypatch.setattr(nbgrader.api, "get_alembic_version", original)
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    speedups.alembic_head_in_process()
    assert nbgrader.api.get_alembic_version is not original
    printed = original()  # the `alembic heads` command
    assert printed and nbgrader.api.get_alembic_version() == printed
    with Gradebook(f"sqlite:///{tmp_path}/gradebook.db"):
        pass
    with sqlite3.connect(tmp_path / "gradebook.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(printed,)]
