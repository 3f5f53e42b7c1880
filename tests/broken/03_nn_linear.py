"""Typical mistakes in assignment 03, several per graded part; each must cost exactly its part.

``why`` completes the grader's sentence "This is what {why} gives."; ``says`` is that phrase
unless given (the visible checks name the same mistakes with "... is what {why} gives.").
"""
from torchcourse.submissions import Broken


def mistake(cell, why, code, says=None, **kwargs):
    return Broken(cell, code, says or f"what {why} gives", why, **kwargs)


RAISED = "your code raised"
TRAIN = '''
def train(model, x, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return [train_step(model, optimizer, x, y) for _epoch in range(num_epochs)]
'''

BROKEN = [
    # Part 1: initial_values
    mistake("initial_values", "no manual_seed(seed) right before nn.Linear", '''
def initial_values(seed, n_features):
    model = nn.Linear(1, 1)
    return model.weight.item(), model.bias.item(), sum(
        p.numel() for p in nn.Linear(n_features, 1).parameters())
'''),
    mistake("initial_values", "the number of parameter tensors, not of numbers", '''
def initial_values(seed, n_features):
    _ = torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    return model.weight.item(), model.bias.item(), len(list(nn.Linear(n_features, 1).parameters()))
''', says="number of parameter tensors"),
    mistake("initial_values", "the lecture's seed 777 instead of the argument seed", '''
def initial_values(seed, n_features):
    _ = torch.manual_seed(777)
    model = nn.Linear(1, 1)
    return model.weight.item(), model.bias.item(), sum(
        p.numel() for p in nn.Linear(n_features, 1).parameters())
'''),
    mistake("initial_values", "counting the weight only (no bias)", '''
def initial_values(seed, n_features):
    _ = torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    return model.weight.item(), model.bias.item(), nn.Linear(n_features, 1).weight.numel()
'''),
    mistake("initial_values", "tensors instead of Python floats (no .item())", '''
def initial_values(seed, n_features):
    _ = torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    return model.weight, model.bias, sum(p.numel() for p in nn.Linear(n_features, 1).parameters())
''', says="should be Python floats"),
    mistake("initial_values", "nn.Linear(n_features, 1) made between the seed and nn.Linear(1, 1)", '''
def initial_values(seed, n_features):
    _ = torch.manual_seed(seed)
    num_params = sum(p.numel() for p in nn.Linear(n_features, 1).parameters())
    model = nn.Linear(1, 1)
    return model.weight.item(), model.bias.item(), num_params
'''),
    mistake("initial_values", "the lecture's 4 numbers typed in", '''
def initial_values(seed, n_features):
    _ = torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    return model.weight.item(), model.bias.item(), 4
'''),
    # Part 2: predict
    mistake("predict", "x * model.weight without the bias", '''
def predict(model, x):
    return x * model.weight
'''),
    mistake("predict", "x * model.weight + model.bias, element by element", '''
def predict(model, x):
    with torch.no_grad():
        return x * model.weight + model.bias
'''),
    mistake("predict", "the lecture's x_train instead of the argument x", '''
def predict(model, x):
    with torch.no_grad():
        return model(x_train)
'''),
    mistake("predict", "predictions squeezed to shape (n,)", '''
def predict(model, x):
    with torch.no_grad():
        return model(x).squeeze()
''', says="expected (2, 1)"),
    mistake("predict", "model.weight alone", '''
def predict(model, x):
    return model.weight
'''),
    mistake("predict", "a training step inside predict, which changes the model", '''
def predict(model, x):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    y_hat = model(x)
    y_hat.sum().backward()
    optimizer.step()
    return y_hat.detach()
'''),
    # Part 3: compute_cost
    mistake("compute_cost", "y of shape (n,) broadcast against y_hat of shape (n, 1) into an (n, n) "
            "table", '''
def compute_cost(model, x, y):
    return F.mse_loss(model(x), y)
'''),
    mistake("compute_cost", "returning a float (.item()), so backward() is impossible", '''
def compute_cost(model, x, y):
    y_hat = model(x)
    return F.mse_loss(y_hat, y.view_as(y_hat)).item()
''', says="should return the cost tensor itself"),
    mistake("compute_cost", "a sum instead of the mean (reduction='sum')", '''
def compute_cost(model, x, y):
    y_hat = model(x)
    return F.mse_loss(y_hat, y.view_as(y_hat), reduction="sum")
'''),
    mistake("compute_cost", "the mean absolute error (F.l1_loss)", '''
def compute_cost(model, x, y):
    y_hat = model(x)
    return F.l1_loss(y_hat, y.view_as(y_hat))
'''),
    mistake("compute_cost", "predictions made in torch.no_grad(), so backward() is impossible", '''
def compute_cost(model, x, y):
    with torch.no_grad():
        y_hat = model(x)
    return F.mse_loss(y_hat, y.view_as(y_hat))
''', says="does not require grad"),
    mistake("compute_cost", "y.unsqueeze(1) although y may already be a column", '''
def compute_cost(model, x, y):
    return F.mse_loss(model(x), y.unsqueeze(1))
'''),
    mistake("compute_cost", "the lecture's x_train and y_train instead of the arguments", '''
def compute_cost(model, x, y):
    y_hat = model(x_train)
    return F.mse_loss(y_hat, y_train)
''', says=RAISED + " RuntimeError"),
    # Part 4: train_step
    mistake("train_step", "no optimizer.zero_grad(): the old gradients were added to the new ones", '''
def train_step(model, optimizer, x, y):
    cost = compute_cost(model, x, y)
    cost.backward()
    optimizer.step()
    return cost.item()
'''),
    mistake("train_step", "no update at all (zero_grad between backward and step, or no step)", '''
def train_step(model, optimizer, x, y):
    cost = compute_cost(model, x, y)
    cost.backward()
    optimizer.zero_grad()
    optimizer.step()
    return cost.item()
'''),
    mistake("train_step", "a step with the old gradients only (step before backward, or no "
            "backward)", '''
def train_step(model, optimizer, x, y):
    cost = compute_cost(model, x, y)
    optimizer.step()
    optimizer.zero_grad()
    cost.backward()
    return cost.item()
'''),
    mistake("train_step", "measuring the cost after the update", '''
def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    compute_cost(model, x, y).backward()
    optimizer.step()
    return compute_cost(model, x, y).item()
'''),
    mistake("train_step", "returning the cost tensor instead of a float", '''
def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    cost = compute_cost(model, x, y)
    cost.backward()
    optimizer.step()
    return cost
''', says="should return the cost as a Python float"),
    mistake("train_step", "an optimizer of its own with lr = 0.01 typed in", '''
def train_step(model, optimizer, x, y):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    optimizer.zero_grad()
    cost = compute_cost(model, x, y)
    cost.backward()
    optimizer.step()
    return cost.item()
'''),
    # Part 5: train
    mistake("train", "training a new model instead of the one passed in", '''
def train(model, x, y, lr, num_epochs):
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return [train_step(model, optimizer, x, y) for _epoch in range(num_epochs)]
''', says="did not change the model"),
    mistake("train", "lr = 0.01 typed in instead of the argument lr", '''
def train(model, x, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    return [train_step(model, optimizer, x, y) for _epoch in range(num_epochs)]
'''),
    mistake("train", "one epoch too many, range(num_epochs + 1)", '''
def train(model, x, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return [train_step(model, optimizer, x, y) for _epoch in range(num_epochs + 1)]
''', says="one epoch too many"),
    mistake("train", "the lecture's x_train and y_train instead of the arguments", '''
def train(model, x, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return [train_step(model, optimizer, x_train, y_train) for _epoch in range(num_epochs)]
'''),
    mistake("train", "Adam instead of SGD", '''
def train(model, x, y, lr, num_epochs):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    return [train_step(model, optimizer, x, y) for _epoch in range(num_epochs)]
'''),
    mistake("train", "a loop of its own that never zeroes the gradients", '''
def train(model, x, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = F.mse_loss(model(x), y.view(-1, 1))
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs
'''),
    mistake("train", "the cost tensors instead of floats", '''
def train(model, x, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        optimizer.zero_grad()
        cost = compute_cost(model, x, y)
        cost.backward()
        optimizer.step()
        costs.append(cost)
    return costs
''', says="but it is a list of tensors"),
    mistake("train", "hard-coding the lecture answer W = 2, b = 0", '''
def train(model, x, y, lr, num_epochs):
    first = F.mse_loss(model(x), y.view(-1, 1)).item()
    with torch.no_grad():
        model.weight.fill_(2.0)
        model.bias.fill_(0.0)
    return [first] + [0.0] * (num_epochs - 1)
'''),
]
