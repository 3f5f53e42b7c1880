"""A zygote that never answers: its client stops waiting, with a reason, instead of hanging."""
import contextlib
import socket
import time
from types import SimpleNamespace

import pytest

from torchcourse.sandbox import kernel, outer


def test_a_zygote_that_never_says_ready_is_unavailable(monkeypatch):
    """Its start is given up after START_LIMIT, and its process is stopped."""
    monkeypatch.setattr(kernel, "START_LIMIT", 0.5)
    monkeypatch.setattr(outer, "command", lambda *a, **k: ["sh", "-c", "read line"])
    real_popen, started = kernel.subprocess.Popen, []

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(kernel.subprocess, "Popen", popen)
    t0 = time.monotonic()
    with pytest.raises(outer.SandboxUnavailable, match=r"did not start \(not ready in 0.5 s\)"):
        kernel.Zygote({}, 16)
    assert time.monotonic() - t0 < 5
    assert started and started[0].poll() is not None, "the silent zygote was left running"


def test_a_zygote_that_never_forks_the_kernel_is_an_error(monkeypatch, tmp_path):
    """Connected but never answered: the kernel's start fails after START_LIMIT."""
    monkeypatch.setattr(kernel, "START_LIMIT", 0.5)
    path = tmp_path / "zygote.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(4)  # accepts into its backlog, never answers
    zygote = SimpleNamespace(socket=path, starting=contextlib.nullcontext, machine=False)
    provisioner = SimpleNamespace(zygote=zygote)
    t0 = time.monotonic()
    try:
        with pytest.raises(RuntimeError, match="could not start a kernel"):
            kernel.SandboxProvisioner._fork(provisioner, {"name": "k"})
    finally:
        listener.close()
    assert time.monotonic() - t0 < 5
