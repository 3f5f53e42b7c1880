"""Typical mistakes in assignment 02, several per graded part; each must cost exactly its part.

``why`` completes the grader's sentence "This is what {why} gives."; ``says`` is that phrase
(the visible checks name the same mistakes with "... is what {why} gives.").
"""
from torchcourse.submissions import Broken


def mistake(cell, why, code, says=None, **kwargs):
    return Broken(cell, code, says or f"what {why} gives", why, **kwargs)


RAISED = "your code raised"

BROKEN = [
    # Part 3 first: the browser tests type the first case in and look for `says`.
    mistake("mse", "a sum instead of a mean", '''
def mse(y_hat, y):
    return ((y_hat - y) ** 2).sum()
'''),
    mistake("mse", "returning a Python number (.item())", '''
def mse(y_hat, y):
    return ((y_hat - y) ** 2).mean().item()
'''),
    mistake("mse", "the mean error, not squared", '''
def mse(y_hat, y):
    return (y_hat - y).mean()
'''),
    mistake("mse", "the mean absolute error", '''
def mse(y_hat, y):
    return (y_hat - y).abs().mean()
'''),
    mistake("mse", "dividing by 3, the lecture's n", '''
def mse(y_hat, y):
    return ((y_hat - y) ** 2).sum() / 3
'''),
    mistake("mse", "the square root of the MSE", '''
def mse(y_hat, y):
    return torch.sqrt(((y_hat - y) ** 2).mean())
'''),
    mistake("mse", "a new tensor made from the value, cut off from the graph", '''
def mse(y_hat, y):
    return torch.tensor(((y_hat - y) ** 2).mean().item())
''', says="outside the graph"),
    # Part 1: error_table
    mistake("error_table", "predicted − actual instead of actual − predicted", '''
def error_table(actual, predicted):
    errors = predicted - actual
    return errors, (errors ** 2).sum(), (errors ** 2).mean()
'''),
    mistake("error_table", "the sum of the errors, not squared", '''
def error_table(actual, predicted):
    errors = actual - predicted
    return errors, errors.sum(), (errors ** 2).mean()
'''),
    mistake("error_table", "the sum instead of the mean", '''
def error_table(actual, predicted):
    errors = actual - predicted
    sse = (errors ** 2).sum()
    return errors, sse, sse
'''),
    mistake("error_table", "dividing by n − 1 instead of n", '''
def error_table(actual, predicted):
    errors = actual - predicted
    sse = (errors ** 2).sum()
    return errors, sse, sse / (len(errors) - 1)
'''),
    mistake("error_table", "the setup cell's actual and predicted instead of the arguments", '''
def error_table(a, p):
    errors = actual - predicted
    return errors, (errors ** 2).sum(), (errors ** 2).mean()
'''),
    mistake("error_table", "returning Python numbers (.item())", '''
def error_table(actual, predicted):
    errors = actual - predicted
    return errors, (errors ** 2).sum().item(), (errors ** 2).mean().item()
'''),
    mistake("error_table", "the seeds' printed errors typed in", '''
def error_table(actual, predicted):
    errors = torch.tensor([-2.0, 10.0, -9.0, -5.0])
    return errors, (errors ** 2).sum(), (errors ** 2).mean()
'''),
        mistake("error_table", "updating actual in place (actual -= predicted)", '''
def error_table(actual, predicted):
    actual -= predicted
    return actual, (actual ** 2).sum(), (actual ** 2).mean()
'''),
    # Part 2: hypothesis
    mistake("hypothesis", "a matrix product with W of shape (1,), which drops the column", '''
def hypothesis(x, W, b):
    return x.matmul(W) + b
''', says="has shape (3,), expected (3, 1)"),
    mistake("hypothesis", "x * W without the bias b", '''
def hypothesis(x, W, b):
    return x * W
'''),
    mistake("hypothesis", "x * b + W (W and b swapped)", '''
def hypothesis(x, W, b):
    return x * b + W
'''),
    mistake("hypothesis", "the numbers W = 2 and b = 1 typed in", '''
def hypothesis(x, W, b):
    return 2 * x + 1
'''),
    mistake("hypothesis", "updating x in place (x.mul_(W).add_(b))", '''
def hypothesis(x, W, b):
    return x.mul_(W).add_(b)
'''),
    mistake("hypothesis", "predictions cut off from the graph (.detach())", '''
def hypothesis(x, W, b):
    return (x * W + b).detach()
''', says="outside the graph"),
    mistake("hypothesis", "x * W − b", '''
def hypothesis(x, W, b):
    return x * W - b
'''),
    # Part 4: cost_curve
    mistake("cost_curve", "averaging the whole table into one number", '''
def cost_curve(x, y, Ws):
    return ((x * Ws - y) ** 2).mean()
''', says="single number"),
    mistake("cost_curve", "averaging over the candidates (dim=1) instead of the examples", '''
def cost_curve(x, y, Ws):
    return ((x * Ws - y) ** 2).mean(dim=1)
''', says="shape (3,)"),
    mistake("cost_curve", "the sum over the examples instead of the mean", '''
def cost_curve(x, y, Ws):
    return ((x * Ws - y) ** 2).sum(dim=0)
'''),
    mistake("cost_curve", "the lecture's x_train and y_train instead of the arguments", '''
def cost_curve(x, y, Ws):
    return ((x_train * Ws - y_train) ** 2).mean(dim=0)
'''),
    mistake("cost_curve", "the mean error, not squared", '''
def cost_curve(x, y, Ws):
    return (x * Ws - y).mean(dim=0)
'''),
    mistake("cost_curve", "a Python list of costs instead of a tensor", '''
def cost_curve(x, y, Ws):
    return [((x * w - y) ** 2).mean().item() for w in Ws]
''', says="should be a tensor, but it is a list"),
    mistake("cost_curve", "dividing by 3, the lecture's n", '''
def cost_curve(x, y, Ws):
    return ((x * Ws - y) ** 2).sum(dim=0) / 3
'''),
    # Part 5: gradients
    mistake("gradients", "forgetting the factor 2", '''
def gradients(x, y, W, b):
    e = x * W + b - y
    return (e * x).mean(), e.mean()
'''),
    mistake("gradients", "a sum instead of the mean (no 1/n)", '''
def gradients(x, y, W, b):
    e = x * W + b - y
    return 2 * (e * x).sum(), 2 * e.sum()
'''),
    mistake("gradients", "the error y − (Wx + b), with the sign flipped", '''
def gradients(x, y, W, b):
    e = y - (x * W + b)
    return 2 * (e * x).mean(), 2 * e.mean()
'''),
    mistake("gradients", "dW without the factor x_i (db's formula)", '''
def gradients(x, y, W, b):
    e = x * W + b - y
    return 2 * e.mean(), 2 * e.mean()
'''),
    mistake("gradients", "dW and db swapped", '''
def gradients(x, y, W, b):
    e = x * W + b - y
    return 2 * e.mean(), 2 * (e * x).mean()
'''),
    mistake("gradients", "dividing by 3, the lecture's n", '''
def gradients(x, y, W, b):
    e = x * W + b - y
    return 2 * (e * x).sum() / 3, 2 * e.sum() / 3
'''),
    mistake("gradients", "one value per example (no mean)", '''
def gradients(x, y, W, b):
    e = x * W + b - y
    return 2 * e * x, 2 * e
''', says="should hold one value"),
    mistake("gradients", "the lecture's x_train and y_train instead of the arguments", '''
def gradients(x, y, W, b):
    e = x_train * W + b - y_train
    return 2 * (e * x_train).mean(), 2 * e.mean()
'''),
    # Part 6: gd_step
    mistake("gd_step", "adding lr * gradient instead of subtracting it", '''
def gd_step(W, b, dW, db, lr):
    return W + lr * dW, b + lr * db
'''),
    mistake("gd_step", "lr = 0.1 typed in instead of the argument lr", '''
def gd_step(W, b, dW, db, lr):
    return W - 0.1 * dW, b - 0.1 * db
'''),
    mistake("gd_step", "a step without lr (W − dW)", '''
def gd_step(W, b, dW, db, lr):
    return W - dW, b - db
'''),
    mistake("gd_step", "updating W and b in place (W -= lr * dW)", '''
def gd_step(W, b, dW, db, lr):
    W -= lr * dW
    b -= lr * db
    return W, b
'''),
    mistake("gd_step", "dW and db swapped", '''
def gd_step(W, b, dW, db, lr):
    return W - lr * db, b - lr * dW
'''),
    mistake("gd_step", "returning (b, W) instead of (W, b)", '''
def gd_step(W, b, dW, db, lr):
    return b - lr * db, W - lr * dW
'''),
    # Part 7: train
    mistake("train", "never zeroing the gradients", '''
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
    mistake("train", "one epoch too many, range(num_epochs + 1)", '''
def train(x, y, lr, num_epochs):
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    costs = []
    for _epoch in range(num_epochs + 1):
        cost = mse(hypothesis(x, W, b), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return W.detach(), b.detach(), costs
''', says="one epoch too many"),
    mistake("train", "appending the cost tensors instead of floats", '''
def train(x, y, lr, num_epochs):
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = mse(hypothesis(x, W, b), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost)
    return W.detach(), b.detach(), costs
''', says="append cost.item()"),
    mistake("train", "measuring the cost after the update", '''
def train(x, y, lr, num_epochs):
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        optimizer.zero_grad()
        mse(hypothesis(x, W, b), y).backward()
        optimizer.step()
        costs.append(mse(hypothesis(x, W, b), y).item())
    return W.detach(), b.detach(), costs
'''),
    mistake("train", "lr = 0.01 typed in instead of the argument lr", '''
def train(x, y, lr, num_epochs):
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=0.01)
    costs = []
    for _epoch in range(num_epochs):
        cost = mse(hypothesis(x, W, b), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return W.detach(), b.detach(), costs
'''),
    mistake("train", "W and b returned without .detach()", '''
def train(x, y, lr, num_epochs):
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = mse(hypothesis(x, W, b), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return W, b, costs
''', says="still require grad"),
    mistake("train", "the lecture's x_train and y_train instead of the arguments", '''
def train(x, y, lr, num_epochs):
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = mse(hypothesis(x_train, W, b), y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return W.detach(), b.detach(), costs
'''),
        mistake("train", "adding the gradient instead of subtracting it", '''
def train(x, y, lr, num_epochs):
    W = torch.zeros(1)
    b = torch.zeros(1)
    costs = []
    for _epoch in range(num_epochs):
        costs.append(mse(hypothesis(x, W, b), y).item())
        dW, db = gradients(x, y, W, b)
        W, b = W + lr * dW, b + lr * db
    return W, b, costs
'''),
]
