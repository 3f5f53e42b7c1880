"""A whole term on the class's JupyterHub (deploy/jupyterhub/), in Debian's Chromium.

The test creates an instructor and two students as Unix users with their own passwords
(PAM logins), runs the hub as root on 127.0.0.1 on free ports with every piece of state
in a temporary folder, and removes the users, their homes and groups and the hub after,
also when it fails (a run that was killed is cleaned up by the next). Then, in the
browser: the instructor releases AID in Formgrader (its own tab); student A fetches it
in the Assignments list, solves it, validates and submits; student B submits it with a
typical mistake; the instructor collects in Formgrader, grades with ``make grade`` in a
terminal of their server (every kernel in the sandbox), sees both scores in Formgrader
and releases the feedback; each student fetches it and sees their own score; B's kernel
cannot read A's home or submission, and nothing B can read holds instructor material
(hub_leaks.py); A switches the interface to Korean. Screenshots and the hub's log:
build/hub-e2e/.
"""
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from torchcourse import nbtools
from torchcourse.submissions import solution_code

from . import hub_leaks
from .common import (
    AID,
    CLASS_MS,
    GRADE_MS,
    ROOT,
    STEP_MS,
    answer_cells,
    first_broken,
    menu,
    wait_kernel_idle,
)
from .test_instructor import close_modal, expected_score
from .test_student import close_dialog, set_cell

sys.path.insert(0, str(ROOT / "deploy" / "jupyterhub"))
from coursehub import site as hubsite  # noqa: E402
from coursehub.spawner import ETC, INSIDE, ROLES  # noqa: E402
from coursehub.spawner import HERE as COURSEHUB  # noqa: E402

SHOTS = ROOT / "build" / "hub-e2e"
TAG = "coursehub test"
#: The course environment's Python: the hub and every server run it.
PYTHON = sys.executable
NOTEBOOK = f"{AID}/{AID}.ipynb"

pytestmark = pytest.mark.browser


class Site:
    """The hub under test: settings, users and their passwords, folders, start-up time."""

    def __init__(self, settings, users, tmp, names):
        self.settings, self.users, self.tmp = settings, users, tmp
        self.teacher, self.ada, self.ben = names
        self.times = {}
        self._last = time.monotonic()

    def mark(self, phase):
        """Record the seconds since the previous mark as ``phase`` (build/hub-e2e/times.json)."""
        now = time.monotonic()
        self.times[phase] = round(now - self._last, 1)
        self._last = now

    @property
    def url(self):
        return self.settings.url

    def home(self, name):
        return self.users.base / name

    def inbound(self):
        return self.settings.exchange / self.settings.course_id / "inbound"


@pytest.fixture(scope="module")
def site():
    """The hub with its three users; everything removed after, also on failure."""
    if os.geteuid() != 0:
        pytest.skip("the hub test runs as root: it creates Unix users (CI runs as root)")
    if not os.access(hubsite.PROXY, os.X_OK):
        pytest.fail(f"{hubsite.PROXY} is missing: make hub-proxy (make test does it)")
    if not shutil.which("bwrap"):
        pytest.fail("bubblewrap is missing: scripts/system-packages installs it")
    try:
        hubsite.check_readable_by_all(PYTHON)
    except RuntimeError as e:
        pytest.fail(str(e))
    hubsite.Users.remove_stale(TAG)
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    tmp = Path(tempfile.mkdtemp(prefix="coursehub-test-"))
    os.chmod(tmp, 0o755)  # the users' homes are in it
    suffix = secrets.token_hex(2)
    names = [f"teacher-{suffix}", f"ada-{suffix}", f"ben-{suffix}"]
    settings = hubsite.Settings(
        url=f"http://127.0.0.1:{hubsite.free_port()}",
        course=hubsite.copy_course(ROOT, tmp / "course", python=PYTHON),
        exchange=tmp / "exchange", state=tmp / "state",
        instructors=f"chub-i-{suffix}", students=f"chub-s-{suffix}",
        hub_port=hubsite.free_port(), proxy_api_port=hubsite.free_port())
    users = hubsite.Users(tmp / "home", {settings.instructors: names[:1],
                                         settings.students: names[1:]}, tag=TAG)
    log = open(SHOTS / "jupyterhub.log", "w")
    hub = None
    try:
        users.create()
        hubsite.prepare(settings)
        t0 = time.monotonic()
        hub = hubsite.Hub(settings, log, python=PYTHON)
        try:
            hub.wait_until_up()
        except RuntimeError as e:
            pytest.fail(f"{e}; see {SHOTS / 'jupyterhub.log'}")
        s = Site(settings, users, tmp, names)
        s.times["hub start-up"] = round(time.monotonic() - t0, 1)
        yield s
        (SHOTS / "times.json").write_text(json.dumps(s.times, indent=1) + "\n")
    finally:
        if hub is not None:
            hub.stop()
        users.remove()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


class Person:
    """One user's browser context and JupyterLab page on the hub."""

    def __init__(self, browser, site, name):
        self.site, self.name = site, name
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(STEP_MS)
        self.page = self.context.new_page()
        self.base = f"{site.url}/user/{name}"

    @property
    def lab(self):
        return self.base, None  # what test_student's helpers take

    def log_in(self, shot=None, then=None):
        """Submit the hub's login form (the server starts; see wait_for_lab), to go to ``then``."""
        self.page.goto(f"{self.site.url}/hub/login" + (f"?next={then}" if then else ""))
        self.page.fill("#username_input", self.name)
        self.page.fill("#password_input", self.site.users.passwords[self.name])
        if shot:
            shot(self.page, "01-hub-login")
        self.page.click("#login_submit")

    def wait_for_lab(self):
        expect(self.page).to_have_url(re.compile(rf"/user/{self.name}/lab"), timeout=GRADE_MS)
        self.page.locator("#jp-main-dock-panel").wait_for()

    def menu(self, label, command):
        menu(self.page, label, command)

    def nbgrader_menu(self):
        """The labels of the Nbgrader menu's items."""
        self.page.locator("#jp-MainMenu .lm-MenuBar-itemLabel",
                          has_text=re.compile("^Nbgrader$")).click()
        items = self.page.locator("#jp-mainmenu-nbgrader .lm-Menu-itemLabel")
        expect(items.first).to_be_visible()
        labels = [t.strip() for t in items.all_inner_texts() if t.strip()]
        self.page.keyboard.press("Escape")
        return labels

    def assignment_list(self):
        """Nbgrader > Assignment List: its tab, opened or brought back and refreshed."""
        tab = self.page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments")
        if tab.count():
            tab.click()
            self.page.locator("#refresh_assignments_list").click()
        else:
            self.menu("Nbgrader", "nbgrader:open-assignment-list")
        for part in ("released", "fetched", "submitted"):
            expect(self.page.locator(f"#{part}_assignments_list_loading")).to_be_hidden()

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def people(site, browser):
    out = [Person(browser, site, n) for n in (site.teacher, site.ada, site.ben)]
    yield out
    for p in out:
        p.close()


@pytest.fixture
def shot(people, request):
    """shot(page, "01-step") saves build/hub-e2e/01-step.png; every page if the test fails."""
    def take(page, name):
        assert re.fullmatch(r"\d\d-[a-z0-9-]+", name), name
        page.screenshot(path=SHOTS / f"{name}.png")
    yield take
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        for person in people:
            for i, page in enumerate(person.context.pages):
                page.screenshot(path=SHOTS / f"failed-{person.name.split('-')[0]}-{i}.png")


def answers():
    """The reference answer of every answer cell of AID, by grade_id."""
    source = nbtools.read(ROOT / "source" / AID / f"{AID}.ipynb")
    return {c.metadata["nbgrader"]["grade_id"]: solution_code(c.source) for c in source.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def fetch(person):
    """Assignment List: Fetch AID, then open its notebook from the list; return its panel."""
    page = person.page
    person.assignment_list()
    page.locator("#released_assignments_list > .list_item", has_text=AID).locator(
        "button", has_text="Fetch").click()
    fetched = page.locator("#fetched_assignments_list > .list_item", has_text=AID)
    expect(fetched).to_have_count(1)
    fetched.locator("a.assignment-notebooks-link").click()  # shows its notebooks
    fetched.locator(".nested_list_item a", has_text=AID).click()
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current",
                       has_text=f"{AID}.ipynb")
    panel = page.locator(f"[id='{tab.get_attribute('data-id')}']")
    expect(panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_be_attached()
    return panel


def type_answers(panel, given):
    """Type ``given`` into the answer cells of the notebook in ``panel``."""
    release = nbtools.read(ROOT / "release" / AID / f"{AID}.ipynb")
    for index, grade_id in answer_cells(release):
        set_cell(panel, index, given[grade_id])


def save(panel):
    panel.page.keyboard.press("ControlOrMeta+s")
    expect(panel.page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current.jp-mod-dirty")
           ).to_have_count(0)


def submit(person):
    """Nbgrader > Assignment List > Submit; wait until the submission is listed."""
    person.assignment_list()
    fetched = person.page.locator("#fetched_assignments_list > .list_item", has_text=AID)
    fetched.locator("button", has_text="Submit").click()
    submitted = person.page.locator("#submitted_assignments_list > .list_item", has_text=AID)
    expect(submitted).to_have_count(1)


def fetch_feedback(person):
    """Assignment List > Fetch Feedback; return the feedback page's text, opened in a tab."""
    person.assignment_list()
    submitted = person.page.locator("#submitted_assignments_list > .list_item", has_text=AID)
    submitted.locator("button", has_text="Fetch Feedback").click()
    expect(submitted.locator("a", has_text="view feedback")).to_be_visible(timeout=GRADE_MS)
    pages = sorted((person.site.home(person.name) / AID / "feedback").glob(f"*/{AID}.html"))
    assert pages, "Fetch Feedback downloaded no feedback page"
    rel = pages[-1].relative_to(person.site.home(person.name)).as_posix()
    tab = person.context.new_page()  # as a student's "Open in New Browser Tab"
    tab.goto(f"{person.base}/files/{rel}")
    return tab


#: Formgrader in its own tab (JupyterHub >= 4.1 blanks its iframe: nbgrader #1870).
FORMGRADER = "/hub/user-redirect/formgrader"


def assignment_row(fg):
    row = fg.locator("#main-table tr", has=fg.locator("td.name", has_text=AID))
    expect(row).to_have_count(1)
    return row


def formgrader_action(fg, column, says):
    """Click a Manage Assignments link of AID's row; wait for its success message."""
    assignment_row(fg).locator(f"td.{column} a").click()
    modal = fg.locator("#success-modal, #error-modal")
    expect(modal).to_be_attached(timeout=GRADE_MS)
    assert modal.get_attribute("id") == "success-modal", modal.inner_text()
    expect(modal).to_contain_text(says)
    close_modal(fg)


def terminal_text_in_page(fg, base):
    """Terminals keep their text in the page (screen-reader mode), set as any user setting."""
    status = fg.evaluate("""async (base) => {
        const xsrf = document.cookie.split('; ').find(c => c.startsWith('_xsrf='));
        const r = await fetch(base + '/lab/api/settings/@jupyterlab/terminal-extension:plugin', {
            method: 'PUT', body: JSON.stringify({raw: '{"screenReaderMode": true}'}),
            headers: {'X-XSRFToken': decodeURIComponent(xsrf.split('=')[1]),
                      'Content-Type': 'application/json'}});
        return r.status; }""", base)
    assert status == 204, f"saving the terminal setting answered {status}"


def terminal(page, command, done, timeout=GRADE_MS):
    """Run ``command`` in a new terminal of a JupyterLab ``page``; wait until ``done`` shows."""
    page.locator(".jp-LauncherCard[data-category='Other']", has_text="Terminal").click()
    rows = page.locator(".jp-Terminal .xterm-accessibility-tree")
    expect(rows).to_contain_text("$")  # the prompt
    page.locator(".jp-Terminal .xterm-helper-textarea").focus()
    page.keyboard.type(command + "\n")
    expect(rows).to_contain_text(done, timeout=timeout)
    return rows.inner_text()


def run_cell(person, code):
    """Run ``code`` in a new notebook of ``person``'s server; return its text output."""
    page = person.page
    person.menu("File", "launcher:create")
    page.locator(".jp-Launcher").filter(visible=True).locator(
        ".jp-LauncherCard[data-category='Notebook']").first.click()
    panel = page.locator(".jp-NotebookPanel").filter(visible=True)
    tab = page.locator(f"#jp-main-dock-panel .lm-TabBar-tab[data-id='{panel.get_attribute('id')}']")
    name = tab.inner_text().strip()  # Untitled.ipynb, or Untitled1.ipynb...
    wait_kernel_idle(page, person.base, name)
    set_cell(panel, 0, code)
    person.menu("Run", "runmenu:run-all")
    cell = panel.locator(".jp-CodeCell").first
    expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]:"),
                                                         timeout=GRADE_MS)
    out = cell.locator(".jp-OutputArea-output")
    expect(out.first).to_be_visible()
    out.last.scroll_into_view_if_needed()
    return panel, out.all_inner_texts()


def isolation_code(site):
    """What B's kernel tries on A's files: each result is the error it got, or 'read'."""
    a_home = site.home(site.ada)
    submission = next(site.inbound().glob(f"{site.ada}+{AID}+*"))
    targets = {"list A's home": ("listdir", a_home),
               "read A's notebook": ("open", a_home / NOTEBOOK),
               "list the exchange's inbound": ("listdir", site.inbound()),
               "list A's submission": ("listdir", submission),
               "read A's submission": ("open", submission / f"{AID}.ipynb")}
    return (
        "import json, os, sys\n"
        f"targets = {json.dumps({k: [f, str(p)] for k, (f, p) in targets.items()})}\n"
        "def attempt(how, path):\n"
        "    try:\n"
        "        os.listdir(path) if how == 'listdir' else open(path).read()\n"
        "        return 'read'\n"
        "    except OSError as e:\n"
        "        return type(e).__name__\n"
        "tried = {k: attempt(*v) for k, v in targets.items()}\n"
        "print(json.dumps({'prefix': sys.prefix, **tried}))\n")


def test_a_term_on_the_hub(site, people, shot):
    """Release, fetch, solve, validate, submit, collect, grade, feedback, privacy, Korean."""
    teacher, ada, ben = people
    score, most = expected_score()
    mistake = first_broken()
    reference = answers()
    t0 = site._last = time.monotonic()

    # Everyone logs in with their own password; the three servers start side by side. The
    # instructor goes straight to Formgrader, in a tab of its own.
    ada.log_in(shot)
    teacher.log_in(then=FORMGRADER)
    ben.log_in()
    fg = teacher.page
    expect(fg).to_have_url(re.compile(rf"/user/{teacher.name}/formgrader/manage_assignments"),
                           timeout=GRADE_MS)
    ada.wait_for_lab()
    ben.wait_for_lab()
    site.mark("three logins and servers")
    shot(ada.page, "02-student-a-lab")

    # A student's Nbgrader menu has only the Assignments list, their server no Formgrader.
    assert ada.nbgrader_menu() == ["Assignment List"]
    assert ada.page.request.get(f"{ada.base}/formgrader").status == 404

    # The instructor generates and releases AID in Formgrader.
    expect(assignment_row(fg).locator("td.status")).to_have_text("draft")
    formgrader_action(fg, "assign", f"Successfully created the student version of '{AID}'")
    formgrader_action(fg, "release", f"Successfully released '{AID}'")
    expect(assignment_row(fg).locator("td.status")).to_have_text("released")
    shot(fg, "03-formgrader-released")
    site.mark("generate and release")

    # Student A fetches it in the Assignments list, opens it from there, solves it and
    # presses Validate; while A's server validates, student B fetches it and submits it
    # with a typical mistake in one part; then A reads Validate's verdict and submits.
    panel = fetch(ada)
    shot(ada.page, "04-student-a-fetched-and-opened")
    type_answers(panel, reference)
    panel.locator("jp-button.validate-button").click()
    panel_b = fetch(ben)
    type_answers(panel_b, {**reference, mistake.cell: mistake.code.strip("\n")})
    save(panel_b)
    submit(ben)
    shot(ben.page, "05-student-b-submitted")
    dialog = ada.page.locator(".jp-Dialog.nbgrader-SuccessDialog, .jp-Dialog.nbgrader-ErrorDialog")
    dialog.wait_for(timeout=GRADE_MS)
    expect(dialog.locator(".validation-success")).to_contain_text(
        "Success! Your notebook passes all the tests.")
    shot(ada.page, "06-student-a-validated")
    close_dialog(dialog)
    submit(ada)
    shot(ada.page, "07-student-a-submitted")
    site.mark("students A and B")

    # The instructor collects both in Formgrader, then grades with `make grade`.
    fg.reload()
    formgrader_action(fg, "collect", f"Successfully collected submissions of '{AID}'")
    expect(assignment_row(fg).locator("td.num-submissions")).to_have_text("2")
    shot(fg, "08-formgrader-collected")
    site.mark("collect")
    terminal_text_in_page(fg, teacher.base)
    teacher.page = teacher.context.new_page()  # JupyterLab, beside Formgrader
    teacher.page.goto(f"{teacher.base}/lab?reset")
    teacher.page.locator("#jp-main-dock-panel").wait_for()
    assert "Formgrader" in teacher.nbgrader_menu()  # an instructor's menu has it
    text = terminal(teacher.page, "make grade; echo grade-exit-$?",
                    re.compile(r"grade-exit-\d+"), timeout=CLASS_MS)
    site.mark("make grade in a terminal")
    shot(teacher.page, "09-instructor-make-grade")
    grading = site.settings.course / "build" / "grading"
    if grading.is_dir():  # the report and the graders' logs, beside the screenshots
        shutil.copytree(grading, SHOTS / "grading", dirs_exist_ok=True)
    assert "grade-exit-0" in text, f"make grade failed:\n{text}"
    assert re.search(r"graded 2 submissions.* 0 errors", text), text

    # Formgrader shows both scores; the instructor releases the feedback.
    fg.goto(f"{teacher.base}/formgrader/manage_submissions/{AID}")
    for name, (points, total) in ((site.ada, (most, most)), (site.ben, (score, most))):
        row = fg.locator("#main-table tr", has=fg.locator("td.student-id", has_text=name))
        expect(row.locator("td.status")).to_have_text("graded")
        expect(row.locator("td.score")).to_have_text(f"{points:g} / {total:g}")
    shot(fg, "10-formgrader-scores")
    fg.goto(f"{teacher.base}/formgrader/manage_assignments")
    formgrader_action(fg, "release-feedback", f"Successfully released feedback of '{AID}'")

    # Each student fetches their feedback and sees their own score.
    for person, points, name in ((ada, most, "11-student-a-feedback"),
                                 (ben, score, "12-student-b-feedback")):
        page = fetch_feedback(person)
        expect(page.locator("body")).to_contain_text(f"(Score: {points:.1f} / {most:.1f})")
        if person is ben:  # the failed part's message, in words
            expect(page.locator("body")).to_contain_text(mistake.says)
        shot(page, name)
        page.close()

    # B's own server cannot read A's home or A's submission, even knowing its name.
    # and, in the same cell, lists every path it can see: nothing B can read holds a
    # solution, a hidden test or a reference value (hub_leaks.check, here).
    site.mark("feedback")
    report = site.home(site.ben) / ".walk.json"
    mounts, readonly = sandbox_mounts(site)
    walk = hub_leaks.WALK.format(report=str(report), readonly=sorted(readonly),
                                 writable=sorted(writable(site)))
    _panel, out = run_cell(ben, isolation_code(site) + walk)
    shot(ben.page, "13-student-b-cannot-read-a-nor-instructor-files")
    result = json.loads("\n".join(out).splitlines()[0])
    assert Path(result.pop("prefix")).resolve() == Path(sys.prefix).resolve(), (
        "the kernel is not the course's environment")
    assert all(v != "read" for v in result.values()), f"B could read A's files: {result}"
    assert os.stat(site.home(site.ada)).st_mode & 0o077 == 0, "A's home is open to others"
    site.mark("B's kernel: A's files, every path")
    problems, counts = leaks(site, json.loads(report.read_text()), mounts, readonly)
    site.mark("check of every path B sees")
    site.times["counts"] = counts
    assert not problems, "a student can read instructor material:\n" + "\n".join(problems[:20])
    # The check is not blind: it finds the instructor's material in any of its files.
    lines, values = hub_leaks.needles(ROOT, typed_by_b())
    for planted in (ROOT / "source" / AID / f"{AID}.ipynb", ROOT / "references" / f"{AID}.json",
                    *sorted((ROOT / "solutions" / AID).glob("*.ipynb"))):
        assert hub_leaks.findings(planted.name, planted.read_bytes(), lines, values, set()), (
            f"the check would not notice {planted}")

    # A switches JupyterLab to Korean (the language pack) and keeps working in it.
    ada.page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile("^Settings$")
                     ).click()
    ada.page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Language$")).click()
    ada.page.locator("li[data-command='jupyterlab-translation:ko_KR']").click()
    ada.page.locator(".jp-Dialog .jp-mod-accept").click()
    expect(ada.page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile("^파일$"))
           ).to_be_visible()
    ada.menu("Nbgrader", "nbgrader:open-assignment-list")  # and works on in Korean
    expect(ada.page.locator("#submitted_assignments_list > .list_item", has_text=AID)
           ).to_have_count(1)
    shot(ada.page, "14-student-a-korean")
    site.mark("Korean")
    site.times["whole term"] = round(time.monotonic() - t0, 1)


def sandbox_mounts(site):
    """({path in B's sandbox: host path}, the read-only folders), as coursehub.spawner binds."""
    from coursehub.spawner import python_paths

    mounts = {"/usr": "/usr"}
    mounts.update({f"/etc/{n}": f"/etc/{n}" for n in ETC if os.path.lexists(f"/etc/{n}")})
    mounts.update({str(p): str(p) for p in python_paths()})
    mounts.update({f"{INSIDE}/coursehub": str(COURSEHUB),
                   f"{INSIDE}/jupyter": str(ROLES / "student")})
    readonly = {"/usr", f"{INSIDE}/coursehub", f"{INSIDE}/jupyter",
                *(str(p) for p in python_paths())}
    home, exchange = site.home(site.ben), site.settings.exchange
    mounts.update({str(home): str(home), str(exchange): str(exchange)})
    return mounts, readonly


def leaks(site, report, mounts, readonly):
    """hub_leaks.check on B's walk."""
    submission = list(site.inbound().glob(f"{site.ada}+*"))
    return hub_leaks.check(
        report, root=ROOT, course=site.settings.course, student=site.ben, mounts=mounts,
        readonly=readonly, writable=writable(site),
        others=[site.home(site.ada), *submission], own_answers=typed_by_b())


def writable(site):
    """The folders B's sandbox binds writable: B's home and the exchange."""
    return {str(site.home(site.ben)), str(site.settings.exchange)}


def typed_by_b():
    """What student B typed: the reference answers but one typical mistake."""
    mistake = first_broken()
    return [code for cell, code in answers().items() if cell != mistake.cell] + [mistake.code]
