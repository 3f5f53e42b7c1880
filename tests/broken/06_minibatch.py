"""Typical mistakes in assignment 06, several per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken


def dataset(init="        self.X, self.y = X, y", length="        return len(self.X)",
            item="        return self.X[idx], self.y[idx]"):
    return f'''
class PairsDataset(Dataset):
    def __init__(self, X, y):
{init}

    def __len__(self):
{length}

    def __getitem__(self, idx):
{item}
'''


def loader(call):
    return f'''
def make_loader(X, y, batch_size, seed):
    return {call}
'''


def minibatch(inner, epochs="range(num_epochs)", optimizer="    optimizer = optim.SGD(model.parameters(), lr=lr)",
              after=""):
    return f'''
def train_minibatch(model, loader, lr, num_epochs):
{optimizer}
    batch_costs = []
    for _epoch in {epochs}:
        for x_batch, y_batch in loader:
{inner}
{after}
    return batch_costs
'''


INNER = '''            cost = F.mse_loss(model(x_batch), y_batch)
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()
            batch_costs.append(cost.item())'''


def last_epoch(body):
    return f'''
def last_epoch_mean_cost(X, y, batch_size, lr, num_epochs, seed, loader_seed):
{body}


last_epoch_cost = last_epoch_mean_cost(X_quiz, y_quiz, batch_size=2, lr=1e-5, num_epochs=30, seed=1, loader_seed=2)
print(last_epoch_cost)
'''


RUN = '''    torch.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(loader_seed))
    optimizer = optim.SGD(model.parameters(), lr=lr)
    for _epoch in range(num_epochs):
        costs_this_epoch = []
        for x_batch, y_batch in loader:
            cost = F.mse_loss(model(x_batch), y_batch)
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()
            costs_this_epoch.append(cost.item())
    return sum(costs_this_epoch) / len(costs_this_epoch)'''

BROKEN = [
    # Part 1 — iterations_per_epoch
    Broken("iterations_per_epoch", why="rounding down, n // batch_size, which forgets the last, smaller minibatch",
           says="rounding down", code='''
def iterations_per_epoch(n, batch_size):
    return n // batch_size
'''),
    Broken("iterations_per_epoch", why="n // batch_size + 1 (one too many when batch_size divides n)",
           says="one too many", code='''
def iterations_per_epoch(n, batch_size):
    return n // batch_size + 1
'''),
    Broken("iterations_per_epoch", why="round(n / batch_size) instead of rounding up", says="instead of rounding up",
           code='''
def iterations_per_epoch(n, batch_size):
    return round(n / batch_size)
'''),
    Broken("iterations_per_epoch", why="batch_size and n swapped", says="batch_size and n swapped", code='''
def iterations_per_epoch(n, batch_size):
    return math.ceil(batch_size / n)
'''),
    # Part 2 — PairsDataset
    Broken("PairsDataset", why="a slice X[idx:idx + 1] that keeps the batch dimension", says="keeps the batch dimension",
           code=dataset(item="        return self.X[idx:idx + 1], self.y[idx:idx + 1]")),
    Broken("PairsDataset", why="the number of features (the columns of X) instead of the number of examples",
           says="the number of features", code=dataset(length="        return self.X.shape[1]")),
    Broken("PairsDataset", why="a y flattened to shape (n,), whose examples have shape ()", says="a y flattened",
           code=dataset(init="        self.X, self.y = X, y.view(-1)")),
    Broken("PairsDataset", why="the whole y instead of y[idx]", says="the whole y instead of y[idx]",
           code=dataset(item="        return self.X[idx], self.y")),
    Broken("PairsDataset", why="the lecture's X_quiz instead of the argument X", says="the lecture's X_quiz",
           code=dataset(init="        self.X, self.y = X_quiz, y")),
    # Part 3 — make_loader
    Broken("make_loader", why="a loader without a seeded generator (the global random state decides the order)",
           says="without a seeded generator",
           code=loader("DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)")),
    Broken("make_loader", why="shuffle=False (the examples in their original order)", says="shuffle=False",
           code=loader("DataLoader(TensorDataset(X, y), batch_size=batch_size,\n"
                       "                      generator=torch.Generator().manual_seed(seed))")),
    Broken("make_loader", why="a torch.Generator() that is never seeded with seed", says="never seeded",
           code=loader("DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,\n"
                       "                      generator=torch.Generator())")),
    Broken("make_loader", why="the seed 7 typed in instead of the argument seed", says="the seed 7 typed in",
           code=loader("DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,\n"
                       "                      generator=torch.Generator().manual_seed(7))")),
    Broken("make_loader", why="the batch size 2 typed in instead of the argument batch_size", says="have sizes",
           code=loader("DataLoader(TensorDataset(X, y), batch_size=2, shuffle=True,\n"
                       "                      generator=torch.Generator().manual_seed(seed))")),
    Broken("make_loader", why="drop_last=True (the last, smaller batch is dropped)", says="drop_last=False",
           code=loader("DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, drop_last=True,\n"
                       "                      generator=torch.Generator().manual_seed(seed))")),
    # Part 4 — train_minibatch
    Broken("train_minibatch", why="training without zero_grad (the gradients accumulate over the batches)",
           says="without zero_grad", code=minibatch(INNER.replace("            optimizer.zero_grad()\n", ""))),
    Broken("train_minibatch", why="one update per epoch instead of one per batch", says="one update per epoch",
           code=minibatch(INNER.replace("            optimizer.step()\n", ""), after="        optimizer.step()")),
    Broken("train_minibatch", why="range(num_epochs + 1)", says="range(num_epochs + 1)",
           code=minibatch(INNER, epochs="range(num_epochs + 1)")),
    Broken("train_minibatch", why="a sum of the squared errors instead of their mean", says="a sum of the squared errors",
           code=minibatch(INNER.replace("F.mse_loss(model(x_batch), y_batch)",
                                        'F.mse_loss(model(x_batch), y_batch, reduction="sum")'))),
    Broken("train_minibatch", why="the lecture's lr=0.05 instead of the argument lr", says="the lecture's lr=0.05",
           code=minibatch(INNER, optimizer="    optimizer = optim.SGD(model.parameters(), lr=0.05)")),
    Broken("train_minibatch", why="a list of cost tensors (with their graphs) instead of floats",
           says="list of Python floats", code=minibatch(INNER.replace("cost.item()", "cost"))),
    Broken("train_minibatch", why="a model that is not trained in place (a copy, or an optimizer over other parameters)",
           says="not trained in place", code=minibatch(INNER.replace("model(x_batch)", "trained(x_batch)"),
                                                        optimizer='''    trained = copy.deepcopy(model)
    optimizer = optim.SGD(trained.parameters(), lr=lr)''')),
    Broken("train_minibatch", why="the answer of the visible check typed in", says="the batch costs of train_minibatch",
           code='''
def train_minibatch(model, loader, lr, num_epochs):
    x_batch, y_batch = next(iter(loader))
    batch_costs = [F.mse_loss(model(x_batch), y_batch).item()] + [0.0] * (num_epochs * len(loader) - 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, -2.0, 0.5]])[:, :model.weight.shape[1]])
        model.bias.fill_(0.3)
    return batch_costs
'''),
    # Part 5 — epoch_costs
    Broken("epoch_costs", why="a sum of each epoch's batch costs instead of their mean", says="a sum of each epoch",
           code='''
def epoch_costs(batch_costs, batches_per_epoch):
    return torch.tensor(batch_costs).reshape(-1, batches_per_epoch).sum(dim=1)
'''),
    Broken("epoch_costs", why="batches grouped across epochs, reshape(batches_per_epoch, -1)", says="grouped across epochs",
           code='''
def epoch_costs(batch_costs, batches_per_epoch):
    return torch.tensor(batch_costs).reshape(batches_per_epoch, -1).mean(dim=0)
'''),
    Broken("epoch_costs", why="the mean over the epochs (dim=0) instead of over each epoch's batches",
           says="the mean over the epochs", code='''
def epoch_costs(batch_costs, batches_per_epoch):
    return torch.tensor(batch_costs).reshape(-1, batches_per_epoch).mean(dim=0)
'''),
    Broken("epoch_costs", why="the last batch of each epoch instead of the mean", says="the last batch of each epoch",
           code='''
def epoch_costs(batch_costs, batches_per_epoch):
    return torch.tensor(batch_costs).reshape(-1, batches_per_epoch)[:, -1]
'''),
    Broken("epoch_costs", why="a column of shape (num_epochs, 1) (keepdim=True)", says="keepdim=True", code='''
def epoch_costs(batch_costs, batches_per_epoch):
    return torch.tensor(batch_costs).reshape(-1, batches_per_epoch).mean(dim=1, keepdim=True)
'''),
    Broken("epoch_costs", why="a list of means instead of a tensor", says="should be a tensor", code='''
def epoch_costs(batch_costs, batches_per_epoch):
    return [sum(batch_costs[i:i + batches_per_epoch]) / batches_per_epoch
            for i in range(0, len(batch_costs), batches_per_epoch)]
'''),
    Broken("epoch_costs", why="the lecture's 3 batches per epoch instead of the argument", says="the lecture's 3 batches",
           code='''
def epoch_costs(batch_costs, batches_per_epoch):
    return torch.tensor(batch_costs).reshape(-1, 3).mean(dim=1)
'''),
    # Part 6 — last_epoch_mean_cost / last_epoch_cost
    Broken("last_epoch_cost", why="the cost of the last batch instead of the mean of the last epoch",
           says="the cost of the last batch", code=last_epoch(RUN.replace(
               "sum(costs_this_epoch) / len(costs_this_epoch)", "costs_this_epoch[-1]"))),
    Broken("last_epoch_cost", why="the mean of every batch of every epoch", says="the mean of every batch",
           code=last_epoch(RUN.replace("    for _epoch in range(num_epochs):\n        costs_this_epoch = []\n",
                                       "    costs_this_epoch = []\n    for _epoch in range(num_epochs):\n"))),
    Broken("last_epoch_cost", why="range(num_epochs + 1)", says="range(num_epochs + 1)",
           code=last_epoch(RUN.replace("range(num_epochs)", "range(num_epochs + 1)"))),
    Broken("last_epoch_cost", why="a model created without torch.manual_seed(seed) first",
           says="without torch.manual_seed(seed)", code=last_epoch(RUN.replace("    torch.manual_seed(seed)\n", ""))),
    Broken("last_epoch_cost", why="a loader without generator=torch.Generator().manual_seed(loader_seed)",
           says="a loader without generator", code=last_epoch(RUN.replace(
               ",\n                        generator=torch.Generator().manual_seed(loader_seed))", ")"))),
    Broken("last_epoch_cost", why="a tensor instead of a Python float", says="should be a Python float",
           code=last_epoch(RUN.replace("costs_this_epoch.append(cost.item())", "costs_this_epoch.append(cost.detach())"))),
    Broken("last_epoch_cost", why="the cost of the trained model on all the data", says="on all the data",
           code=last_epoch(RUN.replace("    return sum(costs_this_epoch) / len(costs_this_epoch)",
                                       "    return F.mse_loss(model(X), y).item()"))),
]
