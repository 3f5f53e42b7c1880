"""Each user's server as that user: instructors on the course directory, students in a sandbox.

``CourseSpawner`` is JupyterHub's LocalProcessSpawner (the hub runs as root and starts each
server with the user's uid, gid and groups) with two roles, told apart by Unix group:

- an instructor's server runs as usual, in the course directory (its root and working
  directory, so Formgrader and ``nbgrader`` find ``nbgrader_config.py``), with umask 007
  so that the instructors' group shares what each of them writes there;
- a student's server runs inside bubblewrap, started by the student (a user namespace,
  nothing privileged), and sees only: the system (``/usr``, a few files of ``/etc``), the
  course's Python environment and its ``torchcourse`` package read-only, its own home
  read-write, the nbgrader exchange, and private ``/tmp``, ``/dev/shm`` and ``/proc``.
  No course directory, no other home, no other process.

Both get the course's environment as their kernel (the server runs from it) and a role's
Jupyter configuration (``roles/<role>``) through ``JUPYTER_CONFIG_PATH``.
"""
import grp
import os
import pwd
import shutil
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Integer, List, Unicode, default

HERE = Path(__file__).resolve().parent
ROLES = HERE.parent / "roles"
#: Where a student's sandbox sees this package and its role's Jupyter configuration.
INSIDE = "/opt/coursehub"
#: What of the host's /etc a student's server and its kernels and terminals need.
ETC = ["passwd", "group", "hosts", "host.conf", "nsswitch.conf", "resolv.conf", "ld.so.cache",
       "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "alternatives", "ssl/certs",
       "ca-certificates.conf", "fonts", "mime.types", "bash.bashrc", "profile", "profile.d",
       "inputrc", "terminfo", "locale.alias", "python3.11"]


def members(group):
    """The users of a Unix group: its listed members and those whose primary group it is."""
    try:
        g = grp.getgrnam(group)
    except KeyError:
        return set()
    return set(g.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == g.gr_gid}


def python_paths():
    """What a student's server needs to run the course's Python: installation, venv, package."""
    import torchcourse

    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
             Path(torchcourse.__file__).resolve().parent}
    return sorted(p for p in paths if p.exists() and not _under(p, Path("/usr")))


def _under(path, folder):
    return path == folder or folder in path.parents


def sandbox_command(home, exchange, bwrap="bwrap"):
    """The bubblewrap argv (up to ``--``) around a student's server."""
    args = [shutil.which(bwrap) or bwrap, "--unshare-user", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--hostname", "course", "--die-with-parent",
            "--new-session", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/dev/shm",
            "--tmpfs", "/tmp", "--perms", "0755", "--dir", "/run", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib32", "lib64", "libx32", "sbin"):
        if os.path.islink(f"/{name}"):
            args += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        elif os.path.isdir(f"/{name}"):
            args += ["--ro-bind", f"/{name}", f"/{name}"]
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in ETC:
        if os.path.lexists(f"/etc/{name}"):
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for path in python_paths():
        args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", str(HERE), f"{INSIDE}/coursehub",
             "--ro-bind", str(ROLES / "student"), f"{INSIDE}/jupyter",
             "--bind", str(home), str(home),
             "--bind", str(exchange), str(exchange), "--chdir", str(home)]
    return args + ["--"]


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with two roles: instructors (course directory), students (sandbox)."""

    course_dir = Unicode(help="The course directory (holds nbgrader_config.py).").tag(config=True)
    course_id = Unicode(help="nbgrader's course id (the course's CourseDirectory.course_id)."
                        ).tag(config=True)
    exchange_root = Unicode("/srv/nbgrader/exchange", help="nbgrader's exchange.").tag(config=True)
    instructor_group = Unicode("instructors", help="Unix group of the instructors."
                               ).tag(config=True)
    instructor_umask = Integer(0o007, help="umask of instructors' servers: the group shares the "
                               "course directory.").tag(config=True)
    student_umask = Integer(0o077, help="umask of students' servers.").tag(config=True)
    bwrap = Unicode("bwrap", help="bubblewrap, which sandboxes students' servers.").tag(config=True)
    student_env = List(Unicode(), help="Extra NAME=VALUE variables of students' servers."
                       ).tag(config=True)

    @default("cmd")
    def _cmd_default(self):
        return [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]

    @property
    def is_instructor(self):
        return self.user.name in members(self.instructor_group)

    @property
    def role(self):
        return "instructor" if self.is_instructor else "student"

    def get_env(self):
        env = super().get_env()
        env.update(COURSEHUB_COURSE_ID=self.course_id, COURSEHUB_EXCHANGE=self.exchange_root,
                   COURSEHUB_ROLE=self.role, LANG=env.get("LANG") or "C.UTF-8",
                   JUPYTER_PLATFORM_DIRS="1")
        # nbgrader runs `alembic` (gradebook migrations) from PATH: the course environment's.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin",
                                       "/usr/bin", "/bin"])
        if self.is_instructor:
            env["JUPYTER_CONFIG_PATH"] = str(ROLES / "instructor")
            env["PYTHONPATH"] = str(HERE.parent)
        else:
            env["JUPYTER_CONFIG_PATH"] = f"{INSIDE}/jupyter"
            env["PYTHONPATH"] = INSIDE
            env.update(v.split("=", 1) for v in self.student_env)
        return env

    def make_preexec_fn(self, name):
        setuid = set_user_setuid(name, chdir=not self.is_instructor)
        umask = self.instructor_umask if self.is_instructor else self.student_umask
        folder = self.course_dir if self.is_instructor else None

        def preexec():
            setuid()
            os.umask(umask)
            if folder:
                os.chdir(folder)
        return preexec

    async def start(self):
        home = pwd.getpwnam(self.user.name).pw_dir
        if self.is_instructor:
            self.notebook_dir = self.course_dir
            return await super().start()
        self.notebook_dir = home
        cmd = self.cmd
        self.cmd = sandbox_command(home, self.exchange_root, self.bwrap) + list(cmd)
        try:
            return await super().start()
        finally:
            self.cmd = cmd
