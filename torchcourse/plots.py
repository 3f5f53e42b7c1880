"""The lectures' figures, drawn the same way in every notebook (matplotlib).

Part of the learner-side API: notebooks import it; keep names stable."""
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
    from matplotlib.ticker import MaxNLocator

    ax = _axes(ax, title, xlabel, ylabel)
    ax.plot(range(len(values)), [float(v) for v in values], label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs and iterations are whole
    if log:
        ax.set_yscale("log")
    if label:
        ax.legend()
    return ax


def cost_vs_W(Ws, values, title="Cost against W", ax=None):
    """The cost against one weight W; a lowest value at an end of the range is not a minimum."""
    ax = _axes(ax, title, "W", "cost(W)")
    Ws, values = torch.as_tensor(Ws), torch.as_tensor(values)
    ax.plot(Ws, values)
    best = int(values.argmin())
    if 0 < best < len(values) - 1:  # an interior lowest point: a minimum
        ax.scatter([Ws[best]], [values[best]], color="C3", zorder=3,
                   label=f"minimum at W = {float(Ws[best]):.2f}")
    else:  # the cost may go on falling beyond the plotted range: mark no minimum
        ax.scatter([Ws[best]], [values[best]], facecolors="none", edgecolors="C3", zorder=3,
                   label=f"lowest in the plotted range (its edge, W = {float(Ws[best]):.2f})")
    ax.legend()
    return ax


def fit(x, y, predict, title="Data and fitted line", xlabel="x", ylabel="y", ax=None,
        x_range=None):
    """Scatter the data, draw ``predict(grid)`` over it; ``x_range=(low, high)`` sets the grid."""
    ax = _axes(ax, title, xlabel, ylabel)
    x, y = torch.as_tensor(x).reshape(-1), torch.as_tensor(y).reshape(-1)
    ax.scatter(x, y, label="data", zorder=3)
    low, high = x_range or (float(x.min()) - 0.5, float(x.max()) + 0.5)
    grid = torch.linspace(float(low), float(high), 50).reshape(-1, 1)
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
    colours = [f"C{c}" for c in range(k)]  # class c: the same colour for region and points
    ax.contourf(g1, g2, classes.reshape(g1.shape).float(), levels=torch.arange(k + 1) - 0.5,
                colors=colours, alpha=0.25)
    for c in range(k):
        ax.scatter(X[y == c, 0], X[y == c, 1], color=colours[c], label=f"class {c}",
                   edgecolor="k", zorder=3)
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


def train_val(train, val, best=None, title="Training and validation cost"):
    """Both costs per epoch (log scale) beside the validation cost; ``best`` marks an epoch."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    costs(train, title="both costs (log scale)", log=True, ax=ax1, label="training")
    costs(val, title="both costs (log scale)", log=True, ax=ax1, label="validation")
    ax2.plot(range(len(val)), [float(v) for v in val], color="C1", label="validation")
    _axes(ax2, "validation cost alone", "epoch", "cost")
    if best is not None:
        for ax in (ax1, ax2):
            ax.axvline(best, color="C3", linestyle="--", alpha=0.7)
            ax.scatter([best], [float(val[best])], color="C3", zorder=3,
                       label=f"lowest validation cost (epoch {best})")
    for ax in (ax1, ax2):
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return ax1, ax2


def confusion(matrix, title="Confusion matrix", ax=None):
    """A confusion matrix: row = true class, column = predicted class, each cell its count."""
    matrix = torch.as_tensor(matrix)
    k = matrix.shape[0]
    if ax is None:
        _fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.imshow(matrix, cmap="Blues")
    ax.set_title(title)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    half = float(matrix.max()) / 2
    for i in range(k):
        for j in range(k):
            count = int(matrix[i, j])
            if count:
                ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                        color="white" if count > half else "black")
    return ax


def images(X, titles=None, shape=(8, 8), ncols=8, title=None):
    """Show each row of ``X`` as a grey ``shape`` image (dark = ink), with its title below."""
    X = torch.as_tensor(X).detach().cpu()
    n = len(X)
    nrows = max(1, -(-n // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.45 * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(X[i].reshape(shape), cmap="gray_r")
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return axes


def reference_line(ax, value, label=None, color="0.3"):
    """A dashed horizontal line at ``value`` on ``ax`` (a cost floor, a target), in the legend."""
    ax.axhline(float(value), color=color, linestyle="--", linewidth=1, label=label, zorder=1)
    if label:
        ax.legend()
    return ax
