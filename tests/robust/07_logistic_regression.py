"""Submissions of assignment 07 that try to cheat or break the grader (see 02's file)."""
from torchcourse import nbtools
from torchcourse.robust import Robust

ROOT = str(nbtools.ROOT)
WRONG_BCE = '''
def bce(p, y):
    return (y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100)).mean()
'''
RIGHT_ACCURACY = '''
def accuracy(probs, y):
    return ((probs >= 0.5).float() == y).float().mean().item()
'''
RIGHT_TRAIN = '''
def train_logistic(model, X, y, lr, num_epochs):
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = criterion(model(X), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs
'''

ROBUST = [
    Robust("rebind_checks", "rebinds the check helpers to do nothing, with a wrong bce",
           costs=["correct_bce"], replace={"bce": '''
def check_close(*args, **kwargs):
    pass
check_true = check_shape = check_close
''' + WRONG_BCE}),
    Robust("patch_reference", "patches F.binary_cross_entropy, what the visible check compares "
           "with, to return its own (wrong) bce: every later part that uses it fails too",
           costs=["correct_bce", "correct_train_logistic"], replace={"bce": WRONG_BCE + '''
import torch.nn.functional
_mine = bce
torch.nn.functional.binary_cross_entropy = lambda p, y, *args, **kwargs: _mine(p, y)
F.binary_cross_entropy = torch.nn.functional.binary_cross_entropy
'''}),
    Robust("tensor_subclass", "returns a float subclass equal to anything, as accuracy",
           costs=["correct_accuracy"], replace={"accuracy": '''
class Anything(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
    def __sub__(self, other):
        return 0.0
    __rsub__ = __sub__
def accuracy(probs, y):
    return Anything(0.123)
'''}),
    Robust("forge_values", "sends the hidden keys itself, with a wrong sigmoid",
           costs=["correct_sigmoid"], replace={"sigmoid": '''
from IPython.display import display
def sigmoid(z):
    display({"application/vnd.torchcourse.hidden+json": {
        "key": "sigmoid", "value": 0.5, "kind": "tensor", "dtype": "float", "atol": 1e9,
        "rtol": 1e9, "what": "forged"}}, raw=True)
    return 1 / (1 + torch.exp(z))
'''}),
    Robust("reads_course_files", "looks for the course's solutions and reference values",
           costs=["correct_bce"], replace={"bce": f'''
import os
FOUND = [p for r in ({ROOT!r}, "..", "../..", "../../..", "/")
         for p in (os.path.join(r, "solutions/07_logistic_regression/07_logistic_regression.ipynb"),
                   os.path.join(r, "references/07_logistic_regression.json"))
         if os.path.exists(p)]
''' + WRONG_BCE}),
    Robust("writes_gradebook", "gives itself extra credit in gradebook.db", replace={
        "accuracy": f'''
import os, sqlite3
for r in ({ROOT!r}, "..", "../..", "../../.."):
    path = os.path.join(r, "gradebook.db")
    if os.path.exists(path):
        db = sqlite3.connect(path)
        db.execute("UPDATE grade SET extra_credit = 99")
        db.commit()
''' + RIGHT_ACCURACY}),
    Robust("detached_process", "leaves a process behind in a new session",
           replace={"accuracy": '''
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
''' + RIGHT_ACCURACY}),
    Robust("leaks_into_feedback", "raises the hidden test's code from inside a hidden test",
           costs=["correct_train_logistic"],
           secrets=["BEGIN HIDDEN", "train_weight", "train_costs"],
           replace={"train_logistic": '''
def train_logistic(model, X, y, lr, num_epochs):
    raise RuntimeError(get_ipython().user_ns["In"][-1])
'''}),
    Robust("input_transformer", "drops every expect line of the cells after it",
           costs=["correct_accuracy", "correct_predict", "correct_train_logistic",
                  "correct_x2_boundary"], replace={"accuracy": '''
get_ipython().input_transformers_cleanup.append(
    lambda lines: [l for l in lines if "expect(" not in l])
''' + RIGHT_ACCURACY}),
    Robust("stderr_thread", "a thread of its own writes to stderr while the tests run",
           replace={"sigmoid": '''
import sys, threading, time
def _chatter():
    for _ in range(100):
        print("RuntimeWarning: overflow encountered", file=sys.stderr, flush=True)
        time.sleep(0.01)
threading.Thread(target=_chatter, daemon=True).start()

def sigmoid(z):
    return 1 / (1 + torch.exp(-z))
'''}),
    Robust("pasted_test_copy", "pastes an exact copy of a test cell at the end",
           flag="pasted the cell correct_bce twice", paste=["correct_bce"]),
    Robust("moves_test_down", "moves bce's test below train_logistic's, with a wrong bce",
           costs=["correct_bce"], flag="moved the cell", move=["correct_bce"],
           replace={"bce": WRONG_BCE}),
    Robust("kills_grader", "SIGKILLs every process it can see, in the last part",
           costs=["correct_x2_boundary"], flag="kernel died in x2_boundary",
           replace={"x2_boundary": '''
import os, signal
for pid in (os.getppid(), 1, -1, 0):  # kill(-1) spares the caller; killpg(0) does not
    try:
        (os.killpg if pid == 0 else os.kill)(pid, signal.SIGKILL)
    except OSError:
        pass
'''}),
]
