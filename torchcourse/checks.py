"""Self-checks for learners: compare an answer, and say in plain words what is wrong.

Every check raises ``AssertionError`` with a message a learner can act on (which
value, what shape or dtype was expected, how far off, a likely cause) instead of a
bare ``assert``. Nothing is written to stderr: nbgrader zeroes a test cell that
writes to stderr.

``expect`` is what hidden tests call: it sends the learner's value to the grader,
which compares it with the reference value outside the kernel (see ``channel``).

This module is part of the learner-side API: released notebooks import it.
"""
import math

import torch

from . import channel
from .channel import EXPLAIN, reason_code  # noqa: F401  (part of this module's API)


class CheckError(AssertionError):
    """A self-check failed; the message says what is wrong."""


def _fail(message):
    # `from None`: the learner sees our message, not a chain of internals.
    raise CheckError(message) from None


def _as_tensor(value, name):
    """Turn the learner's value into a float tensor, or fail with a clear reason."""
    if isinstance(value, torch.Tensor):
        return value
    if value is None:
        _fail(f"{name} is None. Did you forget a `return` statement?")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return torch.tensor(float(value))
    if isinstance(value, (list, tuple)):
        try:
            return torch.tensor(value, dtype=torch.float32)
        except (TypeError, ValueError):
            pass
    _fail(f"{name} should be a tensor or a number, but it is a "
          f"{type(value).__name__}: {value!r:.80}")


def _shape_hint(actual, expected):
    """A likely cause for a shape mismatch, in the words of the lectures."""
    a, e = tuple(actual), tuple(expected)
    if len(a) == 2 and len(e) == 2 and a[0] == a[1] == e[0] and e[1] == 1:
        return ("A square (n, n) result usually means y of shape (n,) was "
                "broadcast against a prediction of shape (n, 1): keep both (n, 1).")
    if a == e[:1] and e[1:] == (1,):
        return "Keep the column dimension: use shape (n, 1), not (n,)."
    if e == () and a != ():
        return ("Expected a single number: reduce with .mean() (or .sum()) "
                "to a scalar.")
    if a == () and e != ():
        return "Expected one value per example; do not reduce to a scalar."
    return "Check the shapes of your inputs and where you reduce or reshape."


def check_shape(actual, shape, name):
    """Fail unless ``actual`` is a tensor of exactly ``shape``."""
    actual = _as_tensor(actual, name)
    shape = tuple(shape)
    if tuple(actual.shape) != shape:
        _fail(f"{name} has shape {tuple(actual.shape)}, expected {shape}. "
              + _shape_hint(actual.shape, shape))
    return actual


def _same(actual, value, atol, rtol):
    """Whether ``actual`` equals ``value`` (shape and numbers) within the tolerance."""
    try:
        value = torch.as_tensor(value).detach().to(torch.float64)
        actual = torch.as_tensor(actual).detach().to(torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return False
    return actual.shape == value.shape and bool(
        ((actual - value).abs() <= atol + rtol * value.abs()).all())


def check_close(actual, expected, name, atol=1e-4, rtol=1e-4, hint=None,
                show_expected=True, mistakes=None):
    """Fail unless ``actual`` matches ``expected`` in shape, finiteness and value.

    ``mistakes`` maps a typical mistake ("a sum instead of a mean") to the value it gives
    here: when ``actual`` is that value, the message names that mistake — evidence, not a
    guess. ``hint`` is advice true whatever went wrong (never a guessed cause); it is added
    when no mistake matched. ``show_expected=False`` keeps the expected value out.
    """
    for why, value in (mistakes or {}).items():
        if not _same(expected, value, atol, rtol) and _same(actual, value, atol, rtol):
            _fail(f"{name} is what {why} gives.")
    actual = _as_tensor(actual, name)
    expected = _as_tensor(expected, "the expected value").detach().to(torch.float64)
    check_shape(actual, expected.shape, name)
    if actual.is_complex() or actual.dtype == torch.bool:
        _fail(f"{name} has dtype {actual.dtype}; expected a floating point tensor.")
    a = actual.detach().to(torch.float64)
    if not torch.isfinite(a).all():
        _fail(f"{name} contains nan or inf. The learning rate may be too large, "
              "or a log/division met 0.")
    err = (a - expected).abs()
    bound = atol + rtol * expected.abs()
    if bool((err <= bound).all()):
        return
    worst = int((err - bound).flatten().argmax())
    got = a.flatten()[worst].item()
    msg = f"{name} is off by {err.flatten()[worst].item():.4g}"
    if a.dim() > 0:
        index = torch.unravel_index(torch.tensor(worst), a.shape)
        msg += f" at index {tuple(int(i) for i in index)}"
    msg += f" (tolerance {atol:g} + {rtol:g}·|expected|): you have {got:.6g}"
    if show_expected:
        msg += f", expected {expected.flatten()[worst].item():.6g}"
    msg += "."
    if hint:
        msg += " " + hint
    _fail(msg)


def explain(error):
    """The likely reason for ``error`` (an exception), in the lectures' words, or None."""
    code = reason_code(error)
    return None if code is None else EXPLAIN[code][1]


def attempt(what, fn, *args, **kwargs):
    """Call ``fn(*args, **kwargs)``; if it raises, fail saying which call failed and why.

    The message names the call (``what``), the likely reason in the course's words, and
    keeps the original error below it.
    """
    try:
        return fn(*args, **kwargs)
    except CheckError:
        raise
    except Exception as e:  # noqa: BLE001 - every error of the learner's code gets words
        reason = explain(e)
        msg = f"{what} raised {type(e).__name__}"
        msg += f": {reason}." if reason else "."
        _fail(f"{msg}\n    {type(e).__name__}: {str(e)[:300]}")


def check_true(condition, message):
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        _fail(message)


def check_requires_grad(tensor, name):
    """Fail unless ``tensor`` is a leaf that autograd tracks."""
    tensor = _as_tensor(tensor, name)
    if not tensor.requires_grad:
        _fail(f"{name} does not require grad: create it with requires_grad=True.")


def expect(key, actual, what, atol=1e-4, rtol=1e-4, hint=None):
    """Hidden-test check: send ``actual`` for ``key`` to the grader, which judges it.

    Nothing is compared here: the grader compares the value with the one recorded from
    the reference solution, within ``atol + rtol·|reference|``, and its message names
    ``what`` was checked (plus ``hint``), never the reference value or hidden inputs.
    """
    from IPython.display import display

    display({channel.MIME: channel.encode(key, actual, what, atol, rtol, hint)}, raw=True)


def expect_call(key, what, fn, *args, atol=1e-4, rtol=1e-4, **kwargs):
    """Hidden-test check: call ``fn(*args, **kwargs)`` and send its result for ``key``.

    If the call raises, the grader is told which exception and its likely reason (never
    its text) and the test goes on; returns the result, or None after an exception.
    """
    try:
        value = fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the learner's code raised: the grader says so
        expect(key, e, what, atol=atol, rtol=rtol)
        return None
    expect(key, value, what, atol=atol, rtol=rtol)
    return value


def round_sig(value, digits=7):
    """Round a float (or nested list of floats) to ``digits`` significant digits."""
    if isinstance(value, list):
        return [round_sig(v, digits) for v in value]
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))
