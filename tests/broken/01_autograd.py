"""Typical mistakes in assignment 01, at least one per graded part; each must cost exactly its part."""
from torchcourse.submissions import Broken

BROKEN = [
    Broken("dz_dw", why="reports z instead of its gradient", says="value of z", code='''
w = torch.tensor(3.0, requires_grad=True)
z = 2 * w ** 2 + 5
z.backward()
dz_dw = z
z_op = z.grad_fn.name()
'''),
    Broken("dz_dw", why="reports the grad_fn object, not its name", says="should be a string",
           code='''
w = torch.tensor(3.0, requires_grad=True)
z = 2 * w ** 2 + 5
z.backward()
dz_dw = w.grad
z_op = z.grad_fn
'''),
    Broken("grad_of", why="returns f(w) instead of the gradient", says="value of the function",
           code='''
def grad_of(f, w):
    w = w.detach().clone().requires_grad_(True)
    value = f(w)
    value.backward()
    return value
'''),
    Broken("grad_of", why="marks the caller's w in place, so a second call accumulates",
           says="Gradients accumulate", code='''
def grad_of(f, w):
    w.requires_grad_(True)
    f(w).backward()
    return w.grad
'''),
    Broken("df_by_hand", why="forgets the inner derivative of the chain rule",
           says="inner derivative", code='''
def df_by_hand(w):
    return 3 * (w ** 2 + 1) ** 2
'''),
    Broken("accumulated_grad", why="makes a new leaf every time, so nothing accumulates",
           says="ONE backward()", code='''
def accumulated_grad(f, w, times):
    for _ in range(times):
        leaf = w.detach().clone().requires_grad_(True)
        f(leaf).backward()
    return leaf.grad
'''),
    Broken("accumulated_grad", why="hard-codes the lecture's derivative 4w of 2w² + 5",
           says="another function", code='''
def accumulated_grad(f, w, times):
    return times * 4 * w
'''),
    Broken("fresh_grad", why="never zeroes the stale gradient", says="zero it", code='''
def fresh_grad(f, w):
    f(w).backward()
    return w.grad
'''),
    Broken("fresh_grad", why="zero_() on a gradient that is still None", says="no gradient yet",
           code='''
def fresh_grad(f, w):
    w.grad.zero_()
    f(w).backward()
    return w.grad
'''),
    Broken("sgd_step", why="updates outside no_grad: the result joins the graph",
           says="computation graph", code='''
def sgd_step(w, lr):
    w = w - lr * w.grad
    return w
'''),
    Broken("sgd_step", why="forgets to clear the gradient after the update", says="did not clear",
           code='''
def sgd_step(w, lr):
    with torch.no_grad():
        w -= lr * w.grad
    return w
'''),
    Broken("predict", why="returns predictions that are still in the graph",
           says="part of the computation graph", code='''
def predict(x, W, b):
    return x * W + b
'''),
]
