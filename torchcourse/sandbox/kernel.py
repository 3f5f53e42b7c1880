"""Sandboxed kernels for Jupyter clients: a KernelManager whose kernels run in the sandbox.

``SandboxKernelManager`` is a drop-in jupyter_client ``AsyncKernelManager``: nbclient,
nbgrader's Execute and nbval drive it as any other. Its kernels talk over IPC sockets in a
folder of their own (there is no network in the sandbox), get a private copy of one
notebook if asked, and run within limits (memory, processes, file size, CPU time).

As root, kernels are forked from a zygote (``zygote.py``) that has imported torch once, one
per environment that the machine's grading processes share: each kernel gets its own
namespaces and its own uid from a pool, and starts in a fraction of a second. Otherwise
each kernel gets a sandbox of its own (bubblewrap makes a user namespace) and starts as a
normal Python process does.
"""
import asyncio
import contextlib
import fcntl
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, DottedObjectName, Integer, Type, Unicode, default
from traitlets.config import LoggingConfigurable

from . import outer
from .zygote import LOCK, receive, send

#: Variables of the grader's environment a kernel may see (all others are dropped).
PASSTHROUGH = ["ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "OPENBLAS_NUM_THREADS", "PYTHONHASHSEED", "TZ"]
#: Those that shape the zygote's imports: kernels differing in them need another zygote.
ZYGOTE_KEY = ["ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
              "OPENBLAS_NUM_THREADS", "PYTHONHASHSEED"]


def privileged():
    """Whether this process may give kernels their own uids (it runs as root)."""
    return os.geteuid() == 0


class UidPool:
    """Unprivileged uids for kernels, each held by one kernel at a time (file locks)."""

    def __init__(self, base, count, folder=None):
        self.base, self.count = base, count
        self.folder = Path(folder or Path(tempfile.gettempdir()) / "torchcourse-uids")
        self.folder.mkdir(mode=0o700, exist_ok=True)

    def acquire(self):
        """(uid, lock file): a uid no other running kernel on this machine holds."""
        start = (os.getpid() * 7919) % self.count
        for i in range(self.count):
            uid = self.base + (start + i) % self.count
            fd = os.open(self.folder / f"{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return uid, fd
            except BlockingIOError:
                os.close(fd)
        raise RuntimeError(f"all {self.count} sandbox uids from {self.base} are in use")

    @staticmethod
    def release(fd):
        os.close(fd)


#: Where the zygotes shared by the machine's graders live: root's, only root may connect.
MACHINE = Path("/run/torchcourse")
#: Seconds a shared zygote waits without a kernel before it exits.
IDLE = 60
#: Seconds a zygote may take to start, or to fork a kernel, before it counts as broken
#: (both take well under a second to a few; a waiting client would otherwise wait forever,
#: holding the lock every other client of that zygote needs).
START_LIMIT = 120


def zygote_key(env, tmp_mb):
    """What tells zygotes apart: the variables that shape its imports, as kernels get them
    (a thread count left unset is outer.THREADS'), and the size of its /tmp."""
    env = {**outer.THREADS, **env}
    return tuple(env.get(k) for k in ZYGOTE_KEY), tmp_mb


def machine_folder(env, tmp_mb):
    """The folder of the machine's zygote for ``env``: one per Python, package and key."""
    import hashlib

    h = hashlib.sha256(repr([sys.executable, zygote_key(env, tmp_mb),
                             [str(p) for p in outer.python_paths()]]).encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):  # an edited package gets a zygote of its own
        st = path.stat()
        h.update(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode())
    MACHINE.mkdir(mode=0o711, exist_ok=True)
    st = MACHINE.stat()
    if st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise outer.SandboxUnavailable(f"{MACHINE} must be root's and writable only by root")
    folder = MACHINE / f"zygote-{h.hexdigest()[:16]}"
    # Never removed: a grader holding a handle makes its kernels' folders in it even while
    # its zygote is gone (the next kernel starts one). /run is emptied at boot.
    folder.mkdir(mode=0o711, exist_ok=True)
    return folder


class _Locked:
    """The lock beside a shared zygote's socket, held while a kernel starts (or it starts)."""

    def __init__(self, folder):
        self.path = Path(folder) / LOCK

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        os.close(self.fd)


def _answers(path):
    """Whether a zygote listens on the socket ``path``."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        sock.close()


class Zygote:
    """One running zygote: its socket and the host folder of its kernels' socket folders.

    ``Zygote.shared`` gives the machine's zygote for an environment: every grading process
    (as root) forks its kernels from it; the first to need it starts it, and it exits once
    it has had no kernel for IDLE seconds. ``Zygote(env, tmp_mb)`` is one of this process's
    own, stopped with ``close``.
    """

    _shared = {}
    _lock = threading.Lock()

    def __init__(self, env, tmp_mb, folder=None):
        self.machine = folder is not None
        self.kernels = Path(folder or tempfile.mkdtemp(prefix="torchcourse-kernels-"))
        os.chmod(self.kernels, 0o711)
        self.socket = self.kernels / "zygote.sock"
        args = ["-m", "torchcourse.sandbox", "--socket", f"{outer.KERNELS}/zygote.sock"]
        if self.machine:
            args += ["--idle", str(IDLE)]
        argv = outer.command(args, kernels=self.kernels, privileged=True, tmp_mb=tmp_mb)
        log = open(self.kernels / "zygote.log", "ab") if self.machine else None
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL if log else subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=log,
                                     env=outer.environment(env), start_new_session=True)
        if log:
            log.close()
        ready, _, _ = select.select([self.proc.stdout], [], [], START_LIMIT)
        line = self.proc.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            self.close(stop=True)
            why = "see the messages above" if ready else f"not ready in {START_LIMIT:g} s"
            raise outer.SandboxUnavailable(
                f"the sandbox's zygote did not start ({why}); "
                "`--no-sandbox` grades without it, which is unsafe")
        self.proc.stdout.close()

    @classmethod
    def _attach(cls, folder):
        z = cls.__new__(cls)
        z.machine, z.kernels, z.proc = True, Path(folder), None
        z.socket = z.kernels / "zygote.sock"
        return z

    @classmethod
    def shared(cls, env, tmp_mb, stale=None, check=False):
        """The machine's zygote for ``env``: this process's handle, or a new one if ``stale``
        is the handle it has (that zygote went away) or, with ``check``, if it is not
        running (started then)."""
        key = zygote_key(env, tmp_mb)
        with cls._lock:
            z = cls._shared.get(key)
            if z is None or z is stale or check:
                folder = machine_folder(env, tmp_mb)
                with _Locked(folder):
                    if _answers(folder / "zygote.sock"):
                        z = cls._attach(folder)
                    else:
                        (folder / "zygote.sock").unlink(missing_ok=True)
                        z = cls(env, tmp_mb, folder)
                cls._shared[key] = z
            return z

    def starting(self):
        """Held while a kernel starts: a shared zygote does not retire meanwhile."""
        return _Locked(self.kernels) if self.machine else contextlib.nullcontext()

    def new_kernel_dir(self, uid):
        """A socket folder for one kernel, owned by its uid."""
        path = Path(tempfile.mkdtemp(dir=self.kernels, prefix="k"))
        os.chown(path, uid, uid)
        os.chmod(path, 0o700)
        return path

    def close(self, stop=False):
        """Stop this process's own zygote: every kernel it forked dies with its PID
        namespace. A shared one (unless ``stop``) serves on until it is idle."""
        if self.machine and not stop:
            return
        if self.proc is not None and self.proc.poll() is None:
            if self.proc.stdin:
                self.proc.stdin.close()
            else:
                self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.machine:
            shutil.rmtree(self.kernels, ignore_errors=True)


class ForkedKernel:
    """The Popen-like handle of a kernel forked by a zygote (over the zygote's socket)."""

    def __init__(self, sock):
        self.sock = sock
        self.returncode = None
        self.pid = None
        self.maxrss_kb = 0

    def _read(self, timeout):
        if self.returncode is not None:
            return
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return
        try:
            message = receive(self.sock, limit=1024)
        except (OSError, ValueError):
            message = None
        if message is None:
            self.returncode = -9
        elif "exit" in message:
            self.returncode = int(message["exit"])
            self.maxrss_kb = int(message.get("maxrss_kb") or 0)

    def poll(self):
        while self.returncode is None:
            before = self.returncode
            self._read(0)
            if self.returncode is before:
                break
        return self.returncode

    def wait(self, timeout=None):
        self._read(timeout)
        while self.returncode is None and timeout is None:
            self._read(None)
        return self.returncode

    def send_signal(self, sig):
        if self.returncode is None:
            try:
                send(self.sock, {"signal": int(sig)})
            except OSError:
                pass

    def kill(self):
        self.send_signal(9)

    def terminate(self):
        self.send_signal(15)

    stdin = stdout = stderr = None


def notebook_copy(path, limit=2 << 20):
    """The text of the notebook at ``path`` without its outputs (empty if it is not one)."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # noqa: BLE001 - a broken file: the kernel gets no copy
        return ""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    text = nbformat.writes(nb)
    return text if len(text) <= limit else ""


class SandboxProvisioner(LocalProvisioner):
    """Launches the kernel in the sandbox instead of as a local process."""

    uid_fd = None
    kernel_dir = None
    maxrss_kb = 0

    async def pre_launch(self, **kwargs):
        km = self.parent
        env = kwargs.get("env") or os.environ
        self.kernel_env = {k: env[k] for k in PASSTHROUGH if k in env}
        self.forked = privileged()
        if self.forked:
            self.zygote = (Zygote.shared(self.kernel_env, km.tmp_mb) if km.shared
                           else Zygote(self.kernel_env, km.tmp_mb))
            self.private_zygote = not km.shared
            self.uid, self.uid_fd = km.uid_pool().acquire()
            self.kernel_dir = self.zygote.new_kernel_dir(self.uid)
        else:
            self.kernel_dir = Path(tempfile.mkdtemp(prefix="torchcourse-kernel-"))
            os.chmod(self.kernel_dir, 0o700)
        km.transport = "ipc"
        km.ip = str(self.kernel_dir / "k")
        km.connection_file = str(self.kernel_dir / "host.json")
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd, **kwargs):
        km = self.parent
        info = json.loads(Path(km.connection_file).read_text())
        info["ip"] = f"{outer.KERNEL_DIR}/k"
        inside = self.kernel_dir / "kernel.json"
        inside.write_text(json.dumps(info))
        extra = [a for a in cmd
                 if a.startswith("--") and a != "--HistoryManager.hist_file=:memory:"]
        request = {"name": self.kernel_dir.name, "root": outer.KERNELS, "home": outer.HOME,
                   "env": outer.environment(self.kernel_env), "limits": km.limits(),
                   "args": extra}
        if km.notebook:
            request["notebook"] = {"name": Path(km.notebook).name,
                                   "text": notebook_copy(km.notebook)}
        if self.forked:
            request["uid"] = self.uid
            os.chown(inside, self.uid, self.uid)
            os.chmod(inside, 0o600)
            self.process = ForkedKernel(self._fork(request))
        else:
            argv = outer.command(["-m", "torchcourse.sandbox", "--single"],
                                 kernel_dir=self.kernel_dir, privileged=False, tmp_mb=km.tmp_mb)
            self.process = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                            env=outer.environment(self.kernel_env),
                                            start_new_session=True)
            data = json.dumps(request).encode()
            self.process.stdin.write(len(data).to_bytes(4, "big") + data)
            self.process.stdin.flush()
        self.pid = self.process.pid
        self.pgid = None  # signals go to the kernel through the sandbox, never to a group
        self.cwd = kwargs.get("cwd")
        return self.connection_info

    def _fork(self, request):
        """The socket of a kernel the zygote forked for ``request`` (a new zygote if the
        machine's went away)."""
        for attempt in range(2):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                with self.zygote.starting():
                    sock.settimeout(START_LIMIT)  # a zygote that never answers: OSError
                    sock.connect(str(self.zygote.socket))
                    send(sock, request)
                    started = receive(sock, limit=1024)
                    sock.settimeout(None)
                if started and started.get("started"):
                    return sock
            except OSError:
                pass
            sock.close()
            if not self.zygote.machine or attempt:
                break
            self.zygote = Zygote.shared(self.kernel_env, self.parent.tmp_mb, stale=self.zygote)
        raise RuntimeError("the sandbox could not start a kernel")

    async def send_signal(self, signum):
        if self.process:
            self.process.send_signal(signum)

    async def kill(self, restart=False):
        if self.process:
            self.process.kill()
            await self._ended(1)

    async def terminate(self, restart=False):
        if self.process:
            self.process.terminate()
            await self._ended(1)

    async def _ended(self, limit):
        """Wait up to ``limit`` s for the kernel to end: jupyter_client then finds it gone
        at once, instead of polling it every 0.1 s."""
        deadline = time.monotonic() + limit
        while self.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)

    async def wait(self):
        if self.process:
            while self.process.poll() is None:
                await asyncio.sleep(0.05)
            if isinstance(self.process, subprocess.Popen) and self.process.stdin:
                self.process.stdin.close()
            self.maxrss_kb = getattr(self.process, "maxrss_kb", 0)
            ret = self.process.returncode
            self.process = None
            return ret
        return 0

    async def cleanup(self, restart=False):
        if isinstance(self.process, ForkedKernel):
            self.process.sock.close()
        if getattr(self, "private_zygote", False):
            self.zygote.close()
            self.private_zygote = False
        if self.uid_fd is not None:
            UidPool.release(self.uid_fd)
            self.uid_fd = None
        if self.kernel_dir is not None:
            shutil.rmtree(self.kernel_dir, ignore_errors=True)
            self.kernel_dir = None


class _Sandboxed(LoggingConfigurable):
    """What makes a jupyter_client kernel manager start its kernels in the sandbox."""

    memory_mb = Integer(2048, help="The kernel's data memory (RLIMIT_DATA), MB.").tag(config=True)
    nproc = Integer(256, help="Processes and threads of the kernel's uid.").tag(config=True)
    fsize_mb = Integer(64, help="Largest file the kernel may write, MB.").tag(config=True)
    cpu_seconds = Integer(900, help="CPU time of the kernel process, seconds.").tag(config=True)
    nofile = Integer(1024, help="Open files of the kernel process.").tag(config=True)
    tmp_mb = Integer(256, help="Size of each of the kernel's /tmp and home, MB.").tag(config=True)
    shared = Bool(True, help="As root, fork kernels from the zygote the machine's graders "
                  "share (fast); else a zygote per kernel.").tag(config=True)
    uid_base = Integer(61000, help="First uid of the kernels (as root).").tag(config=True)
    uid_count = Integer(2000, help="How many uids kernels take turns on.").tag(config=True)
    notebook = Unicode("", help="A notebook to copy into the kernel's home folder.")

    _pools = {}

    def limits(self):
        return {"memory_mb": self.memory_mb, "nproc": self.nproc, "fsize_mb": self.fsize_mb,
                "cpu_seconds": self.cpu_seconds, "nofile": self.nofile, "tmp_mb": self.tmp_mb}

    def uid_pool(self):
        key = (self.uid_base, self.uid_count)
        if key not in self._pools:
            self._pools[key] = UidPool(self.uid_base, self.uid_count)
        return self._pools[key]

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or os.urandom(8).hex()
            self.provisioner = SandboxProvisioner(kernel_id=self.kernel_id,
                                                  kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_wait(self, pollinterval=0.1):
        """Wait for the kernel to end, looking every 5 ms: jupyter_client looks every 0.1 s,
        so each graceful shutdown (nbclient's, at every notebook's end) took 0.1 s idle."""
        await super()._async_wait(pollinterval=min(pollinterval, 0.005))


class ReadyClient(AsyncKernelClient):
    """A client that is ready once its kernel has answered kernel_info on both channels.

    jupyter_client's then waits for IOPub to be quiet for 0.2 s (a fifth of a second per
    notebook, idle); nbclient does not need it: it keeps only the replies and outputs of
    its own requests."""

    @default("context")
    def _context_default(self):
        """A context of its own whose sockets retry connecting every 10 ms, not ZeroMQ's
        100 ms: the client connects before the new kernel has bound its sockets, so each
        kernel's start waited 0.1 s more for nothing."""
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, 10)
        return context

    async def _async_wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # its status on IOPub: IOPub is connected
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # not yet: ask again
                    else:
                        self._handle_kernel_info_reply(msg)
                        return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    wait_for_ready = _async_wait_for_ready


class SandboxKernelManager(_Sandboxed, AsyncKernelManager):
    """An async kernel manager whose kernels run sandboxed (nbclient, nbgrader)."""

    client_class = DottedObjectName("torchcourse.sandbox.kernel.ReadyClient")
    client_factory = Type(ReadyClient, klass=AsyncKernelClient)


class SyncSandboxKernelManager(_Sandboxed, KernelManager):
    """A blocking kernel manager whose kernels run sandboxed (nbval)."""


def check():
    """Raise SandboxUnavailable unless a sandboxed kernel can start here (bwrap present)."""
    outer.find_bwrap()
