"""Deterministic data sets: the seeds' data, and seeded builders for unseen inputs.

Part of the learner-side API: released notebooks import it; keep names and results stable.

Every builder takes its own ``seed`` and uses a private ``torch.Generator``, so it
never disturbs the global random state that lectures seed with ``torch.manual_seed``.
"""
import torch


def _gen(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def hours_scores():
    """Hours studied -> score, the seeds' y = 2x data: (x_train, y_train), shapes (3, 1)."""
    x_train = torch.FloatTensor([[1], [2], [3]])
    y_train = torch.FloatTensor([[2], [4], [6]])
    return x_train, y_train


def error_table():
    """The seeds' error-table example: hours, actual scores and the line y = 13x + 1.

    The notes print errors -2, 10, -9, -5 (sum of squares 210, mean 52.5), but
    42 - 53 = -11: from these numbers the sum is 250 and the mean 62.5.
    """
    hours = torch.FloatTensor([2, 3, 4, 5])
    actual = torch.FloatTensor([25, 50, 42, 61])
    return hours, actual, 13 * hours + 1


def quiz_scores():
    """Three quiz scores -> final score (seed 003): X (5, 3), y (5, 1); row 3 is [89, 91, 90]."""
    # Seed 003's three-weight code has x3 = [75, 93, 90, 100, 70]. Its matrix version, copied
    # from the book, has [89, 91, 80] in row 3: a typo (the book's nn.Linear chapter uses 90).
    X = torch.FloatTensor([[73, 80, 75],
                           [93, 88, 93],
                           [89, 91, 90],
                           [96, 98, 100],
                           [73, 66, 70]])
    y = torch.FloatTensor([[152], [185], [180], [196], [142]])
    return X, y


def six_points():
    """The seeds' six two-feature points for logistic regression: X (6, 2), y (6, 1)."""
    X = torch.FloatTensor([[1, 2], [2, 3], [3, 1], [4, 3], [5, 3], [6, 2]])
    y = torch.FloatTensor([[0], [0], [0], [1], [1], [1]])
    return X, y


def line(n, W, b, noise=0.0, seed=0, low=0.0, high=5.0):
    """``n`` points of y = W·x + b (+ Gaussian noise), x uniform in [low, high): shapes (n, 1)."""
    g = _gen(seed)
    x = low + (high - low) * torch.rand(n, 1, generator=g)
    y = W * x + b + noise * torch.randn(n, 1, generator=g)
    return x, y


def plane(n, w_true, noise=0.5, seed=0, ones=True):
    """``n`` points of y = X·w_true + noise, the seeds' y = 1 + 2x₁ + 3x₂ example.

    With ``ones`` the first column of X is all ones, so w_true[0] is the bias.
    Returns X (n, len(w_true)) and y (n,).
    """
    g = _gen(seed)
    w_true = torch.as_tensor(w_true, dtype=torch.float32)
    k = len(w_true) - 1 if ones else len(w_true)
    X = torch.randn(n, k, generator=g)
    if ones:
        X = torch.cat([torch.ones(n, 1), X], 1)
    y = X.mv(w_true) + noise * torch.randn(n, generator=g)
    return X, y


def linear_features(n, W, b, noise=0.0, seed=0, scale=1.0):
    """``n`` rows of y = X @ W + b (+ noise) with X standard normal times ``scale``.

    ``W`` has shape (k, 1) or (k,); returns X (n, k) and y (n, 1).
    """
    g = _gen(seed)
    W = torch.as_tensor(W, dtype=torch.float32).reshape(-1, 1)
    X = scale * torch.randn(n, W.shape[0], generator=g)
    y = X @ W + b + noise * torch.randn(n, 1, generator=g)
    return X, y


def two_blobs(n_per_class, seed=0, spread=1.0, centers=((1.5, 2.0), (4.5, 2.5))):
    """Two Gaussian blobs in 2-D with labels 0 and 1: X (2n, 2), y (2n, 1) float."""
    g = _gen(seed)
    parts, labels = [], []
    for label, center in enumerate(centers):
        parts.append(torch.tensor(center) + spread * torch.randn(n_per_class, 2, generator=g))
        labels.append(torch.full((n_per_class, 1), float(label)))
    return torch.cat(parts), torch.cat(labels)


def blobs(n_per_class, k=3, seed=0, spread=0.8, radius=3.0):
    """``k`` Gaussian blobs on a circle, one per class: X (k·n, 2) float, y (k·n,) long."""
    g = _gen(seed)
    angles = torch.arange(k) * (2 * torch.pi / k)
    centers = radius * torch.stack([angles.cos(), angles.sin()], 1)
    X = torch.cat([c + spread * torch.randn(n_per_class, 2, generator=g) for c in centers])
    y = torch.arange(k).repeat_interleave(n_per_class)
    return X, y


def six_points_mixed():
    """The six points' x₁ centred (x₁ − 3.5), labels 0 0 1 0 1 1: no threshold separates them."""
    x = torch.FloatTensor([[-2.5], [-1.5], [-0.5], [0.5], [1.5], [2.5]])
    y = torch.FloatTensor([[0], [0], [1], [0], [1], [1]])
    return x, y


def digits():
    """scikit-learn's 8x8 handwritten digits, pixels 0-16: X (1797, 64) float32, y (1797,) long."""
    from sklearn.datasets import load_digits  # ships inside scikit-learn: no download

    bunch = load_digits()
    return (torch.tensor(bunch.data, dtype=torch.float32),
            torch.tensor(bunch.target, dtype=torch.int64))
