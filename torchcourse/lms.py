"""Collect submissions downloaded from an LMS (zip or notebook files) with nbgrader's zip_collect.

The download folder holds, for each assignment, either a subfolder named after it
or files whose names contain its id. Each file is named ``<student>_..._<notebook>.ipynb``
(Canvas: ``smithj_1234_5678_02_linear_regression.ipynb``) or is a zip
``<student>_....zip`` holding the notebook; ``--regexp`` sets another rule, as
nbgrader's ``FileNameCollectorPlugin.named_regexp`` (matched against the file's full
path under ``downloaded/<assignment>/extracted/``).
"""
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import CourseError

#: student = the name's first part; notebook = the ``NN_name`` at its end (Canvas adds -1, -2).
DEFAULT_REGEXP = (r".*/extracted/(?P<student_id>[^/_]+)_(?:.*[/_])?"
                  r"(?P<file_id>\d\d_[A-Za-z0-9_]+?)(?:-\d+)?\.ipynb$")


def files_for(download, aid):
    """The downloaded files of assignment ``aid``: its subfolder's, or those named after it."""
    download = Path(download)
    if (download / aid).is_dir():
        return sorted(p for p in (download / aid).rglob("*") if p.is_file())
    return sorted(p for p in download.iterdir() if p.is_file() and aid in p.name)


def archive_folder(course, aid):
    """Where nbgrader's zip_collect takes the downloads of ``aid`` from (its own settings)."""
    from nbgrader.apps import ZipCollectApp

    app = ZipCollectApp(config=course.config)
    return course.root / app.downloaded_directory / aid / app.archive_directory


def collect(course, download, ids=None, regexp=None):
    """Copy each assignment's downloads into zip_collect's archive folder and run zip_collect."""
    download = Path(download).resolve()
    if not download.is_dir():
        raise CourseError(f"--from {download}: no such folder")
    ids = ids or course.assignments()
    found = {}
    for aid in ids:
        files = files_for(download, aid)
        if not files:
            continue
        archive = archive_folder(course, aid)
        if archive.resolve() != download / aid:
            shutil.rmtree(archive, ignore_errors=True)
            archive.mkdir(parents=True)
            for f in files:
                shutil.copy2(f, archive / f.name)
        # nbgrader's own command, so its rules and messages apply unchanged.
        cmd = [sys.executable, "-m", "nbgrader", "zip_collect", aid, "--force",
               f"--FileNameCollectorPlugin.named_regexp={regexp or DEFAULT_REGEXP}"]
        proc = subprocess.run(cmd, cwd=course.root, capture_output=True, text=True)
        if proc.returncode != 0:
            raise CourseError(f"nbgrader zip_collect {aid} failed:\n{proc.stderr[-2000:]}")
        skipped = [ln for ln in proc.stderr.splitlines() if "did not match" in ln
                   or "Skipped" in ln]
        found[aid] = (len(files), skipped)
        for line in skipped:
            print(f"zip_collect {aid}: {line.split('] ', 1)[-1]}", file=sys.stderr)
    if not found:
        print(f"--from {download}: no files for {', '.join(ids)}", file=sys.stderr)
    return found
