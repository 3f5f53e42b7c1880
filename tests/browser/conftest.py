"""JupyterLab on a scratch copy of the course, driven by Debian's Chromium through playwright.

The server listens on 127.0.0.1 only, on a free port, with a random token, and with HOME
and every Jupyter/IPython directory inside a temporary folder; it and the browser are
shut down after the session, also when a test fails. Screenshots go to build/e2e/.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from torchcourse.build import check_result
from torchcourse.course import Course, new_course
from torchcourse.submissions import write_submission

from .common import AID, CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS, STEP_MS, STUDENT, first_broken

expect.set_options(timeout=STEP_MS)  # playwright's 5 s default is too short for a loaded machine


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(home):
    """JupyterLab user settings: no news or update checks (the network is closed)."""
    path = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
    path.mkdir(parents=True)
    (path / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return home / "lab-settings"


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A course copy: lectures, a gradebook, AID released to its exchange and submitted ungraded."""
    tmp = tmp_path_factory.mktemp("e2e")
    # Every source is copied (Formgrader lists them); only AID, the one graded here, is generated.
    course = new_course(tmp / "course", ROOT, [AID]).root
    # Students get the committed release, not the one new_course regenerated.
    shutil.copytree(ROOT / "release" / AID, course / "release" / AID, dirs_exist_ok=True)
    if (ROOT / "notebooks").is_dir():
        shutil.copytree(ROOT / "notebooks", course / "notebooks")
    b = first_broken()
    write_submission(course, STUDENT, AID, {b.cell: b.code})
    # The exchange where Course.api puts it (never the system-wide one), for the server too.
    (course / ".exchange").mkdir()
    with open(course / "nbgrader_config.py", "a") as f:
        f.write(f"\nc.CourseDirectory.root = {str(course)!r}\n"
                f"c.Exchange.root = {str(course / '.exchange')!r}\n"
                f"c.Exchange.cache = {str(tmp / 'exchange-cache')!r}\n")
    check_result(Course(course).api.release_assignment(AID), f"release_assignment {AID}")
    return course


@pytest.fixture(scope="session")
def lab(course):
    """Base URL and token of a JupyterLab server on ``course``; stopped after the session."""
    home = course.parent / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(_settings(home)),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), IPYTHONDIR=str(home / "ipython"),
               MPLCONFIGDIR=str(home / "mpl"), JUPYTER_PLATFORM_DIRS="1")
    # nbgrader runs `alembic` from PATH: this environment's.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env["PATH"]
    port, token = _free_port(), secrets.token_hex(24)
    shutil.rmtree(SHOTS, ignore_errors=True)  # no stale screenshots from an earlier run
    SHOTS.mkdir(parents=True)
    log = open(SHOTS / "jupyterlab.log", "w")
    # Formgrader and Validate read nbgrader_config.py from the server's working directory.
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         f"--ServerApp.allow_root={os.geteuid() == 0}"],  # CI containers run as root
        cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, url, token)
        yield url, token
    finally:
        _stop(proc)
        log.close()


def _wait_until_up(proc, url, token, limit=60):
    """Return once the server answers its status API; fail if it exits first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            req = urllib.request.Request(f"{url}/api/status",
                                         headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        try:  # waits on the process itself: returns at once if it has exited
            proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
    state = (f"exited with {proc.returncode}" if proc.poll() is not None
             else f"did not answer within {limit} s")
    pytest.fail(f"JupyterLab {state}; see {SHOTS / 'jupyterlab.log'}")


def _stop(proc):
    """SIGTERM (JupyterLab then shuts its kernels down), SIGKILL the group if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, through playwright (never a downloaded browser)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser, lab, request):
    """A logged-in page in a fresh browser context, on nothing yet (tests open JupyterLab
    where they need it: each load costs seconds of CPU); a screenshot if the test fails."""
    url, token = lab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(STEP_MS)
    # The server sets its login cookie on any request with the token, shared by the context.
    status = context.request.get(f"{url}/api/status?token={token}").status
    assert status == 200, f"logging in answered {status}"
    pg = context.new_page()
    try:
        yield pg
    finally:
        try:
            rep = getattr(request.node, "rep_call", None)
            if rep is not None and rep.failed:
                pg.screenshot(path=SHOTS / f"failed-{request.node.name}.png")
        finally:
            context.close()


@pytest.fixture
def shot(page):
    """shot("01-step"): save a screenshot of the page as build/e2e/01-step.png."""
    def take(name):
        assert re.fullmatch(r"\d\d-[a-z0-9-]+", name), name
        page.screenshot(path=SHOTS / f"{name}.png")
    return take
