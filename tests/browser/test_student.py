"""The student's side in a real browser: answer, run all, Validate; and a lecture's figures."""
import re

import pytest
from playwright.sync_api import expect

from torchcourse import nbtools
from torchcourse.submissions import solution_code

from .common import (
    AID,
    GRADE_MS,
    ROOT,
    STEP_MS,
    answer_cells,
    first_broken,
    menu,
    open_lab,
    wait_kernel_idle,
)

NOTEBOOK = f"release/{AID}/{AID}.ipynb"


def open_notebook(page, lab, path):
    """Open ``path`` in JupyterLab and wait until its kernel is idle; return the notebook panel."""
    open_lab(page, lab, path)
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current",
                       has_text=path.rsplit("/", 1)[-1])
    panel = page.locator(f"[id='{tab.get_attribute('data-id')}']")
    wait_kernel_idle(page, lab[0], path.rsplit("/", 1)[-1])
    return panel


def set_cell(panel, index, code):
    """Replace the text of cell ``index`` with ``code``, as a paste would (no auto-indent)."""
    cell = panel.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".cm-content")
    editor.click()
    expect(cell.locator(".cm-editor.cm-focused")).to_be_attached()
    page = panel.page
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(code)


def validate(panel):
    """Click nbgrader's Validate button; return the result dialog once it is shown."""
    panel.locator("jp-button.validate-button").click()
    dialog = panel.page.locator(
        ".jp-Dialog.nbgrader-SuccessDialog, .jp-Dialog.nbgrader-ErrorDialog")
    dialog.wait_for(timeout=GRADE_MS)
    return dialog


def close_dialog(dialog):
    dialog.locator("button.jp-Dialog-button").click()
    expect(dialog).to_have_count(0)


def test_answer_run_all_and_validate(page, lab, course, shot):
    """Correct answers validate; one typical mistake makes Validate show that part's message."""
    release = nbtools.read(course / NOTEBOOK)
    source = nbtools.read(ROOT / "source" / AID / f"{AID}.ipynb")
    answers = {c.metadata["nbgrader"]["grade_id"]: solution_code(c.source) for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    n_code = sum(c.cell_type == "code" for c in release.cells)
    n_parts = sum(bool(c.metadata.get("nbgrader", {}).get("grade")) for c in release.cells)

    panel = open_notebook(page, lab, NOTEBOOK)
    expect(panel.locator(".jp-Notebook .jp-Cell")).to_have_count(len(release.cells))
    shot("01-student-release-opened")

    # The answers are typed into the cells' editors (inserted as one text, like a paste).
    for index, grade_id in answer_cells(release):
        set_cell(panel, index, answers[grade_id])
    shot("02-student-answers-typed")

    # Kernel > Restart and run all (the toolbar button), confirmed in its dialog (the kernel
    # has started: open_notebook waited for it).
    panel.locator("jp-button[data-command='notebook:restart-run-all']").click()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    prompts = panel.locator(".jp-CodeCell .jp-InputPrompt")
    expect(prompts).to_have_count(n_code)
    for i in range(n_code):
        expect(prompts.nth(i)).to_have_text(re.compile(r"\[\d+\]:"), timeout=STEP_MS)
    expect(panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_be_attached()
    outputs = panel.locator(".jp-OutputArea-output")
    expect(outputs.filter(has_text=re.compile(r"Part \d+ passes its visible checks\."))
           ).to_have_count(n_parts)
    expect(panel.locator("[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(0)
    shot("03-student-run-all")

    dialog = validate(panel)
    expect(dialog.locator(".validation-success")).to_contain_text(
        "Success! Your notebook passes all the tests.")
    shot("04-student-validate-success")
    close_dialog(dialog)

    # What was typed is what got saved (Validate saves the notebook first).
    saved = nbtools.read(course / NOTEBOOK)
    for index, grade_id in answer_cells(saved):
        assert saved.cells[index].source == answers[grade_id], f"{grade_id} was saved differently"

    mistake = first_broken()
    index = dict((g, i) for i, g in answer_cells(release))[mistake.cell]
    set_cell(panel, index, mistake.code.strip("\n"))
    shot("05-student-mistake-typed")
    dialog = validate(panel)
    expect(dialog).to_have_class(re.compile(r"\bnbgrader-ErrorDialog\b"))
    failed = dialog.locator(".validation-failed")
    # The failing part is named by its test cell's docstring, and the check says what is wrong.
    test_cell = next(c for c in release.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") == mistake.costs[0])
    # The dialog lists (source, error) pairs; the message must be in an error, not just the source.
    blocks = failed.locator(".jp-RenderedText")
    expect(blocks.first).to_be_visible()
    texts = [blocks.nth(i).inner_text() for i in range(blocks.count())]
    failing = [(src, err) for src, err in zip(texts[::2], texts[1::2])
               if src.startswith(test_cell.source.splitlines()[0])]
    assert failing, f"{mistake.costs[0]} is not among the failed cells: {texts[::2]}"
    assert mistake.says in failing[0][1], (
        f"its error does not say {mistake.says!r}: {failing[0][1]}")
    shot("06-student-validate-mistake")
    close_dialog(dialog)


def _lecture_with_figures(course):
    """The first lecture with a PNG figure among its outputs, and the number of its figures."""
    for path in nbtools.notebooks(course / "notebooks"):
        n = sum("image/png" in out.get("data", {}) for c in nbtools.read(path).cells
                if c.cell_type == "code" for out in c.outputs)
        if n:
            return path, n
    return None, 0


def test_lecture_figures_render(page, lab, course, shot):
    """A lecture opens with each of its stored figures drawn as a visible, decoded image."""
    path, n_figures = _lecture_with_figures(course)
    if path is None:
        pytest.skip("no lecture in notebooks/ has a figure yet")
    panel = open_notebook(page, lab, path.relative_to(course).as_posix())
    images = panel.locator(".jp-RenderedImage img")
    expect(images).to_have_count(n_figures)
    for i in range(n_figures):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        expect(img).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=img.element_handle())
        box = img.bounding_box()
        assert box["width"] > 50 and box["height"] > 50, f"figure {i} is drawn {box}"
    images.first.scroll_into_view_if_needed()
    shot("07-lecture-figures")


def test_assignment_list_fetches_the_release(page, lab, course, shot):
    """Nbgrader > Assignment List offers the released assignment; Fetch downloads it."""
    open_lab(page, lab)
    menu(page, "Nbgrader", "nbgrader:open-assignment-list")
    released = page.locator("#released_assignments_list > .list_item", has_text=AID)
    released.locator("button", has_text="Fetch").click()
    fetched = page.locator("#fetched_assignments_list > .list_item", has_text=AID)
    expect(fetched).to_have_count(1)
    expect(released).to_have_count(0)
    shot("08-assignment-list-fetched")
    assert (course / AID / f"{AID}.ipynb").is_file(), "Fetch did not download the notebook"
