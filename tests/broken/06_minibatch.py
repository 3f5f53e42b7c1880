"""Typical mistakes in assignment 06, at least one per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

BROKEN = [
    Broken("iterations_per_epoch", why="rounds down and forgets the last, smaller batch", says="floor",
           code='''
def iterations_per_epoch(n, batch_size):
    return n // batch_size
'''),
    Broken("PairsDataset", why="__getitem__ slices a row and keeps its batch dimension",
           says="has shape (1, 3)", code='''
class PairsDataset(Dataset):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, idx):
        return self.X[idx:idx + 1], self.y[idx:idx + 1]
'''),
    Broken("PairsDataset", why="__len__ counts the features instead of the examples", says="the rows of X",
           code='''
class PairsDataset(Dataset):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return self.X.shape[1]

    def __getitem__(self, idx):
        return self.X[idx], self.y[idx]
'''),
    Broken("make_loader", why="shuffles without a seeded generator", says="seeded generator", code='''
def make_loader(X, y, batch_size, seed):
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
'''),
    Broken("make_loader", why="forgets shuffle=True", says="shuffle=True", code='''
def make_loader(X, y, batch_size, seed):
    return DataLoader(TensorDataset(X, y), batch_size=batch_size,
                      generator=torch.Generator().manual_seed(seed))
'''),
    Broken("train_minibatch", why="never zeroes the gradients", says="zero_grad", code='''
def train_minibatch(model, loader, lr, num_epochs):
    optimizer = optim.SGD(model.parameters(), lr=lr)
    batch_costs = []
    for _epoch in range(num_epochs):
        for x_batch, y_batch in loader:
            cost = F.mse_loss(model(x_batch), y_batch)
            cost.backward()
            optimizer.step()
            batch_costs.append(cost.item())
    return batch_costs
'''),
    Broken("train_minibatch", why="hard-codes the answer of the visible check", says="on other data", code='''
def train_minibatch(model, loader, lr, num_epochs):
    x_batch, y_batch = next(iter(loader))
    batch_costs = [F.mse_loss(model(x_batch), y_batch).item()] + [0.0] * (num_epochs * len(loader) - 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, -2.0, 0.5]])[:, :model.weight.shape[1]])
        model.bias.fill_(0.3)
    return batch_costs
'''),
    Broken("epoch_costs", why="sums the batch costs of each epoch instead of averaging", says="SUM", code='''
def epoch_costs(batch_costs, batches_per_epoch):
    return torch.tensor(batch_costs).reshape(-1, batches_per_epoch).sum(dim=1)
'''),
    Broken("last_epoch_cost", why="reports the cost of the last batch, not the mean of the last epoch",
           says="last_epoch_cost (model after", code='''
torch.manual_seed(1)
model = nn.Linear(3, 1)
loader = DataLoader(TensorDataset(X_quiz, y_quiz), batch_size=2, shuffle=True,
                    generator=torch.Generator().manual_seed(2))
optimizer = optim.SGD(model.parameters(), lr=1e-5)
for _epoch in range(30):
    for x_batch, y_batch in loader:
        cost = F.mse_loss(model(x_batch), y_batch)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
last_epoch_cost = cost.item()
print(last_epoch_cost)
'''),
]
