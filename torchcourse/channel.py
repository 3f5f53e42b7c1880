"""The wire format of hidden values: what a hidden test sends from the kernel to the grader.

A hidden test calls ``checks.expect(key, value, what, ...)``. That displays one output of
MIME type ``MIME`` whose data is ``encode(...)``: the value as plain JSON numbers with its
kind, dtype and shape. The grader (``judge``) reads these outputs from the executed cell,
outside the kernel, and compares them with the reference values recorded from the
reference solution. Nothing the kernel sends is trusted beyond "this is my value for key":
tolerances, messages and the cell a key belongs to come from the recording.

This module is imported on both sides, so it depends on nothing but the standard library
(and torch, lazily, in ``encode``): the grader never imports torch, not even to explain an
error (``EXPLAIN``).
"""
import json
import math
import re

MIME = "application/vnd.torchcourse.hidden+json"
#: A value of more numbers than this is refused (the grader never holds a huge payload).
MAX_NUMBERS = 20_000
#: Bytes of one message's JSON, at most (payloads beyond are refused by the grader).
MAX_BYTES = 512 * 1024
KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
TYPE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\[\], ]{0,60}$")
ERROR = re.compile(r"^(a [A-Za-z_][A-Za-z0-9_.]{0,60}|too large \(\d{1,12} numbers\)"
                   r"|raised [A-Za-z_][A-Za-z0-9_]{0,60})$")


def _kind(value):
    """The kind of a learner's value: 'tensor', 'number', 'sequence' or the type's name."""
    import torch

    if isinstance(value, torch.Tensor):
        return "tensor"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (list, tuple)):
        return "sequence"
    return type(value).__name__


def _numbers(value):
    """``value`` as nested lists of floats, with its dtype class: (numbers, dtype, items)."""
    import torch

    kind = _kind(value)
    if kind == "tensor":
        dtype = ("float" if value.is_floating_point() else "complex" if value.is_complex()
                 else "bool" if value.dtype == torch.bool else "int")
        if dtype == "complex":
            raise TypeError("a complex tensor")
        return value.detach().cpu().to(torch.float64).tolist(), dtype, None
    if kind == "number":
        return float(value), "float" if isinstance(value, float) else "int", None
    if kind == "sequence":
        items = [_kind(v) for v in value]
        return torch.as_tensor([_numbers(v)[0] for v in value],
                               dtype=torch.float64).tolist(), "float", sorted(set(items))
    raise TypeError(f"a {kind}")


def encode(key, value, what, atol, rtol, hint):
    """The JSON-able message a hidden test sends for ``key`` (never raises on bad values)."""
    msg = {"key": str(key), "what": str(what), "atol": float(atol), "rtol": float(rtol),
           "hint": hint}
    if isinstance(value, BaseException):  # the learner's code raised: say which, and why
        msg.update(kind="error", error=f"raised {type(value).__name__}",
                   reason=reason_code(value))
        return msg
    msg["kind"] = _kind(value)
    try:
        numbers, dtype, items = _numbers(value)
    except (TypeError, ValueError, RuntimeError) as e:
        msg["error"] = str(e) if str(e).startswith("a ") else f"a {msg['kind']}"
        return msg
    if count(numbers) > MAX_NUMBERS:
        msg["error"] = f"too large ({count(numbers)} numbers)"
        return msg
    msg.update(value=numbers, dtype=dtype, shape=shape(numbers))
    if items is not None:
        msg["items"] = items
    return msg


def count(numbers):
    """How many numbers a nested list holds."""
    if isinstance(numbers, list):
        return sum(count(x) for x in numbers)
    return 1


def shape(numbers):
    """The shape of a nested list of numbers (as torch would give it), or None if ragged."""
    if not isinstance(numbers, list):
        return []
    inner = [shape(x) for x in numbers]
    if any(s is None or s != inner[0] for s in inner):
        return None
    return [len(numbers)] + (inner[0] if inner else [])


def flat(numbers):
    """The numbers of a nested list, in order."""
    if isinstance(numbers, list):
        return [x for item in numbers for x in flat(item)]
    return [numbers]


class Malformed(ValueError):
    """A message on the channel that is not what ``encode`` sends."""


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _check_numbers(numbers, depth=0):
    if depth > 8:
        raise Malformed("nested too deeply")
    if isinstance(numbers, list):
        for x in numbers:
            _check_numbers(x, depth + 1)
    elif not _is_number(numbers):
        raise Malformed("holds something that is not a number")


def decode(data):
    """Check a received message (the MIME bundle's data); return (key, fields) or raise."""
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise Malformed("too large")
        try:
            data = json.loads(data)
        except ValueError:
            raise Malformed("not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("key"), str):
        raise Malformed("not a hidden-value message")
    if len(json.dumps(data, allow_nan=True)) > MAX_BYTES:
        raise Malformed("too large")
    key = data["key"]
    if not KEY.match(key):
        raise Malformed("a bad key")
    out = {"kind": data.get("kind") if isinstance(data.get("kind"), str)
           and TYPE_NAME.match(data["kind"]) else "unknown"}
    if "error" in data:
        error = data["error"]
        out["error"] = error if isinstance(error, str) and ERROR.match(error) else "not a number"
        reason = data.get("reason")
        if isinstance(reason, int) and not isinstance(reason, bool) and 0 <= reason < 100:
            out["reason"] = reason
        return key, out
    numbers = data.get("value")
    _check_numbers(numbers)
    if count(numbers) > MAX_NUMBERS:
        raise Malformed("too large")
    out["value"] = numbers
    out["shape"] = shape(numbers)
    out["dtype"] = data.get("dtype") if data.get("dtype") in ("float", "int", "bool") else "?"
    items = data.get("items")
    if isinstance(items, list) and all(isinstance(i, str) and TYPE_NAME.match(i)
                                       for i in items):
        out["items"] = sorted(set(items))[:8]
    return key, out


def finite(x):
    """Whether a received number is finite (JSON carries NaN and Infinity too)."""
    return math.isfinite(x)


#: Raw PyTorch errors and what they usually mean, in the lectures' words.
EXPLAIN = [
    (r"mat1 and mat2 shapes cannot be multiplied|size mismatch",
     "the shapes do not fit a matrix product: (n, k) @ (k, m) needs the same k"),
    (r"The size of tensor a \(\d+\) must match the size of tensor b",
     "two tensors cannot be broadcast together: compare their shapes"),
    (r"does not require grad and does not have a grad_fn",
     "backward() was called on a tensor outside the graph: a .detach(), .item() or "
     "torch.no_grad() came too early, or the weights lack requires_grad=True"),
    (r"Trying to backward through the graph a second time",
     "the graph was used twice: compute the cost again inside the loop, every epoch"),
    (r"expected scalar type|expected .*(Float|Long|Double).* but found|dtype",
     "the tensors have different dtypes: convert with .float() or .long()"),
    (r"a leaf Variable that requires grad is being used in an in-place operation",
     "an in-place update of a weight outside torch.no_grad(): use the optimizer, or update "
     "inside `with torch.no_grad():`"),
    (r"^$", "the function is not answered yet: replace `raise NotImplementedError()`"),
    (r"is not defined", "a name used here is not defined: run the cells above this one, "
     "and check the spelling of the function's name"),
    (r"Dimension out of range", "a dim= that the tensor does not have: count its dims"),
    (r"only one element tensors can be converted",
     ".item() works on a single number only: reduce first (.mean(), .sum())"),
]


def reason_code(error):
    """The index in EXPLAIN of the likely reason for ``error`` (an exception), or None."""
    text = "" if isinstance(error, NotImplementedError) else str(error)
    for i, (pattern, _reason) in enumerate(EXPLAIN):
        if re.search(pattern, text):
            return i
    return None
