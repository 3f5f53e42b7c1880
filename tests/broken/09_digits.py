"""Typical mistakes in assignment 09, several per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

_EVALUATE = '''
def evaluate(model, X, y):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(X)
        cost = F.cross_entropy(logits, y).item()
        accuracy = {accuracy}
    model.train(was_training)
    return cost, accuracy
'''

_TRAIN_EPOCH = '''
def train_epoch(model, loader, optimizer):
    model.train()
    costs = []
    for X_batch, y_batch in loader:
        cost = F.cross_entropy(model(X_batch), y_batch)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return {result}
'''

_FIT = '''
def fit(model, X_train, y_train, X_val, y_val, lr, num_epochs, batch_size, generator):
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True,
                        {generator})
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = {{"train": [], "val": []}}
    best_cost, best_state = float("inf"), None
    for _epoch in range({epochs}):
        history["train"].append(train_epoch(model, loader, optimizer))
        val_cost, _accuracy = evaluate(model, X_val, y_val)
        history["val"].append(val_cost)
        if {cost} < best_cost:
            best_cost, best_state = {cost}, {state}
    {end}return best_state, history
'''


def _fit(generator="generator=generator", epochs="num_epochs", cost="val_cost",
         state="copy.deepcopy(model.state_dict())", end=""):
    return _FIT.format(generator=generator, epochs=epochs, cost=cost, state=state, end=end)


BROKEN = [
    # Part 1: split_indices
    Broken("split_indices", why="no shuffle: cuts torch.arange(n)", says="not shuffled", code='''
def split_indices(n, fractions, generator):
    perm = torch.arange(n)
    sizes = [int(fraction * n) for fraction in fractions[:-1]]
    sizes.append(n - sum(sizes))
    return list(torch.split(perm, sizes))
'''),
    Broken("split_indices", why="ignores the generator: shuffles with the global random state",
           says="with the generator passed in", code='''
def split_indices(n, fractions, generator):
    perm = torch.randperm(n)
    sizes = [int(fraction * n) for fraction in fractions[:-1]]
    sizes.append(n - sum(sizes))
    return list(torch.split(perm, sizes))
'''),
    Broken("split_indices", why="int(fraction * n) for the last part too: loses examples",
           says="the last part must take all the rest", code='''
def split_indices(n, fractions, generator):
    perm = torch.randperm(n, generator=generator)
    sizes = [int(fraction * n) for fraction in fractions]
    return list(torch.split(perm, sizes + [n - sum(sizes)]))[:len(fractions)]
'''),
    Broken("split_indices", why="one permutation per part: parts overlap",
           says="some index appears twice", code='''
def split_indices(n, fractions, generator):
    sizes = [int(fraction * n) for fraction in fractions[:-1]]
    sizes.append(n - sum(sizes))
    return [torch.randperm(n, generator=generator)[:size] for size in sizes]
'''),
    Broken("split_indices", why="round() instead of int(): sizes off by one",
           says="int rounds down", code='''
def split_indices(n, fractions, generator):
    perm = torch.randperm(n, generator=generator)
    sizes = [round(fraction * n) for fraction in fractions[:-1]]
    sizes.append(n - sum(sizes))
    return list(torch.split(perm, sizes))
'''),
    Broken("split_indices", why="hard-codes the lecture's sizes 1078, 359, 360",
           says="split_indices(50, (0.7, 0.15, 0.15), generator) has sizes", code='''
def split_indices(n, fractions, generator):
    perm = torch.randperm(n, generator=generator)
    return [perm[:1078], perm[1078:1437], perm[1437:]]
'''),
    # Part 2: standardize
    Broken("standardize", why="statistics of all the data (training and other together)",
           says="statistics of ALL the data", code='''
def standardize(X_train, X_other):
    X_all = torch.cat([X_train, X_other])
    mean, std = X_all.mean(dim=0), X_all.std(dim=0)
    std = torch.where(std == 0, torch.ones_like(std), std)
    return (X_train - mean) / std, (X_other - mean) / std
'''),
    Broken("standardize", why="the test data standardized with their own statistics",
           says="its OWN statistics", code='''
def standardize(X_train, X_other):
    def scale(X):
        std = X.std(dim=0)
        return (X - X.mean(dim=0)) / torch.where(std == 0, torch.ones_like(std), std)
    return scale(X_train), scale(X_other)
'''),
    Broken("standardize", why="divides by a std of 0: nan for constant pixels",
           says="0 / 0 is nan", code='''
def standardize(X_train, X_other):
    mean, std = X_train.mean(dim=0), X_train.std(dim=0)
    return (X_train - mean) / std, (X_other - mean) / std
'''),
    Broken("standardize", why="a tiny epsilon instead of replacing a std of 0 by 1",
           says="a tiny epsilon instead of 1", code='''
def standardize(X_train, X_other):
    mean, std = X_train.mean(dim=0), X_train.std(dim=0)
    return (X_train - mean) / (std + 1e-8), (X_other - mean) / (std + 1e-8)
'''),
    Broken("standardize", why="statistics per example (dim=1) instead of per pixel", says="dim=0",
           code='''
def standardize(X_train, X_other):
    mean, std = X_train.mean(dim=1, keepdim=True), X_train.std(dim=1, keepdim=True)
    other_mean, other_std = X_other.mean(dim=1, keepdim=True), X_other.std(dim=1, keepdim=True)
    return (X_train - mean) / std, (X_other - other_mean) / other_std
'''),
    Broken("standardize", why="changes X_train in place", says="changed its arguments in place",
           code='''
def standardize(X_train, X_other):
    mean, std = X_train.mean(dim=0), X_train.std(dim=0)
    std = torch.where(std == 0, torch.ones_like(std), std)
    X_train -= mean
    X_train /= std
    return X_train, (X_other - mean) / std
'''),
    # Part 3: evaluate
    Broken("evaluate", why="forgets model.eval(): dropout stays on", says="call model.eval()",
           code='''
def evaluate(model, X, y):
    with torch.no_grad():
        logits = model(X)
        cost = F.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    return cost, accuracy
'''),
    Broken("evaluate", why="forgets torch.no_grad()", says="torch.no_grad()", code='''
def evaluate(model, X, y):
    was_training = model.training
    model.eval()
    logits = model(X)
    cost = F.cross_entropy(logits, y).item()
    accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    model.train(was_training)
    return cost, accuracy
'''),
    Broken("evaluate", why="leaves the model in evaluation mode", says="model.train(was_training)",
           code='''
def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        cost = F.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    return cost, accuracy
'''),
    Broken("evaluate", why="switches to training mode unconditionally at the end",
           says="do not switch to training mode unconditionally", code='''
def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        cost = F.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    model.train()
    return cost, accuracy
'''),
    Broken("evaluate", why="accuracy with argmax over the wrong dim (dim=0)", says="wrong dim",
           code=_EVALUATE.format(accuracy="(logits.argmax(dim=0) == y).float().mean().item()")),
    Broken("evaluate", why="accuracy with argmax without dim (over all numbers)",
           says="not over all numbers",
           code=_EVALUATE.format(accuracy="(logits.argmax() == y).float().mean().item()")),
    Broken("evaluate", why="accuracy on the max logit instead of its index",
           says="never the max value itself",
           code=_EVALUATE.format(
               accuracy="(logits.max(dim=1).values == y).float().mean().item()")),
    Broken("evaluate", why="returns tensors instead of floats", says="Python floats", code='''
def evaluate(model, X, y):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(X)
        cost = F.cross_entropy(logits, y)
        accuracy = (logits.argmax(dim=1) == y).float().mean()
    model.train(was_training)
    return cost, accuracy
'''),
    Broken("evaluate", why="reports the accuracy as a percentage", says="not a percentage",
           code=_EVALUATE.format(
               accuracy="100 * (logits.argmax(dim=1) == y).float().mean().item()")),
    # Part 4: train_epoch
    Broken("train_epoch", why="forgets model.train()", says="call model.train() first", code='''
def train_epoch(model, loader, optimizer):
    costs = []
    for X_batch, y_batch in loader:
        cost = F.cross_entropy(model(X_batch), y_batch)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return sum(costs) / len(costs)
'''),
    Broken("train_epoch", why="never zeroes the gradients", says="zero_grad", code='''
def train_epoch(model, loader, optimizer):
    model.train()
    costs = []
    for X_batch, y_batch in loader:
        cost = F.cross_entropy(model(X_batch), y_batch)
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return sum(costs) / len(costs)
'''),
    Broken("train_epoch", why="returns the cost of the last batch", says="the last batch only",
           code=_TRAIN_EPOCH.format(result="costs[-1]")),
    Broken("train_epoch", why="returns a tensor instead of a float", says="Python float", code='''
def train_epoch(model, loader, optimizer):
    model.train()
    costs = []
    for X_batch, y_batch in loader:
        cost = F.cross_entropy(model(X_batch), y_batch)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.detach())
    return torch.stack(costs).mean()
'''),
    # Part 5: fit
    Broken("fit", why="keeps model.state_dict() without deepcopy: the 'best' is the last epoch",
           says="copy.deepcopy(model.state_dict())", code=_fit(state="model.state_dict()")),
    Broken("fit", why="copies only the dict: dict(model.state_dict()) still aliases the weights",
           says="shares its memory", code=_fit(state="dict(model.state_dict())")),
    Broken("fit", why="chooses the best epoch by the training cost", says="VALIDATION cost",
           code=_fit(cost="history['train'][-1]")),
    Broken("fit", why="loads the best state back at the end",
           says="do not load the best state back",
           code=_fit(end="model.load_state_dict(best_state)\n    ")),
    Broken("fit", why="shuffles with the global random state, not the generator",
           says="generator=generator", code=_fit(generator="")),
    Broken("fit", why="trains num_epochs + 1 epochs", says="range(num_epochs)",
           code=_fit(epochs="num_epochs + 1")),
    # Part 6: confusion_matrix
    Broken("confusion_matrix", why="rows and columns swapped", says="rows and columns are swapped",
           code='''
def confusion_matrix(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        matrix[p, t] += 1
    return matrix
'''),
    Broken("confusion_matrix", why="infers the number of classes from the labels",
           says="not from the labels", code='''
def confusion_matrix(y_true, y_pred, num_classes):
    k = int(max(y_true.max(), y_pred.max())) + 1
    return torch.bincount(k * y_true + y_pred, minlength=k * k).reshape(k, k)
'''),
    Broken("confusion_matrix", why="float counts", says="torch.int64", code='''
def confusion_matrix(y_true, y_pred, num_classes):
    matrix = torch.zeros(num_classes, num_classes)
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        matrix[t, p] += 1
    return matrix
'''),
    Broken("confusion_matrix", why="hard-codes the lecture's 10 digit classes", says="(4, 4)",
           code='''
def confusion_matrix(y_true, y_pred, num_classes):
    return torch.bincount(10 * y_true + y_pred, minlength=100).reshape(10, 10)
'''),
]
