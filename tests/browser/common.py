"""What the browser tests share: the course under test, its sample student, time limits."""
import os
import re
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from torchcourse import nbtools
from torchcourse.submissions import load_broken

ROOT = nbtools.ROOT
SHOTS = ROOT / "build" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
#: The assignment both flows use, and the student who submitted it with one typical mistake.
AID = "02_linear_regression"
STUDENT = "ben"
#: Upper bounds for real states (a kernel run, nbgrader validate/autograde), in milliseconds.
STEP_MS = 30_000
GRADE_MS = 120_000
#: A class graded with `make grade` in a terminal: its cluster starts, then every notebook.
CLASS_MS = 300_000


def course_ids():
    """The assignments under test: all, or those in TORCHCOURSE_ONLY (as in tests/conftest.py)."""
    only = os.environ.get("TORCHCOURSE_ONLY")
    return [a for a in nbtools.assignments(ROOT) if not only or a in only.split(",")]


def answer_cells(nb):
    """(index, grade_id) of a notebook's answer cells, in order."""
    return [(i, c.metadata["nbgrader"]["grade_id"]) for i, c in enumerate(nb.cells)
            if c.metadata.get("nbgrader", {}).get("solution")]


def first_broken():
    """The first typical mistake shipped for AID (tests/broken/)."""
    return load_broken(ROOT / "tests" / "broken" / f"{AID}.py")[0]


def menu(page, label, command):
    """Click ``command`` in the menu bar's ``label`` menu, opened again if it closed
    before the click (JupyterLab can close it while it is still restoring its tabs)."""
    bar = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(f"^{label}$"))
    item = page.locator(f"li[data-command='{command}']")
    for _ in range(3):
        bar.click()
        try:
            item.wait_for(state="visible", timeout=STEP_MS // 3)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    item.click()


def wait_kernel_idle(page, base, name, timeout_ms=GRADE_MS):
    """Wait until the server says the kernel of notebook ``name`` (its file name) is idle.

    JupyterLab's execution indicator shows "idle" before a new kernel has even started
    (its initial value). A restart sent that early left a hub test's kernel "Starting" for
    over 120 s on a loaded machine: the server's own sessions are the state to wait on.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    states = []
    while time.monotonic() < deadline:
        reply = page.request.get(f"{base}/api/sessions")
        states = [s["kernel"]["execution_state"] for s in (reply.json() if reply.ok else [])
                  if s.get("path", "").rsplit("/", 1)[-1] == name and s.get("kernel")]
        if "idle" in states:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the kernel of {name} is not idle after {timeout_ms / 1000:.0f} s: "
                         f"{states or 'no session'}")


def open_lab(page, lab, path=None):
    """JupyterLab (on ``path``, a file to open) with no tabs restored from an earlier test."""
    url, _token = lab
    page.goto(f"{url}/lab" + (f"/tree/{path}" if path else "") + "?reset")
    page.locator("#jp-main-dock-panel").wait_for()
