"""Typical mistakes in assignment 05, at least one per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

BROKEN = [
    Broken("LinearRegressionModel", why="forgets super().__init__()", says="super().__init__()",
           code='''
class LinearRegressionModel(nn.Module):
    def __init__(self, num_features=1):
        self.linear = nn.Linear(num_features, 1)

    def forward(self, x):
        return self.linear(x)
'''),
    Broken("LinearRegressionModel", why="misspells forward", says="no method named forward", code='''
class LinearRegressionModel(nn.Module):
    def __init__(self, num_features=1):
        super().__init__()
        self.linear = nn.Linear(num_features, 1)

    def foward(self, x):
        return self.linear(x)
'''),
    Broken("Line", why="stores W and b as plain tensors: not registered", says="NOT registered", code='''
class Line(nn.Module):
    def __init__(self, W0, b0):
        super().__init__()
        self.W = torch.tensor([float(W0)], requires_grad=True)
        self.b = torch.tensor([float(b0)], requires_grad=True)

    def forward(self, x):
        return x * self.W + self.b
'''),
    Broken("count_parameters", why="counts parameter tensors, not numbers", says="counts the parameter tensors",
           code='''
def count_parameters(model):
    return len(list(model.parameters()))
'''),
    Broken("train", why="never zeroes the gradients", says="zero_grad", code='''
def train(model, X, y, lr, num_epochs):
    optimizer = optim.SGD(model.parameters(), lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = F.mse_loss(model(X), y)
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs
'''),
    Broken("train", why="hard-codes the lecture answer W = 2, b = 0", says="on other data", code='''
def train(model, X, y, lr, num_epochs):
    costs = [F.mse_loss(model(X), y).item()] + [0.0] * (num_epochs - 1)
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(0.0)
        model.weight[0, 0] = 2.0
    return costs
'''),
    Broken("save_weights", why="saves the whole model instead of its state_dict", says="not the model itself",
           code='''
def save_weights(model):
    buffer = io.BytesIO()
    torch.save(model, buffer)
    return buffer.getvalue()
'''),
    Broken("copy_weights", why="passes the method state_dict without calling it", says="state_dict is a method",
           code='''
def copy_weights(src, dst):
    dst.load_state_dict(src.state_dict)
    return dst
'''),
    Broken("copy_weights", why="returns a copy of src instead of loading into dst", says="return dst itself",
           code='''
def copy_weights(src, dst):
    dst = copy.deepcopy(src)
    return dst
'''),
    Broken("quiz_prediction", why="forgets torch.manual_seed(1) before creating the model",
           says="quiz_prediction (seed 1", code='''
model = nn.Linear(3, 1)
optimizer = optim.SGD(model.parameters(), lr=1e-5)
for _epoch in range(2000):
    cost = F.mse_loss(model(X_quiz), y_quiz)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
quiz_prediction = model(torch.FloatTensor([[80, 85, 90]])).item()
print(quiz_prediction)
'''),
]
