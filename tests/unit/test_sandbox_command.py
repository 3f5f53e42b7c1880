"""The bubblewrap command: what a kernel sees, in the order bubblewrap builds it."""
from pathlib import Path

from torchcourse.sandbox import outer


def _binds(argv):
    """(option index, source, target) of every --ro-bind, and the index of the /tmp tmpfs."""
    binds = [(i, argv[i + 1], argv[i + 2]) for i, a in enumerate(argv) if a == "--ro-bind"]
    return binds, argv.index("--tmpfs")


def test_an_environment_cloned_into_tmp_stays_visible(monkeypatch, tmp_path):
    """A course in /tmp: its venv is bound after /tmp's tmpfs, and staged for each kernel."""
    venv = Path("/tmp/clone/.venv")
    monkeypatch.setattr(outer, "python_paths", lambda: [Path("/usr"), venv])
    for privileged in (True, False):
        argv = outer.command(["-c", "pass"], kernels=tmp_path, privileged=privileged)
        binds, tmpfs = _binds(argv)
        assert argv[tmpfs + 1] == "/tmp"
        assert all(i > tmpfs for i, src, _ in binds if src == str(venv)), argv
        staged = [dst for _, src, dst in binds if src == str(venv) and dst != str(venv)]
        assert staged == ([f"{outer.STAGE}/0"] if privileged else []), argv
    assert outer.under_tmp() == [venv]


def test_nothing_is_staged_for_an_environment_elsewhere(monkeypatch, tmp_path):
    """A course outside /tmp needs no second view."""
    monkeypatch.setattr(outer, "python_paths", lambda: [Path("/usr"), Path("/srv/c/.venv")])
    argv = outer.command(["-c", "pass"], kernels=tmp_path, privileged=True)
    assert outer.STAGE not in " ".join(argv)
