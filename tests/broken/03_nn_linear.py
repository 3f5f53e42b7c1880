"""Typical mistakes in assignment 03, at least one per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

BROKEN = [
    Broken("initial_values", why="no manual_seed(777) right before nn.Linear", says="right before",
           code='''
model_777 = nn.Linear(1, 1)
W0 = model_777.weight.item()
b0 = model_777.bias.item()
num_params = sum(p.numel() for p in nn.Linear(3, 1).parameters())
'''),
    Broken("initial_values", why="counts parameter tensors, not numbers", says="numel", code='''
_ = torch.manual_seed(777)
model_777 = nn.Linear(1, 1)
W0 = model_777.weight.item()
b0 = model_777.bias.item()
num_params = len(list(nn.Linear(3, 1).parameters()))
'''),
    Broken("predict", why="uses model.weight instead of calling the model", says="model(x)", code='''
def predict(model, x):
    return x * model.weight
'''),
    Broken("compute_cost", why="y of shape (n,) broadcast against (n, 1)", says="broadcast against",
           code='''
def compute_cost(model, x, y):
    return F.mse_loss(model(x), y)
'''),
    Broken("compute_cost", why="returns a float, so backward() is impossible", says="cost.item()",
           code='''
def compute_cost(model, x, y):
    y_hat = model(x)
    return F.mse_loss(y_hat, y.view_as(y_hat)).item()
'''),
    Broken("train_step", why="forgets optimizer.zero_grad()", says="zero_grad() before", code='''
def train_step(model, optimizer, x, y):
    cost = compute_cost(model, x, y)
    cost.backward()
    optimizer.step()
    return cost.item()
'''),
    Broken("train", why="trains a new model instead of the one passed in", says="did not change the model",
           code='''
def train(model, x, y, lr, num_epochs):
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return [train_step(model, optimizer, x, y) for _epoch in range(num_epochs)]
'''),
    Broken("train", why="ignores lr (always 0.01)", says="on other data", code='''
def train(model, x, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    return [train_step(model, optimizer, x, y) for _epoch in range(num_epochs)]
'''),
    Broken("train", why="hard-codes the lecture answer W = 2, b = 0", says="on other data", code='''
def train(model, x, y, lr, num_epochs):
    first = F.mse_loss(model(x), y).item()
    with torch.no_grad():
        model.weight.fill_(2.0)
        model.bias.fill_(0.0)
    return [first] + [0.0] * (num_epochs - 1)
'''),
]
