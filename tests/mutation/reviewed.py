"""Mutation testing of the exercises, reviewed by hand (see torchcourse/mutate.py).

EQUIVALENT: mutants that are the same program in other words, with the reason; they are
not counted. BARS: each part's lowest acceptable kill rate (1.0 unless listed); `make test`
fails when a part falls below its bar.
"""
EQUIVALENT = {
    "00_tensors": {
        "mse:1:9:name-view": ".view(-1) of a tensor of shape (n,) or (n, 1), the only shapes the "
                             "part allows, always works (a size-1 dim never blocks a view) and "
                             "gives the same values as .reshape(-1)",
        "mse:1:29:name-view": ".view(-1) of a tensor of shape (n,) or (n, 1), the only shapes the "
                              "part allows, always works (a size-1 dim never blocks a view) and "
                              "gives the same values as .reshape(-1)",
    },
    "01_autograd": {
        "dz_dw:1:17:const-0": "z = 2w² + 6: the constant changes neither dz/dw nor the last "
                              "operation's grad_fn (AddBackward0), the two values returned",
        "dz_dw:1:17:const-1": "z = 2w² + 4: the constant changes neither dz/dw nor the last "
                              "operation's grad_fn (AddBackward0), the two values returned",
        "grad_of:1:4:name-detach": "w.detach().detach() is already a new tensor object: "
                                   "requires_grad_(True) on it leaves the caller's w as it is, "
                                   "and backward() never writes to the shared values",
        "accumulated_grad:1:7:name-detach": "w.detach().detach() is already a new tensor object: "
                                            "requires_grad_(True) on it leaves the caller's w as "
                                            "it is, and backward() never writes to the shared "
                                            "values",
    },
    "02_linear_regression": {
        "train:6:11:swap-args": "mse(y, y_hat): the squared error is symmetric",
        "train:6:15:swap-args": "hypothesis(W, x, b) is W * x + b, the same product",
    },
    "03_nn_linear": {
        "predict:1:0:drop-with": "the part allows predictions with or without torch.no_grad() "
                                 "(\"you may wrap\"): the same values, the model unchanged",
        "predict:1:5:name-enable_grad": "torch.enable_grad() is the same as no torch.no_grad(), "
                                        "which the part allows: the same values",
        "compute_cost:2:7:swap-args": "F.mse_loss(y.view_as(y_hat), y_hat): the squared error is "
                                      "symmetric, in its value and its gradient",
    },
    "04_multivariable": {
        "train:6:11:swap-args": "F.mse_loss(y, hypothesis(X, W, b)): the squared error is "
                                "symmetric, in its value and its gradient",
        "w_recovered:3:11:swap-args": "F.mse_loss(y, net(X).view_as(y)): the squared error is "
                                      "symmetric, in its value and its gradient",
    },
    "05_nn_module": {
        "train:4:11:swap-args": "F.mse_loss(y, model(X)): the squared error is symmetric, in its "
                                "value and its gradient",
        "quiz_prediction:5:11:swap-args": "F.mse_loss(y, model(X)): the squared error is "
                                          "symmetric, in its value and its gradient",
    },
    "06_minibatch": {
        "train_minibatch:5:15:swap-args": "F.mse_loss(y_batch, model(x_batch)): the squared error "
                                          "is symmetric, in its value and its gradient",
        "epoch_costs:1:7:name-view": ".view of the fresh, contiguous torch.tensor(batch_costs) is "
                                     "the same as .reshape",
        "last_epoch_cost:9:15:swap-args": "F.mse_loss(y_batch, model(x_batch)): the squared error "
                                          "is symmetric, in its value and its gradient",
    },
    "07_logistic_regression": {
        "accuracy:1:8:name-long": "(probs >= 0.5).long() == y compares 0/1 integers with 0./1. "
                                  "floats: the same matches, and the result is .float()ed next",
        "predict:1:0:drop-with": "a comparison (model(X) >= 0) has no grad_fn: without "
                                 "torch.no_grad() the same 0/1 floats, no graph, the model "
                                 "unchanged",
        "predict:1:5:name-enable_grad": "torch.enable_grad() is the same as no torch.no_grad() "
                                        "here: the comparison's 0/1 floats carry no graph "
                                        "either way",
    },
    "08_softmax_regression": {
        "predict_classes:1:0:drop-with": "argmax gives integer indices, which carry no gradient: "
                                         "the classes are the same without torch.no_grad()",
        "predict_classes:1:5:name-enable_grad": "argmax gives integer indices, which carry no "
                                                "gradient: the same classes with grad enabled",
        "train_acc:1:0:drop-with": ".item() gives a Python float, which carries no graph: the "
                                   "fraction is the same without torch.no_grad()",
        "train_acc:1:5:name-enable_grad": ".item() gives a Python float, which carries no graph: "
                                          "the same fraction with grad enabled",
    },
    "09_digits": {
        "confusion_matrix:2:7:name-view": ".view of the fresh, contiguous tensor torch.bincount "
                                          "returns is the same as .reshape",
    },
}
BARS = {}
