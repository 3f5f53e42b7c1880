"""The course's nbgrader preprocessors: one pipeline for make grade, nbgrader and Formgrader.

``nbgrader_config.py`` puts them in nbgrader's Autograde and GenerateFeedback steps:

- sanitize: nbgrader's ClearOutput, then ``RestoreStructure`` (a cell pasted twice is graded
  once, deleted answer and locked cells are put back, moved cells go back to their place),
  then nbgrader's OverwriteKernelspec, OverwriteCells and CheckCellMetadata;
- autograde: ``SandboxedExecute`` (every kernel in the sandbox, within time, memory and output
  limits), ``JudgeHiddenTests`` (each graded cell's hidden values judged outside the kernel),
  nbgrader's ClearMetadataPreprocessor and LimitOutput, ``SaveAutoGradesAtomic`` (a
  notebook's grades saved in one transaction), AssignLatePenalties and CheckCellMetadata;
- feedback: nbgrader's GetGrades, ``HiddenTestsFeedback`` (hidden code becomes a note, and a
  test cell shows the grader's messages, never text its kernel produced), and the CSS.
"""
import os
import re
import resource
import signal
import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, SaveAutoGrades
from traitlets import Bool, Enum, Integer, List, Unicode

from . import channel, judge, refs

NOT_RUN = "NotRunError"
KERNEL_DIED = "DeadKernelError"
HIDDEN_FAILED = "HiddenTestFailed"
META = "torchcourse"  # cell metadata the grader writes; a submission's own is dropped
#: The largest kernel this process ran, as the sandbox measured it ({"kernel_kb": ...}).
PEAKS = {}
HIDDEN = re.compile(r"^([ \t]*)### BEGIN HIDDEN TESTS[ \t]*$.*?^[ \t]*### END HIDDEN TESTS[ \t]*$",
                    re.M | re.S)
NOTE = "# [hidden tests: they check your code on inputs you have not seen; not shown]"


def grade_id(cell):
    """The nbgrader grade_id of a cell, or None."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class RestoreStructure(NbGraderPreprocessor):
    """Give a submission the assignment's structure back before nbgrader overwrites its cells.

    - a cell pasted twice (the same grade_id) keeps its nbgrader role in its first copy
      only, so the copy's empty metadata never breaks nbgrader (its KeyError 'grade_id');
    - nbgrader metadata naming no cell of the assignment is dropped;
    - a deleted answer cell comes back as the release's stub, a deleted locked cell as
      itself (nbgrader's OverwriteCells puts test cells back, but fails when their answer
      cell was deleted too);
    - the assignment's cells go back into the assignment's order, each learner-added cell
      staying right after the cell it followed: a test cell moved below a later part's
      hidden code (which redefines earlier functions with reference code) is graded where
      it belongs;
    - metadata the grader writes (``torchcourse``) is dropped from the submission.
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
        order = {name: k for k, (name, *_rest) in enumerate(cells)}
        seen = set()
        for cell in nb.cells:
            cell.metadata.pop(META, None)
            gid = grade_id(cell)
            if "nbgrader" in cell.metadata and (gid is None or gid in seen or gid not in order):
                del cell.metadata["nbgrader"]
            elif gid is not None:
                seen.add(gid)
        for name, cell_type, text, locked in cells:
            if name in seen or name in grades or not (name in solutions or locked):
                continue  # present, or a test cell (OverwriteCells puts those back)
            new = (new_code_cell if cell_type == "code" else new_markdown_cell)(text)
            new.metadata["nbgrader"] = {"grade": False, "grade_id": name, "locked": locked,
                                        "solution": name in solutions, "schema_version": 3}
            nb.cells.append(new)
            seen.add(name)
        # Sort by the assignment's order; a learner's own cell rides on the one before it.
        keys, anchor = [], -1
        for i, cell in enumerate(nb.cells):
            gid = grade_id(cell)
            if gid in order:
                anchor = order[gid]
            keys.append((anchor, gid is None, i))
        nb.cells = [c for _, c in sorted(zip(keys, nb.cells), key=lambda kc: kc[0])]
        return nb, resources


class SandboxedExecute(Execute):
    """nbgrader's Execute, with every kernel in the sandbox and limits on time and output.

    The sandbox (``torchcourse.sandbox``) holds the kernel's memory, processes, file sizes
    and CPU time (``c.SandboxKernelManager.*``); here: the whole notebook's time, the size of
    the outputs kept, and a kernel that dies (``os._exit``, out of memory) costing only the
    parts not yet run.
    """

    sandbox = Bool(True, help="Run kernels in the sandbox. False (`--no-sandbox`) lets "
                   "learner code see and change everything the grader can: unsafe."
                   ).tag(config=True)
    notebook_timeout = Integer(
        600, help="Seconds the whole notebook may run; later cells are not run; 0 for none."
    ).tag(config=True)
    max_output_mb = Integer(8, help="Outputs kept per notebook, MB; more are dropped."
                            ).tag(config=True)
    shutdown_kernel = Enum(
        ["graceful", "immediate"], default_value="immediate",
        help="Once every cell has run, stop the kernel at once: its atexit hooks cannot "
             "change a grade, and waiting for them costs about a second per notebook."
    ).tag(config=True)
    extra_arguments = List(
        Unicode(), default_value=["--InteractiveShell.xmode=Plain"],
        help="The kernel's options. Plain tracebacks (file, line and the line itself, as "
             "Python prints them) take 10 ms, IPython's Context ones 80 ms: a release "
             "left blank raises in nearly every cell.").tag(config=True)

    def _limit_memory(self):
        # Without the sandbox only the memory limit applies, set in the kernel process.
        resource.setrlimit(resource.RLIMIT_DATA, (self._memory, self._memory))

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if hasattr(km, "notebook") and self._submitted:
            km.notebook = self._submitted
        return km

    def _submitted_notebook(self, resources):
        """The learner's submitted notebook (its copy goes into the kernel's home)."""
        import os

        from nbgrader.coursedir import CourseDirectory

        meta = (resources or {}).get("nbgrader", {})
        if not {"student", "assignment", "notebook"} <= set(meta):
            return ""
        coursedir = CourseDirectory(config=self.config)
        path = os.path.join(coursedir.format_path(coursedir.submitted_directory,
                                                  meta["student"], meta["assignment"]),
                            meta["notebook"] + ".ipynb")
        return path if os.path.isfile(path) else ""

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        if self.notebook_timeout > 0:
            left = max(1, int(self._deadline - time.monotonic() + 0.999))
            timeout = min(timeout, left) if timeout else left
        return timeout

    def preprocess(self, nb, resources=None, km=None):
        """Run every cell as nbgrader's Execute does, within the limits."""
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient

        from .sandbox import SandboxKernelManager, outer

        NotebookClient.__init__(self, nb, km)
        self.kernel_manager_class = SandboxKernelManager if self.sandbox else AsyncKernelManager
        self._memory = SandboxKernelManager(config=self.config).memory_mb * 2 ** 20
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._submitted = self._submitted_notebook(resources)
        self._deadline = time.monotonic() + self.notebook_timeout + 600  # until it is ready
        self._stopped = None
        self._interrupted = None
        self._output_bytes = 0
        self._output_dropped = False
        kwargs = {} if self.sandbox else {"preexec_fn": self._limit_memory,
                                          "env": {**outer.THREADS, **os.environ}}
        with self.setup_kernel(**kwargs):
            provisioner = self.km.provisioner
            info_msg = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            # The notebook's time starts once its kernel answers: starting it is the grader's.
            self._deadline = time.monotonic() + self.notebook_timeout
            for index, cell in enumerate(self.nb.cells):
                self.preprocess_cell(cell, resources, index)
        PEAKS["kernel_kb"] = max(PEAKS.get("kernel_kb", 0), getattr(provisioner, "maxrss_kb", 0))
        self.set_widgets_metadata()
        return self.nb, self.resources

    def process_message(self, msg, cell, cell_index):
        """Keep at most ``max_output_mb`` of outputs: a flood cannot exhaust the grader."""
        if msg.get("msg_type") not in ("status", "execute_input"):
            self._output_bytes += len(str(msg.get("content", "")))
            if self._output_bytes > self.max_output_mb * 2 ** 20:
                if not self._output_dropped:
                    self._output_dropped = True
                    cell.outputs.append(NotebookNode(
                        output_type="stream", name="stdout",
                        text=f"[outputs beyond {self.max_output_mb} MB were dropped]\n"))
                return None
        return super().process_message(msg, cell, cell_index)

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

    async def _async_handle_timeout(self, timeout, cell=None):
        self._interrupted = time.monotonic()  # nbclient interrupts the kernel here
        return await super()._async_handle_timeout(timeout, cell)

    def _responsive(self, grace=5):
        """Whether the kernel, interrupted at a time limit, answers again within ``grace``
        s of the interrupt (nbclient has already waited for its outputs part of that)."""
        from queue import Empty

        from jupyter_core.utils import run_sync

        deadline = (self._interrupted or time.monotonic()) + grace
        msg_id = self.kc.execute("", silent=True, store_history=False)
        get = run_sync(self.kc.shell_channel.get_msg)
        while True:  # (a late reply to the interrupted cell may come first)
            try:  # one last look even when the grace period is over
                msg = get(timeout=max(0.2, deadline - time.monotonic()))
            except Empty:
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True

    def _stop(self, reason):
        """Stop the kernel; the cells left are not run, for ``reason``."""
        from jupyter_core.utils import run_sync

        self._stopped = reason
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - already gone: nothing left to stop
            pass


class JudgeHiddenTests(NbGraderPreprocessor):
    """Decide each graded cell from its hidden values, outside the kernel.

    Every hidden-value message is taken out of the notebook. A graded cell passes only if
    every value the reference solution sent from it arrived and matches (``judge``);
    otherwise it gets an error output with the grader's message first, which nbgrader
    scores 0. Partial credit claimed by a returned value and stderr are dropped from
    graded cells: nothing the kernel prints, displays or hides can raise a score. The
    verdict is kept in the cell's metadata for feedback.
    """

    references_dir = Unicode(refs.FOLDER, help="Folder of the reference values, relative "
                             "to the course root.").tag(config=True)

    def preprocess(self, nb, resources):
        import os

        from nbgrader.coursedir import CourseDirectory

        meta = resources["nbgrader"]
        folder = os.path.join(CourseDirectory(config=self.config).root, self.references_dir)
        self.references = refs.load(folder, meta["assignment"])
        self.notebook = meta["notebook"]
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        received, kept = {}, []
        for out in cell.get("outputs", []):
            data = out.get("data", {}) if out.get("output_type") in ("display_data",
                                                                     "execute_result") else {}
            if channel.MIME not in data:
                kept.append(out)
                continue
            try:
                key, fields = channel.decode(data[channel.MIME])
            except channel.Malformed:
                continue
            received.setdefault(key, []).append(fields)
        cell.outputs = kept
        if not utils.is_grade(cell):
            return cell, resources
        errors = [o for o in kept if o.get("output_type") == "error"]
        raised = judge.error_name(errors[0].get("ename")) if errors else None
        verdict = judge.judge_cell(refs.cell_entries(self.references, self.notebook,
                                                     grade_id(cell)), received, raised)
        cell.outputs = [o for o in kept if o.get("output_type") != "execute_result"
                        and not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        if not verdict.passed:
            cell.outputs.insert(0, _error(HIDDEN_FAILED, "\n".join(verdict.messages)))
        cell.metadata[META] = {"verdict": verdict.to_json(), "error": raised}
        return cell, resources


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


def hide(source):
    """``source`` with each hidden-test region replaced by the note; and whether it had any."""
    new, count = HIDDEN.subn(lambda m: m.group(1) + NOTE, source)
    return new, count > 0


def feedback_text(verdict, error, passed, width=92):
    """What feedback says about one graded cell: the grader's words only, wrapped to fit."""
    import textwrap

    lines = []
    if error:
        lines.append(f"The checks of this part stopped with {error}. Run this part's check "
                     "cell in your notebook to see its message.")
    for c in (verdict or {}).get("checks", []):
        lines.append(("✓ " if c["passed"] else "✗ ") + (c["what"] if c["passed"]
                                                        else c["message"]))
    lines.append("This part passes." if passed else "This part does not pass.")
    # Feedback shows outputs in a box that does not wrap: keep every line inside it.
    return "".join(textwrap.fill(line, width, subsequent_indent="  ") + "\n" for line in lines)


class HiddenTestsFeedback(NbGraderPreprocessor):
    """Feedback that shows no hidden test and no text a kernel produced after hidden code ran.

    nbgrader's feedback shows hidden tests (its issues #917, #1363) and every output. Here
    each hidden-test region becomes a one-line note; each test cell shows only what the
    grader decided (``JudgeHiddenTests``'s verdict: which values passed, how far off the
    others are, the mistake they match); other code cells show no outputs, since they ran
    beside hidden tests and a learner's code could have printed hidden inputs or code.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if not utils.is_grade(cell):
            cell.outputs = []
            return cell, resources
        cell.source, _ = hide(cell.source)
        info = cell.metadata.get(META, {})
        score, points = cell.metadata.nbgrader.get("score"), cell.metadata.nbgrader.get("points")
        passed = score is not None and points is not None and float(score) >= float(points)
        text = feedback_text(info.get("verdict"), info.get("error"), passed)
        cell.outputs = [NotebookNode(output_type="stream", name="stdout" if passed else "stderr",
                                     text=text)]
        return cell, resources
