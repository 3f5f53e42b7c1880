"""Compare a notebook's fresh outputs with its committed ones, numbers within a tolerance.

Long float32 training loops print slightly different digits on different CPUs (other
SIMD paths and BLAS kernels add in another order). nbval compares text exactly; this pytest
plugin (``--nbcompare``, see pyproject.toml) runs nbval's own collector and cells but
compares text so that every number may differ by ``RTOL`` relative to the committed one
or by one unit in its last printed digit, whichever is larger (an integer only by
``RTOL``); words, shapes and everything else must match exactly. The hidden values a
test cell sends the grader may differ as much as the grader allows (their own ``atol``
and ``rtol``), since that is what decides whether they grade the same. A cell whose small
numbers are differences of large ones (a minibatch's cost near the minimum drifts by its
predictions' rounding, not by its own size) states an absolute tolerance for its numbers in
its metadata, ``{"nbcompare": {"atol": ...}}``, with the reason beside it. Each notebook's kernel
runs in the grading sandbox (fast: forked from a zygote) with torch forced onto a CPU path
other than the machine's own (``ATEN_CPU_CAPABILITY``, alternating between ``PATHS``), so
a drift shows here before it shows on another machine.
"""
import hashlib
import json
import os
import re

#: Relative tolerance of a printed number (a drift of float32 sums over thousands of steps).
RTOL = 3e-4
#: The CPU paths of torch's kernels that notebooks are checked on, in turn.
PATHS = ("default", "avx2")

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")


def _ulp(text):
    """One unit in the last printed digit of a number written as ``text``."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (int(exponent or 0) - decimals)


def _is_integer(text):
    return re.fullmatch(r"[-+]?\d+", text) is not None


def numbers_close(got, want, rtol=RTOL, atol=0.0):
    """Whether two texts are equal but for numbers within tolerance (see the module doc)."""
    if got == want:
        return True
    g_parts, w_parts = NUMBER.split(got), NUMBER.split(want)
    g_nums, w_nums = NUMBER.findall(got), NUMBER.findall(want)
    if g_parts != w_parts or len(g_nums) != len(w_nums):
        return False
    for g, w in zip(g_nums, w_nums):
        if g == w:
            continue
        a, b = float(g), float(w)
        # An integer may be a float printed with few digits (`{:.4g}` gives 7266): it may
        # drift by the relative tolerance, never by a unit (a count, an index, a shape).
        ulp = 0.0 if _is_integer(g) and _is_integer(w) else _ulp(w) * 1.0001
        if abs(a - b) > max(rtol * abs(b), ulp, atol):
            return False
    return True


class Tolerant(str):
    """A string that equals another when ``numbers_close`` says so (what nbval compares)."""

    rtol, atol = RTOL, 0.0

    def __eq__(self, other):
        return isinstance(other, str) and numbers_close(str(self), str(other), self.rtol,
                                                        self.atol)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


def cell_atol(cell):
    """The absolute tolerance a cell states for its printed numbers (0 if none)."""
    stated = cell.get("metadata", {}).get("nbcompare", {})
    if "atol" in stated and not stated.get("why"):
        raise ValueError("a cell's nbcompare atol needs its reason ('why') beside it")
    return float(stated.get("atol", 0.0))


def cpu_path(path):
    """The CPU path a notebook is checked on: stable per notebook, alternating between PATHS."""
    digest = hashlib.sha256(os.path.basename(str(path)).encode()).digest()
    return PATHS[digest[0] % len(PATHS)]


def pytest_addoption(parser):
    parser.getgroup("nbval").addoption(
        "--nbcompare", action="store_true",
        help="run notebooks as nbval does, numbers compared within a tolerance, in the "
             "sandbox, on a forced CPU path")


def pytest_collect_file(file_path, parent):
    if parent.config.option.nbcompare and file_path.suffix == ".ipynb":
        return NotebookFile.from_parent(parent, path=file_path)
    return None


def _classes():
    from nbval.kernel import RunningKernel
    from nbval.plugin import IPyNbCell, IPyNbFile

    class SandboxRunningKernel(RunningKernel):
        """nbval's kernel, started in the sandbox."""

        def __init__(self, startup_timeout=60):
            from .sandbox.kernel import SyncSandboxKernelManager

            self.km = SyncSandboxKernelManager(kernel_name="python3")
            self.km.start_kernel()
            self.kc = self.km.client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=startup_timeout)
            self._ensure_iopub_up()

    class NotebookCell(IPyNbCell):
        def sanitize(self, s):
            rtol, atol = RTOL, cell_atol(self.cell)
            if isinstance(s, (dict, list)):  # JSON outputs: the grader's hidden values,
                if isinstance(s, dict):     # within the grader's own tolerance of each
                    rtol = max(RTOL, float(s.get("rtol") or 0))
                    atol = max(atol, float(s.get("atol") or 0))
                s = json.dumps(s, sort_keys=True)
            s = super().sanitize(s)
            if not isinstance(s, str):
                return s
            s = Tolerant(s)
            s.rtol, s.atol = rtol, atol
            return s

    class NotebookFile(IPyNbFile):
        def setup(self):
            old = os.environ.get("ATEN_CPU_CAPABILITY")
            os.environ["ATEN_CPU_CAPABILITY"] = cpu_path(self.path)
            os.environ["PYTHONHASHSEED"] = "0"
            try:
                self.kernel = SandboxRunningKernel(
                    startup_timeout=self.config.option.nbval_kernel_startup_timeout)
            finally:
                if old is None:
                    os.environ.pop("ATEN_CPU_CAPABILITY", None)
                else:
                    os.environ["ATEN_CPU_CAPABILITY"] = old
            self.setup_sanitize_files()

        def collect(self):
            for item in super().collect():
                yield NotebookCell.from_parent(self, name=item.name, cell_num=item.cell_num,
                                               cell=item.cell, options=item.options)

    return NotebookFile


class _Lazy:
    """NotebookFile, built on first use (nbval is imported only when notebooks are tested)."""

    cls = None

    def from_parent(self, parent, **kw):
        if _Lazy.cls is None:
            _Lazy.cls = _classes()
        return _Lazy.cls.from_parent(parent, **kw)


NotebookFile = _Lazy()
