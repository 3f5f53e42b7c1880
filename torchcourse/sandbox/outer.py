"""The bubblewrap command around the zygote: what a sandboxed kernel can see at all.

A read-only view of the system's libraries, the Python installation, the virtual
environment and the course package — nothing else of the course: no ``source/``,
``solutions/``, ``submitted/``, gradebook or ``nbgrader_config.py``. No network (its own
network namespace holds only a loopback device), its own PID, IPC and UTS namespaces, a new
session (no terminal to inject into), an empty environment, and fresh, size-limited tmpfs
folders for ``/tmp`` and the home folder.
"""
import os
import shutil
import sys
from pathlib import Path

import torchcourse
from torchcourse.errors import CourseError

BWRAP = "bwrap"
HOME = "/home/student"
KERNEL_DIR = "/run/kernel"
#: Where the host folder of the kernels' socket folders appears in a shared zygote's view.
KERNELS = "/tmp/kernels"
#: Where a shared zygote keeps a second view of the python_paths() under /tmp.
STAGE = "/run/stage"
#: What of /etc a Python program needs: the dynamic linker's cache, fonts, time zone.
ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "fonts", "nsswitch.conf", "localtime",
       "alternatives", "ssl/certs", "mime.types"]


class SandboxUnavailable(CourseError):
    """bubblewrap is missing or cannot make namespaces here."""


def find_bwrap():
    """The path of bubblewrap, or SandboxUnavailable with the command that installs it."""
    path = shutil.which(BWRAP)
    if not path:
        raise SandboxUnavailable(
            "grading kernels run in a sandbox, which needs bubblewrap: "
            "sudo apt-get install bubblewrap (or `make install`); `--no-sandbox` grades "
            "without it, which is unsafe")
    return path


def python_paths():
    """The folders a kernel needs to read: the Python installation, the venv, the package."""
    package = Path(torchcourse.__file__).resolve().parent
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), package}
    return sorted(p for p in paths if p.exists())


def under_tmp():
    """The python_paths() inside /tmp (a course cloned there): each kernel's fresh /tmp
    would hide them, so a shared zygote also sees them at STAGE/<i> and binds them back."""
    return [p for p in python_paths() if Path("/tmp") in p.parents]


def _parents(path, made):
    """``--dir`` options for each missing parent of ``path``, world-traversable."""
    out = []
    parts = Path(path).parts[1:-1]
    cur = Path("/")
    for part in parts:
        cur = cur / part
        if str(cur) not in made:
            made.add(str(cur))
            out += ["--perms", "0755", "--dir", str(cur)]
    return out


def command(python_args, *, kernels=None, kernel_dir=None, privileged, tmp_mb=256):
    """The argv that runs ``python python_args`` in the sandbox.

    ``kernels``: the host folder of kernel socket folders (a shared zygote sees it at
    KERNELS); ``kernel_dir``: one kernel's socket folder, seen at KERNEL_DIR (``--single``).
    ``privileged``: bubblewrap runs as root and the zygote keeps the three capabilities it
    needs to give each kernel its own namespaces and uid; otherwise bubblewrap makes a user
    namespace and the process inside is an ordinary user.
    """
    made = {"/usr", "/etc", "/tmp", "/run", "/proc", "/dev", "/home"}
    args = [find_bwrap(), "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        target = os.readlink(f"/{name}") if os.path.islink(f"/{name}") else None
        if target:
            args += ["--symlink", target, f"/{name}"]
        elif os.path.isdir(f"/{name}"):
            args += ["--ro-bind", f"/{name}", f"/{name}"]
        made.add(f"/{name}")
    # /tmp first: the folders bound below may lie inside it (a course cloned into /tmp).
    args += ["--perms", "1777", "--size", str(tmp_mb << 20), "--tmpfs", "/tmp",
             "--perms", "0755", "--dir", "/run", "--perms", "0755", "--dir", KERNEL_DIR,
             "--perms", "0755", "--dir", "/home", "--perms", "0755", "--dir", "/etc"]
    for name in ETC:
        if os.path.exists(f"/etc/{name}"):
            args += _parents(f"/etc/{name}", made) + ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for path in python_paths():
        args += _parents(path, made) + ["--ro-bind", str(path), str(path)]
    if privileged:
        for i, path in enumerate(under_tmp()):
            args += ["--ro-bind", str(path), f"{STAGE}/{i}"]
    if kernels:
        args += ["--bind", str(kernels), KERNELS]
    if kernel_dir:
        args += ["--bind", str(kernel_dir), KERNEL_DIR]
    if privileged:
        args += ["--perms", "0755", "--dir", HOME]
    else:
        args += ["--perms", "0700", "--size", str(tmp_mb << 20), "--tmpfs", HOME,
                 "--perms", "1777", "--size", str(tmp_mb << 20), "--tmpfs", "/dev/shm"]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
             "--unshare-cgroup-try", "--hostname", "sandbox", "--new-session", "--chdir", "/"]
    if privileged:
        args += ["--cap-add", "CAP_SYS_ADMIN,CAP_SETUID,CAP_SETGID"]
    else:
        args += ["--unshare-user", "--uid", "1000", "--gid", "1000", "--die-with-parent"]
    return args + ["--", str(Path(sys.executable)), "-P", *python_args]


#: Threads of torch's pools (OpenMP, MKL, OpenBLAS) per kernel, unless the grader sets its
#: own: the grader runs a kernel per core, and pools that outnumber the cores spin. (An 08
#: notebook took 10 s instead of 2 on a machine whose two cores were busy, and timed out.)
THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def environment(extra=None):
    """The environment a sandboxed process starts with: nothing of the grader's own."""
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": HOME,
           "USER": "student", "LOGNAME": "student", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython",
           "XDG_CACHE_HOME": "/tmp/cache", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter",
           "MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONNOUSERSITE": "1",
           **THREADS}
    env.update(extra or {})
    return env
