"""`python -m torchcourse mutate`: mutation testing of the exercises, as mutmut does for code.

Each reference answer is mutated systematically — operators and signs, sum/mean and other
reductions, dims and keepdim, constants (learning rates, epoch counts), dropped statements
(``zero_grad``, ``backward``, ``append``), swapped arguments and returned values, in-place
updates, dtypes, a lecture global read instead of an argument, ``range(n + 1)`` — and each
mutant is graded on its own: the assignment's cells run in order in one process with the
reference answers; at the mutated part it forks, runs the mutant and the part's test cell
(hidden tests included), and the grader's judge decides from the values sent, as it does
for a learner. A mutant the test lets through *survives*: a mistake no check would catch.
Equivalent mutants (the same program in other words) are listed once, with the reason, in
tests/mutation/reviewed.py, which also records each part's kill-rate bar.
"""
import ast
import copy
import hashlib
import json
import os
import re
import select
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import channel, judge, nbtools, refs
from .submissions import solution_code

SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION[ \t]*$",
                      re.M | re.S)
SWAP_OPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
            ast.Pow: ast.Mult, ast.FloorDiv: ast.Div}
SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
            ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
SWAP_NAMES = {"mean": "sum", "sum": "mean", "max": "min", "min": "max", "argmax": "argmin",
              "argmin": "argmax", "exp": "log", "log": "exp", "zeros": "ones", "ones": "zeros",
              "float": "long", "long": "float", "sigmoid": "tanh", "relu": "sigmoid",
              "mse_loss": "l1_loss", "cross_entropy": "nll_loss", "softmax": "log_softmax",
              "log_softmax": "softmax", "matmul": "mul", "mm": "mul", "cat": "stack",
              "stack": "cat", "reshape": "view", "clone": "detach", "float32": "float64",
              "unsqueeze": "squeeze", "squeeze": "unsqueeze", "deepcopy": "copy",
              "no_grad": "enable_grad", "eval": "train", "train": "eval"}
DROPPABLE = ("zero_grad", "backward", "step", "append", "eval", "train", "no_grad",
             "load_state_dict", "manual_seed")
TIMEOUT = 20.0  # seconds a mutant may run (a mutant may loop forever)


@dataclass
class Mutant:
    """One mutation of one answer cell."""
    cell: str
    id: str
    what: str
    code: str


@dataclass
class Outcome:
    """What grading a mutant gave."""
    mutant: Mutant
    killed: bool
    why: str = ""


@dataclass
class PartReport:
    """The mutants of one graded part (the answer cell and the test cells it costs)."""
    cell: str
    outcomes: list = field(default_factory=list)
    equivalent: dict = field(default_factory=dict)   # mutant id -> reason

    @property
    def counted(self):
        return [o for o in self.outcomes if o.mutant.id not in self.equivalent]

    @property
    def survivors(self):
        return [o for o in self.counted if not o.killed]

    @property
    def kill_rate(self):
        counted = self.counted
        return 1.0 if not counted else sum(o.killed for o in counted) / len(counted)


def _node_id(node, label):
    return f"{getattr(node, 'lineno', 0)}:{getattr(node, 'col_offset', 0)}:{label}"


class _Mutations:
    """Every single-point mutation of a module's AST: (id, description, new tree)."""

    def __init__(self, tree, params, globals_):
        self.tree, self.params, self.globals = tree, params, globals_

    def all(self):
        out = []
        for node in ast.walk(self.tree):
            for label, what, apply in self._at(node):
                new = copy.deepcopy(self.tree)
                target = next(n for n in ast.walk(new) if _same(n, node))
                if apply(target, new) is not False:
                    out.append((_node_id(node, label), what, new))
        return out

    def _at(self, node):
        found = []
        if isinstance(node, ast.BinOp) and type(node.op) in SWAP_OPS:
            new_op = SWAP_OPS[type(node.op)]
            found.append((f"op-{new_op.__name__}", f"{_op(node.op)} becomes {_op(new_op())}",
                          lambda n, _t, o=new_op: setattr(n, "op", o())))
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in SWAP_CMP:
            new_cmp = SWAP_CMP[type(node.ops[0])]
            found.append((f"cmp-{new_cmp.__name__}", f"comparison becomes {new_cmp.__name__}",
                          lambda n, _t, c=new_cmp: setattr(n, "ops", [c()])))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            found.append(("drop-minus", "the minus sign is dropped",
                          lambda n, t: _replace(t, n, n.operand)))
        if isinstance(node, ast.Attribute) and node.attr in SWAP_NAMES:
            new = SWAP_NAMES[node.attr]
            found.append((f"name-{new}", f".{node.attr} becomes .{new}",
                          lambda n, _t, a=new: setattr(n, "attr", a)))
        if isinstance(node, ast.keyword) and node.arg in ("dim", "axis", "keepdim") and \
                isinstance(node.value, ast.Constant):
            v = node.value.value
            if isinstance(v, bool):
                new_v = not v
            elif isinstance(v, int):
                new_v = {0: 1, 1: 0, -1: 0}.get(v, 0)
            else:
                new_v = None
            if new_v is not None:
                found.append((f"kw-{node.arg}-{new_v}", f"{node.arg}={v} becomes {new_v}",
                              lambda n, _t, x=new_v: setattr(n.value, "value", x)))
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and \
                not isinstance(node.value, bool):
            v = node.value
            for k, new_v in enumerate(_other_numbers(v)):
                found.append((f"const-{k}", f"the constant {v!r} becomes {new_v!r}",
                              lambda n, _t, x=new_v: setattr(n, "value", x)))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            name = _call_name(node.value)
            if name in DROPPABLE:
                found.append((f"drop-{name}", f"the call .{name}() is dropped",
                              lambda n, t: _replace(t, n, ast.Pass())))
        if isinstance(node, ast.With) and any(_call_name(i.context_expr) == "no_grad"
                                              for i in node.items):
            found.append(("drop-with", "the `with torch.no_grad()` block runs without it",
                          lambda n, t: _unwrap(t, n)))
        if isinstance(node, ast.Call) and len(node.args) >= 2 and not any(
                isinstance(a, ast.Starred) for a in node.args[:2]):
            found.append(("swap-args", f"the first two arguments of {_call_name(node)}() are "
                          "swapped", lambda n, _t: n.args.__setitem__(
                              slice(0, 2), [n.args[1], n.args[0]])))
        if isinstance(node, ast.Call) and _call_name(node) == "range" and len(node.args) == 1:
            found.append(("range-plus-1", "range(n) becomes range(n + 1)",
                          lambda n, _t: n.args.__setitem__(0, ast.BinOp(
                              n.args[0], ast.Add(), ast.Constant(1)))))
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and \
                len(node.value.elts) >= 2:
            found.append(("swap-returns", "the first two returned values are swapped",
                          lambda n, _t: n.value.elts.__setitem__(
                              slice(0, 2), [n.value.elts[1], n.value.elts[0]])))
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.value, ast.BinOp) and isinstance(node.targets[0], ast.Name) and isinstance(
                node.value.left, ast.Name) and node.value.left.id == node.targets[0].id and \
                type(node.value.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div):
            found.append(("in-place", f"{node.targets[0].id} is updated in place",
                          lambda n, t: _replace(t, n, ast.AugAssign(
                              ast.Name(n.targets[0].id, ast.Store()), n.value.op,
                              n.value.right))))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and \
                node.id in self.params:
            for g in sorted(self.globals):
                if g != node.id and (g.startswith(node.id + "_") or g.lower().startswith(
                        node.id.lower() + "_")):
                    found.append((f"global-{g}", f"the argument {node.id} is read from the "
                                  f"notebook's global {g}",
                                  lambda n, _t, x=g: setattr(n, "id", x)))
        return found


def _same(a, b):
    return (type(a) is type(b) and getattr(a, "lineno", None) == getattr(b, "lineno", None)
            and getattr(a, "col_offset", None) == getattr(b, "col_offset", None)
            and getattr(a, "end_col_offset", None) == getattr(b, "end_col_offset", None))


def _replace(tree, old, new):
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new)
                return
            if isinstance(value, list) and any(v is old for v in value):
                setattr(parent, name, [new if v is old else v for v in value])
                return
    return False


def _unwrap(tree, with_node):
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if isinstance(value, list) and any(v is with_node for v in value):
                i = value.index(with_node)
                setattr(parent, name, value[:i] + with_node.body + value[i + 1:])
                return
    return False


def _op(op):
    return {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
            ast.FloorDiv: "//"}.get(type(op), type(op).__name__)


def _call_name(call):
    f = getattr(call, "func", None)
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _other_numbers(v):
    if isinstance(v, int):
        return [v + 1] if v in (0, 1) else [v + 1, v - 1]
    return [v * 2, v / 2] if v else [0.5]


def _params(tree):
    return {a.arg for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
            for a in f.args.args + f.args.kwonlyargs}


def _module_globals(cells):
    """The names the cells before a part assign at top level: what a learner's notebook has.

    Graded test cells are left out: their (hidden) names are not in the learner's notebook.
    """
    names = set()
    for cell in cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and \
                not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        source = cell.source
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        names.add(n.id)
    return sorted(names)


def mutants(source_cell, globals_=()):
    """Every mutant of one answer cell of a source notebook: a list of Mutant."""
    gid = source_cell.metadata["nbgrader"]["grade_id"]
    m = SOLUTION.search(source_cell.source)
    if not m:
        return []
    indent, body = m.group(1), m.group(2)
    block = "\n".join(line[len(indent):] if line.startswith(indent) else line
                      for line in body.splitlines())
    try:
        tree = ast.parse(block)
    except SyntaxError:
        return []
    full_tree = ast.parse(solution_code(source_cell.source))
    out, seen = [], set()
    for mid, what, new in _Mutations(tree, _params(full_tree), set(globals_)).all():
        code = ast.unparse(new)
        if code == ast.unparse(tree) or code in seen:
            continue
        seen.add(code)
        new_block = "\n".join(indent + line if line else line for line in code.splitlines())
        text = source_cell.source[:m.start()] + new_block + "\n" + source_cell.source[m.end():]
        out.append(Mutant(gid, f"{gid}:{mid}", what, solution_code(text)))
    return out


# --- grading mutants in a forked harness -------------------------------------------------

def _capture_display():
    """Make IPython's display() hand hidden-value messages to a list (this process only)."""
    import IPython.display

    sent = []

    def display(obj, raw=False, **_kw):
        if isinstance(obj, dict) and channel.MIME in obj:
            sent.append(obj[channel.MIME])
    IPython.display.display = display
    return sent


def _run_part(ns, sent, mutant, test_sources, references, notebook, write):
    """In a fork: run the mutant and its test cells, judge them, write the outcome, exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        exec(compile(mutant.code, f"<{mutant.cell}>", "exec"), ns)
        for gid, source in test_sources:
            del sent[:]
            try:
                exec(compile(source, f"<{gid}>", "exec"), ns)
            except BaseException as e:  # noqa: BLE001 - the mutant broke the test: killed
                os.write(write, json.dumps([True, f"{gid} raised {type(e).__name__}"]).encode())
                os._exit(0)
            received = {}
            for raw in sent:
                key, fields = channel.decode(raw)
                received.setdefault(key, []).append(fields)
            verdict = judge.judge_cell(refs.cell_entries(references, notebook, gid), received)
            if not verdict.passed:
                os.write(write, json.dumps([True, verdict.messages[0][:200]]).encode())
                os._exit(0)
        os.write(write, json.dumps([False, ""]).encode())
    except BaseException as e:  # noqa: BLE001 - the mutant does not even run: killed
        os.write(write, json.dumps([True, f"raised {type(e).__name__}"]).encode())
    os._exit(0)


def _grade_fork(ns, sent, mutant, tests, references, notebook):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        _run_part(ns, sent, mutant, tests, references, notebook, write)
    os.close(write)
    deadline = time.monotonic() + TIMEOUT
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([read], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(read, 65536)
        if not chunk:
            break
        data += chunk
    os.close(read)
    if not data:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    if not data:
        return Outcome(mutant, True, f"ran longer than {TIMEOUT:.0f} s")
    killed, why = json.loads(data)
    return Outcome(mutant, killed, why)


def grade_mutants(aid, root=nbtools.ROOT, cells=None, only=None):
    """Grade the mutants of ``aid``'s answer cells (``cells``, ids ``only``): {cell: PartReport}."""
    source_path = next(iter(nbtools.notebooks(Path(root) / "source" / aid)))
    nb = nbtools.read(source_path)
    references = refs.load(refs.folder(root), aid)
    notebook = source_path.stem
    codes = [c for c in nb.cells if c.cell_type == "code"]
    ns = {"__name__": "__main__"}
    sent = _capture_display()
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)  # before the notebook's first operation: forks stay safe
    reports = {}
    last = len(codes) - 1
    if only is not None:  # the cells after the last one holding a mutant asked for decide nothing
        wanted = {m.cell for found in all_mutants(aid, root).values() for m in found
                  if m.id in only}
        last = max((i for i, c in enumerate(codes)
                    if c.metadata.get("nbgrader", {}).get("grade_id") in wanted), default=-1)
    for i, cell in enumerate(codes[:last + 1]):
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        if meta.get("solution") and (cells is None or gid in cells):
            tests = []
            for later in codes[i + 1:]:
                lm = later.metadata.get("nbgrader", {})
                if lm.get("solution"):
                    break
                if lm.get("grade"):
                    tests.append((lm["grade_id"], later.source))
            report = reports[gid] = PartReport(gid)
            for mutant in mutants(cell, _module_globals(codes[:i])):
                if only is not None and mutant.id not in only:
                    continue
                report.outcomes.append(_grade_fork(ns, sent, mutant, tests, references,
                                                   notebook))
        code = solution_code(cell.source) if meta.get("solution") else cell.source
        del sent[:]
        sys.stdout.flush()
        out = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        try:
            exec(compile(code, f"<{gid or i}>", "exec"), ns)
        finally:
            os.dup2(out, 1)
            os.close(out)
            os.close(devnull)
    return reports


def reviewed(root=nbtools.ROOT):
    """(EQUIVALENT, BARS) of tests/mutation/reviewed.py: equivalent mutants and kill-rate bars."""
    import runpy

    path = Path(root) / "tests" / "mutation" / "reviewed.py"
    if not path.exists():
        return {}, {}
    data = runpy.run_path(str(path))
    return data.get("EQUIVALENT", {}), data.get("BARS", {})


def run_assignment(aid, root=nbtools.ROOT, cells=None, only=None):
    """Grade ``aid``'s mutants in a child process (torch state stays out of the caller).

    The child is forked from multiprocessing's fork server, which has imported torch once
    (and run nothing): as fresh as a spawned process, without 2 CPU-s of imports each.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["torch"])
    with ctx.Pool(1) as pool:
        reports = pool.apply(grade_mutants, (aid, str(root), cells, only))
    equivalent, _ = reviewed(root)
    for report in reports.values():
        report.equivalent = {k: v for k, v in equivalent.get(aid, {}).items()
                             if k.startswith(report.cell + ":")}
    return reports


RESULTS = Path("tests") / "mutation" / "results.json"
#: The code whose behaviour decides a mutant's fate: a change to it makes results stale.
JUDGED_BY = ["judge.py", "channel.py", "checks.py", "mutate.py"]


def all_mutants(aid, root=nbtools.ROOT):
    """{cell: [Mutant]} of ``aid`` without grading them (cheap)."""
    nb = nbtools.read(next(iter(nbtools.notebooks(Path(root) / "source" / aid))))
    codes = [c for c in nb.cells if c.cell_type == "code"]
    return {c.metadata["nbgrader"]["grade_id"]: mutants(c, _module_globals(codes[:i]))
            for i, c in enumerate(codes) if c.metadata.get("nbgrader", {}).get("solution")}


def digest(aid, root=nbtools.ROOT):
    """A hash of what decides ``aid``'s mutation results: mutants, tests, references, judge."""
    h = hashlib.sha256()
    for found in all_mutants(aid, root).values():
        for m in found:
            h.update(m.id.encode() + b"\0" + m.code.encode() + b"\0")
    nb = nbtools.read(next(iter(nbtools.notebooks(Path(root) / "source" / aid))))
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade"):
            h.update(c.source.encode())
    h.update(refs.path(root, aid).read_bytes())
    for name in JUDGED_BY:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:16]


def record(reports):
    """The JSON-able results of one assignment's reports."""
    return {cell: {"mutants": len(r.outcomes), "killed": sorted(o.mutant.id for o in r.outcomes
                                                                 if o.killed),
                   "survivors": {o.mutant.id: o.mutant.what for o in r.outcomes
                                 if not o.killed}}
            for cell, r in reports.items()}


def load_results(root=nbtools.ROOT):
    path = Path(root) / RESULTS
    return json.loads(path.read_text()) if path.exists() else {}


def write_results(results, root=nbtools.ROOT):
    path = Path(root) / RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def record_all(ids, root=nbtools.ROOT, workers=None):
    """Grade every mutant of ``ids`` and write their results; return {aid: reports}."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers or os.cpu_count() or 1) as pool:
        results = dict(zip(ids, pool.map(lambda aid: run_assignment(aid, root), ids)))
    saved = load_results(root)
    for aid, reports in results.items():
        saved[aid] = {"digest": digest(aid, root), "parts": record(reports)}
    write_results(saved, root)
    return results


def main(args):
    """Print, per assignment and part, the kill rate and every surviving mutant."""
    from concurrent.futures import ThreadPoolExecutor

    ids = args.assignments or nbtools.assignments()
    _, bars = reviewed()
    failed = False
    if args.record:
        results = list(record_all(ids, workers=args.workers).values())
    else:
        with ThreadPoolExecutor(args.workers or os.cpu_count() or 1) as pool:
            results = list(pool.map(run_assignment, ids))
    for aid, reports in zip(ids, results):
        for cell, report in reports.items():
            bar = bars.get(aid, {}).get(cell, 1.0)
            low = report.kill_rate < bar
            failed |= low
            print(f"{aid} {cell}: killed {sum(o.killed for o in report.counted)}/"
                  f"{len(report.counted)} = {report.kill_rate:.0%} (bar {bar:.0%})"
                  f"{'  BELOW THE BAR' if low else ''}"
                  f"{f', {len(report.equivalent)} equivalent' if report.equivalent else ''}")
            for o in report.survivors:
                print(f"    survives {o.mutant.id}: {o.mutant.what}")
    return 1 if failed else 0
