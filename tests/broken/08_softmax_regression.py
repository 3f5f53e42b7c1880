"""Typical mistakes in assignment 08, one or more per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

BROKEN = [
    Broken("softmax", why="softmax over the wrong dim (dim=0)", says="wrong dim (dim=0)", code='''
def softmax(z):
    e = torch.exp(z - z.max(dim=0, keepdim=True).values)
    return e / e.sum(dim=0, keepdim=True)
'''),
    Broken("softmax", why="no max-subtraction: exp overflows", says="max-subtraction", code='''
def softmax(z):
    e = torch.exp(z)
    return e / e.sum(dim=1, keepdim=True)
'''),
    Broken("one_hot", why="F.one_hot without .float(): long targets", says="must be floats", code='''
def one_hot(y, k):
    return F.one_hot(y, k)
'''),
    Broken("one_hot", why="F.one_hot without num_classes: k guessed from the labels",
           says="num_classes=k", code='''
def one_hot(y, k):
    return F.one_hot(y).float()
'''),
    Broken("cross_entropy", why="log of a naive softmax: unstable for large logits", says="log-sum-exp",
           code='''
def cross_entropy(logits, y):
    p = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
    return -(one_hot(y, logits.shape[1]) * torch.log(p)).sum(dim=1).mean()
'''),
    Broken("cross_entropy", why="sums over the examples instead of the mean", says="SUM", code='''
def cross_entropy(logits, y):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_p = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    return -(one_hot(y, logits.shape[1]) * log_p).sum()
'''),
    Broken("train_softmax", why="feeds probabilities to F.cross_entropy (double softmax)",
           says="double softmax", code='''
def train_softmax(model, X, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = F.cross_entropy(F.softmax(model(X), dim=1), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs
'''),
    Broken("train_softmax", why="never zeroes the gradients", says="zero_grad", code='''
def train_softmax(model, X, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = F.cross_entropy(model(X), y)
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs
'''),
    Broken("train_softmax", why="hard-codes the lecture data: trains on the global X_train, y_train",
           says="on other data", code='''
def train_softmax(model, X, y, lr, num_epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    costs = []
    for _epoch in range(num_epochs):
        cost = F.cross_entropy(model(X_train), y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs
'''),
    Broken("predict_classes", why="argmax on the wrong dim (dim=0)", says="wrong dim (dim=0)", code='''
def predict_classes(model, X):
    with torch.no_grad():
        return model(X).argmax(dim=0)
'''),
    Broken("predict_classes", why="returns the max logit instead of its index", says="class",
           code='''
def predict_classes(model, X):
    with torch.no_grad():
        return model(X).max(dim=1).values
'''),
    Broken("train_acc", why="reports a percentage", says="not a percentage", code='''
_ = torch.manual_seed(1)
model_blobs = nn.Linear(2, 3)
optimizer = torch.optim.SGD(model_blobs.parameters(), lr=0.1)
for _epoch in range(300):
    cost = F.cross_entropy(model_blobs(X_train), y_train)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
with torch.no_grad():
    train_acc = 100 * (model_blobs(X_train).argmax(dim=1) == y_train).float().mean().item()
print(train_acc)
'''),
]
