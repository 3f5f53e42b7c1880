"""Typical mistakes in assignment 05, several per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken


def model_class(init, forward="        return self.linear(x)", name="forward"):
    """A LinearRegressionModel with __init__ body ``init`` and forward body ``forward``."""
    return f'''
class LinearRegressionModel(nn.Module):
    def __init__(self, num_features=1):
{init}

    def {name}(self, x):
{forward}
'''


INIT = '''        super().__init__()
        self.linear = nn.Linear(num_features, 1)'''


def line_class(init, forward="        return x * self.W + self.b"):
    return f'''
class Line(nn.Module):
    def __init__(self, W0, b0):
{init}

    def forward(self, x):
{forward}
'''


LINE_INIT = '''        super().__init__()
        self.W = nn.Parameter(torch.tensor([float(W0)]))
        self.b = nn.Parameter(torch.tensor([float(b0)]))'''


def train_05(loop, optimizer="    optimizer = optim.SGD(model.parameters(), lr=lr)", epochs="range(num_epochs)"):
    return f'''
def train(model, X, y, lr, num_epochs):
{optimizer}
    costs = []
    for _epoch in {epochs}:
{loop}
    return costs
'''


LOOP = '''        cost = F.mse_loss(model(X), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())'''


def prediction(body):
    return f'''
def trained_prediction(X, y, x_new, lr, num_epochs, seed):
{body}


quiz_prediction = trained_prediction(X_quiz, y_quiz, torch.FloatTensor([[80, 85, 90]]), lr=1e-5,
                                     num_epochs=2000, seed=1)
print(quiz_prediction)
'''


PREDICT = '''    torch.manual_seed(seed)
    model = nn.Linear(X.shape[1], 1)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    for _epoch in range(num_epochs):
        cost = F.mse_loss(model(X), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return model(x_new).item()'''

BROKEN = [
    # Part 1 — LinearRegressionModel
    Broken("LinearRegressionModel", why="forgetting super().__init__()", says="super().__init__()",
           code=model_class("        self.linear = nn.Linear(num_features, 1)")),
    Broken("LinearRegressionModel", why="a misspelled forward", says="no method named forward",
           code=model_class(INIT, name="foward")),
    Broken("LinearRegressionModel", why="a second layer created before self.linear (it draws other initial weights)",
           says="a second layer created before self.linear", code=model_class('''        super().__init__()
        self.hidden = nn.Linear(num_features, 1)
        self.linear = nn.Linear(num_features, 1)''')),
    Broken("LinearRegressionModel", why="nn.Linear(1, 1) whatever num_features", says="raised RuntimeError",
           code=model_class('''        super().__init__()
        self.linear = nn.Linear(1, 1)''')),
    Broken("LinearRegressionModel", why="the lecture's x_train instead of the argument x", says="raised RuntimeError",
           code=model_class(INIT, forward="        return self.linear(x_train)")),
    Broken("LinearRegressionModel", why="a default of three features", says="raised RuntimeError",
           code=model_class(INIT).replace("num_features=1", "num_features=3")),
    # Part 2 — Line
    Broken("Line", why="plain tensors W and b, not registered as parameters", says="NOT registered",
           code=line_class('''        super().__init__()
        self.W = torch.tensor([float(W0)], requires_grad=True)
        self.b = torch.tensor([float(b0)], requires_grad=True)''')),
    Broken("Line", why="integer tensors for integer W0, b0", says="dtype", code=line_class('''        super().__init__()
        self.W = nn.Parameter(torch.tensor([W0]))
        self.b = nn.Parameter(torch.tensor([b0]))''')),
    Broken("Line", why="W and b of shape () instead of (1,)", says="has shape ()", code=line_class('''        super().__init__()
        self.W = nn.Parameter(torch.tensor(float(W0)))
        self.b = nn.Parameter(torch.tensor(float(b0)))''')),
    Broken("Line", why="x * b + W (W and b swapped in forward)", says="W and b swapped in forward",
           code=line_class(LINE_INIT, forward="        return x * self.b + self.W")),
    Broken("Line", why="x * W without + b", says="x * W without + b",
           code=line_class(LINE_INIT, forward="        return x * self.W")),
    Broken("Line", why="an nn.Linear inside instead of its own W and b", says="should be named W and b",
           code=line_class('''        super().__init__()
        self.linear = nn.Linear(1, 1)
        with torch.no_grad():
            self.linear.weight.fill_(float(W0))
            self.linear.bias.fill_(float(b0))''', forward="        return self.linear(x)")),
    # Part 3 — count_parameters
    Broken("count_parameters", why="counting the parameter tensors instead of the numbers in them",
           says="counting the parameter tensors", code='''
def count_parameters(model):
    return len(list(model.parameters()))
'''),
    Broken("count_parameters", why="counting the frozen parameters too", says="counting the frozen parameters too",
           code='''
def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
'''),
    Broken("count_parameters", why="counting the whole state_dict (buffers too)", says="counting the whole state_dict",
           code='''
def count_parameters(model):
    return sum(v.numel() for v in model.state_dict().values())
'''),
    Broken("count_parameters", why="counting rows, len(p), instead of numbers", says="counting rows", code='''
def count_parameters(model):
    return sum(len(p) for p in model.parameters() if p.requires_grad)
'''),
    Broken("count_parameters", why="a tensor instead of a Python int", says="should be a Python int", code='''
def count_parameters(model):
    return torch.tensor([p.numel() for p in model.parameters() if p.requires_grad]).sum()
'''),
    # Part 4 — train
    Broken("train", why="training without zero_grad (the gradients accumulate)", says="without zero_grad",
           code=train_05('''        cost = F.mse_loss(model(X), y)
        cost.backward()
        optimizer.step()
        costs.append(cost.item())''')),
    Broken("train", why="range(num_epochs + 1)", says="range(num_epochs + 1)",
           code=train_05(LOOP, epochs="range(num_epochs + 1)")),
    Broken("train", why="recording each cost after its update", says="after its update", code=train_05('''        cost = F.mse_loss(model(X), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(F.mse_loss(model(X), y).item())''')),
    Broken("train", why="a sum of the squared errors instead of their mean", says="a sum of the squared errors",
           code=train_05(LOOP.replace("F.mse_loss(model(X), y)", 'F.mse_loss(model(X), y, reduction="sum")'))),
    Broken("train", why="the lecture's lr=0.01 instead of the argument lr", says="the lecture's lr=0.01",
           code=train_05(LOOP, optimizer="    optimizer = optim.SGD(model.parameters(), lr=0.01)")),
    Broken("train", why="a list of cost tensors (with their graphs) instead of floats", says="list of Python floats",
           code=train_05(LOOP.replace("cost.item()", "cost"))),
    Broken("train", why="a model that is not trained in place (a copy, or an optimizer over other parameters)",
           says="not trained in place", code=train_05(LOOP.replace("model(X)", "trained(X)"), optimizer='''\
    trained = copy.deepcopy(model)
    optimizer = optim.SGD(trained.parameters(), lr=lr)''')),
    Broken("train", why="the lecture's answer W = 2, b = 0 typed in", says="the model's parameters after train",
           code='''
def train(model, X, y, lr, num_epochs):
    costs = [F.mse_loss(model(X), y).item()] + [0.0] * (num_epochs - 1)
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(0.0)
        model.weight[0, 0] = 2.0
    return costs
'''),
    # Part 5 — save_weights
    Broken("save_weights", why="saving the whole model instead of its state_dict", says="saved the whole model",
           code='''
def save_weights(model):
    buffer = io.BytesIO()
    torch.save(model, buffer)
    return buffer.getvalue()
'''),
    Broken("save_weights", why="returning the buffer instead of its bytes", says="should return bytes", code='''
def save_weights(model):
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer
'''),
    Broken("save_weights", why="buffer.read() at the end of the buffer (empty bytes)", says="empty bytes", code='''
def save_weights(model):
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.read()
'''),
    Broken("save_weights", why="saving the parameters only (no buffers, no names)", says="state_dict", code='''
def save_weights(model):
    buffer = io.BytesIO()
    torch.save(list(model.parameters()), buffer)
    return buffer.getvalue()
'''),
    # Part 6 — copy_weights
    Broken("copy_weights", why="the method state_dict passed without calling it", says="raised TypeError", code='''
def copy_weights(src, dst):
    dst.load_state_dict(src.state_dict)
    return dst
'''),
    Broken("copy_weights", why="a dst that was never loaded (a new model returned instead?)",
           says="a dst that was never loaded", code='''
def copy_weights(src, dst):
    dst = copy.deepcopy(src)
    return dst
'''),
    Broken("copy_weights", why="copying from dst into src (the wrong direction)", says="the wrong direction", code='''
def copy_weights(src, dst):
    src.load_state_dict(dst.state_dict())
    return dst
'''),
    Broken("copy_weights", why="dst sharing its tensors with src", says="dst sharing its tensors with src", code='''
def copy_weights(src, dst):
    for name, p in src.named_parameters():
        module_name, _, attr = name.rpartition(".")
        setattr(dst.get_submodule(module_name) if module_name else dst, attr, p)
    return dst
'''),
    Broken("copy_weights", why="forgetting to return dst", says="not dst itself", code='''
def copy_weights(src, dst):
    dst.load_state_dict(src.state_dict())
'''),
    # Part 7 — trained_prediction / quiz_prediction
    Broken("quiz_prediction", why="a model created without torch.manual_seed(seed) first",
           says="without torch.manual_seed(seed)", code=prediction(PREDICT.replace("    torch.manual_seed(seed)\n", ""))),
    Broken("quiz_prediction", why="range(num_epochs + 1)", says="range(num_epochs + 1)",
           code=prediction(PREDICT.replace("range(num_epochs)", "range(num_epochs + 1)"))),
    Broken("quiz_prediction", why="a tensor instead of a Python float", says="should be a Python float",
           code=prediction(PREDICT.replace("model(x_new).item()", "model(x_new)"))),
    Broken("quiz_prediction", why="the prediction before training", says="the prediction before training",
           code=prediction(PREDICT.replace("    return model(x_new).item()", "    return prediction").replace(
               "    model = nn.Linear(X.shape[1], 1)\n", "    model = nn.Linear(X.shape[1], 1)\n"
               "    prediction = model(x_new).item()\n"))),
    Broken("quiz_prediction", why="the lecture's lr=1e-5 instead of the argument lr",
           says="the lecture's lr=1e-5", code=prediction(PREDICT.replace("lr=lr", "lr=1e-5"))),
]
