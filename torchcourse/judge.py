"""Judge hidden values outside the kernel: compare what a cell sent with the reference values.

``judge_cell(expected, received)`` decides a graded cell: ``expected`` are the entries the
reference solution sent from that cell (``refs``: key, what, tolerances, hint, kind, dtype,
shape, value, and the values of known mistakes), ``received`` the decoded messages the
learner's run sent from it. The cell passes only if every expected key arrived, in the
expected kind, dtype and shape, within ``atol + rtol·|reference|``. Every message is the
grader's own: which value, how far off, the mistake it matches; never a reference value.
"""
import math
from dataclasses import dataclass, field

from . import channel

KINDS = {"tensor": "a tensor", "number": "a Python number", "sequence": "a list",
         "bool": "a bool"}
DTYPES = {"float": "a floating point", "int": "an integer", "bool": "a bool"}


@dataclass
class Check:
    """The outcome for one expected key."""
    key: str
    what: str
    passed: bool
    message: str = ""


@dataclass
class Verdict:
    """The outcome for one graded cell: passed only if every check passed."""
    checks: list = field(default_factory=list)

    @property
    def passed(self):
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def messages(self):
        return [c.message for c in self.checks if not c.passed]

    def to_json(self):
        return {"passed": self.passed, "checks": [vars(c) for c in self.checks]}


def _describe(fields):
    kind = fields.get("kind", "unknown")
    text = KINDS.get(kind, f"a {kind}")
    if kind == "sequence" and fields.get("items"):
        inner = ", ".join(KINDS.get(i, i).removeprefix("a ").removeprefix("an ")
                          for i in fields["items"])
        text += f" of {inner}s"
    return text


def contract(ref, got):
    """Why ``got`` has the wrong kind, dtype or shape for ``ref``, or None."""
    if got.get("error", "").startswith("raised "):
        reason = got.get("reason")
        why = f": {channel.EXPLAIN[reason][1]}" if isinstance(reason, int) and reason < len(
            channel.EXPLAIN) else ""
        return f"could not be computed: your code {got['error']}{why}"
    if got.get("error"):
        return f"should be {_describe(ref)}, but it is {got['error']}"
    if ref.get("kind") != got.get("kind"):
        why = f"should be {_describe(ref)}, but it is {_describe(got)}"
        if ref.get("kind") == "number" and got.get("kind") == "tensor":
            why += " (use .item() for a Python number)"
        return why
    if ref.get("kind") == "sequence" and ref.get("items") and got.get("items") != ref["items"]:
        why = f"should be {_describe(ref)}, but it is {_describe(got)}"
        if ref["items"] == ["number"] and "tensor" in got.get("items", []):
            why += " (append cost.item(), not the tensor with its graph)"
        return why
    if ref.get("kind") == "tensor" and got.get("dtype") != ref.get("dtype"):
        return (f"has {DTYPES.get(got.get('dtype'), 'another')} dtype; expected "
                f"{DTYPES.get(ref.get('dtype'), 'another')} tensor")
    if got.get("shape") is None:
        return "is ragged (its rows have different lengths)"
    if list(ref.get("shape") or []) != list(got.get("shape") or []):
        return f"has shape {tuple(got['shape'])}, expected {tuple(ref.get('shape') or [])}"
    return None


def _close(a, b, atol, rtol):
    if math.isnan(b):
        return math.isnan(a)
    if math.isinf(b) or math.isinf(a):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _index(i, shape):
    idx = []
    for n in reversed(shape):
        idx.append(i % n)
        i //= n
    return tuple(reversed(idx))


def distance(ref, got):
    """(worst index, |error|, learner's number) where ``got`` is furthest out of tolerance."""
    want, have = channel.flat(ref["value"]), channel.flat(got["value"])
    atol, rtol = ref["atol"], ref["rtol"]
    worst, excess = None, -1.0
    for i, (b, a) in enumerate(zip(want, have)):
        if _close(a, b, atol, rtol):
            continue
        over = math.inf if not (math.isfinite(a) and math.isfinite(b)) else (
            abs(a - b) - atol - rtol * abs(b))
        if over > excess:
            worst, excess = i, over
    if worst is None:
        return None
    a, b = have[worst], want[worst]
    return worst, (abs(a - b) if math.isfinite(a) and math.isfinite(b) else math.inf), a


def matches(ref, got, value, shape=None):
    """Whether ``got`` equals ``value`` (of ``shape``, if given) within ``ref``'s tolerance."""
    if got.get("error") or got.get("shape") is None:
        return False
    if shape is not None and list(shape) != list(got["shape"]):
        return False
    want = channel.flat(value)
    have = channel.flat(got["value"])
    return len(want) == len(have) and all(
        _close(a, b, ref["atol"], ref["rtol"]) for a, b in zip(have, want))


def check(ref, received, raised=None):
    """Judge one expected key against every value received for it."""
    what = ref["what"]
    if not received:
        why = (f"this part's checks stopped earlier with {raised}" if raised
               else "no value arrived (the test stopped before it?)")
        return Check(ref["key"], what, False, f"{what}: not checked: {why}.")
    for got in received:
        problem = contract(ref, got)
        if problem is None and not all(math.isfinite(x) for x in channel.flat(got["value"])) \
                and all(math.isfinite(x) for x in channel.flat(ref["value"])):
            problem = ("contains nan or inf (a learning rate too large, or a log/division "
                       "that met 0?)")
        if problem is None:
            far = distance(ref, got)
            if far is None:
                continue
            i, err, have = far
            where = f" at index {_index(i, ref['shape'])}" if ref.get("shape") else ""
            problem = (f"is off by {err:.4g}{where} (tolerance {ref['atol']:g} + "
                       f"{ref['rtol']:g}·|expected|): you have {have:.6g}")
        message = f"{what} {problem}."
        mistake = next((m["why"] for m in ref.get("mistakes", [])
                        if matches(ref, got, m["value"], m.get("shape"))), None)
        if mistake:  # evidence, not a guess: the learner's value is that mistake's value
            message += f" This is what {mistake} gives."
        return Check(ref["key"], what, False, message)
    return Check(ref["key"], what, True)


def judge_cell(expected, received, raised=None):
    """The verdict of one graded cell: ``received`` maps key -> list of decoded messages."""
    verdict = Verdict()
    for ref in expected:
        verdict.checks.append(check(ref, received.get(ref["key"], []), raised))
    if not expected:
        verdict.checks.append(Check("", "this part", False,
                                    "this part has no reference values: run `make build`."))
    return verdict


#: Exception names feedback may show (a kernel's own text never reaches feedback).
ERRORS = {"CheckError", "AssertionError", "NameError", "TypeError", "RuntimeError",
          "ValueError", "IndexError", "KeyError", "AttributeError", "ZeroDivisionError",
          "NotImplementedError", "SyntaxError", "IndentationError", "TabError",
          "CellTimeoutError", "DeadKernelError", "MemoryError", "KeyboardInterrupt",
          "ModuleNotFoundError", "ImportError", "OverflowError", "StopIteration",
          "RecursionError", "UnboundLocalError", "FileNotFoundError", "PermissionError",
          "OSError", "NotRunError"}


def error_name(ename):
    """``ename`` if it is a well-known exception name, else a neutral word."""
    return ename if isinstance(ename, str) and ename in ERRORS else "an error"
