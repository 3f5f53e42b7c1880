"""The sandbox, seen from inside a kernel: what learner code can see, reach and leave behind."""
import inspect
import os

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from torchcourse import nbtools
from torchcourse.sandbox import SandboxKernelManager

pytestmark = pytest.mark.slow
ROOT = nbtools.ROOT

PROBE = f'''
import json, os, socket, sys
facts = {{"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(), "path": sys.path,
         "env": sorted(os.environ), "home": sorted(os.listdir(".")),
         "course": os.path.exists({str(ROOT / "source")!r}),
         "venv": os.path.isdir(sys.prefix), "processes": len([p for p in os.listdir("/proc")
                                                              if p.isdigit()])}}
try:
    open({str(ROOT / "torchcourse" / "x.py")!r}, "w")
    facts["package_writable"] = True
except OSError:
    facts["package_writable"] = False
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    facts["network"] = True
except OSError as e:
    facts["network"] = False
print(json.dumps(facts))
'''


def run(cells, **limits):
    """Execute ``cells`` in a sandboxed kernel (with SandboxKernelManager ``limits``)."""
    from traitlets.config import Config

    config = Config()
    for k, v in limits.items():
        setattr(config.SandboxKernelManager, k, v)
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True, config=config,
                   kernel_manager_class=SandboxKernelManager).execute()
    return nb


def facts(nb, i=0):
    import json

    return json.loads(nb.cells[i].outputs[0].text)


def test_a_kernel_sees_no_course_and_no_network_and_is_nobody():
    """Its own uid, PID namespace, empty home, no course files, no network, read-only package."""
    f = facts(run([PROBE]))
    assert f["uid"] != 0 and f["uid"] != os.getuid() and f["pid"] < 10
    assert f["cwd"] == "/home/student" and f["home"] == []
    assert "" not in f["path"] and f["cwd"] not in f["path"]
    assert not f["course"] and f["venv"] and not f["package_writable"] and not f["network"]
    assert f["processes"] < 10
    assert not {"PGPASSWORD", "NBGRADER_EXECUTION", "PWD"} & set(f["env"])


def autogroup():
    """The scheduler's group: 'default' for init's (the kernel prints nothing for it)."""
    try:
        with open("/proc/self/autogroup") as f:
            return (f.read().split() or ["default"])[0]
    except FileNotFoundError:  # a kernel built without autogroups
        return "absent"


def test_two_kernels_at_once_share_no_uid_no_files_and_no_session():
    """Kernels running side by side have uids of their own, a /tmp each, and a session each
    (the scheduler's CPU share: a fork bomb shares its share only with itself)."""
    from torchcourse.sandbox.kernel import SyncSandboxKernelManager

    kms, seen = [], []
    try:
        for _ in range(2):
            km = SyncSandboxKernelManager(kernel_name="python3")
            km.start_kernel()
            kms.append(km)
        for i, km in enumerate(kms):
            kc = km.client()
            kc.start_channels()
            kc.wait_for_ready(timeout=60)
            out = []

            def hook(msg, out=out):
                out.append(msg["content"].get("text", ""))
            # getsid is 0 when the session's leader lies outside the kernel's PID namespace
            code = (f"import os\nprint(os.getuid(), os.path.exists('/tmp/mark'), "
                    f"os.getsid(0) != 0, autogroup())\nopen('/tmp/mark', 'w').write('{i}')")
            kc.execute_interactive(inspect.getsource(autogroup) + code,
                                   output_hook=hook, timeout=60)
            kc.stop_channels()
            seen.append("".join(out).split())
    finally:
        for km in kms:
            km.shutdown_kernel(now=True)
    assert len(seen[0]) == len(seen[1]) == 4, seen
    assert seen[0][0] != seen[1][0], seen
    assert seen[0][1] == seen[1][1] == "False", seen
    assert seen[0][2] == seen[1][2] == "True", seen
    mine = autogroup()
    if mine != "absent":
        assert len({seen[0][3], seen[1][3], mine}) == 3, (seen, mine)


def test_limits_hold():
    """Memory, file size and process limits stop the learner's code, not the grader."""
    nb = run(["import torch\ntry:\n    x = torch.ones(2 ** 31)\nexcept RuntimeError as e:\n"
              "    print('memory', type(e).__name__)",
              "try:\n    open('big', 'wb').write(b'0' * (80 << 20))\nexcept OSError as e:\n"
              "    print('file', e.errno)",
              "import os\nn = 0\ntry:\n    while n < 2000:\n        if os.fork() == 0:\n"
              "            import time; time.sleep(30); os._exit(0)\n        n += 1\n"
              "except OSError:\n    pass\nprint('forks', n)"], memory_mb=1024, nproc=64)
    # a print may reach the notebook as several stream outputs (the kernel flushes on a timer)
    out = ["".join(o.get("text", "") for o in c.outputs if o.output_type == "stream")
           for c in nb.cells]
    assert out[0].startswith("memory") and out[1].startswith("file 27")  # EFBIG
    assert 0 < int(out[2].split()[1]) < 64


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_a_grader_that_is_not_root_sandboxes_its_kernels_too():
    """Run as an ordinary user (an instructor on a class server): a sandbox per kernel."""
    import json
    import shutil
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    tmp_path = Path(tempfile.mkdtemp(prefix="torchcourse-user-"))  # pytest's tmp is root's
    script = tmp_path / "probe.py"
    script.write_text(
        "import json\nfrom nbclient import NotebookClient\n"
        "from nbformat.v4 import new_code_cell, new_notebook\n"
        "from torchcourse.sandbox import SandboxKernelManager\n"
        f"nb = new_notebook(cells=[new_code_cell({PROBE!r})])\n"
        "NotebookClient(nb, timeout=60, kernel_name='python3',"
        " kernel_manager_class=SandboxKernelManager).execute()\n"
        "print(nb.cells[0].outputs[0].text)\n")
    os.chmod(tmp_path, 0o755)
    try:
        proc = subprocess.run(["runuser", "-u", "nobody", "--", "env", f"HOME={tmp_path}",
                               "PATH=/usr/bin:/bin", sys.executable, str(script)],
                              capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    f = json.loads(proc.stdout.strip().splitlines()[-1])
    assert f["cwd"] == "/home/student" and f["pid"] < 10 and f["home"] == []
    assert not f["course"] and not f["network"] and not f["package_writable"]


@pytest.mark.skipif(os.geteuid() != 0, reason="zygotes fork kernels as root only")
def test_the_machines_graders_share_a_zygote_that_retires_when_idle(monkeypatch):
    """Another process forks from the same zygote; one that retired or died is replaced."""
    import signal
    import subprocess
    import sys
    import time

    from torchcourse.sandbox import kernel

    monkeypatch.setattr(kernel, "IDLE", 2)
    monkeypatch.setenv("PYTHONHASHSEED", "4321")  # a key, and so a zygote, of this test's own
    env = {k: os.environ[k] for k in kernel.PASSTHROUGH if k in os.environ}  # as a kernel's
    key = kernel.zygote_key(env, 256)

    def kernel_sees_the_key():
        return run(["import os; print(os.environ['PYTHONHASHSEED'])"]).cells[0].outputs[0].text

    first = kernel.Zygote.shared(env, 256)
    try:
        assert first.proc is not None and kernel_sees_the_key() == "4321\n"
        other = subprocess.run(
            [sys.executable, "-c", f"from torchcourse.sandbox.kernel import Zygote; "
             f"z = Zygote.shared({env!r}, 256); print(z.kernels, z.proc)"],
            capture_output=True, text=True, timeout=60)
        assert other.stdout.split() == [str(first.kernels), "None"], other.stderr[-2000:]
        first.proc.wait(30)  # idle for 2 s: it retires, its socket goes with it
        assert not first.socket.exists()
        assert kernel_sees_the_key() == "4321\n"  # a new zygote, started by the next kernel
        second = kernel.Zygote._shared[key]
        assert second is not first and second.proc.poll() is None
        os.killpg(second.proc.pid, signal.SIGKILL)  # died: its socket is left behind
        second.proc.wait()
        assert second.socket.exists()
        time.sleep(0.1)
        assert kernel_sees_the_key() == "4321\n"
    finally:
        for z in list(kernel.Zygote._shared.values()):
            if z.kernels.name == first.kernels.name:
                z.close(stop=True)
        kernel.Zygote._shared = {k: z for k, z in kernel.Zygote._shared.items()
                                 if z.kernels != first.kernels}
