"""judge: a cell passes only on every expected value; messages never leak the reference."""
from torchcourse import judge


def ref(value, key="W", what="W after training", shape=None, kind="tensor", dtype="float",
        **extra):
    return {"key": key, "what": what, "atol": 1e-4, "rtol": 1e-4, "hint": None, "kind": kind,
            "dtype": dtype, "shape": shape if shape is not None else [len(value)],
            "value": value, **extra}


def got(value, kind="tensor", dtype="float", shape=None, **extra):
    return {"kind": kind, "dtype": dtype, "value": value,
            "shape": shape if shape is not None else [len(value)], **extra}


def test_matching_values_pass_and_far_ones_say_how_far_without_the_reference():
    """Within atol + rtol·|ref| passes; a far value: 'off by', its index, the learner's number."""
    r = ref([1.25, -3.5])
    assert judge.check(r, [got([1.25001, -3.5])]).passed
    c = judge.check(r, [got([1.25, -2.0])])
    assert not c.passed and "W after training is off by 1.5 at index (1,)" in c.message
    assert "you have -2" in c.message and "-3.5" not in c.message and "1.25" not in c.message


def test_every_value_must_arrive_and_every_copy_must_match():
    """A missing key fails; a second message with the same key must match too."""
    r = ref([1.0])
    assert not judge.check(r, []).passed
    assert "CheckError" in judge.check(r, [], raised="CheckError").message
    assert not judge.check(r, [got([1.0]), got([2.0])]).passed
    verdict = judge.judge_cell([r, ref([2.0], key="b", what="b")], {"W": [got([1.0])]})
    assert not verdict.passed and len(verdict.messages) == 1
    assert not judge.judge_cell([], {}).passed  # a test cell with nothing to judge never passes


def test_kind_dtype_and_shape_are_part_of_the_contract():
    """A Python float for a tensor, an int tensor for a float one, a list of tensors, a shape."""
    assert "should be a tensor" in judge.check(ref([1.0]), [got(1.0, kind="number", shape=[])
                                                            ]).message
    assert "dtype" in judge.check(ref([1.0]), [got([1], dtype="int")]).message
    assert "dtype" in judge.check(ref([1], dtype="int"), [got([1.0])]).message
    costs = ref([1.0, 0.5], kind="sequence", items=["number"])
    c = judge.check(costs, [got([1.0, 0.5], kind="sequence", items=["tensor"])])
    assert not c.passed and ".item()" in c.message
    assert "shape (2, 1)" in judge.check(ref([1.0, 2.0]), [got([[1.0], [2.0]], shape=[2, 1])
                                                           ]).message
    assert "is a NoneType" in judge.check(ref([1.0]), [{"kind": "NoneType",
                                                        "error": "a NoneType"}]).message


def test_nan_and_inf_are_named():
    """nan where the reference is finite fails with the likely reason."""
    c = judge.check(ref([1.0]), [got([float("nan")])])
    assert not c.passed and "nan or inf" in c.message


def test_a_known_mistake_is_named_only_when_it_matches():
    """The message names the declared mistake whose recorded value the learner's matches."""
    r = ref([2.0], mistakes=[{"why": "sum instead of mean", "value": [6.0]},
                             {"why": "no zero_grad", "value": [9.0]}])
    assert "This is what sum instead of mean gives." in judge.check(r, [got([6.0])]).message
    plain = judge.check(r, [got([5.0])]).message
    assert "sum instead of mean" not in plain and "zero_grad" not in plain
    square = ref([2.0], mistakes=[{"why": "y of shape (n,) broadcast", "value": [1.0, 2.0],
                                   "shape": [2]}])
    assert "broadcast" in judge.check(square, [got([1.0, 2.0])]).message
    assert "broadcast" not in judge.check(square, [got([[1.0], [2.0]], shape=[2, 1])]).message


def test_no_cause_is_guessed_without_evidence():
    """A fixed hint ("likely causes: ...") never reaches a message: only evidence names causes."""
    r = ref([2.0], hint="Likely causes: gradients not zeroed, a + instead of a -.")
    message = judge.check(r, [got([5.0])]).message
    assert "zeroed" not in message and message.endswith("you have 5.")


def test_error_names_are_whitelisted():
    """Only well-known exception names reach feedback."""
    assert judge.error_name("RuntimeError") == "RuntimeError"
    assert judge.error_name("REF=[1.5,2.5]") == "an error"


def test_an_exception_is_named_with_its_reason_never_its_text():
    """expect_call sends 'raised X' and a reason code; the grader words it, text stays home."""
    import json

    import torch

    from torchcourse import channel
    from torchcourse.checks import expect_call

    sent = []
    import IPython.display
    old = IPython.display.display
    IPython.display.display = lambda obj, raw: sent.append(obj[channel.MIME])
    try:
        assert expect_call("k", "W on other data", torch.matmul, torch.zeros(3, 2),
                           torch.zeros(3, 1)) is None
        assert expect_call("j", "twice", lambda x: 2 * x, 3) == 6
    finally:
        IPython.display.display = old
    _, fields = channel.decode(json.loads(json.dumps(sent[0])))
    message = judge.check(ref([1.0]), [fields]).message
    assert "raised RuntimeError: the shapes do not fit a matrix product" in message
    assert "mat1" not in message


def test_the_grader_never_imports_torch():
    """Judging, explaining a raised error included, needs no torch (2-3 s per grader)."""
    import subprocess
    import sys

    code = ("import sys; from torchcourse import judge, preprocessors, worker\n"
            "r = {'key': 'W', 'what': 'W', 'atol': 1e-4, 'rtol': 1e-4, 'hint': None,"
            " 'kind': 'tensor', 'dtype': 'float', 'shape': [1], 'value': [1.0]}\n"
            "g = {'kind': 'error', 'error': 'raised RuntimeError', 'reason': 0}\n"
            "m = judge.check(r, [g]).message\n"
            "assert 'do not fit a matrix product' in m, m\n"
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False", "the grader imported torch"
