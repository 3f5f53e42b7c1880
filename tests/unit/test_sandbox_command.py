"""The sandbox's command line: what a kernel can see and which environment it starts with."""
import os

from torchcourse import nbtools
from torchcourse.sandbox import outer
from torchcourse.sandbox.kernel import PASSTHROUGH


def binds(argv):
    out = []
    for i, a in enumerate(argv):
        if a in ("--bind", "--ro-bind"):
            out.append((a, argv[i + 1], argv[i + 2]))
    return out


def test_only_the_python_environment_and_the_package_are_readable():
    """No folder of the course but the package: not source/, solutions/, the gradebook."""
    argv = outer.command(["-c", "pass"], kernels="/tmp/k", privileged=True)
    root = str(nbtools.ROOT)
    for kind, src, _dst in binds(argv):
        if src.startswith(root):
            assert src in (root + "/torchcourse", root + "/.venv"), src
        if kind == "--bind":
            assert src == "/tmp/k", f"{src} is writable in the sandbox"
    assert "--unshare-net" in argv and "--unshare-pid" in argv and "--new-session" in argv


def test_the_environment_holds_nothing_of_the_graders():
    """Only named variables pass: no database URL, no NBGRADER_EXECUTION, no HOME of the grader."""
    os.environ["PGPASSWORD"] = "secret"
    env = outer.environment({k: "1" for k in PASSTHROUGH})
    assert "PGPASSWORD" not in env and "NBGRADER_EXECUTION" not in env
    assert env["HOME"] == outer.HOME and "ATEN_CPU_CAPABILITY" in env


def test_a_missing_sandbox_names_the_package_to_install(monkeypatch):
    """Without bubblewrap grading stops at once, naming the package and --no-sandbox."""
    import pytest

    from torchcourse.errors import CourseError

    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(CourseError) as err:
        outer.find_bwrap()
    message = str(err.value)
    assert "apt-get install bubblewrap" in message and "--no-sandbox" in message
    assert "\n" not in message
