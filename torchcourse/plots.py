"""The lectures' figures, drawn the same way in every notebook (matplotlib)."""
import matplotlib.pyplot as plt
import torch


def _axes(ax, title, xlabel, ylabel):
    if ax is None:
        _fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return ax


def costs(values, title="Cost per epoch", xlabel="epoch", ylabel="cost", log=False, ax=None,
          label=None):
    """Line plot of a cost (비용) curve; ``log`` uses a log scale for the cost."""
    ax = _axes(ax, title, xlabel, ylabel)
    ax.plot(range(len(values)), [float(v) for v in values], label=label)
    if log:
        ax.set_yscale("log")
    if label:
        ax.legend()
    return ax


def cost_vs_W(Ws, values, title="Cost against W", ax=None):
    """The bowl of the cost as a function of one weight W, with its minimum marked."""
    ax = _axes(ax, title, "W", "cost(W)")
    Ws, values = torch.as_tensor(Ws), torch.as_tensor(values)
    ax.plot(Ws, values)
    best = int(values.argmin())
    ax.scatter([Ws[best]], [values[best]], color="C3", zorder=3,
               label=f"minimum at W = {float(Ws[best]):.2f}")
    ax.legend()
    return ax


def fit(x, y, predict, title="Data and fitted line", xlabel="x", ylabel="y", ax=None):
    """Scatter the data and draw the model's predictions ``predict(x_grid)`` over it."""
    ax = _axes(ax, title, xlabel, ylabel)
    x, y = torch.as_tensor(x).reshape(-1), torch.as_tensor(y).reshape(-1)
    ax.scatter(x, y, label="data", zorder=3)
    grid = torch.linspace(float(x.min()) - 0.5, float(x.max()) + 0.5, 50).reshape(-1, 1)
    with torch.no_grad():
        ax.plot(grid.reshape(-1), torch.as_tensor(predict(grid)).reshape(-1), color="C1",
                label="model")
    ax.legend()
    return ax


def decision_regions(X, y, predict, title="Decision regions", steps=200, ax=None):
    """Colour the plane by ``predict(points) -> class index`` and scatter the labelled data.

    ``X`` has shape (n, 2); ``y`` holds class indices (or 0/1 floats).
    """
    ax = _axes(ax, title, "x₁", "x₂")
    X = torch.as_tensor(X, dtype=torch.float32)
    y = torch.as_tensor(y).reshape(-1).long()
    lo, hi = X.min(0).values - 1, X.max(0).values + 1
    g1, g2 = torch.meshgrid(torch.linspace(float(lo[0]), float(hi[0]), steps),
                            torch.linspace(float(lo[1]), float(hi[1]), steps), indexing="xy")
    with torch.no_grad():
        classes = torch.as_tensor(predict(torch.stack([g1.reshape(-1), g2.reshape(-1)], 1)))
    k = int(max(y.max(), classes.max())) + 1
    ax.contourf(g1, g2, classes.reshape(g1.shape).float(), levels=torch.arange(k + 1) - 0.5,
                cmap="Pastel1" if k > 2 else "coolwarm", alpha=0.5)
    for c in range(k):
        ax.scatter(X[y == c, 0], X[y == c, 1], label=f"class {c}", edgecolor="k", zorder=3)
    ax.legend()
    return ax


def curves(x, ys, title="", xlabel="x", ylabel="y", ax=None):
    """Draw several curves y = f(x) on one axes; ``ys`` maps each label to its values."""
    ax = _axes(ax, title, xlabel, ylabel)
    x = torch.as_tensor(x).detach().reshape(-1)
    for label, values in ys.items():
        ax.plot(x, torch.as_tensor(values).detach().reshape(-1), label=label)
    ax.legend()
    return ax
