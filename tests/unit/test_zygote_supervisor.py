"""The zygote's supervisor of one kernel: nothing of the kernel outlives it."""
import signal
import socket
import subprocess

import pytest

from torchcourse.sandbox import zygote


def test_a_client_gone_before_its_kernel_started_leaves_no_kernel():
    """A grader killed while its kernel starts: the broken pipe kills the kernel's init."""
    init = subprocess.Popen(["sleep", "60"])  # stands in for the namespace's PID 1
    try:
        conn, client = socket.socketpair()
        client.close()  # the grader is gone before 'started' is sent
        with pytest.raises(BrokenPipeError):
            zygote._supervise(conn, init.pid)
        assert init.wait(timeout=5) == -signal.SIGKILL
    finally:
        init.kill()
        init.wait()
