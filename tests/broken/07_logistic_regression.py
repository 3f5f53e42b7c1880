"""Typical mistakes in assignment 07, several per graded part; each must cost exactly its part.

The build records the values each mistake sends, so the grader can say "This is what {why}
gives." when a learner's value is one of them: `why` completes that sentence.
"""
from torchcourse.submissions import Broken

_TRAIN = '''
def train_logistic(model, X, y, lr, num_epochs):
{before}    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr={lr})
    costs = []
    for _epoch in range({epochs}):
        cost = criterion({logits}, {y})
{body}
    return {result}
'''
_STEP = '''        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())'''


def _train(before="", lr="lr", epochs="num_epochs", logits="model(X)", y="y", body=_STEP,
           result="costs"):
    return _TRAIN.format(before=before, lr=lr, epochs=epochs, logits=logits, y=y, body=body,
                         result=result)


def _x2(result):
    return f"""
def x2_boundary(W, b, x1):
    return {result}
"""


BROKEN = [
    # Part 1: sigmoid
    Broken("sigmoid", why="exp(z) instead of exp(−z)",
           says="is what exp(z) instead of exp(−z) gives", code='''
def sigmoid(z):
    return 1 / (1 + torch.exp(z))
'''),
    Broken("sigmoid", why="exp(z) / (1 + exp(z)), which is nan above z = 88",
           says="inf / inf is nan", code='''
def sigmoid(z):
    return torch.exp(z) / (1 + torch.exp(z))
'''),
    Broken("sigmoid", why="z *= -1, which changes the caller's z in place",
           says="changed its argument z in place", code='''
def sigmoid(z):
    z *= -1
    return 1 / (1 + torch.exp(z))
'''),
    # Part 2: bce
    Broken("bce", why="a missing minus sign", says="is what a missing minus sign gives", code='''
def bce(p, y):
    return (y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100)).mean()
'''),
    Broken("bce", why="a log of 0 without the clamp at −100", says="exactly 0 or 1", code='''
def bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
'''),
    Broken("bce", why="a sum instead of a mean", says="is what a sum instead of a mean gives",
           code='''
def bce(p, y):
    return -(y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100)).sum()
'''),
    Broken("bce", why="log(1 − p) for y = 1 and log(p) for y = 0 (the two terms swapped)",
           says="the two terms swapped", code='''
def bce(p, y):
    return -(y * torch.log(1 - p).clamp(min=-100) + (1 - y) * torch.log(p).clamp(min=-100)).mean()
'''),
    Broken("bce", why="clamping p to [1e-7, 1 − 1e-7] instead of each log at −100",
           says="instead of each log at −100 gives", code='''
def bce(p, y):
    p = p.clamp(1e-7, 1 - 1e-7)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
'''),
    Broken("bce", why="p.clamp_(...), which changes the caller's p in place",
           says="changed its arguments in place", code='''
def bce(p, y):
    p.clamp_(1e-7, 1 - 1e-7)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
'''),
    Broken("bce", why="no mean: one cost per example", says="Expected a single number", code='''
def bce(p, y):
    return -(y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100))
'''),
    Broken("bce", why="cost.item(), a Python number, instead of the tensor",
           says="should be a 0-dim tensor, but it is a float", code='''
def bce(p, y):
    cost = -(y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100)).mean()
    return cost.item()
'''),
    # Part 3: bce_with_logits
    Broken("bce_with_logits",
           why="F.binary_cross_entropy of sigmoid(z), capped at 100 where the sigmoid saturates",
           says="capped at 100 where the sigmoid saturates gives", code='''
def bce_with_logits(z, y):
    return F.binary_cross_entropy(torch.sigmoid(z), y)
'''),
    Broken("bce_with_logits", why="the log of a saturated sigmoid", says="is nan or inf for large |z|",
           code='''
def bce_with_logits(z, y):
    p = torch.sigmoid(z)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
'''),
    Broken("bce_with_logits", why="log(1 + exp(−z)) without the absolute value",
           says="is what log(1 + exp(−z)) without the absolute value gives", code='''
def bce_with_logits(z, y):
    return (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z))).mean()
'''),
    Broken("bce_with_logits", why="no max(z, 0) term", says="is what no max(z, 0) term gives",
           code='''
def bce_with_logits(z, y):
    return (-z * y + torch.log1p(torch.exp(-z.abs()))).mean()
'''),
    Broken("bce_with_logits", why="+ z·y instead of − z·y", says="is what + z·y instead of − z·y gives",
           code='''
def bce_with_logits(z, y):
    return (z.clamp(min=0) + z * y + torch.log1p(torch.exp(-z.abs()))).mean()
'''),
    Broken("bce_with_logits", why="a sum instead of a mean", says="is what a sum instead of a mean gives",
           code='''
def bce_with_logits(z, y):
    return (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).sum()
'''),
    Broken("bce_with_logits", why="the largest z of all (z.max()) instead of max(z, 0) per example",
           says="bce_with_logits(z, y) is off by", code='''
def bce_with_logits(z, y):
    return (z.max().clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean()
'''),
    Broken("bce_with_logits", why="cost.item(), a Python number, instead of the tensor",
           says="should be a 0-dim tensor, but it is a float", code='''
def bce_with_logits(z, y):
    return (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean().item()
'''),
    # Part 4: accuracy
    Broken("accuracy", why="comparing the probabilities with the labels, without a threshold",
           says="without a threshold gives", code='''
def accuracy(probs, y):
    return (probs == y).float().mean().item()
'''),
    Broken("accuracy", why="predictions of shape (n,) against y of shape (n, 1), an (n, n) table",
           says="an (n, n) table gives", code='''
def accuracy(probs, y):
    return ((probs >= 0.5).float().squeeze() == y).float().mean().item()
'''),
    Broken("accuracy", why="a percentage instead of a fraction",
           says="is what a percentage instead of a fraction gives", code='''
def accuracy(probs, y):
    return 100 * ((probs >= 0.5).float() == y).float().mean().item()
'''),
    Broken("accuracy", why="probs > 0.5 (or round(), which sends 0.5 to 0) instead of probs >= 0.5",
           says="where two probabilities are exactly 0.5 is what probs > 0.5", code='''
def accuracy(probs, y):
    return ((probs > 0.5).float() == y).float().mean().item()
'''),
    Broken("accuracy", why="the number of correct predictions instead of their fraction",
           says="instead of their fraction gives", code='''
def accuracy(probs, y):
    return ((probs >= 0.5).float() == y).float().sum().item()
'''),
    Broken("accuracy", why="the mean of a bool tensor (no .float())", says="raised RuntimeError",
           code='''
def accuracy(probs, y):
    return ((probs >= 0.5).float() == y).mean().item()
'''),
    Broken("accuracy", why="overwriting probs in place with the 0/1 predictions",
           says="changed its arguments in place", code='''
def accuracy(probs, y):
    probs[probs >= 0.5] = 1.0
    probs[probs < 0.5] = 0.0
    return (probs == y).float().mean().item()
'''),
    Broken("accuracy", why="the first check's answer typed in",
           says="is what the first check's answer typed in gives", code='''
def accuracy(probs, y):
    return 0.8
'''),
    # Part 5: predict
    Broken("predict", why="a threshold at 0.5 on the logits",
           says="is what a threshold at 0.5 on the logits gives", code='''
def predict(model, X):
    with torch.no_grad():
        return (model(X) >= 0.5).float()
'''),
    Broken("predict", why="probabilities instead of 0/1 predictions",
           says="is what probabilities instead of 0/1 predictions gives", code='''
def predict(model, X):
    with torch.no_grad():
        return torch.sigmoid(model(X))
'''),
    Broken("predict", why="model(X) > 0 instead of model(X) >= 0",
           says="is what model(X) > 0 instead of model(X) >= 0 gives", code='''
def predict(model, X):
    with torch.no_grad():
        return (model(X) > 0).float()
'''),
    Broken("predict", why="0/1 of dtype bool or long instead of floats 0.0/1.0", says="dtype torch.bool",
           code='''
def predict(model, X):
    with torch.no_grad():
        return model(X) >= 0
'''),
    Broken("predict", why="0/1 of dtype bool or long instead of floats 0.0/1.0",
           says="return floats 0.0/1.0", code='''
def predict(model, X):
    with torch.no_grad():
        return (model(X) >= 0).long()
'''),
    Broken("predict", why="a flat (n,) tensor instead of shape (n, 1)",
           says="has shape (6,), expected (6, 1)", code='''
def predict(model, X):
    with torch.no_grad():
        return (model(X) >= 0).float().reshape(-1)
'''),
    Broken("predict", why="the global x_train instead of X", says="has shape (6, 1), expected (4, 1)",
           code='''
def predict(model, X):
    with torch.no_grad():
        return (model(x_train) >= 0).float()
'''),
    Broken("predict", why="probabilities thresholded at 0 (every prediction is 1)",
           says="thresholded at 0 (every prediction is 1) gives", code='''
def predict(model, X):
    with torch.no_grad():
        return (torch.sigmoid(model(X)) >= 0).float()
'''),
    # Part 6: train_logistic
    Broken("train_logistic", why="a sigmoid applied twice (sigmoid of the logits fed to "
           "BCEWithLogitsLoss)", says="is what a sigmoid applied twice",
           code=_train(logits="torch.sigmoid(model(X))")),
    Broken("train_logistic", why="no optimizer.zero_grad() (the gradients accumulate)",
           says="the gradients accumulate) gives", code=_train(body='''        cost.backward()
        optimizer.step()
        costs.append(cost.item())''')),
    Broken("train_logistic", why="leaving the caller's model untrained",
           says="is unchanged after train_logistic",
           code=_train(before="    model = copy.deepcopy(model)\n")),
    Broken("train_logistic", why="optimizer.step() before cost.backward()",
           says="is what optimizer.step() before cost.backward() gives", code=_train(body='''        optimizer.step()
        optimizer.zero_grad()
        cost.backward()
        costs.append(cost.item())''')),
    Broken("train_logistic", why="range(num_epochs + 1): one epoch too many",
           says="not range(num_epochs + 1)", code=_train(epochs="num_epochs + 1")),
    Broken("train_logistic", why="tensors instead of a list of Python floats (cost.item())",
           says="append cost.item()", code=_train(body='''        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost)''')),
    Broken("train_logistic", why="the lecture's lr = 1 instead of the argument lr",
           says="is what the lecture's lr = 1 instead of the argument lr gives", code=_train(lr="1")),
    Broken("train_logistic", why="the global x_train, y_train instead of the arguments X, y",
           says="instead of the arguments X, y gives",
           code=_train(logits="model(x_train)", y="y_train")),
    # Part 7: x2_boundary
    Broken("x2_boundary", why="a sign error when solving for x₂",
           says="is what a sign error when solving for x₂ gives",
           code=_x2("(b + W[0, 0] * x1) / W[0, 1]")),
    Broken("x2_boundary", why="w₁ and w₂ swapped", says="is what w₁ and w₂ swapped gives",
           code=_x2("-(b + W[0, 1] * x1) / W[0, 0]")),
    Broken("x2_boundary", why="forgetting the bias b", says="is what forgetting the bias b gives",
           code=_x2("-(W[0, 0] * x1) / W[0, 1]")),
    Broken("x2_boundary", why="multiplying by w₂ instead of dividing",
           says="is what multiplying by w₂ instead of dividing gives",
           code=_x2("-(b + W[0, 0] * x1) * W[0, 1]")),
    Broken("x2_boundary", why="the lecture's weights (W_six, b_six or their printed numbers) instead "
           "of the arguments W and b",
           says="instead of the arguments W and b gives",
           code=_x2("-(b_six + W_six[0, 0] * x1) / W_six[0, 1]")),
    Broken("x2_boundary", why="the lecture's weights (W_six, b_six or their printed numbers) instead "
           "of the arguments W and b",
           says="of other weights is off by",
           code=_x2("-(-14.4798 + 3.2525 * x1) / 1.5176")),
]
