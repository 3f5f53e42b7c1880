"""Typical mistakes in assignment 01, several per graded part; each must cost exactly its part.

``why`` completes the grader's sentence "This is what {why} gives."; ``says`` is that phrase
unless given (the visible checks name the same mistakes with "... is what {why} gives.").
"""
from torchcourse.submissions import Broken


def mistake(cell, why, code, says=None, **kwargs):
    return Broken(cell, code, says or f"what {why} gives", why, **kwargs)


RAISED = "your code raised"

BROKEN = [
    # Part 1: dz_dw
    mistake("dz_dw", "z itself instead of its gradient", '''
def dz_dw(w):
    z = 2 * w ** 2 + 5
    z.backward()
    return z, z.grad_fn.name()
'''),
    mistake("dz_dw", "a z_op that is not the string z.grad_fn.name()", '''
def dz_dw(w):
    z = 2 * w ** 2 + 5
    z.backward()
    return w.grad, z.grad_fn
''', says="should be a string"),
    mistake("dz_dw", "two backward() calls (the gradient accumulated)", '''
def dz_dw(w):
    z = 2 * w ** 2 + 5
    z.backward(retain_graph=True)
    z.backward()
    return w.grad, z.grad_fn.name()
'''),
    mistake("dz_dw", "no z.backward() on the w you were given (its w.grad stays None)", '''
def dz_dw(w):
    z = 2 * w ** 2 + 5
    return (4 * w).detach(), z.grad_fn.name()
'''),
    mistake("dz_dw", "the value at w = 3 typed in", '''
def dz_dw(w):
    z = 2 * w ** 2 + 5
    z.backward()
    return torch.tensor(12.0), z.grad_fn.name()
'''),
    mistake("dz_dw", "returning a Python number (.item())", '''
def dz_dw(w):
    z = 2 * w ** 2 + 5
    z.backward()
    return w.grad.item(), z.grad_fn.name()
'''),
    mistake("dz_dw", "the lecture's w = 2 instead of the argument", '''
def dz_dw(w):
    w = torch.tensor(2.0, requires_grad=True)
    z = 2 * w ** 2 + 5
    z.backward()
    return w.grad, z.grad_fn.name()
'''),
    # Part 2: grad_of
    mistake("grad_of", "f(w), the value of the function, instead of its gradient", '''
def grad_of(f, w):
    w = w.detach().clone().requires_grad_(True)
    value = f(w)
    value.backward()
    return value
'''),
    mistake("grad_of", "a second backward() on the same w, whose .grad accumulated", '''
def grad_of(f, w):
    w.requires_grad_(True)
    f(w).backward()
    return w.grad
'''),
    mistake("grad_of", "the lecture's derivative 4w of 2w² + 5", '''
def grad_of(f, w):
    return 4 * w
'''),
    mistake("grad_of", "backward() on f of the w it was given, which does not require grad", '''
def grad_of(f, w):
    f(w).backward()
    return w.grad
''', says=RAISED + " RuntimeError"),
    mistake("grad_of", "returning a Python number (.item())", '''
def grad_of(f, w):
    w = w.detach().clone().requires_grad_(True)
    f(w).backward()
    return w.grad.tolist() if w.dim() else w.grad.item()
'''),
    # Part 3: df_by_hand
    mistake("df_by_hand", "the outer derivative 3u² alone, without the inner derivative 2w", '''
def df_by_hand(w):
    return 3 * (w ** 2 + 1) ** 2
'''),
    mistake("df_by_hand", "3u² · w, the inner derivative without its factor 2", '''
def df_by_hand(w):
    return 3 * (w ** 2 + 1) ** 2 * w
'''),
    mistake("df_by_hand", "2u · 2w, the power rule with 2 instead of 3", '''
def df_by_hand(w):
    return 2 * (w ** 2 + 1) * 2 * w
'''),
    mistake("df_by_hand", "u³ itself instead of its derivative", '''
def df_by_hand(w):
    return (w ** 2 + 1) ** 3
'''),
    mistake("df_by_hand", "the inner derivative 2w alone", '''
def df_by_hand(w):
    return 2 * w
'''),
    mistake("df_by_hand", "autograd inside df_by_hand, where the test turned it off", '''
def df_by_hand(w):
    w = w.clone().requires_grad_(True)
    ((w ** 2 + 1) ** 3).sum().backward()
    return w.grad
''', says=RAISED + " RuntimeError"),
    # Part 4: accumulated_grad
    mistake("accumulated_grad", "the gradient of ONE backward(): a new leaf, or a zeroed .grad, "
            "every time", '''
def accumulated_grad(f, w, times):
    for _ in range(times):
        leaf = w.detach().clone().requires_grad_(True)
        f(leaf).backward()
    return leaf.grad
'''),
    mistake("accumulated_grad", "the lecture's derivative 4w of 2w² + 5", '''
def accumulated_grad(f, w, times):
    return times * 4 * w
'''),
    mistake("accumulated_grad", "times + 1 backward() calls (range(times + 1))", '''
def accumulated_grad(f, w, times):
    leaf = w.detach().clone().requires_grad_(True)
    for _ in range(times + 1):
        f(leaf).backward()
    return leaf.grad
'''),
    mistake("accumulated_grad", "one gradient multiplied by times, f called once", '''
def accumulated_grad(f, w, times):
    leaf = w.detach().clone().requires_grad_(True)
    f(leaf).backward()
    return times * leaf.grad
''', says="the number of calls of f"),
    mistake("accumulated_grad", "the gradient of ONE backward(): a new leaf, or a zeroed .grad, "
            "every time", '''
def accumulated_grad(f, w, times):
    leaf = w.detach().clone().requires_grad_(True)
    for _ in range(times):
        leaf.grad = None
        f(leaf).backward()
    return leaf.grad
'''),
    # Part 5: fresh_grad
    mistake("fresh_grad", "the new gradient added to the stale one (.grad never zeroed)", '''
def fresh_grad(f, w):
    f(w).backward()
    return w.grad
'''),
    mistake("fresh_grad", "zero_() on a gradient that is still None", '''
def fresh_grad(f, w):
    w.grad.zero_()
    f(w).backward()
    return w.grad
''', says=RAISED + " AttributeError"),
    mistake("fresh_grad", "the stale gradient left in w.grad (a copy of w, or torch.autograd.grad, "
            "was used)", '''
def fresh_grad(f, w):
    return torch.autograd.grad(f(w), w)[0]
'''),
    mistake("fresh_grad", "the stale gradient left in w.grad (a copy of w, or torch.autograd.grad, "
            "was used)", '''
def fresh_grad(f, w):
    w = w.detach().clone().requires_grad_(True)
    f(w).backward()
    return w.grad
'''),
    # Part 6: sgd_step
    mistake("sgd_step", "an update outside no_grad: the result joins the graph", '''
def sgd_step(w, lr):
    w = w - lr * w.grad
    return w
''', says="computation graph"),
    mistake("sgd_step", "forgetting to clear the gradient after the update", '''
def sgd_step(w, lr):
    with torch.no_grad():
        w -= lr * w.grad
    return w
'''),
    mistake("sgd_step", "adding lr * w.grad instead of subtracting it", '''
def sgd_step(w, lr):
    with torch.no_grad():
        w += lr * w.grad
    w.grad = None
    return w
'''),
    mistake("sgd_step", "lr = 0.1 typed in instead of the argument lr", '''
def sgd_step(w, lr):
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad = None
    return w
'''),
    mistake("sgd_step", "a new tensor made inside no_grad, which no longer requires grad", '''
def sgd_step(w, lr):
    with torch.no_grad():
        w = w - lr * w.grad
    return w
''', says="still requiring grad"),
    mistake("sgd_step", "an in-place update outside no_grad", '''
def sgd_step(w, lr):
    w -= lr * w.grad
    w.grad = None
    return w
''', says=RAISED + " RuntimeError"),
    mistake("sgd_step", "a step without lr (w − w.grad)", '''
def sgd_step(w, lr):
    with torch.no_grad():
        w -= w.grad
    w.grad = None
    return w
'''),
    # Part 7: predict
    mistake("predict", "predictions that are still in the graph", '''
def predict(x, W, b):
    return x * W + b
''', says="part of the computation graph"),
    mistake("predict", "x * W without the bias b", '''
def predict(x, W, b):
    with torch.no_grad():
        return x * W
'''),
    mistake("predict", "turning off requires_grad of W and b", '''
def predict(x, W, b):
    W.requires_grad_(False)
    b.requires_grad_(False)
    return x * W + b
''', says="no longer requires grad"),
    mistake("predict", "the numbers W = 2 and b = 0.5 typed in", '''
def predict(x, W, b):
    return 2 * x + 0.5
'''),
]
