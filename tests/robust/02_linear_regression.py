"""Submissions of assignment 02 that try to cheat or break the grader; each gets what it earns.

Each attack is paired with a wrong answer where it would otherwise hide one: the attack
must not earn those points back. Attacks on the grader itself (files, processes,
gradebook, network) come with correct answers: they must change nothing but their own
grade, and that not at all.
"""
from torchcourse import nbtools
from torchcourse.robust import ALL, Robust

ROOT = str(nbtools.ROOT)
WRONG_MSE = '''
def mse(y_hat, y):
    return ((y_hat - y) ** 2).sum()
'''
RIGHT_MSE = '''
def mse(y_hat, y):
    return ((y_hat - y) ** 2).mean()
'''
RIGHT_TRAIN = '''
def train(x, y, lr, num_epochs):
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    costs = []
    for _epoch in range(num_epochs):
        cost = mse(hypothesis(x, W, b), y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return W.detach(), b.detach(), costs
'''
#: Where a course's secrets would be if the sandbox let the kernel see the course.
CANDIDATES = f'''
import os
ROOTS = [{ROOT!r}, "/work/main", "..", "../..", "../../..", "../../../..", "/", "/home", "/root",
         "/srv", "/tmp", os.path.expanduser("~")]
NAMES = ["source/02_linear_regression/02_linear_regression.ipynb",
         "solutions/02_linear_regression/02_linear_regression.ipynb",
         "references/02_linear_regression.json", "gradebook.db", "nbgrader_config.py",
         "submitted", "autograded"]
FOUND = [os.path.join(r, n) for r in ROOTS for n in NAMES if os.path.exists(os.path.join(r, n))]
'''

ROBUST = [
    # --- rebinding or patching the checks, in the kernel -------------------------------
    Robust("rebind_checks", "rebinds the check helpers to do nothing, with a wrong mse",
           costs=["correct_mse"], replace={"mse": '''
def check_close(*args, **kwargs):
    pass
check_true = check_shape = check_close
''' + WRONG_MSE}),
    Robust("patch_checks_module", "patches torchcourse.checks itself, with a wrong mse",
           costs=["correct_mse"], replace={"mse": '''
import torchcourse.checks as _checks
_nothing = lambda *args, **kwargs: None
for _name in ("check_close", "check_true", "check_shape"):
    setattr(_checks, _name, _nothing)
    globals()[_name] = _nothing
''' + WRONG_MSE}),
    Robust("patch_torch", "patches torch.Tensor.all and torch.isclose, with a wrong mse",
           costs=["correct_mse"], replace={"mse": '''
torch.Tensor.all = lambda self, *args, **kwargs: torch.tensor(True)
torch.isclose = lambda *args, **kwargs: torch.tensor(False)
''' + WRONG_MSE}),
    Robust("swap_code", "swaps the checks' __code__ for an empty function's, with a wrong mse",
           costs=["correct_mse"], replace={"mse": '''
for _f in (check_close, check_true, check_shape):
    _f.__code__ = (lambda *args, **kwargs: None).__code__
''' + WRONG_MSE}),
    Robust("silence_expect", "replaces expect by a function that sends nothing",
           costs=["correct_train"], replace={"train": '''
import torchcourse.checks
torchcourse.checks.expect = expect = lambda *args, **kwargs: None
''' + RIGHT_TRAIN}),
    Robust("forge_values", "sends its own hidden values with a huge tolerance, wrong mse",
           costs=["correct_mse"], replace={"mse": '''
from IPython.display import display
def mse(y_hat, y):
    for key in ("mse", "gradients_dW", "train_W"):
        display({"application/vnd.torchcourse.hidden+json": {
            "key": key, "value": 0.0, "kind": "tensor", "dtype": "float", "atol": 1e9,
            "rtol": 1e9, "what": "forged"}}, raw=True)
    return ((y_hat - y) ** 2).sum()
'''}),
    Robust("record_switch", "sets the old variable that turned expect into a recorder",
           costs=["correct_mse"], replace={"mse": '''
import os
os.environ["TORCHCOURSE_RECORD"] = "/tmp/records.jsonl"
''' + WRONG_MSE}),
    # --- reading reference values from memory ---------------------------------------------
    Robust("snoop_frames", "reads REF or reference code from the caller's frames and globals",
           costs=["correct_train"], replace={"train": '''
import inspect
def train(x, y, lr, num_epochs):
    frame = inspect.currentframe().f_back
    ref = frame.f_globals.get("REF") or frame.f_locals.get("REF") or {}
    W = torch.tensor(ref.get("train_W", [0.0]))
    b = torch.tensor(ref.get("train_b", [0.0]))
    return W, b, list(ref.get("train_costs", [0.0] * num_epochs))
'''}),
    Robust("tensor_subclass", "returns a tensor subclass whose difference with anything is zero",
           costs=["correct_mse"], replace={"mse": '''
class Always(torch.Tensor):
    def __sub__(self, other):
        return torch.zeros(torch.as_tensor(other).shape).as_subclass(Always)
    __rsub__ = __sub__
    def __eq__(self, other):
        return True
    def all(self, *args, **kwargs):
        return True
def mse(y_hat, y):
    return ((y_hat - y) ** 2).sum().as_subclass(Always)
'''}),
    # --- IPython machinery ------------------------------------------------------------------
    Robust("post_run_hook", "hides errors with post_run_cell hooks and a silent traceback",
           costs=["correct_mse"], replace={"mse": '''
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
def _clear(result):
    result.error_in_exec = None
ip.events.register("post_run_cell", _clear)
''' + WRONG_MSE}),
    Robust("input_transformer", "strips every check and expect line from the cells after it",
           costs=["correct_mse", "correct_cost_curve", "correct_gradients", "correct_gd_step",
                  "correct_train"], replace={"mse": '''
def _strip(lines):
    return [l for l in lines if not l.lstrip().startswith(("check_", "expect("))]
get_ipython().input_transformers_cleanup.append(_strip)
''' + WRONG_MSE}),
    Robust("ast_transformer", "wraps every later statement in try/except: no check can fail",
           costs=["correct_mse"], replace={"mse": '''
import ast
class _Swallow(ast.NodeTransformer):
    def visit_Module(self, node):
        node.body = [ast.Try(body=[s], handlers=[ast.ExceptHandler(body=[ast.Pass()])],
                             orelse=[], finalbody=[]) for s in node.body]
        return ast.fix_missing_locations(node)
get_ipython().ast_transformers.append(_Swallow())
''' + WRONG_MSE}),
    Robust("claim_partial_credit", "displays a number as the test cell's result (partial credit)",
           costs=["correct_mse"], replace={"mse": '''
import sys
def mse(y_hat, y):
    sys.displayhook(2.0)
    get_ipython().displayhook(2.0)
    return ((y_hat - y) ** 2).sum()
'''}),
    Robust("detects_grading", "right answers only when NBGRADER_EXECUTION is not set: it is not",
           replace={"mse": '''
import os
if os.environ.get("NBGRADER_EXECUTION"):
''' + "    " + WRONG_MSE.strip().replace("\n", "\n    ") + '''
else:
''' + "    " + RIGHT_MSE.strip().replace("\n", "\n    ")}),
    # --- reading the course from disk ----------------------------------------------------------
    Robust("reads_course_files", "looks for source/, solutions/, references, the gradebook",
           costs=["correct_mse"], replace={"mse": CANDIDATES + '''
def mse(y_hat, y):
    if FOUND:  # the reference would be there to copy
        return ((y_hat - y) ** 2).mean()
    return ((y_hat - y) ** 2).sum()
'''}),
    Robust("reads_classmates", "looks for other students' submitted or graded notebooks",
           costs=["correct_mse"], replace={"mse": '''
import glob
OTHERS = [p for pattern in ("../*/02_linear_regression/*.ipynb", "../../*/*/02_*/*.ipynb",
                            "''' + ROOT + '''/*/*/02_linear_regression/*.ipynb",
                            "/tmp/*/*/*/02_linear_regression/*.ipynb")
          for p in glob.glob(pattern)]
def mse(y_hat, y):
    if OTHERS:
        return ((y_hat - y) ** 2).mean()
    return ((y_hat - y) ** 2).sum()
'''}),
    Robust("shadows_package", "adds a torchcourse/ package to its folder that breaks imports",
           files={"torchcourse/__init__.py": "raise ImportError('the shadow package ran')\n",
                  "torchcourse/checks.py": "raise ImportError('the shadow package ran')\n",
                  "torch.py": "raise ImportError('the shadow torch ran')\n"}),
    Robust("extra_files_in_cwd", "expects its extra file in the working folder: it is not there",
           costs=["correct_mse"], files={"helper.py": "def mse(y_hat, y):\n"
                                                      "    return ((y_hat - y) ** 2).mean()\n"},
           replace={"mse": '''
try:
    from helper import mse
except ImportError:
''' + "    " + WRONG_MSE.strip().replace("\n", "\n    ")}),
    # --- writing the course ------------------------------------------------------------------
    Robust("writes_gradebook", "gives itself extra credit and others zeros in gradebook.db",
           replace={"mse": CANDIDATES + '''
import sqlite3
for path in FOUND:
    if path.endswith("gradebook.db"):
        db = sqlite3.connect(path)
        db.execute("UPDATE grade SET manual_score = 0")
        db.execute("UPDATE grade SET extra_credit = 99")
        db.execute("UPDATE source_cell SET source = 'pass'")
        db.commit()
''' + RIGHT_MSE}),
    Robust("plants_files", "rewrites source/ and appends code to nbgrader_config.py",
           replace={"mse": CANDIDATES + '''
for path in FOUND:
    try:
        if path.endswith("nbgrader_config.py"):
            with open(path, "a") as f:
                f.write("\\nc.OverwriteCells.enabled = False\\n")
        elif path.endswith(".ipynb"):
            with open(path, "w") as f:
                f.write("{}")
    except OSError:
        pass
''' + RIGHT_MSE}),
    Robust("detached_process", "leaves processes behind (new session, double fork) to rewrite "
           "grades later", replace={"mse": '''
import os, subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(120)
        open("/tmp/rewrote-grades", "w").write("x")
    os._exit(0)
''' + RIGHT_MSE}),
    Robust("kills_grader", "SIGKILLs its parent, its group and every process it can see",
           costs=["correct_train"], flag="kernel died in train", replace={"train": '''
import os, signal
for pid in (os.getppid(), 1, 0, -1):
    try:
        (os.killpg if pid == 0 else os.kill)(pid, signal.SIGKILL)
    except OSError:
        pass
''' + RIGHT_TRAIN}),
    Robust("fork_bomb", "forks until the process limit, children left sleeping",
           replace={"gd_step": '''
import os, time
_children = 0
try:
    while _children < 400:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        _children += 1
except OSError:
    pass

def gd_step(W, b, dW, db, lr):
    return W - lr * dW, b - lr * db
'''}),
    Robust("fills_disk", "writes a file far larger than any limit into home and /tmp",
           replace={"cost_curve": '''
for path in ("big.bin", "/tmp/big.bin", "/dev/shm/big.bin"):
    try:
        with open(path, "wb") as f:
            for _ in range(1024):
                f.write(b"\\0" * 2 ** 20)
    except OSError:
        pass

def cost_curve(x, y, Ws):
    return ((x * Ws - y) ** 2).mean(dim=0)
'''}),
    Robust("uses_network", "uses the answer only if it can reach the network",
           costs=[], replace={"hypothesis": '''
import socket
ONLINE = False
for host, port in (("127.0.0.1", 5432), ("127.0.0.1", 22), ("8.8.8.8", 53), ("pypi.org", 443)):
    try:
        socket.create_connection((host, port), timeout=1).close()
        ONLINE = True
    except OSError:
        pass

def hypothesis(x, W, b):
    return x * W + b if not ONLINE else x * W
'''}),
    # --- carrying hidden tests into feedback ----------------------------------------------
    Robust("leaks_into_feedback", "prints and raises the hidden test's code and the caller's "
           "locals from inside a hidden test", costs=["correct_gd_step"],
           secrets=["BEGIN HIDDEN", "gd_step_W", "torch.tensor([0.8])", "lr=1.5",
                    "data.line(12"],
           replace={"gd_step": '''
import inspect
def gd_step(W, b, dW, db, lr):
    stolen = []
    for info in inspect.stack():
        stolen += [str(v)[:200] for k, v in info.frame.f_locals.items() if not k.startswith("_")]
    stolen.append(get_ipython().user_ns["In"][-1])
    print("\\n".join(stolen))
    raise RuntimeError("\\n".join(stolen)[:5000])
'''}),
    Robust("leaks_history", "prints earlier cells' hidden tests (In) from an answer cell",
           secrets=["BEGIN HIDDEN", "seed=22", "data.line(9", "gradients_dW"],
           replace={"train": '''
print("\\n".join(get_ipython().user_ns["In"]))
''' + RIGHT_TRAIN}),
    # --- honest work that must lose nothing -----------------------------------------------
    Robust("stderr_thread", "a thread of its own writes to stderr while the tests run",
           replace={"hypothesis": '''
import sys, threading, time
def _chatter():
    for _ in range(100):
        print("UserWarning: still working", file=sys.stderr, flush=True)
        time.sleep(0.01)
threading.Thread(target=_chatter, daemon=True).start()

def hypothesis(x, W, b):
    return x * W + b
'''}),
    Robust("pasted_test_copy", "pastes an exact copy of a test cell (metadata too) at the end",
           flag="pasted the cell correct_mse twice", paste=["correct_mse"]),
    Robust("moves_test_down", "moves mse's test below train's, where the reference mse is "
           "defined, with a wrong mse", costs=["correct_mse"], flag="moved the cell",
           move=["correct_mse"], replace={"mse": WRONG_MSE}),
    # --- broken notebooks and limits ---------------------------------------------------------
    Robust("loops", "an endless loop, stopped at the cell time limit",
           flag="time limit: correct_mse", costs=["correct_mse"], replace={"mse": '''
def mse(y_hat, y):
    total = 0
    while True:
        total += 1
'''}),
    Robust("stubborn", "a loop that ignores the interrupt: the kernel is stopped, later lost",
           flag="later cells not run: the kernel did not stop",
           costs=["correct_gd_step", "correct_train"], replace={"gd_step": '''
import time

def gd_step(W, b, dW, db, lr):
    while True:
        try:
            time.sleep(0.1)
        except KeyboardInterrupt:
            pass
'''}),
    Robust("exits", "os._exit kills the kernel: the parts after it are lost, the rest kept",
           flag="kernel died in gradients", costs=["correct_gradients", "correct_gd_step",
                                                  "correct_train"],
           replace={"gradients": "import os\nos._exit(3)\n"}),
    Robust("hog", "keeps every step's tensor: memory grows until the kernel's limit",
           flag="memory limit: correct_train", costs=["correct_train"], replace={"train": '''
def train(x, y, lr, num_epochs):
    history = []
    for _epoch in range(64):  # 64 x 64 MB: far beyond the test's limit, bounded without it
        history.append(torch.ones(2 ** 24))
    return history[0][:1], history[0][:1], [0.0] * num_epochs
'''}),
    Robust("syntax", "a syntax error in an answer cell", flag="syntax error in error_table",
           costs=["correct_error_table"], replace={"error_table": '''
hours, actual, predicted = data.error_table()
errors = actual - predicted
sse = (errors ** 2).sum(
cost_table = (errors ** 2).mean()
'''}),
    Robust("deleted_test", "deletes the test cell of a wrong answer: it is put back and fails",
           flag="deleted the test cell correct_mse", costs=["correct_mse"],
           delete=["correct_mse"], replace={"mse": WRONG_MSE}),
    Robust("deleted_part", "deletes a part (answer and test cells) and the locked setup cell: "
           "they are put back, and only that part's points are lost",
           flag="deleted the answer cell error_table (put back unanswered)",
           costs=["correct_error_table"], delete=["setup", "error_table", "correct_error_table"]),
    Robust("edited_test", "empties the test of a wrong answer: the original test is restored",
           flag="edited the locked cell correct_hypothesis", costs=["correct_hypothesis"],
           replace={"correct_hypothesis": "pass", "hypothesis": '''
def hypothesis(x, W, b):
    return x.matmul(W) + b
'''}),
    Robust("misnamed", "the notebook is uploaded under another name: no notebook to grade",
           flag="missing notebook 02_linear_regression.ipynb", costs=ALL,
           rename="02_linear_regression (1).ipynb"),
    Robust("not_a_notebook", "a file that is not a notebook (a truncated download)",
           flag="not a readable notebook", costs=ALL, raw='{"cells": [{"cell_type": "code", '),
]
