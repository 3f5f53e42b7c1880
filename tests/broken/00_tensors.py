"""Typical mistakes in assignment 00, several per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

BROKEN = [
    # Part 1: fraction_above
    Broken("fraction_above", why="mean of the bool tensor, never cast", says="cast the bool tensor",
           code='''
def fraction_above(scores, threshold):
    return (scores > threshold).mean()
'''),
    Broken("fraction_above", why="counts instead of a fraction: an int64 sum",
           says="integer or bool dtype", code='''
def fraction_above(scores, threshold):
    return (scores > threshold).sum()
'''),
    Broken("fraction_above", why=">= instead of >", says="EQUAL to the threshold", code='''
def fraction_above(scores, threshold):
    return (scores >= threshold).float().mean()
'''),
    Broken("fraction_above", why="divides by len() (the rows), not the number of entries",
           says="not by len()", code='''
def fraction_above(scores, threshold):
    return (scores > threshold).sum() / len(scores)
'''),
    Broken("fraction_above", why="casts to float64 with .double()", says="not .double()", code='''
def fraction_above(scores, threshold):
    return (scores > threshold).double().mean()
'''),
    Broken("fraction_above", why="returns a Python float (.item())", says="not a Python number",
           code='''
def fraction_above(scores, threshold):
    return (scores > threshold).float().mean().item()
'''),
    # Part 2: rows_of
    Broken("rows_of", why="view on a non-contiguous (transposed) tensor", says="not contiguous",
           code='''
def rows_of(t, k):
    return t.view(-1, k)
'''),
    Broken("rows_of", why="the -1 in the wrong place: k rows instead of rows of k",
           says="Put the -1 first", code='''
def rows_of(t, k):
    return t.reshape(k, -1)
'''),
    Broken("rows_of", why="hard-codes the shape of the lecture's M", says="expected (2, 6)",
           code='''
def rows_of(t, k):
    return t.reshape(6, 2)
'''),
    # Part 3: as_columns
    Broken("as_columns", why="stack along dim=0: rows instead of columns",
           says="one ROW per vector", code='''
def as_columns(xs):
    return torch.stack(xs)
'''),
    Broken("as_columns", why="cat where stack is asked: one long vector", says="torch.cat glued",
           code='''
def as_columns(xs):
    return torch.cat(xs)
'''),
    Broken("as_columns", why="cat, then view to (n, k): the right shape, scrambled entries",
           says="does not transpose", code='''
def as_columns(xs):
    return torch.cat(xs).view(len(xs[0]), len(xs))
'''),
    Broken("as_columns", why="hard-codes the lecture's [[1, 2, 3], [4, 5, 6]]",
           says="expected (4, 2)", code='''
def as_columns(xs):
    return torch.FloatTensor([[1, 2, 3], [4, 5, 6]])
'''),
    # Part 4: row_stats
    Broken("row_stats", why="forgets keepdim: the row means as a vector (n,)",
           says="keepdim=True", code='''
def row_stats(X):
    return X.mean(dim=1), X.argmax(dim=1)
'''),
    Broken("row_stats", why="means over the wrong dim (dim=0)", says="you reduced dim=0",
           code='''
def row_stats(X):
    return X.mean(dim=0, keepdim=True), X.argmax(dim=1)
'''),
    Broken("row_stats", why="returns the maxima instead of their indices",
           says="not where they are", code='''
def row_stats(X):
    return X.mean(dim=1, keepdim=True), X.max(dim=1)[0]
'''),
    Broken("row_stats", why="argmax over the wrong dim (dim=0)", says="one index per COLUMN",
           code='''
def row_stats(X):
    return X.mean(dim=1, keepdim=True), X.argmax(dim=0)
'''),
    Broken("row_stats", why="argmax without dim: one index into the flattened tensor",
           says="whole flattened tensor", code='''
def row_stats(X):
    return X.mean(dim=1, keepdim=True), X.argmax()
'''),
    Broken("row_stats", why="hard-codes the lecture's argmax (always the last column)",
           says="must be the column of the largest entry", code='''
def row_stats(X):
    return X.mean(dim=1, keepdim=True), torch.full((X.shape[0],), X.shape[1] - 1)
'''),
    # Part 5: center_rows
    Broken("center_rows", why="forgets keepdim: (n, k) minus (n,)", says="keepdim=True", code='''
def center_rows(X):
    return X - X.mean(dim=1)
'''),
    Broken("center_rows", why="modifies its argument in place with -=", says="work in place",
           code='''
def center_rows(X):
    X -= X.mean(dim=1, keepdim=True)
    return X
'''),
    Broken("center_rows", why="modifies its argument in place with sub_", says="work in place",
           code='''
def center_rows(X):
    return X.sub_(X.mean(dim=1, keepdim=True))
'''),
    Broken("center_rows", why="subtracts the column means (dim=0)", says="OWN mean", code='''
def center_rows(X):
    return X - X.mean(dim=0, keepdim=True)
'''),
    # Part 6: pairwise_diff
    Broken("pairwise_diff", why="x - y without a new dimension", says="Make x a column", code='''
def pairwise_diff(x, y):
    return x - y
'''),
    Broken("pairwise_diff", why="the new dimension on y: the (m, n) table", says="that is (m, n)",
           code='''
def pairwise_diff(x, y):
    return x - y.unsqueeze(1)
'''),
    Broken("pairwise_diff", why="y[j] - x[i]: the sign flipped", says="x comes first", code='''
def pairwise_diff(x, y):
    return y - x.unsqueeze(1)
'''),
    Broken("pairwise_diff", why="hard-codes the y of the lecture data", says="expected (2, 2)",
           code='''
def pairwise_diff(x, y):
    return x.unsqueeze(1) - torch.FloatTensor([10, 20, 30, 40])
'''),
    # Part 7: mse
    Broken("mse", why="(n, 1) minus (n,): the (n, n) broadcasting trap", says="(3, 3) table",
           code='''
def mse(y_hat, y):
    return ((y_hat - y) ** 2).mean()
'''),
    Broken("mse", why="F.mse_loss on mismatched shapes (it only warns)", says="(3, 3) table",
           code='''
def mse(y_hat, y):
    return F.mse_loss(y_hat, y)
'''),
    Broken("mse", why="squeeze_ changes the caller's tensors in place", says="work in place",
           code='''
def mse(y_hat, y):
    return ((y_hat.squeeze_() - y.squeeze_()) ** 2).mean()
'''),
    Broken("mse", why="always unsqueezes y, also when it is already a column",
           says="do not add a dimension to only one", code='''
def mse(y_hat, y):
    return ((y_hat - y.unsqueeze(1)) ** 2).mean()
'''),
    Broken("mse", why="sum instead of mean", says="mean (not the sum)", code='''
def mse(y_hat, y):
    return ((y_hat.reshape(-1) - y.reshape(-1)) ** 2).sum()
'''),
]
