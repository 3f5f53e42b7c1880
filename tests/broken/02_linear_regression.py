"""Typical mistakes in assignment 02, one per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

BROKEN = [
    Broken("mse", why="sum instead of mean", says="SUM of the squared errors", code='''
def mse(y_hat, y):
    return ((y_hat - y) ** 2).sum()
'''),
    Broken("hypothesis", why="matmul with W of shape (1,) drops the column", says="shape (3,)",
           code='''
def hypothesis(x, W, b):
    return x.matmul(W) + b
'''),
    Broken("error_table", why="predicted - actual", says="actual − predicted", code='''
hours, actual, predicted = data.error_table()
errors = predicted - actual
sse = (errors ** 2).sum()
cost_table = (errors ** 2).mean()
'''),
    Broken("cost_curve", why="averages everything into one number", says="shape ()",
           code='''
def cost_curve(x, y, Ws):
    return ((x * Ws - y) ** 2).mean()
'''),
    Broken("gradients", why="forgets the factor 2", says="factor 2", code='''
def gradients(x, y, W, b):
    e = x * W + b - y
    return (e * x).mean(), e.mean()
'''),
    Broken("gd_step", why="adds the gradient: walks uphill", says="SUBTRACTS", code='''
def gd_step(W, b, dW, db, lr):
    return W + lr * dW, b + lr * db
'''),
    Broken("train", why="never zeroes the gradients", says="not zeroed", code='''
def train(x, y, lr, num_epochs):
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = mse(hypothesis(x, W, b), y)
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return W.detach(), b.detach(), costs
'''),
    Broken("train", why="hard-codes the lecture answer", says="on other data", code='''
def train(x, y, lr, num_epochs):
    costs = [((y - 0 * x) ** 2).mean().item()] + [0.0] * (num_epochs - 1)
    return torch.tensor([2.0]), torch.tensor([0.0]), costs
'''),
]
