"""Reference values of the hidden tests, recorded by running the reference solution.

``python -m torchcourse refs`` (part of ``make build``) runs each source notebook — the
reference solution with its hidden tests — in the sandbox, reads what every ``expect``
sent over the channel (``channel``), exactly as the grader reads a learner's run, and
writes ``references/<assignment>.json``: per notebook and graded cell, each key with its
value, kind, dtype, shape, tolerances, "what" and hint. The grader (``judge``) reads it;
nothing of it ever enters a kernel. ``--check`` reports stale values and changes nothing.
"""
import json
import math
from pathlib import Path

from . import channel, nbtools

FOLDER = "references"
STALE_TOLERANCE = 1e-5  # relative; values carry 7 significant digits
#: A recorded value is stale once a fresh one is further from it than this share of the
#: grader's tolerance for it (``atol + rtol·|value|``): float32 loops drift between CPUs
#: (2e-5 relative, a fifth of that tolerance, seen between AVX2 and AVX-512 machines), and
#: the rest of the tolerance stays the learner's.
STALE_SHARE = 0.5


class RecordingError(RuntimeError):
    """The reference solution did not run cleanly or sent malformed values."""


def path(root, aid):
    """Where the reference values of assignment ``aid`` are kept."""
    return folder(root) / f"{aid}.json"


def folder(root):
    """The folder of every assignment's reference values."""
    return Path(root) / FOLDER


def round_sig(value, digits=7):
    """Round a float (or nested list of floats) to ``digits`` significant digits."""
    if isinstance(value, list):
        return [round_sig(v, digits) for v in value]
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def _grade_id(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id") if meta.get("grade") else None


def messages(cell):
    """The raw hidden-value messages one executed cell sent, in order."""
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {}) if o.get("output_type") in ("display_data",
                                                             "execute_result") else {}
        if channel.MIME in data:
            out.append(data[channel.MIME])
    return out


def entries(nb, where):
    """{grade_id: [entry]} from an executed reference solution; raise if anything is off."""
    cells, seen = {}, set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise RecordingError(f"{where}: the reference solution raised "
                                     f"{o.get('ename')}: {o.get('evalue')}")
        sent = messages(cell)
        gid = _grade_id(cell)
        if sent and gid is None:
            raise RecordingError(f"{where}: expect() in a cell that is not a test cell")
        if gid is None:
            continue
        cells[gid] = []
        for raw in sent:
            key, fields = channel.decode(raw)
            if key in seen:
                raise RecordingError(f"{where}: the key {key!r} is sent twice")
            if "error" in fields:
                raise RecordingError(f"{where}: {key!r} is not a number: {fields['error']}")
            seen.add(key)
            entry = {"key": key, "what": raw["what"], "atol": raw["atol"], "rtol": raw["rtol"],
                     "hint": raw.get("hint"), "kind": fields["kind"], "dtype": fields["dtype"],
                     "shape": fields["shape"], "value": round_sig(fields["value"])}
            if "items" in fields:
                entry["items"] = fields["items"]
            cells[gid].append(entry)
        if not cells[gid]:
            raise RecordingError(f"{where}: the test cell {gid} sends no hidden value")
    return cells


def record(source_path):
    """Run one source notebook in the sandbox; return {grade_id: [entry]}."""
    nb = nbtools.execute(nbtools.read(source_path), Path(source_path).parent,
                         allow_errors=True, sandbox=True)
    return entries(nb, Path(source_path).name)


def catalogue(root, aid):
    """The typical mistakes declared for ``aid`` (tests/broken/<aid>.py), or none."""
    from .submissions import load_broken

    path = Path(root) / "tests" / "broken" / f"{aid}.py"
    return load_broken(path) if path.exists() else []


def _mistake_values(source_path, case):
    """{key: fields} the source notebook sends from ``case.costs`` with ``case``'s answer."""
    nb = nbtools.read(source_path)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == case.cell]
    if not cells:
        return {}
    cells[0].source = case.code
    nb = nbtools.execute(nb, Path(source_path).parent, allow_errors=True, sandbox=True)
    out = {}
    for cell in nb.cells:
        if _grade_id(cell) in case.costs:
            for raw in messages(cell):
                try:
                    key, fields = channel.decode(raw)
                except channel.Malformed:
                    continue
                if "error" not in fields:
                    out[key] = fields
    return out


def add_mistakes(cells, source_path, cases, workers=2):
    """Record, beside each reference entry, the values each declared mistake sends for it.

    The grader names a mistake when a learner's value matches one of these (``judge``).
    """
    from concurrent.futures import ThreadPoolExecutor

    from . import judge

    mine = [c for c in cases if any(gid in cells for gid in c.costs)]
    with ThreadPoolExecutor(workers) as pool:
        found = list(pool.map(lambda c: _mistake_values(source_path, c), mine))
    for case, values in zip(mine, found):
        for gid in case.costs:
            for entry in cells.get(gid, []):
                got = values.get(entry["key"])
                if got is None or got.get("shape") is None or (
                        not judge.contract(entry, got)
                        and judge.matches(entry, got, entry["value"])):
                    continue  # no value, or right anyway: it says nothing about the mistake
                known = entry.setdefault("mistakes", [])
                if not any(judge.matches(entry, got, m["value"], m.get("shape")) for m in known):
                    known.append({"why": case.why, "value": round_sig(got["value"]),
                                  "shape": got["shape"]})
    return cells


def record_assignment(root, aid, mistakes=True):
    """The references of every notebook of ``aid`` (with the values of its typical mistakes)."""
    out = {"assignment": aid, "notebooks": {}}
    for p in nbtools.notebooks(Path(root) / "source" / aid):
        cells = record(p)
        if mistakes:
            add_mistakes(cells, p, catalogue(root, aid))
        out["notebooks"][p.stem] = {"cells": cells}
    return out


def load(where, aid):
    """The recorded references of ``aid`` in the folder ``where``; RecordingError if none."""
    p = Path(where) / f"{aid}.json"
    try:
        return json.loads(p.read_text())
    except FileNotFoundError:
        raise RecordingError(f"no reference values for {aid} ({p}): run `make build`") from None


def cell_entries(references, notebook, grade_id):
    """The expected entries of one graded cell (empty if none were recorded)."""
    return references.get("notebooks", {}).get(notebook, {}).get("cells", {}).get(grade_id, [])


def write(root, aid, references):
    p = path(root, aid)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(references, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def _close(a, b, atol=0.0, rtol=0.0):
    """Whether a fresh value ``b`` is the recorded ``a`` (7 digits, or the drift allowed)."""
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(_close(x, y, atol, rtol) for x, y in zip(a, b)))
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b or (math.isnan(a) and math.isnan(b))
    return abs(a - b) <= max(STALE_TOLERANCE * max(1.0, abs(b)),
                             STALE_SHARE * (atol + rtol * abs(a)))


def _worst(a, b):
    """The largest difference between two values of the same shape (for a message)."""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return max((_worst(x, y) for x, y in zip(a, b)), default=0.0)
    try:
        return abs(a - b)
    except TypeError:
        return math.inf


def stale(current, fresh):
    """Problems of the recorded ``current`` references against a ``fresh`` recording."""
    problems = []
    for nb, data in fresh["notebooks"].items():
        have = current.get("notebooks", {}).get(nb, {}).get("cells", {})
        for gid, want in data["cells"].items():
            got = {e["key"]: e for e in have.get(gid, [])}
            for entry in want:
                old = got.pop(entry["key"], None)
                if old is None:
                    problems.append(f"{nb}/{gid}: {entry['key']!r} is not recorded")
                    continue
                plain = {k: v for k, v in entry.items() if k not in ("value", "mistakes")}
                changed = [k for k in plain if old.get(k) != plain[k]]
                if changed:
                    problems.append(f"{nb}/{gid}: {entry['key']!r} is stale (its "
                                    f"{', '.join(changed)} changed)")
                    continue
                atol, rtol = old.get("atol", 0.0), old.get("rtol", 0.0)
                if not _close(old["value"], entry["value"], atol, rtol):
                    problems.append(
                        f"{nb}/{gid}: {entry['key']!r} is stale (off by up to "
                        f"{_worst(old['value'], entry['value']):.3g}; the grader allows "
                        f"{atol:g} + {rtol:g}·|value|)")
            problems += [f"{nb}/{gid}: {k!r} is recorded but never sent" for k in got]
        problems += [f"{nb}/{gid}: recorded but not a test cell any more"
                     for gid in set(have) - set(data["cells"])]
    return problems


def update(root, aid, check=False):
    """Record (or with ``check`` only compare) the references of ``aid``; return problems."""
    try:
        fresh = record_assignment(root, aid, mistakes=not check)
    except (RecordingError, channel.Malformed) as e:
        return [str(e)]
    if check:
        try:
            current = load(folder(root), aid)
        except RecordingError as e:
            return [str(e)]
        return [f"{aid}: {p}" for p in stale(current, fresh)]
    write(root, aid, fresh)
    return []


def update_all(root=nbtools.ROOT, ids=None, check=False, workers=1):
    """``update`` every assignment, ``workers`` at a time; return all problems."""
    ids = list(ids or nbtools.assignments(root))
    if workers <= 1 or len(ids) <= 1:
        return [msg for aid in ids for msg in update(root, aid, check)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        found = pool.map(lambda aid: update(root, aid, check), ids)
        return [msg for problems in found for msg in problems]
