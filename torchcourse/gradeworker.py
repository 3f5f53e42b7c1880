"""One grading worker: nbgrader's own Autograde for one submission at a time, within limits.

A worker process imports nbgrader once and then, for each (student, assignment) it
is given, runs nbgrader's ``Autograde`` converter against the shared gradebook (as
``nbgrader autograde`` does), with ``LimitedExecute`` in place of nbgrader's
``Execute``: the same execution, plus a memory limit for the kernel, a time limit
for the whole notebook, and a kernel that dies (``os._exit``, out of memory) costing
only the parts not yet run. Whatever nbgrader cannot grade at all (no notebook, a
file that is not a notebook) is recorded as 0 with the reason, never left out.
"""
import hashlib
import json
import os
import resource
import signal
import sys
import time
import traceback
from pathlib import Path

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, SaveAutoGrades
from traitlets import Enum, Integer

LEDGER = Path("autograded") / ".torchcourse"  # per-submission records; ignored by nbgrader
NOT_RUN = "NotRunError"
KERNEL_DIED = "DeadKernelError"
DB_BUSY = ("database is locked", "could not serialize", "deadlock detected")


class SaveAutoGradesAtomic(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, with a notebook's grades committed in one transaction."""

    # nbgrader commits cell by cell: a run killed half-way would leave a notebook's grades
    # half old, half new. Here they change together or not at all (and the gradebook is
    # locked once per notebook instead of once per cell).

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            session = self.gradebook.db
            session.commit = session.flush  # the per-cell commits only flush ...
            try:
                nb, resources = super(SaveAutoGrades, self).preprocess(nb, resources)
            finally:
                del session.commit
            session.commit()  # ... and this one commits them all
        return nb, resources


class RestoreDeletedCells(NbGraderPreprocessor):
    """Put back deleted answer cells (as the release's stub) and locked cells, in place.

    nbgrader's OverwriteCells puts back a deleted test cell after the cell before it,
    but fails (KeyError) when that cell, the answer, was deleted too. With the answer
    put back first, a learner who deleted a part loses that part's points only.
    """

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_code_cell, new_markdown_cell
        from nbgrader.api import Gradebook

        meta = resources["nbgrader"]
        with Gradebook(meta["db_url"]) as gb:
            source = gb.find_notebook(meta["notebook"], meta["assignment"])
            solutions = {c.name for c in source.solution_cells}
            grades = {c.name for c in source.grade_cells}
            cells = [(c.name, c.cell_type, c.source, c.locked) for c in source.source_cells]
        present = {_cell_id(c) for c in nb.cells}
        for k, (name, cell_type, text, locked) in enumerate(cells):
            if name in present or name in grades or not (name in solutions or locked):
                continue  # test cells: OverwriteCells puts them back
            new = (new_code_cell if cell_type == "code" else new_markdown_cell)(text)
            new.metadata["nbgrader"] = {"grade": False, "grade_id": name, "locked": locked,
                                        "solution": name in solutions, "schema_version": 3}
            before = [n for n, *_ in cells[:k] if n in present]
            at = 0
            if before:
                at = 1 + next(i for i, c in enumerate(nb.cells) if _cell_id(c) == before[-1])
            nb.cells.insert(at, new)
            present.add(name)
        return nb, resources


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class LimitedExecute(Execute):
    """nbgrader's Execute with a kernel memory limit and a time limit for the whole notebook."""

    memory_limit_mb = Integer(
        2048, help="Limit of the kernel's data memory (RLIMIT_DATA), in MB; 0 for none."
    ).tag(config=True)
    notebook_timeout = Integer(
        600, help="Seconds the whole notebook may run; later cells are not run; 0 for none."
    ).tag(config=True)
    shutdown_kernel = Enum(
        ["graceful", "immediate"], default_value="immediate",
        help="Once every cell has run, stop the kernel at once: its atexit hooks cannot "
             "change a grade, and waiting for them costs about a second per notebook."
    ).tag(config=True)

    def _limit_memory(self):
        # Runs in the kernel process before it starts: allocations beyond the limit
        # raise MemoryError in the learner's code instead of exhausting the machine.
        if self.memory_limit_mb > 0:
            limit = self.memory_limit_mb * 2 ** 20
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

    def _get_timeout(self, cell):
        if self._probing:
            return self._probing
        timeout = super()._get_timeout(cell)
        if self.notebook_timeout > 0:
            left = max(1, int(self._deadline - time.monotonic() + 0.999))
            timeout = min(timeout, left) if timeout else left
        return timeout

    def preprocess(self, nb, resources=None, km=None):
        """Run every cell as nbgrader's Execute does, within the limits."""
        from nbclient import NotebookClient

        # Same steps as nbconvert's ExecutePreprocessor.preprocess, with the limit set
        # in the kernel process and a stop once the kernel is dead or time is up.
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._deadline = time.monotonic() + self.notebook_timeout
        self._stopped = None
        self._probing = None
        with self.setup_kernel(preexec_fn=self._limit_memory):
            info_msg = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            for index, cell in enumerate(self.nb.cells):
                self.preprocess_cell(cell, resources, index)
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _death(self):
        """Why the kernel died, from its exit status."""
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = proc.poll() if proc is not None else None
        if code is not None and code < 0:
            how = f"was killed by signal {signal.Signals(-code).name}"
            if -code == signal.SIGKILL:
                how += " (out of memory?)"
        elif code is not None:
            how = f"exited with status {code}"
        else:
            how = "stopped answering"
        return f"The kernel {how} while running this cell; later cells were not run."

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if not self._stopped and self.notebook_timeout > 0 and time.monotonic() > self._deadline:
            self._stop(f"the notebook ran past its time limit ({self.notebook_timeout} s)")
        if self._stopped:
            cell.outputs = [_error(NOT_RUN, f"Not run: {self._stopped}.")]
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(_error(KERNEL_DIED, self._death()))
            self._stopped = "the kernel died in an earlier cell"
            return cell, resources
        except CellTimeoutError:
            # Interrupted at the time limit, the kernel never went idle again: record the
            # timeout in the cell, as nbgrader does when the interrupt works.
            cell.outputs.append(_error("CellTimeoutError", "No reply from kernel before timeout"))
        timed_out = any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", []))
        if timed_out and not self._responsive():
            self._stop("the kernel did not stop when interrupted at the time limit")
        return cell, resources

    def _responsive(self, grace=5):
        """Whether the kernel, interrupted at a time limit, answers again within ``grace`` s."""
        self._probing = grace
        try:  # None: no reply before the grace period ended
            return self.wait_for_reply(self.kc.execute("", silent=True, store_history=False)) \
                is not None
        except (TimeoutError, DeadKernelError):
            return False
        finally:
            self._probing = None

    def _stop(self, reason):
        """Stop the kernel; the cells left are not run, for ``reason``."""
        from jupyter_core.utils import run_sync

        self._stopped = reason
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # already gone: nothing left to stop
            pass


def digest(folder):
    """A digest of a submission folder's notebooks and timestamp: changes when it is resubmitted."""
    h = hashlib.sha256()
    folder = Path(folder)
    files = sorted(folder.glob("*.ipynb")) + [folder / "timestamp.txt"] if folder.is_dir() else []
    for p in files:
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def ledger_path(course, student, aid):
    return Path(course) / LEDGER / student / f"{aid}.json"


def write_ledger(course, student, aid, record):
    """Record a finished grade atomically: a run killed half-way leaves no partial record."""
    path = ledger_path(course, student, aid)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, path)


def read_ledger(course, student, aid):
    try:
        return json.loads(ledger_path(course, student, aid).read_text())
    except (OSError, ValueError):
        return None


def _cell_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def structure_flags(nb, source_cells, released):
    """Reasons a submitted notebook differs from the assignment in its locked and test cells."""
    # ``released``: checksums of the release's locked cells. The gradebook's include the
    # hidden tests, which the release (and so an untouched submission) does not.
    flags = []
    present = {_cell_id(c): c for c in nb.cells if _cell_id(c)}
    for name, src in source_cells.items():
        if name not in present:
            if src["grade"]:
                flags.append(f"deleted the test cell {name} (put back for grading)")
            elif src["solution"]:
                flags.append(f"deleted the answer cell {name} (put back unanswered)")
            elif src["locked"]:
                flags.append(f"deleted the locked cell {name} (put back for grading)")
            continue
        cell = present[name]
        expected = released.get(name, cell.metadata.nbgrader.get("checksum"))
        if src["locked"] and expected and _checksum(cell) != expected:
            flags.append(f"edited the locked cell {name} (the original was restored)")
    return flags


def _checksum(cell):
    from nbgrader.utils import compute_checksum
    try:
        return compute_checksum(cell)
    except (KeyError, ValueError, TypeError):  # metadata damaged too: surely edited
        return None


def released_checksums(path):
    """{grade_id: checksum} of the locked cells of the release notebook at ``path``."""
    import nbformat

    if not Path(path).exists():
        return {}
    nb = nbformat.read(str(path), as_version=4)
    return {_cell_id(c): _checksum(c) for c in nb.cells
            if _cell_id(c) and c.metadata.nbgrader.get("locked")}


def output_flags(nb, timeout):
    """Reasons found in an autograded notebook's outputs: time, memory, a dead kernel, syntax."""
    flags = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            where = _cell_id(cell) or f"cell {nb.cells.index(cell) + 1}"
            ename, evalue = out.get("ename", ""), out.get("evalue", "")
            if ename == "CellTimeoutError":
                flags.append(f"time limit: {where} ran longer than {timeout} s and was stopped")
            elif ename == KERNEL_DIED:
                flags.append(f"kernel died in {where}: {evalue}")
            elif ename == NOT_RUN and not any(f.startswith("later cells not run") for f in flags):
                flags.append(f"later cells not run: {evalue[len('Not run: '):].rstrip('.')}")
            elif ename == "MemoryError" or "can't allocate memory" in evalue:
                flags.append(f"memory limit: {where} ran out of memory")
            elif ename in ("SyntaxError", "IndentationError", "TabError"):
                flags.append(f"syntax error in {where}: {evalue}")
    return flags


class Grader:
    """Grades one (student, assignment) at a time with nbgrader's Autograde, in this process."""

    def __init__(self, course, db_url=None, timeout=None, notebook_timeout=None,
                 memory_mb=None):
        from .build import nbgrader_api
        from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput,
                                            DeduplicateIds, IgnorePattern, LimitOutput,
                                            OverwriteCells, OverwriteKernelspec)
        from nbconvert.preprocessors import ClearMetadataPreprocessor

        self.course = Path(course)
        self.api = nbgrader_api(self.course)
        config = self.api.config
        if db_url:
            config.CourseDirectory.db_url = db_url
            self.api.coursedir.db_url = db_url
        # nbgrader's autograde steps, with LimitedExecute in place of Execute and grades
        # saved in one transaction per notebook.
        config.Autograde.autograde_preprocessors = [
            LimitedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
            SaveAutoGradesAtomic, AssignLatePenalties, CheckCellMetadata]
        # ... and deleted answer and locked cells put back before nbgrader's OverwriteCells.
        config.Autograde.sanitize_preprocessors = [
            ClearOutput, DeduplicateIds, OverwriteKernelspec, RestoreDeletedCells,
            OverwriteCells, CheckCellMetadata]
        if timeout:
            config.Execute.timeout = timeout
        if notebook_timeout:
            config.LimitedExecute.notebook_timeout = notebook_timeout
        if memory_mb is not None:
            config.LimitedExecute.memory_limit_mb = memory_mb
        self.api.update_config(config)
        self.timeout = LimitedExecute(config=config).timeout
        self.db_url = self.api.coursedir.db_url
        self.course_id = self.api.coursedir.course_id
        self._cells = {}

    def gradebook(self):
        from nbgrader.api import Gradebook
        return Gradebook(self.db_url, self.course_id)

    def source_cells(self, aid):
        """{notebook: {cell name: what the gradebook knows of it}} for assignment ``aid``."""
        if aid not in self._cells:
            with self.gradebook() as gb:
                a = gb.find_assignment(aid)
                self._cells[aid] = {
                    nb.name: {c.name: {"locked": c.locked, "checksum": c.checksum,
                                       "grade": c.name in {g.name for g in nb.grade_cells},
                                       "solution": c.name in {s.name for s in nb.solution_cells}}
                              for c in nb.source_cells}
                    for nb in a.notebooks}
        return self._cells[aid]

    def grade(self, student, aid):
        """Autograde one submission; return a record of its score, flags and time."""
        import nbformat

        start = time.monotonic()
        folder = self.course / "submitted" / student / aid
        expected = self.source_cells(aid)
        present = [folder / f"{n}.ipynb" for n in sorted(expected)
                   if (folder / f"{n}.ipynb").exists()]
        flags, fatal = [], None
        others = sorted(p.name for p in folder.glob("*.ipynb")
                        if p.stem not in expected) if folder.is_dir() else []
        for name in sorted(expected):
            if not (folder / f"{name}.ipynb").exists():
                flags.append(f"missing notebook {name}.ipynb"
                             + (f" (found {', '.join(others)})" if others else ""))
        for path in present:
            try:
                nb = nbformat.read(str(path), as_version=4)
            except Exception as e:  # not JSON, not a notebook: nothing nbgrader could run
                fatal = f"{path.name} is not a readable notebook ({type(e).__name__}: {e})"
                break
            release = self.course / self.api.coursedir.release_directory / aid / path.name
            flags += structure_flags(nb, expected[path.stem], released_checksums(release))
        if not present:
            fatal = fatal or "no notebook of the assignment was submitted"
        if fatal is None:
            result = self._autograde(student, aid)
            if result["success"]:
                for path in sorted((self.course / "autograded" / student / aid).glob("*.ipynb")):
                    flags += output_flags(nbformat.read(str(path), as_version=4), self.timeout)
            elif any(b in (result.get("error", "") + result.get("log", "")) for b in DB_BUSY):
                return {"student": student, "assignment": aid, "status": "error",
                        "reason": "the gradebook stayed busy; run again to grade it",
                        "seconds": time.monotonic() - start}
            else:
                fatal = "nbgrader could not grade it: " + _last_error(result)
        if fatal is not None:
            return record_fallback(self.course, self.db_url, self.course_id, student, aid,
                                   flags + [fatal], time.monotonic() - start)
        return finish(self.course, self.db_url, self.course_id, student, aid, "graded",
                      flags, time.monotonic() - start)

    def _autograde(self, student, aid, tries=4):
        """nbgrader's autograde (as NbGraderAPI.autograde), retried while the database is busy."""
        for attempt in range(tries):
            result = self.api.autograde(aid, student, force=True, create=True)
            text = result.get("error", "") + result.get("log", "")
            if result["success"] or not any(b in text for b in DB_BUSY):
                return result
            time.sleep(0.5 * 2 ** attempt)
        return result

    def feedback(self, student, aid):
        """nbgrader's generate_feedback for one graded submission."""
        start = time.monotonic()
        result = self.api.generate_feedback(aid, student, force=True)
        return {"student": student, "assignment": aid, "feedback": result["success"],
                "reason": None if result["success"] else _last_error(result),
                "seconds": round(time.monotonic() - start, 3)}


def record_fallback(course, db_url, course_id, student, aid, flags, seconds=0.0):
    """Grade a submission nbgrader could not grade: 0 on every part, with the reasons."""
    import shutil
    from nbgrader.api import Gradebook

    # Nothing of an earlier grade may stay behind to be taken for this one.
    shutil.rmtree(Path(course) / "autograded" / student / aid, ignore_errors=True)
    with Gradebook(db_url, course_id) as gb:
        sub = gb.update_or_create_submission(aid, student)
        for nb in sub.notebooks:
            for grade in nb.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gb.db.commit()
    return finish(course, db_url, course_id, student, aid, "fallback", flags, seconds)


def finish(course, db_url, course_id, student, aid, status, flags, seconds):
    """Read the submission's score from the gradebook and record it in the ledger."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        sub = gb.find_submission(aid, student)
        score, max_score = float(sub.score), float(sub.max_score)
    record = {"student": student, "assignment": aid, "status": status,
              "score": score, "max_score": max_score, "flags": flags,
              "submitted": digest(Path(course) / "submitted" / student / aid),
              "autograded": sorted(p.name for p in
                                   (Path(course) / "autograded" / student / aid).glob("*.ipynb")),
              "seconds": round(seconds, 3)}
    write_ledger(course, student, aid, record)
    return record


def _last_error(result):
    """The exception nbgrader's log or traceback ends with: the reason it failed."""
    import re

    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    found = [m.group(1).strip() for m in re.finditer(
        r"^\s*((?:[A-Za-z_][\w.]*\.)?[A-Za-z_]\w*(?:Error|Exception|Exit):.*)$", text, re.M)
        if "NbGraderException: Please see" not in m.group(1)]
    if found:
        return found[-1]
    errors = [ln[len("[ERROR] "):] for ln in text.splitlines() if ln.startswith("[ERROR]")]
    return errors[0] if errors else "unknown error"


def _peaks():
    """Peak resident memory (MB) of this worker and of the largest kernel it ran."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own, 1), round(kids, 1)


def serve(conn, options, log_path):
    """Worker process main loop: take jobs from ``conn``, send back their records."""
    # The kernels inherit our stdout/stderr: send them (and nbgrader's notices) to a log,
    # so that nothing a learner prints can reach the instructor's terminal or the protocol.
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    grader = Grader(**options)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the coordinator is gone: stop after the last job
            return
        if job is None:
            return
        kind, student, aid = job
        try:
            record = getattr(grader, kind)(student, aid)
        except Exception:
            record = {"student": student, "assignment": aid, "status": "error",
                      "reason": traceback.format_exc().strip().splitlines()[-1]}
        record["worker_mb"], record["kernel_mb"] = _peaks()
        try:
            conn.send(("done", record))
        except (BrokenPipeError, OSError):
            return
