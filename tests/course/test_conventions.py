"""The course's notebooks follow its conventions."""
import ast
import re

import pytest
from helpers import IDS, ROOT

from torchcourse import nbtools

HIDDEN_OR_SOLUTION = re.compile(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS)")
MACHINE_PATH = re.compile(r"(/root\b|/home/|/tmp/|/work/|/Users/|site-packages|[A-Z]:\\\\)")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LECTURES = nbtools.notebooks(ROOT / "notebooks")
EXECUTED = LECTURES + [p for aid in IDS for p in nbtools.notebooks(ROOT / "solutions" / aid)]


def nbg(cell):
    return cell.metadata.get("nbgrader", {})


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_every_assignment_has_its_lecture_and_one_notebook():
    """Each assignment id has notebooks/<id>.ipynb and exactly source/<id>/<id>.ipynb."""
    for aid in IDS:
        assert (ROOT / "notebooks" / f"{aid}.ipynb").exists(), f"no lecture for {aid}"
        assert [p.name for p in nbtools.notebooks(ROOT / "source" / aid)] == [f"{aid}.ipynb"]


@pytest.mark.parametrize("aid", IDS)
def test_release_holds_no_solution_hidden_test_or_reference_value(aid):
    """Students get stubs and visible tests only: no solution code, hidden tests or REF values."""
    for path in nbtools.notebooks(ROOT / "release" / aid):
        text = path.read_text(encoding="utf-8")
        assert not HIDDEN_OR_SOLUTION.search(text), f"{path} holds solution or hidden-test markers"
        assert "expect(" not in text and "references" not in text, f"{path} holds a hidden check"
        for cell in nbtools.read(path).cells:
            if nbg(cell).get("solution") and cell.cell_type == "code":
                assert "raise NotImplementedError()" in cell.source, f"{path}: answer not stubbed"


@pytest.mark.parametrize("aid", IDS)
def test_source_follows_the_assignment_conventions(aid):
    """Outputs cleared; 4-8 parts of 1-3 points; each test right after its answer, docstring
    first, judging at least one hidden value."""
    nb = nbtools.read(ROOT / "source" / aid / f"{aid}.ipynb")
    cells = code_cells(nb)
    assert not any(c.outputs or c.execution_count for c in cells), "source carries outputs"
    tests = [c for c in cells if nbg(c).get("grade")]
    assert 4 <= len(tests) <= 8, f"{aid} has {len(tests)} graded parts"
    for i, cell in enumerate(cells):
        if not nbg(cell).get("grade"):
            continue
        gid, points = nbg(cell)["grade_id"], nbg(cell)["points"]
        assert gid.startswith("correct_") and 1 <= points <= 3, f"{gid}: {points} points"
        answer = nbg(cells[i - 1])
        assert answer.get("solution") and answer["grade_id"] == gid[len("correct_"):], (
            f"{gid} must come right after its answer cell {gid[len('correct_'):]}")
        first = cell.source.splitlines()[0]
        assert re.fullmatch(r'""".+"""', first), f"{gid}: first line must be a one-line docstring"
        last = ast.parse(cell.source).body[-1]
        assert not (isinstance(last, ast.Expr) and not (
            isinstance(last.value, ast.Call) and getattr(last.value.func, "id", "") == "print")), (
            f"{gid} ends with an expression: nbgrader would read its value as partial credit")
        blocks = r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS"
        hidden = "".join(re.findall(blocks, cell.source, re.S))
        assert "expect(" in hidden, f"{gid}: no hidden value is judged outside the kernel"
        assert "expect(" not in re.sub(blocks, "", cell.source, flags=re.S), (
            f"{gid}: expect() outside the hidden tests would show in the release")


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_executed_notebooks_are_clean(path):
    """In-order execution counts, no errors, nothing on stderr, no machine paths."""
    cells = code_cells(nbtools.read(path))
    counts = [c.execution_count for c in cells if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}"
    for c in cells:
        for out in c.outputs:
            assert out.output_type != "error", f"error output: {out.get('evalue')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            assert not MACHINE_PATH.search(text), f"machine path in output: {text[:200]}"


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.name)
def test_lectures_open_with_goals_and_end_with_exercises(path):
    """What you'll learn / What you'll need first, Korean terms beside English, exercises last."""
    nb = nbtools.read(path)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    head = "\n".join(c.source for c in nb.cells[:3])
    assert "What you'll learn" in head and "What you'll need" in head
    assert HANGUL.search(text), "no Korean term beside the English ones"
    last_heading = [ln for ln in text.splitlines() if ln.startswith("## ")][-1]
    assert "Exercises" in last_heading, f"last section is {last_heading!r}"


def test_glossary_holds_every_korean_term_of_the_lectures():
    """Each Korean term a lecture writes in parentheses (alone or listed) is in the glossary."""
    overview = nbtools.read(ROOT / "notebooks" / "00_overview.ipynb")
    glossary = next(c.source for c in overview.cells if "## Glossary" in c.source)
    missing = {}
    for path in LECTURES:
        for cell in nbtools.read(path).cells:
            if cell.cell_type != "markdown":
                continue
            for inside in re.findall(r"\(([^()]*[\uac00-\ud7a3][^()]*)\)", cell.source):
                for term in re.split(r"[,/;]", inside):
                    term = term.strip()
                    if HANGUL.fullmatch(term[:1] or "x") and re.fullmatch(
                            r"[\uac00-\ud7a3][\uac00-\ud7a3 \-]*", term) and term not in glossary:
                        missing.setdefault(term, path.name)
    assert not missing, f"add to the glossary of 00_overview: {missing}"
