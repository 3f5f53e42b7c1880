"""Typical mistakes in assignment 04, several per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

PLANE_SETUP = '''
X_plane, y_plane = data.plane(100, [1, 2, 3])
_ = torch.manual_seed(1)
net = nn.Linear(3, 1, bias=False)
'''
PLANE_REPORT = '''
w_recovered = fit_weights(net, X_plane, y_plane, lr=0.1, num_epochs=100)
print(w_recovered)
'''


def train_04(body):
    """A train() of Part 4 whose loop body is ``body`` (indented for the loop)."""
    return f'''
def train(X, y, W, b, lr, num_epochs):
    W = W.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    optimizer = optim.SGD([W, b], lr=lr)
    costs = []
    for _epoch in range(num_epochs):
{body}
    return W.detach(), b.detach(), costs
'''


LOOP = '''        cost = F.mse_loss(hypothesis(X, W, b), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())'''


def fit(body):
    """The answer cell of Part 6 with fit_weights' body ``body``."""
    return PLANE_SETUP + f'''
def fit_weights(net, X, y, lr, num_epochs):
{body}
''' + PLANE_REPORT


BROKEN = [
    # Part 1 — hypothesis
    Broken("hypothesis", why="an elementwise X * W instead of the matrix product X @ W",
           says="an elementwise X * W instead of the matrix product", code='''
def hypothesis(X, W, b):
    return X * W + b
'''),
    Broken("hypothesis", why="a sum over the features that drops the column dimension",
           says="drops the column dimension", code='''
def hypothesis(X, W, b):
    return (X * W.view(-1)).sum(dim=1) + b
'''),
    Broken("hypothesis", why="X @ W without the bias b", says="without the bias b", code='''
def hypothesis(X, W, b):
    return X @ W
'''),
    Broken("hypothesis", why="a row W.T @ X.T instead of the column X @ W", says="a row W.T @ X.T", code='''
def hypothesis(X, W, b):
    return W.T @ X.T + b
'''),
    Broken("hypothesis", why="a prediction detached from the graph", says="outside the graph", code='''
def hypothesis(X, W, b):
    return (X @ W + b).detach()
'''),
    Broken("hypothesis", why="the lecture's X_train instead of the argument X", says="raised RuntimeError", code='''
def hypothesis(X, W, b):
    return X_train @ W + b
'''),
    # Part 2 — add_bias_column
    Broken("add_bias_column", why="the ones put last, after the columns of X", says="the ones put last", code='''
def add_bias_column(X):
    return torch.cat([X, torch.ones(X.shape[0], 1)], dim=1)
'''),
    Broken("add_bias_column", why="a column of zeros instead of ones", says="a column of zeros", code='''
def add_bias_column(X):
    return torch.cat([torch.zeros(X.shape[0], 1), X], dim=1)
'''),
    Broken("add_bias_column", why="the first column of X overwritten with ones", says="overwritten with ones",
           code='''
def add_bias_column(X):
    X = X.clone()
    X[:, 0] = 1
    return X
'''),
    Broken("add_bias_column", why="a column of five ones, the number of rows of the lecture data",
           says="raised RuntimeError", code='''
def add_bias_column(X):
    return torch.cat([torch.ones(5, 1), X], dim=1)
'''),
    Broken("add_bias_column", why="a column as long as X has columns, not rows", says="raised RuntimeError",
           code='''
def add_bias_column(X):
    return torch.cat([torch.ones(X.shape[1], 1), X], dim=1)
'''),
    # Part 3 — matmul_shape
    Broken("matmul_shape", why="never checking the inner sizes", says="never checking the inner sizes", code='''
def matmul_shape(shape_a, shape_b):
    return (shape_a[0], shape_b[1])
'''),
    Broken("matmul_shape", why="returning the inner sizes", says="returning the inner sizes", code='''
def matmul_shape(shape_a, shape_b):
    if shape_a[1] != shape_b[0]:
        return None
    return (shape_a[1], shape_b[0])
'''),
    Broken("matmul_shape", why="comparing the outer sizes instead of the inner ones",
           says="comparing the outer sizes", code='''
def matmul_shape(shape_a, shape_b):
    if shape_a[0] != shape_b[1]:
        return None
    return (shape_a[0], shape_b[1])
'''),
    Broken("matmul_shape", why="the outer sizes in the wrong order", says="the outer sizes in the wrong order",
           code='''
def matmul_shape(shape_a, shape_b):
    if shape_a[1] != shape_b[0]:
        return None
    return (shape_b[1], shape_a[0])
'''),
    Broken("matmul_shape", why="raising an error instead of returning None", says="raised ValueError", code='''
def matmul_shape(shape_a, shape_b):
    if shape_a[1] != shape_b[0]:
        raise ValueError("the inner sizes differ")
    return (shape_a[0], shape_b[1])
'''),
    # Part 4 — train
    Broken("train", why="training without zero_grad (the gradients accumulate)", says="without zero_grad",
           code=train_04('''        cost = F.mse_loss(hypothesis(X, W, b), y)
        cost.backward()
        optimizer.step()
        costs.append(cost.item())''')),
    Broken("train", why="range(num_epochs + 1)", says="range(num_epochs + 1)",
           code=train_04(LOOP).replace("range(num_epochs)", "range(num_epochs + 1)")),
    Broken("train", why="recording each cost after its update", says="after its update",
           code=train_04('''        cost = F.mse_loss(hypothesis(X, W, b), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(F.mse_loss(hypothesis(X, W, b), y).item())''')),
    Broken("train", why="a sum of the squared errors instead of their mean", says="a sum of the squared errors",
           code=train_04(LOOP.replace("hypothesis(X, W, b), y)", 'hypothesis(X, W, b), y, reduction="sum")'))),
    Broken("train", why="the lecture's lr=1e-5 instead of the argument lr", says="the lecture's lr=1e-5",
           code=train_04(LOOP).replace("lr=lr", "lr=1e-5")),
    Broken("train", why="a list of cost tensors (with their graphs) instead of floats", says="list of Python floats",
           code=train_04(LOOP.replace("cost.item()", "cost"))),
    Broken("train", why="training the caller's W and b in place (no clone)", says="changed the W or b it was given",
           code=train_04(LOOP).replace("W.clone().requires_grad_(True)", "W.requires_grad_(True)")
           .replace("b.clone().requires_grad_(True)", "b.requires_grad_(True)")),
    Broken("train", why="the lecture's weights typed in", says="W after train", code='''
def train(X, y, W, b, lr, num_epochs):
    costs = [F.mse_loss(X @ W + b, y).item()] * num_epochs
    return torch.tensor([[0.7179], [0.6126], [0.6801]]), torch.tensor([0.0092]), costs
'''),
    # Part 5 — normal_equation
    Broken("normal_equation", why="the inverse of the non-square X", says="raised RuntimeError", code='''
def normal_equation(X, y):
    return torch.linalg.inv(X) @ y
'''),
    Broken("normal_equation", why="X.T @ y without solving the normal equation", says="without solving", code='''
def normal_equation(X, y):
    return X.T @ y
'''),
    Broken("normal_equation", why="a y flattened to shape (n,)", says="flattened to shape (n,)", code='''
def normal_equation(X, y):
    y = y.view(-1)
    return torch.linalg.solve(X.T @ X, X.T @ y)
'''),
    Broken("normal_equation", why="an extra column of ones added to X", says="an extra column of ones", code='''
def normal_equation(X, y):
    X = torch.cat([torch.ones(X.shape[0], 1), X], dim=1)
    return torch.linalg.solve(X.T @ X, X.T @ y)
'''),
    Broken("normal_equation", why="X @ X.T instead of X.T @ X", says="raised RuntimeError", code='''
def normal_equation(X, y):
    return torch.linalg.solve(X @ X.T, X.T @ y)
'''),
    Broken("normal_equation", why="the lecture's X_plane instead of the argument X", says="raised RuntimeError",
           code='''
def normal_equation(X, y):
    return torch.linalg.solve(X_plane.T @ X_plane, X_plane.T @ y)
'''),
    # Part 6 — fit_weights / w_recovered
    Broken("w_recovered", why="the true coefficients [1, 2, 3] typed in", says="the true coefficients",
           code=fit('''    return torch.tensor([1.0, 2.0, 3.0])''')),
    Broken("w_recovered", why="net(X) of shape (n, 1) against y of shape (n,) (broadcast to (n, n))",
           says="broadcast to (n, n)", code=fit('''    optimizer = optim.SGD(net.parameters(), lr=lr)
    for _epoch in range(num_epochs):
        cost = F.mse_loss(net(X), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return net.weight.detach().view(-1)''')),
    Broken("w_recovered", why="the weights of shape (1, k) instead of (k,)", says="has shape (1, 3)",
           code=fit('''    optimizer = optim.SGD(net.parameters(), lr=lr)
    for _epoch in range(num_epochs):
        cost = F.mse_loss(net(X).view_as(y), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return net.weight.detach()''')),
    Broken("w_recovered", why="the lecture's X_plane, y_plane instead of the arguments X, y",
           says="raised RuntimeError", code=fit('''    optimizer = optim.SGD(net.parameters(), lr=lr)
    for _epoch in range(num_epochs):
        cost = F.mse_loss(net(X_plane).view_as(y_plane), y_plane)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return net.weight.detach().view(-1)''')),
    Broken("w_recovered", why="the lecture's lr=0.1 instead of the argument lr", says="the lecture's lr=0.1",
           code=fit('''    optimizer = optim.SGD(net.parameters(), lr=0.1)
    for _epoch in range(num_epochs):
        cost = F.mse_loss(net(X).view_as(y), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return net.weight.detach().view(-1)''')),
    Broken("w_recovered", why="range(num_epochs + 1)", says="range(num_epochs + 1)",
           code=fit('''    optimizer = optim.SGD(net.parameters(), lr=lr)
    for _epoch in range(num_epochs + 1):
        cost = F.mse_loss(net(X).view_as(y), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return net.weight.detach().view(-1)''')),
    Broken("w_recovered", why="training a new nn.Linear instead of the net it is given",
           says="training a new nn.Linear", code=fit('''    net = nn.Linear(X.shape[1], 1, bias=False)
    optimizer = optim.SGD(net.parameters(), lr=lr)
    for _epoch in range(num_epochs):
        cost = F.mse_loss(net(X).view_as(y), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return net.weight.detach().view(-1)''')),
]
