"""The site around the hub: settings, folders and permissions, users for a try-out, the hub process.

``Settings`` reads the COURSEHUB_* variables (jupyterhub_config.py lists them);
``prepare`` gives the exchange and the course directory the owners and modes the design
needs; ``Users`` creates and removes Unix users and groups (the try-out's and the tests');
``Hub`` runs JupyterHub and waits until it answers.
"""
import grp
import json
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parent
REPO = DEPLOY.parent.parent
CONFIG = DEPLOY / "jupyterhub_config.py"
PROXY = REPO / "build" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
#: What of a course checkout students' servers read (read-only, in their sandbox).
PUBLIC = {".venv", "torchcourse"}
#: nbgrader's modes of the exchange's course folders in groupshared mode (release_assignment.py).
EXCHANGE_MODES = {"": 0o2775, "outbound": 0o2775, "inbound": 0o2773, "feedback": 0o2771}


@dataclass
class Settings:
    url: str = "http://127.0.0.1:8000"
    course: Path = Path("/srv/course")
    exchange: Path = Path("/srv/nbgrader/exchange")
    state: Path = Path("/srv/jupyterhub")
    instructors: str = "instructors"
    students: str = "students"
    proxy: str = str(PROXY)
    hub_port: int = 8081
    proxy_api_port: int = 8001
    ssl_cert: str = ""
    ssl_key: str = ""

    VARS = {"url": "URL", "course": "COURSE", "exchange": "EXCHANGE", "state": "STATE",
            "instructors": "INSTRUCTORS", "students": "STUDENTS", "proxy": "PROXY",
            "hub_port": "HUB_PORT", "proxy_api_port": "PROXY_API_PORT",
            "ssl_cert": "SSL_CERT", "ssl_key": "SSL_KEY"}

    @classmethod
    def from_env(cls, env=os.environ):
        s = cls()
        for name, var in cls.VARS.items():
            value = env.get(f"COURSEHUB_{var}")
            if value:
                kind = type(getattr(s, name))
                setattr(s, name, Path(value) if issubclass(kind, Path) else kind(value))
        return s

    def env(self):
        """The COURSEHUB_* variables that make jupyterhub_config.py use these settings."""
        return {f"COURSEHUB_{var}": str(getattr(self, name)) for name, var in self.VARS.items()}

    def course_config(self):
        """The course's nbgrader_config.py, loaded."""
        from traitlets.config.loader import PyFileConfigLoader

        return PyFileConfigLoader("nbgrader_config.py", path=str(self.course)).load_config()

    @property
    def course_id(self):
        """nbgrader's course id, as the course's nbgrader_config.py sets it."""
        return self.course_config().CourseDirectory.course_id


def gid(group):
    return grp.getgrnam(group).gr_gid


def _chmod_tree(path, group, dir_mode, file_mode, keep=()):
    """chgrp ``group`` and the given modes below ``path`` (symlinks untouched), except ``keep``."""
    for folder, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if Path(folder, d) not in keep]
        for name in [*dirs, *files]:
            p = Path(folder, name)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                continue
            os.chown(p, -1, group)
            exec_bits = st.st_mode & 0o111 if stat.S_ISREG(st.st_mode) else 0
            mode = dir_mode if stat.S_ISDIR(st.st_mode) else file_mode | (exec_bits & 0o770)
            os.chmod(p, mode)


def prepare(s):
    """Owners and modes of the state folder, the exchange and the course directory (as root).

    - state: root only (0700: the database and the cookie secret);
    - exchange root: everyone may write, nobody may remove another's entry (1777, nbgrader's
      documented ugo+rw and the sticky bit); its course folder and ``outbound``, ``inbound``
      and ``feedback`` exist beforehand, owned by root and the instructors' group with
      nbgrader's groupshared modes, so no student can take the course's name first;
    - course directory: the instructors' group, set-group-id folders (2770, files 0660);
      others may only pass through it (2771) to the environment students run
      (``.venv``, ``torchcourse``), which stays as it is.
    """
    group = gid(s.instructors)
    gid(s.students)  # must exist
    s.state.mkdir(parents=True, exist_ok=True)
    os.chown(s.state, 0, 0)
    os.chmod(s.state, 0o700)
    s.exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(s.exchange, 0o1777)
    course_id = s.course_id
    for sub, mode in EXCHANGE_MODES.items():
        path = s.exchange / course_id / sub
        path.mkdir(exist_ok=True)
        os.chown(path, 0, group)
        os.chmod(path, mode)
    keep = {s.course / name for name in PUBLIC}
    os.chown(s.course, -1, group)
    os.chmod(s.course, 0o2771)
    _chmod_tree(s.course, group, 0o2770, 0o660, keep)
    # SQLite creates the gradebook 0644 less the umask: made beforehand, the whole group
    # may write it (its journal takes the same mode).
    db = s.course / "gradebook.db"
    if "db_url" not in s.course_config().CourseDirectory and not db.exists():
        db.touch()
        os.chown(db, -1, group)
        os.chmod(db, 0o660)
    return course_id


def copy_course(root, dest, python=sys.executable):
    """A course directory for a try-out: the course's config, sources and reference values.

    Its Makefile hands ``make grade`` to the repository's, on this directory and with the
    environment ``python`` belongs to (the hub's), so an instructor runs ``make grade`` in
    it as in a checkout of the course.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(root) / "nbgrader_config.py", dest)
    for name in ("source", "references"):
        if (Path(root) / name).is_dir():
            shutil.copytree(Path(root) / name, dest / name)
    (dest / "Makefile").write_text(
        "# make grade: the course repository's, on this course directory (-o: never an\n"
        "# install from here, which is the repository's owner's to do).\n"
        "grade:\n"
        f"\t$(MAKE) --no-print-directory -C {Path(root).resolve()} -o .venv/.installed grade "
        f"BIN={Path(python).parent} GRADE_ARGS='--course $(CURDIR) $(GRADE_ARGS)' "
        "$(if $(WORKERS),WORKERS=$(WORKERS))\n"
        ".PHONY: grade\n")
    return dest


def check_readable_by_all(path):
    """Raise RuntimeError unless every user can reach ``path`` (each parent o+x, itself o+r).

    Both the path as given and where its symlinks lead: a virtual environment's python is a
    link to the system's, but its packages lie beside the link.
    """
    for target in dict.fromkeys([Path(os.path.abspath(path)), Path(path).resolve()]):
        for parent in [*reversed(target.parents), target]:
            mode = os.stat(parent).st_mode
            need = stat.S_IXOTH | (stat.S_IROTH if parent == target else 0)
            if mode & need != need:
                raise RuntimeError(
                    f"students' servers cannot use {target}: {parent} is mode "
                    f"{oct(mode & 0o7777)}; the course's environment must be readable by "
                    "every user (o+rx)")


@dataclass
class Users:
    """Unix groups and users with random passwords, removed again by ``remove``.

    Each user's GECOS field names this process, so ``remove_stale`` can tell the users
    a run that was killed left behind from anyone else's.
    """
    base: Path                     # their homes go here
    groups: dict                   # {group: [user, ...]}
    tag: str = "coursehub"
    passwords: dict = field(default_factory=dict)

    def create(self):
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        for group, names in self.groups.items():
            if not _exists(grp.getgrnam, group):
                _run(["groupadd", group])
            for name in names:
                password = secrets.token_urlsafe(12)
                _run(["useradd", "--create-home", "--home-dir", str(self.base / name),
                      "--shell", "/bin/bash", "--gid", group, "--comment",
                      f"{self.tag} pid={os.getpid()}", name])
                os.chmod(self.base / name, 0o700)
                subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
                self.passwords[name] = password
        return self

    @property
    def names(self):
        return [n for names in self.groups.values() for n in names]

    def remove(self):
        """Stop every process of these users, then remove them, their homes and groups."""
        for name in self.names:
            if _exists(pwd.getpwnam, name):
                kill_user_processes(pwd.getpwnam(name).pw_uid)
                subprocess.run(["userdel", "--remove", name], capture_output=True)
        for group in self.groups:
            if _exists(grp.getgrnam, group):
                subprocess.run(["groupdel", group], capture_output=True)

    @classmethod
    def remove_stale(cls, tag):
        """Remove the users (and their groups) a killed run of ``tag`` left behind."""
        groups = set()
        for p in pwd.getpwall():
            if p.pw_gecos.startswith(f"{tag} pid="):
                pid = int(p.pw_gecos.split("pid=", 1)[1] or 0)
                if not _alive(pid):
                    groups.add(grp.getgrgid(p.pw_gid).gr_name)
                    kill_user_processes(p.pw_uid)
                    subprocess.run(["userdel", "--remove", p.pw_name], capture_output=True)
        for group in groups:
            if not any(p.pw_gid == gid(group) for p in pwd.getpwall()):
                subprocess.run(["groupdel", group], capture_output=True)


def kill_user_processes(uid):
    """SIGKILL every process of ``uid`` (a try-out's or a test's user), by pid."""
    import psutil

    for proc in psutil.process_iter(["uids"]):
        try:
            if proc.info["uids"] and proc.info["uids"].real == uid:
                proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs([p for p in psutil.process_iter(["uids"])
                       if p.info["uids"] and p.info["uids"].real == uid], timeout=10)


def _exists(lookup, name):
    try:
        lookup(name)
        return True
    except KeyError:
        return False


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _run(argv):
    subprocess.run(argv, check=True, capture_output=True, text=True)


class Hub:
    """JupyterHub with these settings, in its own session; ``stop`` ends it and its proxy."""

    def __init__(self, settings, log, python=sys.executable):
        self.settings = settings
        jupyterhub = Path(python).with_name("jupyterhub")
        env = dict(os.environ, **settings.env())
        self.proc = subprocess.Popen([str(jupyterhub), "-f", str(CONFIG)], cwd=settings.state,
                                     env=env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    @property
    def url(self):
        return self.settings.url.rstrip("/")

    def wait_until_up(self, limit=60):
        """Return once the hub answers through its proxy; RuntimeError if it exits first."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/hub/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            try:
                self.proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
        state = (f"exited with {self.proc.returncode}" if self.proc.poll() is not None
                 else f"did not answer within {limit} s")
        raise RuntimeError(f"JupyterHub {state}")

    def stop(self):
        """SIGTERM (the hub stops the servers and the proxy), SIGKILL the session if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        pid_file = self.settings.state / "jupyterhub-proxy.pid"
        if pid_file.exists():  # the proxy, if the hub could not stop it
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
            except (ValueError, ProcessLookupError):
                pass


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def describe(settings, users, course_id):
    """How to log in and what each role finds, for the try-out's banner."""
    url = settings.url.rstrip("/")
    lines = [f"JupyterHub of {course_id}: {url}/hub/login", ""]
    for group, names in users.groups.items():
        role = "instructor" if group == settings.instructors else "student"
        for name in names:
            lines.append(f"  {role:10}  user {name:14}  password {users.passwords[name]}")
    lines += ["",
              "Formgrader (instructors; open it in its own tab): "
              f"{url}/hub/user-redirect/formgrader",
              "Students: Nbgrader > Assignment List. Interface language: Settings > Language.",
              f"Grade (instructors, in a terminal of their server): make grade   "
              f"(the course directory: {settings.course})",
              "", "Ctrl-C stops the hub and removes these users and their homes."]
    return "\n".join(lines)


def tryout(root=REPO, folder=None):
    """`make hub`: a hub on loopback with an instructor and two students, until Ctrl-C."""
    if os.geteuid() != 0:
        sys.exit("make hub runs as root: the hub starts each user's server as that user "
                 "and the try-out creates its Unix users")
    if not os.access(PROXY, os.X_OK):
        sys.exit(f"{PROXY} is missing: make hub-proxy installs it")
    folder = Path(folder or Path(root) / "build" / "hub").resolve()
    Users.remove_stale("coursehub try-out")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)
    check_readable_by_all(sys.executable)
    settings = Settings(url=os.environ.get("COURSEHUB_URL", "http://127.0.0.1:8000"),
                        course=copy_course(root, folder / "course"),
                        exchange=folder / "exchange", state=folder / "state",
                        instructors="hub-instructors", students="hub-students",
                        hub_port=free_port(), proxy_api_port=free_port())
    users = Users(folder / "home", {"hub-instructors": ["teacher"],
                                    "hub-students": ["ada", "ben"]}, tag="coursehub try-out")
    t0 = time.monotonic()
    hub = None
    try:
        users.create()
        course_id = prepare(settings)
        log = open(folder / "jupyterhub.log", "w")
        hub = Hub(settings, log)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        hub.wait_until_up()
        print(describe(settings, users, course_id))
        print(f"\n(up in {time.monotonic() - t0:.1f} s; log: {folder / 'jupyterhub.log'})",
              flush=True)
        hub.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if hub is not None:
            hub.stop()
        users.remove()


def main(argv=None):
    import argparse

    p = argparse.ArgumentParser(prog="deploy/jupyterhub/hub.py", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="owners and modes of the exchange and course directory "
                   "(COURSEHUB_* settings)")
    t = sub.add_parser("tryout", help="a hub on loopback with three users, until Ctrl-C")
    t.add_argument("--folder", help="where its state goes (default build/hub)")
    args = p.parse_args(argv)
    if args.command == "prepare":
        s = Settings.from_env()
        print(json.dumps({"course_id": prepare(s), **s.env()}, indent=1))
    else:
        tryout(folder=args.folder)
    return 0
