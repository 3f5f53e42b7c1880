"""The zygote: a process that has imported torch and IPython once and forks a kernel per notebook.

It runs inside bubblewrap (see ``outer.py``): a read-only view of the Python environment and
the course package, no network, its own PID namespace, nothing of the course's files. Started
with ``--socket``, it serves kernels until its standard input closes (its owner is gone),
or, shared by the machine's graders (``--idle``), until it has had no kernel for a while:

- for each connection it forks at once; the child (never the zygote) reads the request, so
  one kernel's connection key never sits in the memory the next kernel is forked from;
- the child enters new mount, PID, network, IPC and UTS namespaces, forks the namespace's
  init (PID 1), which mounts a fresh /proc, /tmp, /dev/shm and home, binds the kernel's own
  socket folder at /run/kernel (hiding every other kernel's), and forks the kernel;
- the kernel switches to its own unprivileged uid, sets its limits and becomes an IPython
  kernel in-process (no exec: torch is already imported).
When the kernel exits, init exits and every process left in the namespace is killed. The
client may send signals; if the client goes away the namespace is killed.

With ``--single`` (no root, or ``shared = False``) there is no forking: bubblewrap has made
the namespaces for this one kernel, the request comes on standard input, and this process
becomes the kernel.

This file is the only code that runs with privileges (root inside the sandbox, with only
CAP_SYS_ADMIN, CAP_SETUID and CAP_SETGID); it never runs learner code before dropping them.
"""
import ctypes
import json
import os
import resource
import select
import selectors
import signal
import socket
import struct
import sys
import time

from . import outer

MAX_REQUEST = 4 << 20  # bytes: a connection file, an environment and one notebook
#: The lock file beside a shared zygote's socket: held by a client starting a kernel.
LOCK = "zygote.lock"

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
MS_RDONLY, MS_REMOUNT = 1, 32
#: The folders of the environment that lie in /tmp, also seen at outer.STAGE/<i>.
STAGED = outer.under_tmp()
PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE = 38, 4
LIMITS = {"memory_mb": resource.RLIMIT_DATA, "nproc": resource.RLIMIT_NPROC,
          "fsize_mb": resource.RLIMIT_FSIZE, "cpu_seconds": resource.RLIMIT_CPU,
          "nofile": resource.RLIMIT_NOFILE}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    enc = (lambda s: s.encode() if s is not None else None)
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _make_dirs(path):
    """``path`` and its missing parents, root's and world-traversable (0755)."""
    missing = [p for p in [path, *path.parents] if not p.exists()]
    for p in reversed(missing):
        os.mkdir(p)
        os.chmod(p, 0o755)


def send(sock, message):
    """Write one length-prefixed JSON frame."""
    data = json.dumps(message).encode()
    sock.sendall(struct.pack(">I", len(data)) + data)


def receive(sock, limit=MAX_REQUEST):
    """Read one length-prefixed JSON frame; None at end of stream."""
    head = _read(sock, 4)
    if head is None:
        return None
    (size,) = struct.unpack(">I", head)
    if size > limit:
        raise ValueError(f"frame of {size} bytes")
    body = _read(sock, size)
    if body is None:
        return None
    return json.loads(body)


def _read(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data)) if hasattr(sock, "recv") else os.read(sock, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def preload():
    """Import what every notebook needs, once, and leave no thread running."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["JPY_PARENT_PID"] = "1"  # read when ipykernel is imported: no parent poller
    import threading

    import torch
    import torch.nn.functional  # noqa: F401
    import torch.optim

    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)  # the first step imports torch._dynamo (~1.5 s)
    (w ** 2).sum().backward()
    opt.step()
    del w, opt
    # debugpy warns on stderr, at import, that Python's modules are frozen: not a kernel's
    # concern (nobody debugs a graded kernel).
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    import sqlite3  # noqa: F401  (IPython's history)

    import ipykernel.debugger  # noqa: F401  (each kernel's start imported it: ~0.15 s)
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import IPython  # noqa: F401
    import IPython.core.completerlib  # noqa: F401  (these, IPKernelApp.initialize imported
    import IPython.core.debugger  # noqa: F401      in every kernel: ~25 ms)
    import IPython.core.oinspect  # noqa: F401
    import IPython.extensions.storemagic  # noqa: F401
    import IPython.utils.wildcard  # noqa: F401
    import matplotlib
    import matplotlib.font_manager  # noqa: F401  (reads or builds the font cache once)
    import numpy  # noqa: F401
    import tornado.platform.asyncio  # noqa: F401

    # Not matplotlib_inline.backend_inline: imported before the kernel's IPython exists, it
    # would never hook figure display into it (it registers itself at import).
    import torchcourse.checks  # noqa: F401
    import torchcourse.data  # noqa: F401
    import torchcourse.plots  # noqa: F401

    try:
        import sklearn.datasets  # noqa: F401  (unit 09's digits)
    except ImportError:
        pass
    if threading.active_count() != 1:
        raise RuntimeError(f"{threading.active_count()} threads after preloading: cannot fork")
    import gc

    gc.collect()
    gc.freeze()  # a kernel's collections skip (and so never copy) what every kernel shares


def serve(path, idle=None):
    """Accept kernel requests on the Unix socket ``path`` until standard input closes.

    With ``idle`` (a zygote shared by the machine's graders, see kernel.py) standard input
    is not watched: the zygote retires once no kernel of its has run for ``idle`` seconds
    and it holds the lock (``LOCK`` beside the socket) that clients take to start one.
    """
    preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    print("ready", flush=True)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    if idle is None:
        sel.register(sys.stdin.fileno(), selectors.EVENT_READ)
    children, last = set(), time.monotonic()
    while True:
        for key, _ in sel.select(timeout=1.0):
            if key.fileobj == sys.stdin.fileno():
                if not os.read(sys.stdin.fileno(), 4096):
                    os._exit(0)  # the owner is gone: init then kills every kernel
                continue
            conn, _ = listener.accept()
            pid = os.fork()
            if pid == 0:
                _child(listener, conn)  # never returns
            children.add(pid)
            conn.close()
        _reap(children)
        if children:
            last = time.monotonic()
        elif idle is not None and time.monotonic() - last > idle:
            _retire(listener, path)
            last = time.monotonic()  # a client held the lock: it is starting a kernel


def _retire(listener, path):
    """Exit if no client is starting a kernel (they hold the lock while they do)."""
    import fcntl

    fd = os.open(os.path.join(os.path.dirname(path), LOCK), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return
    ready, _, _ = select.select([listener], [], [], 0)
    if ready:  # connected just before the lock was ours: serve it first
        os.close(fd)
        return
    os.unlink(path)
    os._exit(0)  # the lock goes with this process


def _reap(children):
    while children:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            children.clear()
            return
        if pid == 0:
            return
        children.discard(pid)


def _child(listener, conn):
    """In a fresh fork of the zygote: read the request, then run one kernel in namespaces."""
    try:
        listener.close()
        for fd in (0,):
            os.dup2(os.open(os.devnull, os.O_RDONLY), fd)
        request = receive(conn)
        if request is None:
            os._exit(0)
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC
                             | CLONE_NEWUTS), "unshare")
        init = os.fork()
        if init == 0:
            conn.close()
            _init(request)  # never returns
        _supervise(conn, init)
    except BaseException as e:  # noqa: BLE001 - report and leave: nothing else may run here
        _report_and_exit(e)


def _supervise(conn, init):
    """Relay the client's signals to the namespace's init; report its exit; kill it if asked.

    It leaves only by ``os._exit`` once init has ended; on any error (the client gone before
    it was told the kernel started: a broken pipe) it kills init, and with it the kernel.
    """
    try:
        _relay(conn, init)
    finally:
        os.kill(init, signal.SIGKILL)


def _relay(conn, init):
    pidfd = os.pidfd_open(init)
    sel = selectors.DefaultSelector()
    sel.register(conn, selectors.EVENT_READ)
    sel.register(pidfd, selectors.EVENT_READ)
    send(conn, {"started": True})
    while True:
        for key, _ in sel.select():
            if key.fileobj == pidfd:
                _, status, usage = os.wait4(init, 0)
                try:
                    send(conn, {"exit": os.waitstatus_to_exitcode(status),
                                "maxrss_kb": usage.ru_maxrss})
                except OSError:
                    pass
                os._exit(0)
            try:
                message = receive(conn, limit=1024)
            except (OSError, ValueError):
                message = None
            if message is None:  # the client is gone: nothing may outlive it
                os.kill(init, signal.SIGKILL)
                sel.unregister(conn)
                continue
            sig = message.get("signal")
            if isinstance(sig, int) and sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL,
                                                signal.SIGHUP):
                os.kill(init, sig)


def _init(request):
    """PID 1 of the kernel's namespaces: private mounts, then fork the kernel and reap."""
    try:
        uid = gid = int(request["uid"])
        limits = request.get("limits", {})
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _mount(os.path.join(request["root"], request["name"]), "/run/kernel", None, MS_BIND)
        tmp = f"size={int(limits.get('tmp_mb', 256))}m"
        # A fresh /tmp also hides the folder of every kernel and the zygote's socket.
        _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"{tmp},mode=1777")
        for i, path in enumerate(STAGED):  # the environment, if it lies in /tmp
            _make_dirs(path)
            _mount(f"{outer.STAGE}/{i}", str(path), None, MS_BIND | MS_REC)
            _mount(None, str(path), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
        _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"{tmp},mode=1777")
        _mount("tmpfs", request["home"], "tmpfs", MS_NOSUID | MS_NODEV,
               f"{tmp},mode=0700,uid={uid},gid={gid}")
        socket.sethostname("sandbox")
        # A session of its own, so the scheduler's autogroup of its own: kernels forked
        # from one zygote shared its session, so all the machine's kernels (and all that
        # a fork bomb starts) got one session's share of the CPU together.
        os.setsid()
        kernel = os.fork()
        if kernel == 0:
            _become_kernel(request, uid, gid)  # never returns
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda s, _f: os.kill(kernel, s))
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                os._exit(70)
            except InterruptedError:
                continue
            if pid == kernel:
                os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    except BaseException as e:  # noqa: BLE001
        _report_and_exit(e)


def _become_kernel(request, uid=None, gid=None):
    """Drop every privilege, apply the limits, and run an IPython kernel in this process."""
    try:
        if uid is not None:
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)  # from root to a plain uid: every capability is gone
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        limits = request.get("limits", {})
        for name, which in LIMITS.items():
            value = limits.get(name)
            if value:
                value = int(value) * (2 ** 20 if name.endswith("_mb") else 1)
                resource.setrlimit(which, (value, value))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        home = request["home"]
        notebook = request.get("notebook")
        if notebook:
            with open(os.path.join(home, os.path.basename(notebook["name"])), "w",
                      encoding="utf-8") as f:
                f.write(notebook["text"])
        os.chdir(home)
        os.umask(0o022)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request.get("env", {}).items()})
        os.environ["HOME"] = home
        os.environ["JPY_PARENT_PID"] = "1"
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        import random

        import numpy

        random.seed()  # the fork copied the zygote's state; a new process would not share it
        numpy.random.seed()
        sys.argv = ["ipykernel_launcher"]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(["-f", "/run/kernel/kernel.json", "--HistoryManager.hist_file=:memory:",
                        "--IPKernelApp.ignore_cwd=True", *request.get("args", [])])
        app.start()
        os._exit(0)
    except SystemExit as e:
        os._exit(e.code if isinstance(e.code, int) else 0)
    except BaseException as e:  # noqa: BLE001
        _report_and_exit(e)


def _report_and_exit(error):
    try:
        os.write(2, f"torchcourse sandbox: {type(error).__name__}: {error}\n".encode())
    finally:
        os._exit(70)


def single():
    """``--single``: bubblewrap made this kernel's namespaces; become the kernel at once."""
    request = receive(sys.stdin.fileno())
    if request is None:
        os._exit(0)
    _become_kernel(request)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--single"]:
        single()
    elif argv[:1] == ["--socket"] and len(argv) == 2:
        serve(argv[1])
    elif argv[:1] == ["--socket"] and len(argv) == 4 and argv[2] == "--idle":
        serve(argv[1], idle=float(argv[3]))
    else:
        sys.exit("usage: python -m torchcourse.sandbox --socket PATH [--idle SECONDS] | --single")


if __name__ == "__main__":
    main()
