"""Typical mistakes in assignment 04, at least one per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

BROKEN = [
    Broken("hypothesis", why="elementwise X * W instead of a matrix product", says="elementwise",
           code='''
def hypothesis(X, W, b):
    return X * W + b
'''),
    Broken("hypothesis", why="sums the row products but drops the column", says="(n, 1)", code='''
def hypothesis(X, W, b):
    return (X * W.view(-1)).sum(dim=1) + b
'''),
    Broken("add_bias_column", why="puts the ones last", says="FIRST column", code='''
def add_bias_column(X):
    return torch.cat([X, torch.ones(X.shape[0], 1)], dim=1)
'''),
    Broken("matmul_shape", why="never checks the inner sizes", says="return None", code='''
def matmul_shape(shape_a, shape_b):
    return (shape_a[0], shape_b[1])
'''),
    Broken("train", why="never zeroes the gradients", says="not zeroed", code='''
def train(X, y, W, b, lr, num_epochs):
    W = W.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    optimizer = optim.SGD([W, b], lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = F.mse_loss(hypothesis(X, W, b), y)
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return W.detach(), b.detach(), costs
'''),
    Broken("train", why="hard-codes the lecture's weights", says="on other data", code='''
def train(X, y, W, b, lr, num_epochs):
    first = F.mse_loss(X @ W + b, y).item()
    W = torch.tensor([[0.7179], [0.6126], [0.6801]])
    b = torch.tensor([0.0092])
    return W, b, [first] + [1.0798] * (num_epochs - 1)
'''),
    Broken("normal_equation", why="inverts the non-square X", says="no inverse", code='''
def normal_equation(X, y):
    return torch.linalg.inv(X) @ y
'''),
    Broken("w_recovered", why="reports the true coefficients", says="noise moves the best fit", code='''
X_plane, y_plane = data.plane(100, [1, 2, 3])
_ = torch.manual_seed(1)
net = nn.Linear(3, 1, bias=False)
w_recovered = torch.tensor([1.0, 2.0, 3.0])
'''),
    Broken("w_recovered", why="(100, 1) predictions against y of shape (100,)", says="(100, 100)", code='''
X_plane, y_plane = data.plane(100, [1, 2, 3])
_ = torch.manual_seed(1)
net = nn.Linear(3, 1, bias=False)
optimizer = optim.SGD(net.parameters(), lr=0.1)
for _epoch in range(100):
    cost = F.mse_loss(net(X_plane), y_plane)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
w_recovered = net.weight.detach().view(-1)
'''),
]
