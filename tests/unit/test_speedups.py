"""The grading process's speed-ups decide exactly as the code they replace."""
import jsonschema
import nbgrader.api
import pytest
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
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
    monkeypatch.setattr(TemplateExporter, "_create_environment",
                        TemplateExporter._create_environment)
    monkeypatch.setattr(Highlight2HTML, "__call__", Highlight2HTML.__call__)
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


def tiny_notebook(answer):
    """A notebook of a markdown cell, a code cell with ``answer`` and its output."""
    nb = nbbase.new_notebook(metadata={"language_info": {"name": "python",
                                                         "pygments_lexer": "ipython3"}})
    nb.cells = [nbbase.new_markdown_cell("# Part 1\nSome *text*."),
                nbbase.new_code_cell(answer, outputs=[new_output("stream", name="stdout",
                                                                 text="4\n")]),
                nbbase.new_code_cell("%%bash\necho hi", metadata={"magics_language": "bash"})]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"  # not random: the pages are compared
    return nb


def html_pages(answers):
    """Each notebook as nbconvert's HTML exporter makes it (a new exporter per page)."""
    from nbconvert import HTMLExporter

    return [HTMLExporter(template_name="classic").from_notebook_node(tiny_notebook(a))[0]
            for a in answers]


ANSWERS = ["x = 2 + 2\nprint(x)", "x = 2 * 2\nprint(x)", "x = 2 + 2\nprint(x)"]


def test_pages_are_the_same_with_compiled_templates_kept(monkeypatch):
    """The HTML of every page is nbconvert's own; templates compile only for the first."""
    from jinja2 import Environment

    monkeypatch.setattr(TemplateExporter, "_create_environment",
                        TemplateExporter._create_environment)
    before = html_pages(ANSWERS)
    speedups.share_compiled_templates()
    compiled = []
    compile_ = Environment.compile
    monkeypatch.setattr(Environment, "compile",
                        lambda self, *a, **k: compiled.append(a[1:2]) or compile_(self, *a, **k))
    assert html_pages(ANSWERS[:1]) == before[:1] and compiled
    compiled.clear()
    assert html_pages(ANSWERS) == before
    assert compiled == [], f"templates compiled again: {compiled}"


def test_a_changed_template_is_compiled_again(monkeypatch):
    """The cache checks a template's source: another raw template renders as itself."""
    from nbconvert import TemplateExporter as Exporter

    monkeypatch.setattr(TemplateExporter, "_create_environment",
                        TemplateExporter._create_environment)
    speedups.share_compiled_templates()
    nb = tiny_notebook("x = 1")
    pages = [Exporter(raw_template=f"{word} {{{{ nb.cells | length }}}}").from_notebook_node(nb)[0]
             for word in ("one", "two", "one")]
    assert pages == ["one 3", "two 3", "one 3"]


def test_highlighting_is_pygments_own_for_each_language(monkeypatch):
    """Remembered highlighting gives what Pygments gives, per source, language and magic."""
    monkeypatch.setattr(Highlight2HTML, "__call__", Highlight2HTML.__call__)
    plain = Highlight2HTML()
    calls = [("x = 1", None, None), ("x = 1", "python", None),
             ("echo hi", None, {"magics_language": "bash"}), ("echo hi", None, None),
             ("", None, None)]
    before = [plain(*c) for c in calls]
    assert len(set(before)) == len(before)
    speedups.remember_highlighting()
    original = Highlight2HTML.__call__.original
    import pygments

    ran, highlight = [], pygments.highlight
    monkeypatch.setattr(pygments, "highlight", lambda *a: ran.append(a[0]) or highlight(*a))
    assert [Highlight2HTML()(*c) for c in calls] == before
    assert len(ran) == len(calls)
    assert [Highlight2HTML()(*c) for c in calls] == before
    assert len(ran) == len(calls), "the same cell was highlighted again"
    huge = "x = 1\n" * 5000  # longer than remembered: highlighted each time, never kept
    first = original(plain, huge)
    assert Highlight2HTML()(huge) == Highlight2HTML()(huge) == first
    assert len(ran) == len(calls) + 3
    other = Highlight2HTML(extra_formatter_options={"linenos": "inline"})
    assert other("x = 1") == original(other, "x = 1") != before[0]
