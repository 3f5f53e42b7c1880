"""Typical mistakes in assignment 00, several per graded part; each must cost exactly its part.

``why`` completes the grader's sentence "This is what {why} gives."; ``says`` is that phrase
unless given (the visible checks name the same mistakes with "... is what {why} gives.").
"""
from torchcourse.submissions import Broken


def mistake(cell, why, code, says=None, **kwargs):
    return Broken(cell, code, says or f"what {why} gives", why, **kwargs)


RAISED = "your code raised"

BROKEN = [
    # Part 1: fraction_above
    mistake("fraction_above", "the mean of the bool tensor, never cast", '''
def fraction_above(scores, threshold):
    return (scores > threshold).mean()
''', says=RAISED + " RuntimeError"),
    mistake("fraction_above", "a count (an int64 sum) instead of a fraction", '''
def fraction_above(scores, threshold):
    return (scores > threshold).sum()
'''),
    mistake("fraction_above", ">= instead of >", '''
def fraction_above(scores, threshold):
    return (scores >= threshold).float().mean()
'''),
    mistake("fraction_above", "dividing by len(scores), the number of rows", '''
def fraction_above(scores, threshold):
    return (scores > threshold).sum() / len(scores)
'''),
    mistake("fraction_above", "casting to float64 with .double()", '''
def fraction_above(scores, threshold):
    return (scores > threshold).double().mean()
'''),
    mistake("fraction_above", "returning a Python number (.item())", '''
def fraction_above(scores, threshold):
    return (scores > threshold).float().mean().item()
'''),
    mistake("fraction_above", "dividing by 15, the number of quiz scores", '''
def fraction_above(scores, threshold):
    return (scores > threshold).sum() / 15
'''),
    mistake("fraction_above", "the fraction at or below the threshold", '''
def fraction_above(scores, threshold):
    return (scores <= threshold).float().mean()
'''),
    # Part 2: rows_of
    mistake("rows_of", "view on a non-contiguous (transposed) tensor", '''
def rows_of(t, k):
    return t.view(-1, k)
''', says=RAISED + " RuntimeError"),
    mistake("rows_of", "the -1 in the wrong place: k rows instead of rows of k", '''
def rows_of(t, k):
    return t.reshape(k, -1)
'''),
    mistake("rows_of", "the shape of the lecture's M, (6, 2), typed in", '''
def rows_of(t, k):
    return t.reshape(6, 2)
'''),
    mistake("rows_of", "reshaping the transpose (t.T)", '''
def rows_of(t, k):
    return t.T.reshape(-1, k)
'''),
    mistake("rows_of", "converting to float (.float())", '''
def rows_of(t, k):
    return t.float().reshape(-1, k)
'''),
    mistake("rows_of", "len(t) // k rows, from the first dimension only", '''
def rows_of(t, k):
    return t.reshape(len(t) // k, k)
''', says=RAISED + " RuntimeError"),
    # Part 3: as_columns
    mistake("as_columns", "stack along dim=0: rows instead of columns", '''
def as_columns(xs):
    return torch.stack(xs)
'''),
    mistake("as_columns", "cat where stack is asked: one long vector", '''
def as_columns(xs):
    return torch.cat(xs)
'''),
    mistake("as_columns", "a view of the cat, (n, k) but not transposed", '''
def as_columns(xs):
    return torch.cat(xs).view(len(xs[0]), len(xs))
'''),
    mistake("as_columns", "the lecture's [[1, 2, 3], [4, 5, 6]] typed in", '''
def as_columns(xs):
    return torch.FloatTensor([[1, 2, 3], [4, 5, 6]])
'''),
    mistake("as_columns", "converting to float (.float())", '''
def as_columns(xs):
    return torch.stack(xs, dim=1).float()
'''),
    mistake("as_columns", "unsqueeze_, which changes the vectors of xs in place", '''
def as_columns(xs):
    return torch.cat([v.unsqueeze_(1) for v in xs], dim=1)
'''),
    # Part 4: row_stats
    mistake("row_stats", "no keepdim: the row means as a vector (n,)", '''
def row_stats(X):
    return X.mean(dim=1), X.argmax(dim=1)
'''),
    mistake("row_stats", "means over the wrong dim (dim=0)", '''
def row_stats(X):
    return X.mean(dim=0, keepdim=True), X.argmax(dim=1)
'''),
    mistake("row_stats", "the maxima instead of their indices", '''
def row_stats(X):
    return X.mean(dim=1, keepdim=True), X.max(dim=1)[0]
'''),
    mistake("row_stats", "argmax over the wrong dim (dim=0)", '''
def row_stats(X):
    return X.mean(dim=1, keepdim=True), X.argmax(dim=0)
'''),
    mistake("row_stats", "argmax without dim: one index into the flattened tensor", '''
def row_stats(X):
    return X.mean(dim=1, keepdim=True), X.argmax()
'''),
    mistake("row_stats", "the lecture's argmax (always the last column) typed in", '''
def row_stats(X):
    return X.mean(dim=1, keepdim=True), torch.full((X.shape[0],), X.shape[1] - 1)
'''),
    mistake("row_stats", "argmin instead of argmax", '''
def row_stats(X):
    return X.mean(dim=1, keepdim=True), X.argmin(dim=1)
'''),
        mistake("row_stats", "dividing the row sums by the number of rows", '''
def row_stats(X):
    return X.sum(dim=1, keepdim=True) / X.shape[0], X.argmax(dim=1)
'''),
    # Part 5: center_rows
    mistake("center_rows", "row means of shape (n,) without keepdim", '''
def center_rows(X):
    return X - X.mean(dim=1)
''', says=RAISED + " RuntimeError"),
    mistake("center_rows", "subtracting in place (-= or sub_), which changes X", '''
def center_rows(X):
    X -= X.mean(dim=1, keepdim=True)
    return X
'''),
    mistake("center_rows", "subtracting in place (-= or sub_), which changes X", '''
def center_rows(X):
    return X.sub_(X.mean(dim=1, keepdim=True))
'''),
    mistake("center_rows", "the column means (dim=0) subtracted", '''
def center_rows(X):
    return X - X.mean(dim=0, keepdim=True)
'''),
    mistake("center_rows", "the overall mean subtracted", '''
def center_rows(X):
    return X - X.mean()
'''),
    mistake("center_rows", "the mean minus X (the sign flipped)", '''
def center_rows(X):
    return X.mean(dim=1, keepdim=True) - X
'''),
    mistake("center_rows", "dividing by the row standard deviations too", '''
def center_rows(X):
    return (X - X.mean(dim=1, keepdim=True)) / X.std(dim=1, keepdim=True)
'''),
    # Part 6: pairwise_diff
    mistake("pairwise_diff", "x - y without a new dimension", '''
def pairwise_diff(x, y):
    return x - y
''', says=RAISED + " RuntimeError"),
    mistake("pairwise_diff", "the (m, n) table: the new dimension on y", '''
def pairwise_diff(x, y):
    return x - y.unsqueeze(1)
'''),
    mistake("pairwise_diff", "y[j] − x[i] (the sign flipped)", '''
def pairwise_diff(x, y):
    return y - x.unsqueeze(1)
'''),
    mistake("pairwise_diff", "the lecture's y, [10, 20, 30, 40], typed in", '''
def pairwise_diff(x, y):
    return x.unsqueeze(1) - torch.FloatTensor([10, 20, 30, 40])
'''),
    mistake("pairwise_diff", "the absolute differences |x[i] − y[j]|", '''
def pairwise_diff(x, y):
    return (x.unsqueeze(1) - y).abs()
'''),
    mistake("pairwise_diff", "converting to float (.float())", '''
def pairwise_diff(x, y):
    return x.float().unsqueeze(1) - y.float()
'''),
    # Part 7: mse
    mistake("mse", "y_hat and y broadcast into an (n, n) table", '''
def mse(y_hat, y):
    return ((y_hat - y) ** 2).mean()
'''),
    mistake("mse", "y_hat and y broadcast into an (n, n) table", '''
def mse(y_hat, y):
    return F.mse_loss(y_hat, y)
'''),
    mistake("mse", "squeeze_, which changes the caller's tensors in place", '''
def mse(y_hat, y):
    return ((y_hat.squeeze_() - y.squeeze_()) ** 2).mean()
'''),
        mistake("mse", "a sum instead of a mean", '''
def mse(y_hat, y):
    return ((y_hat.reshape(-1) - y.reshape(-1)) ** 2).sum()
'''),
    mistake("mse", "returning a Python number (.item())", '''
def mse(y_hat, y):
    return ((y_hat.reshape(-1) - y.reshape(-1)) ** 2).mean().item()
'''),
    mistake("mse", "squeeze(1) on a vector of shape (n,)", '''
def mse(y_hat, y):
    return ((y_hat.squeeze(1) - y.squeeze(1)) ** 2).mean()
''', says=RAISED + " IndexError"),
    mistake("mse", "the mean absolute error", '''
def mse(y_hat, y):
    return (y_hat.reshape(-1) - y.reshape(-1)).abs().mean()
'''),
    mistake("mse", "y_hat and y broadcast into an (n, n) table", '''
def mse(y_hat, y):
    return ((y_hat.reshape(-1) - y) ** 2).mean()
'''),
]
