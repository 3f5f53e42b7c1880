"""Typical mistakes in assignment 07, one or more per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

BROKEN = [
    Broken("sigmoid", why="exp(z) instead of exp(-z)", says="sign in the exponent", code='''
def sigmoid(z):
    return 1 / (1 + torch.exp(z))
'''),
    Broken("bce", why="forgets the minus sign", says="minus sign", code='''
def bce(p, y):
    return (y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100)).mean()
'''),
    Broken("bce", why="takes the log of 0 without clamping", says="log of 0", code='''
def bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
'''),
    Broken("bce_with_logits", why="goes through the saturating sigmoid (not the stable form)",
           says="stable form", code='''
def bce_with_logits(z, y):
    return F.binary_cross_entropy(torch.sigmoid(z), y)
'''),
    Broken("accuracy", why="compares probabilities with the labels without a threshold",
           says="without a threshold", code='''
def accuracy(probs, y):
    return (probs == y).float().mean().item()
'''),
    Broken("accuracy", why="squeezes the predictions to (n,) against y of shape (n, 1)",
           says="(n, n) table", code='''
def accuracy(probs, y):
    return ((probs >= 0.5).float().squeeze() == y).float().mean().item()
'''),
    Broken("accuracy", why="returns a percentage", says="not a percentage", code='''
def accuracy(probs, y):
    return 100 * ((probs >= 0.5).float() == y).float().mean().item()
'''),
    Broken("predict", why="thresholds the logits at 0.5", says="outputs logits", code='''
def predict(model, X):
    with torch.no_grad():
        return (model(X) >= 0.5).float()
'''),
    Broken("predict", why="returns probabilities", says="without a threshold", code='''
def predict(model, X):
    with torch.no_grad():
        return torch.sigmoid(model(X))
'''),
    Broken("train_logistic", why="a sigmoid fed to BCEWithLogitsLoss (sigmoid applied twice)",
           says="sigmoid applied twice", code='''
def train_logistic(model, X, y, lr, num_epochs):
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = criterion(torch.sigmoid(model(X)), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs
'''),
    Broken("train_logistic", why="never zeroes the gradients", says="zero_grad", code='''
def train_logistic(model, X, y, lr, num_epochs):
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = criterion(model(X), y)
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs
'''),
    Broken("train_logistic", why="hard-codes the lecture data: trains on the global x_train, y_train",
           says="on other data", code='''
def train_logistic(model, X, y, lr, num_epochs):
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1)
    costs = []
    for _epoch in range(num_epochs):
        cost = criterion(model(x_train), y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs
'''),
    Broken("x2_boundary", why="sign error when solving for x2", says="w₁x₁ + w₂x₂ + b = 0", code='''
_ = torch.manual_seed(1)
model_six = nn.Linear(2, 1)
optimizer = torch.optim.SGD(model_six.parameters(), lr=1)
for _epoch in range(1000):
    cost = F.binary_cross_entropy_with_logits(model_six(x_train), y_train)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
W_six, b_six = model_six.weight.detach(), model_six.bias.detach()
x2_boundary = (b_six + W_six[0, 0] * 3.5) / W_six[0, 1]
print(x2_boundary)
'''),
]
