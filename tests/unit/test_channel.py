"""channel: what a hidden test sends is plain bounded JSON numbers, checked on arrival."""
import json

import pytest
import torch

from torchcourse import channel


def roundtrip(value, **kw):
    msg = channel.encode("k", value, "what", 1e-4, 1e-4, None)
    return channel.decode(json.loads(json.dumps(msg)))[1]


def test_values_keep_their_kind_dtype_and_shape():
    """Tensors, numbers and lists of numbers arrive as numbers with what they were."""
    t = roundtrip(torch.arange(6).reshape(2, 3))
    assert (t["kind"], t["dtype"], t["shape"], t["value"]) == ("tensor", "int", [2, 3],
                                                              [[0, 1, 2], [3, 4, 5]])
    f = roundtrip(torch.tensor(2.5, dtype=torch.float64))
    assert (f["kind"], f["dtype"], f["shape"]) == ("tensor", "float", [])
    n = roundtrip(3.0)
    assert (n["kind"], n["shape"], n["value"]) == ("number", [], 3.0)
    s = roundtrip([torch.tensor(1.0), torch.tensor(2.0)])
    assert s["kind"] == "sequence" and s["items"] == ["tensor"] and s["value"] == [1.0, 2.0]


def test_values_that_are_not_numbers_arrive_as_a_reason():
    """None, strings and ragged lists are sent as 'what it is', never raising in the kernel."""
    assert roundtrip(None)["error"] == "a NoneType"
    assert roundtrip("1.0")["error"] == "a str"
    assert "error" in roundtrip([[1.0], [1.0, 2.0]])
    assert roundtrip(torch.zeros(30_000))["error"].startswith("too large")


@pytest.mark.parametrize("bad", [
    {"key": "k", "value": "1.0"},                         # not a number
    {"key": "k", "value": [[1.0, "x"]]},                  # a string inside
    {"key": "../x", "value": 1.0},                        # a key that is not a key
    {"value": 1.0},                                       # no key
    {"key": "k", "value": [[[[[[[[[[1.0]]]]]]]]]]},      # nested too deeply
    "[1, 2",                                              # not JSON
    {"key": "k", "value": [0.0] * (channel.MAX_NUMBERS + 1)},
])
def test_malformed_messages_are_refused(bad):
    """Whatever a kernel sends that encode() would not is refused, never trusted."""
    with pytest.raises(channel.Malformed):
        channel.decode(bad)


def test_a_kernel_cannot_smuggle_text_through_kind_or_error():
    """kind and error may only name a type: free text becomes a neutral word."""
    _, f = channel.decode({"key": "k", "kind": "tensor'; <script>", "error": "x" * 500})
    assert f["kind"] == "unknown" and f["error"] == "not a number"
