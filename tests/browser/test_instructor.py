"""The instructor in a real browser: Formgrader lists the course, autogrades, gives feedback."""
import re

from playwright.sync_api import expect

from torchcourse import nbtools

from .common import AID, GRADE_MS, ROOT, STUDENT, course_ids, first_broken, menu, open_lab


def expected_score():
    """(score, max) the shipped submission earns: everything but its mistake's test cells."""
    cells = [c.metadata["nbgrader"] for p in nbtools.notebooks(ROOT / "source" / AID)
             for c in nbtools.read(p).cells if c.metadata.get("nbgrader", {}).get("grade")]
    most = sum(c["points"] for c in cells)
    lost = sum(c["points"] for c in cells if c["grade_id"] in first_broken().costs)
    assert 0 < lost < most
    return most - lost, most


def close_modal(frame):
    """Dismiss Formgrader's success dialog once it has fully faded in; wait until it is gone.

    Its text is in the page before the dialog shows. Once in CI the dialog stayed up after
    a click on OK; the likely cause is a click while Bootstrap 3 was still animating it in
    (not reproduced in six runs on a loaded machine), so the click waits for the end state.
    """
    modal = frame.locator("#success-modal")
    expect(modal).to_have_class(re.compile(r"\bin\b"))
    expect(modal).to_have_css("opacity", "1")
    expect(modal.locator(".modal-dialog")).to_have_css("transform", "matrix(1, 0, 0, 1, 0, 0)")
    modal.locator(".modal-footer button").click()
    expect(modal).to_have_count(0)


def test_formgrader_autogrades_and_gives_feedback(page, lab, shot):
    """Formgrader lists the assignments, autogrades a submission in the UI; its feedback opens."""
    b = first_broken()
    score, most = expected_score()

    # Nbgrader menu > Formgrader opens a tab holding Formgrader's page in an iframe.
    open_lab(page, lab)
    menu(page, "Nbgrader", "nbgrader:open-formgrader")
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text="Formgrader")
    frame = page.locator(f"[id='{tab.get_attribute('data-id')}']").frame_locator("iframe")

    names = frame.locator("#main-table td.name")
    for aid in course_ids():
        expect(names.filter(has_text=re.compile(rf"^\s*{aid}\s*$"))).to_have_count(1)
    row = frame.locator("#main-table tr", has=frame.locator("td.name", has_text=AID))
    expect(row.locator("td.num-submissions")).to_have_text("1")
    shot("11-formgrader-assignments")

    row.locator("td.num-submissions a").click()
    row = frame.locator("#main-table tr", has=frame.locator("td.student-id", has_text=STUDENT))
    expect(row.locator("td.status")).to_have_text("needs autograding")
    shot("12-formgrader-submission")

    row.locator("td.autograde a").click()
    expect(frame.locator("#success-modal")).to_contain_text(
        f"Successfully autograded '{AID}' for student '{STUDENT}'.", timeout=GRADE_MS)
    shot("13-formgrader-autograded")
    close_modal(frame)
    expect(row.locator("td.status")).to_have_text("graded")
    expect(row.locator("td.score")).to_have_text(f"{score:g} / {most:g}")
    shot("14-formgrader-score")

    row.locator("td.generate-feedback a").click()
    expect(frame.locator("#success-modal")).to_contain_text(
        f"Successfully generated feedback for '{AID}' for student '{STUDENT}'.", timeout=GRADE_MS)
    close_modal(frame)

    # The feedback file, opened in JupyterLab's HTML viewer as an instructor would.
    path = f"feedback/{STUDENT}/{AID}/{AID}.html"
    open_lab(page, lab, path)
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text=f"{AID}.html")
    feedback = page.locator(f"[id='{tab.get_attribute('data-id')}']").frame_locator("iframe")
    expect(feedback.locator("body")).to_contain_text(f"(Score: {score:.1f} / {most:.1f})")
    # Feedback shows the grader's own words: the part fails, and which mistake it was.
    expect(feedback.locator("body")).to_contain_text("This part does not pass.")
    expect(feedback.locator("body")).to_contain_text(f"This is what {b.why} gives")
    shot("15-feedback-file")
