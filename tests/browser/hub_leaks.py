"""What a student can read on the hub, and the proof that none of it is instructor material.

``WALK`` runs in a student's own kernel, in that student's sandbox: it lists every path it
can see (``/proc``, ``/sys`` and ``/dev`` aside) with device and inode numbers, without
descending into the read-only binds of the host's system and environment (``/usr``, the
course's ``.venv`` and package, the deployment's code), and adds the sandbox's mount table;
it writes that to a file in the student's home. ``check`` (here, as root) then proves:

1. the mount table holds only the binds the spawner makes (read-only where it says) and
   bubblewrap's own ``/``, ``/proc``, ``/dev`` and ``/tmp``; each bind's root is the very
   host folder or file it names (device and inode), so a read-only bind shows exactly the
   host's tree;
2. no instructor file (source/, solutions/, references/, tests/broken/, the course
   directory) nor another student's file is among the paths listed (device and inode),
   none lies in a host tree bound read-only, and none has a second name (a hard link)
   anywhere;
3. every file listed (home, exchange, ``/etc``, private ``/tmp``...), and the files of
   the bound package and deployment and the environment's files that no installed
   distribution's RECORD lists, hold neither an instructor file's content (SHA-256) nor a
   line of a hidden test or of a solution the student did not type, nor a recorded
   reference value;
4. nothing else is visible at all.

The needles never reach the student: the kernel only lists, the comparison runs here.
"""
import hashlib
import html
import json
import os
import re
from pathlib import Path

from torchcourse import nbtools

#: Runs in the student's kernel: ``REPORT`` is the file it writes (in the student's home),
#: ``READONLY`` the read-only binds it lists but does not descend into, ``WRITABLE`` the
#: folders the student writes to. It sends the bytes of the files in its private /tmp (the
#: host cannot see them) and in the writable folders (a file there may be gone by the time
#: it is checked: a kernel's own SQLite journal, say).
WALK = '''\
import json, os, stat, sys, base64
REPORT = {report!r}
READONLY = set({readonly!r})
WRITABLE = tuple(w + "/" for w in {writable!r})
SKIP = {{"/proc", "/sys", "/dev"}}
PRIVATE = ("/tmp/", "/dev/shm/", "/run/")
entries = []
def walk(folder):
    try:
        items = list(os.scandir(folder))
    except OSError as e:
        entries.append([folder, "unlistable", 0, 0, 0, type(e).__name__])
        return
    for item in items:
        path = item.path
        if path in SKIP or path == REPORT:
            continue
        try:
            st = os.stat(path) if path in READONLY else os.lstat(path)
        except OSError:
            continue
        kind = ("m" if path in READONLY else "d" if stat.S_ISDIR(st.st_mode)
                else "f" if stat.S_ISREG(st.st_mode) else "l" if stat.S_ISLNK(st.st_mode)
                else "o")
        extra = None
        if kind == "f" and not os.access(path, os.R_OK):
            extra = "unreadable"
        elif kind == "f" and path.startswith(PRIVATE + WRITABLE):
            with open(path, "rb") as f:
                extra = base64.b64encode(f.read(1 << 20)).decode()
        entries.append([path, kind, st.st_dev, st.st_ino, st.st_size, extra])
        if kind == "d":
            walk(path)
walk("/")
with open("/proc/self/mountinfo") as f:
    mounts = f.read()
with open(REPORT, "w") as f:
    json.dump({{"entries": entries, "mountinfo": mounts, "prefix": sys.prefix}}, f)
files = [e for e in entries if e[1] == "f"]
print(f"listed {{len(entries)}} paths ({{len(files)}} files) and "
      f"{{len(mounts.splitlines())}} mounts; {{len(READONLY)}} read-only binds")
'''


def instructor_files(root, course, student):
    """Files whose content ``student`` must never get: the repository's instructor material
    and the course directory but its release and that student's own work and feedback."""
    paths = [root / "source", root / "solutions", root / "references", root / "tests" / "broken",
             root / "nbgrader_config.py", course]
    theirs = {course / "release"} | {course / kind / student
                                     for kind in ("submitted", "autograded", "feedback")}
    return [p for p in files_under(q for q in paths if q.exists())
            if not any(p == t or t in p.parents for t in theirs)]


def files_under(paths):
    for path in paths:
        if path.is_file():
            yield path
        for folder, _dirs, names in os.walk(path):
            for name in names:
                p = Path(folder, name)
                if p.is_file() and not p.is_symlink():
                    yield p


def _lines(text):
    return {line.strip() for line in text.splitlines() if line.strip()}


def _regions(source, begin, end):
    """Lines between ``### BEGIN x`` and ``### END x`` markers of a cell's source."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == f"### {begin}":
            inside = True
        elif line.strip() == f"### {end}":
            inside = False
        elif inside:
            out.append(line.strip())
    return out


def needles(root, own_answers):
    """(line needles, value needles): hidden tests' and solutions' lines, reference values.

    Lines under 12 characters, and those found in (or as part of) a line the student
    typed (``own_answers``), of the released notebooks or of the course package (which
    students get) are left out.
    """
    public = set()
    for path in (root / "release").rglob("*.ipynb"):
        public |= {ln for c in nbtools.read(path).cells for ln in _lines(c.source)}
    for path in (root / "torchcourse").rglob("*.py"):
        public |= _lines(path.read_text())
    public |= set().union(*(_lines(a) for a in own_answers))
    lines = set()
    for path in (root / "source").rglob("*.ipynb"):
        for cell in nbtools.read(path).cells:
            lines.update(_regions(cell.source, "BEGIN SOLUTION", "END SOLUTION"))
            lines.update(_regions(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
    everything_public = "\n".join(public)
    lines = {ln for ln in lines - public if len(ln) >= 12 and ln not in everything_public}
    values = set()
    for path in (root / "references").glob("*.json"):
        _floats(json.loads(path.read_text()), values)
    return lines, {repr(v) for v in values if len(repr(abs(v)).replace(".", "").strip("0")) >= 6}


def _floats(data, out):
    if isinstance(data, dict):
        for v in data.values():
            _floats(v, out)
    elif isinstance(data, list):
        for v in data:
            _floats(v, out)
    elif isinstance(data, float):
        out.add(data)


def text_of(name, data):
    """The text a reader of this file sees: notebooks' sources and outputs, pages without tags."""
    text = data.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        try:
            nb = json.loads(text)
            parts = []
            for cell in nb.get("cells", []):
                parts.append("".join(cell.get("source", "")))
                for out in cell.get("outputs", []):
                    parts.append("".join(out.get("text", "")))
                    for value in out.get("data", {}).values():
                        parts.append("".join(value) if isinstance(value, list) else str(value))
            text = "\n".join(parts)
        except (ValueError, AttributeError):
            pass
    if name.endswith((".html", ".htm")) or "<html" in text[:1000].lower():
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def findings(name, data, line_needles, value_needles, secret_hashes, deep=True):
    """What of the instructor's material one file holds (empty: nothing).

    A needle line counts when it is a line of the file's text or, with ``deep`` (what
    students get and write: notebooks, pages), also when it is part of a longer line.
    """
    found = []
    if hashlib.sha256(data).hexdigest() in secret_hashes:
        found.append("the content of an instructor file")
    if b"\0" in data[:4096]:
        return found
    text = text_of(name, data)
    lines = _lines(text)
    hits = line_needles & lines
    if deep:
        hits |= {n for n in line_needles - hits for ln in lines if n in ln}
    if hits:
        found.append(f"lines of hidden tests or solutions: {sorted(hits)[:3]}")
    values = value_needles & set(NUMBER.findall(text))
    if values:
        found.append(f"reference values: {sorted(values)[:3]}")
    return found


def record_files(prefix):
    """Files of the environment that an installed distribution's RECORD lists (pip put them)."""
    listed = set()
    for record in Path(prefix).glob("lib/python*/site-packages/*.dist-info/RECORD"):
        site = record.parent.parent
        for line in record.read_text().splitlines():
            name = line.split(",", 1)[0]
            if name:
                listed.add(os.path.normpath(site / name))
    return listed



def check(report, *, root, course, student, mounts, readonly, writable, others, own_answers):
    """Problems found in a student's walk ``report`` (module docstring); empty if none.

    ``mounts``: {path in the sandbox: host path} of every bind the spawner makes;
    ``readonly``: those the walk did not descend into (read-only folders of the host);
    ``writable``: those the student writes to (home, exchange); ``others``: other
    students' paths (their homes, submissions).
    """
    import base64

    problems = []
    mounts = {os.path.normpath(k): os.path.normpath(v) for k, v in mounts.items()}
    readonly = {os.path.normpath(r) for r in readonly}
    writable = {os.path.normpath(w) for w in writable}
    secret_files = instructor_files(root, course, student)
    other_files = list(files_under([p for p in others if p.exists()]))
    secret_ids = {}
    for path in secret_files + other_files:
        st = os.stat(path)
        secret_ids[(st.st_dev, st.st_ino)] = path
        if st.st_nlink > 1:
            problems.append(f"{path} has another name (a hard link) somewhere")
        if any(str(path).startswith(mounts[r] + "/") for r in readonly):
            problems.append(f"{path} lies in a folder students see read-only")
    secret_hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in secret_files
                     if p.stat().st_size}
    line_needles, value_needles = needles(root, own_answers)
    pip_files = record_files(Path(report["prefix"]))
    problems += _mount_problems(report["mountinfo"], mounts, writable)

    skeleton = {"/", "/tmp", "/run", "/dev"} | {str(q) for m in mounts for q in Path(m).parents}
    mount_of_dir = {}

    def mount_of(path):
        """The bind ``path`` is in (its own, or its folder's: memoized by folder)."""
        if path in mounts:
            return path
        folder = os.path.dirname(path)
        if folder not in mount_of_dir:
            mount_of_dir[folder] = None if folder == "/" else mount_of(folder)
        return mount_of_dir[folder]

    to_read = []   # (path in the sandbox, host path or the bytes the kernel sent)
    deep = set()   # those students get or write: every needle is looked for inside lines
    n_files = vanished = 0
    seen_readonly = set()
    for path, kind, dev, ino, _size, extra in report["entries"]:
        n_files += kind == "f"
        if kind == "f" and (dev, ino) in secret_ids:
            problems.append(f"{path} is {secret_ids[(dev, ino)]}")
            continue
        if kind == "unlistable" or extra == "unreadable":
            continue  # the student cannot read it
        mount = mount_of(path)  # a bind may lie in /tmp too (a course cloned there)
        if mount is None and path.startswith(("/tmp/", "/dev/shm/", "/run/")):
            if kind == "f":
                to_read.append((path, base64.b64decode(extra or "")))
                deep.add(path)
            continue
        if mount is None:
            if path not in skeleton and not (kind == "l" and path.count("/") == 1):
                problems.append(f"{path} should not be visible at all")
            continue
        host = mounts[mount] + path[len(mount):]
        try:  # bubblewrap binds what a bind's source path points to
            st = os.stat(host) if path == mount else os.lstat(host)
        except FileNotFoundError:
            if kind == "f" and mount in writable and path != mount:
                to_read.append((path, base64.b64decode(extra or "")))  # as the walk read it
                deep.add(path)
                vanished += 1
            else:
                problems.append(f"{path}: the host has no {host}")
            continue
        if (st.st_dev, st.st_ino) != (dev, ino):
            problems.append(f"{path} is not the host's {host}")
            continue
        if kind == "m":
            seen_readonly.add(path)
        elif kind == "f":
            to_read.append((path, Path(host)))
            if mount in writable:
                deep.add(path)
    for mount in sorted(readonly - seen_readonly):
        problems.append(f"{mount} (a read-only bind) was not listed as one")
    # What the read-only binds show: the host's trees. The system (/usr) aside, their files
    # are read here, but for those pip installed from the distributions' own wheels.
    for mount in sorted(readonly):
        if mounts[mount] == "/usr" or mounts[mount].startswith("/usr/"):
            continue
        for path in files_under([Path(mounts[mount])]):
            if str(path) not in pip_files:
                to_read.append((mount + str(path)[len(mounts[mount]):], path))
    for path, source in to_read:
        data = source.read_bytes() if isinstance(source, Path) else source
        for found in findings(path, data, line_needles, value_needles, secret_hashes,
                              deep=path in deep):
            problems.append(f"{path} holds {found}")
    return problems, {"paths": len(report["entries"]), "files": n_files,
                      "content_checked": len(to_read), "gone_since_the_walk": vanished,
                      "line_needles": len(line_needles),
                      "value_needles": len(value_needles), "instructor_files": len(secret_files)}


def _mount_problems(mountinfo, mounts, writable):
    """Mounts of the sandbox that the spawner does not make, or with the wrong access."""
    problems = []
    seen = set()
    for line in mountinfo.splitlines():
        fields = line.split(" - ")[0].split()
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        options = fields[5].split(",")
        seen.add(point)
        if point in mounts:
            want = "rw" if point in writable else "ro"
            if want not in options:
                problems.append(f"{point} is mounted {options[0]}, not {want}")
        elif not (point in ("/", "/tmp") or point.startswith(("/proc", "/dev"))):
            problems.append(f"{point} is mounted in the sandbox, not by the spawner")
    for point in sorted(set(mounts) - seen):
        problems.append(f"{point} is not mounted in the sandbox")
    return problems
