"""Mutation testing of the exercises, reviewed by hand (see torchcourse/mutate.py).

EQUIVALENT: mutants that are the same program in other words, with the reason; they are
not counted. BARS: each part's lowest acceptable kill rate (1.0 unless listed); `make test`
fails when a part falls below its bar.
"""
EQUIVALENT = {
    "02_linear_regression": {
        "train:6:11:swap-args": "mse(y, y_hat): the squared error is symmetric",
        "train:6:15:swap-args": "hypothesis(W, x, b) is W * x + b, the same product",
    },
}
BARS = {}
