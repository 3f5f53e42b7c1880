"""Typical mistakes in assignment 08, several per graded part; each must cost exactly its part.

The build records the values each mistake sends, so the grader can say "This is what {why}
gives." when a learner's value is one of them: `why` completes that sentence.
"""
from torchcourse.submissions import Broken

_TRAIN = '''
def train_softmax(model, X, y, lr, num_epochs):
{before}    optimizer = torch.optim.SGD(model.parameters(), lr={lr})
    costs = []
    for _epoch in range({epochs}):
        cost = {cost}
{body}
    return {result}
'''
_STEP = '''        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())'''


def _train(before="", lr="lr", epochs="num_epochs", cost="F.cross_entropy(model(X), y)",
           body=_STEP, result="costs"):
    return _TRAIN.format(before=before, lr=lr, epochs=epochs, cost=cost, body=body,
                         result=result)


_CE = '''
def cross_entropy(logits, y):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_p = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    return {result}
'''


def _ce(result):
    return _CE.format(result=result)


def _acc(result):
    return f'''
def train_acc(model, X, y):
    with torch.no_grad():
        return {result}
'''


BROKEN = [
    # Part 1: softmax
    Broken("softmax", why="a softmax over the wrong dim (dim=0)",
           says="is what a softmax over the wrong dim (dim=0) gives", code='''
def softmax(z):
    e = torch.exp(z - z.max(dim=0, keepdim=True).values)
    return e / e.sum(dim=0, keepdim=True)
'''),
    Broken("softmax", why="no max-subtraction, so exp overflows", says="inf / inf is nan", code='''
def softmax(z):
    e = torch.exp(z)
    return e / e.sum(dim=1, keepdim=True)
'''),
    Broken("softmax", why="subtracting the max of the whole tensor, not of each row",
           says="one number for the whole tensor", code='''
def softmax(z):
    e = torch.exp(z - z.max())
    return e / e.sum(dim=1, keepdim=True)
'''),
    Broken("softmax", why="the row max without keepdim=True", says="raised RuntimeError", code='''
def softmax(z):
    e = torch.exp(z - z.max(dim=1).values)
    return e / e.sum(dim=1, keepdim=True)
'''),
    Broken("softmax", why="the row sum without keepdim=True", says="raised RuntimeError", code='''
def softmax(z):
    e = torch.exp(z - z.max(dim=1, keepdim=True).values)
    return e / e.sum(dim=1)
'''),
    Broken("softmax", why="a division by the sum over the whole tensor instead of each row",
           says="softmax(z) is off by", code='''
def softmax(z):
    e = torch.exp(z - z.max(dim=1, keepdim=True).values)
    return e / e.sum()
'''),
    Broken("softmax", why="the row's min instead of its max", says="softmax(z_big) is nan or inf",
           code='''
def softmax(z):
    e = torch.exp(z - z.min(dim=1, keepdim=True).values)
    return e / e.sum(dim=1, keepdim=True)
'''),
    Broken("softmax", why="z -= max, which changes the caller's z in place",
           says="changed its argument z in place", code='''
def softmax(z):
    z -= z.max(dim=1, keepdim=True).values
    e = torch.exp(z)
    return e / e.sum(dim=1, keepdim=True)
'''),
    # Part 2: one_hot
    Broken("one_hot", why="0/1 of an integer or bool dtype instead of floats",
           says="must be floats", code='''
def one_hot(y, k):
    return F.one_hot(y, k)
'''),
    Broken("one_hot", why="k guessed from the labels (y.max() + 1) instead of the argument k",
           says="take the number of columns from k", code='''
def one_hot(y, k):
    return F.one_hot(y).float()
'''),
    Broken("one_hot", why="y.unsqueeze_(1), which changes the caller's y in place",
           says="changed its argument y in place", code='''
def one_hot(y, k):
    return torch.zeros(len(y), k).scatter_(1, y.unsqueeze_(1), 1.0)
'''),
    # Part 3: cross_entropy
    Broken("cross_entropy", why="the log of the softmax (log 0 = −inf for large logits)",
           says="log 0 is −inf", code='''
def cross_entropy(logits, y):
    p = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
    return -(one_hot(y, logits.shape[1]) * torch.log(p)).sum(dim=1).mean()
'''),
    Broken("cross_entropy", why="a sum over the examples instead of the mean",
           says="is what a sum over the examples instead of the mean gives",
           code=_ce("-(one_hot(y, logits.shape[1]) * log_p).sum()")),
    Broken("cross_entropy", why="a missing minus sign", says="is what a missing minus sign gives",
           code=_ce("(one_hot(y, logits.shape[1]) * log_p).sum(dim=1).mean()")),
    Broken("cross_entropy",
           why="log_p[:, y], an (n, n) table, instead of the log p of each example's own class",
           says="an (n, n) table", code=_ce("-log_p[:, y].mean()")),
    Broken("cross_entropy", why="the log-softmax over dim=0 (the examples)",
           says="is what the log-softmax over dim=0 (the examples) gives", code='''
def cross_entropy(logits, y):
    shifted = logits - logits.max(dim=0, keepdim=True).values
    log_p = shifted - torch.log(torch.exp(shifted).sum(dim=0, keepdim=True))
    return -(one_hot(y, logits.shape[1]) * log_p).sum(dim=1).mean()
'''),
    Broken("cross_entropy", why="k taken from the labels (F.one_hot(y)) instead of logits.shape[1]",
           says="raised RuntimeError", code=_ce("-(F.one_hot(y).float() * log_p).sum(dim=1).mean()")),
    Broken("cross_entropy", why="cost.item(), a Python number, instead of the tensor",
           says="should be a 0-dim tensor, but it is a float",
           code=_ce("-(one_hot(y, logits.shape[1]) * log_p).sum(dim=1).mean().item()")),
    Broken("cross_entropy", why="logits -= max, which changes the caller's logits in place",
           says="changed its arguments in place", code='''
def cross_entropy(logits, y):
    logits -= logits.max(dim=1, keepdim=True).values
    log_p = logits - torch.log(torch.exp(logits).sum(dim=1, keepdim=True))
    return -(one_hot(y, logits.shape[1]) * log_p).sum(dim=1).mean()
'''),
    # Part 4: train_softmax
    Broken("train_softmax", why="a double softmax (probabilities fed to F.cross_entropy)",
           says="is what a double softmax", code=_train(cost="F.cross_entropy(F.softmax(model(X), dim=1), y)")),
    Broken("train_softmax", why="no optimizer.zero_grad() (the gradients accumulate)",
           says="the gradients accumulate) gives", code=_train(body='''        cost.backward()
        optimizer.step()
        costs.append(cost.item())''')),
    Broken("train_softmax", why="leaving the caller's model untrained",
           says="is unchanged after train_softmax",
           code=_train(before="    model = copy.deepcopy(model)\n")),
    Broken("train_softmax", why="each cost measured after its update",
           says="the first cost is off by", code=_train(body='''        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        with torch.no_grad():
            costs.append(F.cross_entropy(model(X), y).item())''')),
    Broken("train_softmax", why="range(num_epochs + 1): one epoch too many",
           says="not range(num_epochs + 1)", code=_train(epochs="num_epochs + 1")),
    Broken("train_softmax", why="tensors instead of a list of Python floats (cost.item())",
           says="append cost.item()", code=_train(body='''        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost)''')),
    Broken("train_softmax", why="the lecture's lr = 0.1 instead of the argument lr",
           says="is what the lecture's lr = 0.1 instead of the argument lr gives", code=_train(lr="0.1")),
    Broken("train_softmax", why="the global X_train, y_train instead of the arguments X, y",
           says="instead of the arguments X, y gives",
           code=_train(cost="F.cross_entropy(model(X_train), y_train)")),
    # Part 5: predict_classes
    Broken("predict_classes", why="an argmax over the wrong dim (dim=0)", says="(dim=0)", code='''
def predict_classes(model, X):
    with torch.no_grad():
        return model(X).argmax(dim=0)
'''),
    Broken("predict_classes", why="the largest logit instead of its index", says="return class indices",
           code='''
def predict_classes(model, X):
    with torch.no_grad():
        return model(X).max(dim=1).values
'''),
    Broken("predict_classes", why="an argmax without dim= (one index over all the logits)",
           says="do not reduce to a scalar", code='''
def predict_classes(model, X):
    with torch.no_grad():
        return model(X).argmax()
'''),
    Broken("predict_classes", why="argmax(dim=1, keepdim=True), of shape (n, 1)",
           says="has shape (150, 1), expected (150,)", code='''
def predict_classes(model, X):
    with torch.no_grad():
        return model(X).argmax(dim=1, keepdim=True)
'''),
    Broken("predict_classes", why="float class indices instead of torch.long",
           says="return class indices (torch.long)", code='''
def predict_classes(model, X):
    with torch.no_grad():
        return model(X).argmax(dim=1).float()
'''),
    Broken("predict_classes", why="the argmin instead of the argmax",
           says="is what the argmin instead of the argmax gives", code='''
def predict_classes(model, X):
    with torch.no_grad():
        return model(X).argmin(dim=1)
'''),
    Broken("predict_classes", why="the global X_train instead of X", says="has shape (150,), expected (8,)",
           code='''
def predict_classes(model, X):
    with torch.no_grad():
        return model(X_train).argmax(dim=1)
'''),
    # Part 6: train_acc
    Broken("train_acc", why="a percentage instead of a fraction",
           says="is what a percentage instead of a fraction gives",
           code=_acc("100 * (model(X).argmax(dim=1) == y).float().mean().item()")),
    Broken("train_acc", why="the number of correct predictions instead of their fraction",
           says="instead of their fraction gives",
           code=_acc("(model(X).argmax(dim=1) == y).float().sum().item()")),
    Broken("train_acc", why="the fraction of wrong predictions",
           says="is what the fraction of wrong predictions gives",
           code=_acc("(model(X).argmax(dim=1) != y).float().mean().item()")),
    Broken("train_acc", why="comparing y with something other than the predicted classes (the "
           "largest logits themselves, or an argmax without dim=)", says="or an argmax without dim=) gives",
           code=_acc("(model(X).max(dim=1).values == y).float().mean().item()")),
    Broken("train_acc", why="an argmax over the wrong dim (dim=0)", says="raised RuntimeError",
           code=_acc("(model(X).argmax(dim=0) == y).float().mean().item()")),
    Broken("train_acc", why="the mean of a bool tensor (no .float())", says="raised RuntimeError",
           code=_acc("(model(X).argmax(dim=1) == y).mean().item()")),
    Broken("train_acc", why="the lecture's accuracy (model_blobs on X_train, or its printed number) instead of "
           "the arguments",
           says="instead of the arguments gives",
           code=_acc("(model_blobs(X_train).argmax(dim=1) == y_train).float().mean().item()")),
    Broken("train_acc", why="the lecture's accuracy (model_blobs on X_train, or its printed number) instead of "
           "the arguments", says="instead of the arguments gives", code=_acc("0.9933")),
]
