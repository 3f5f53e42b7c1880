"""Why a submission needs an instructor's look: what the report lists beside its score.

``structure_flags`` compares a submitted notebook with the assignment (cells deleted,
edited, moved or pasted twice); ``output_flags`` reads the graded notebook (time and
memory limits, a dead kernel, a syntax error). Flags describe, they never change a score.
"""
from .preprocessors import KERNEL_DIED, NOT_RUN, grade_id


def _checksum(cell):
    from nbgrader.utils import compute_checksum

    try:
        return compute_checksum(cell)
    except (KeyError, ValueError, TypeError):  # metadata damaged too: surely edited
        return None


def released_checksums(nb):
    """{grade_id: checksum} of the locked cells of a release notebook."""
    return {grade_id(c): _checksum(c) for c in nb.cells
            if grade_id(c) and c.metadata.nbgrader.get("locked")}


def structure_flags(nb, source_cells, released):
    """Reasons a submitted notebook differs from the assignment in its locked and test cells.

    ``source_cells``: {name: {"grade", "solution", "locked", "checksum"}} from the gradebook,
    in the assignment's order; ``released``: checksums of the release's locked cells (the
    gradebook's include the hidden tests, which an untouched submission does not have).
    """
    flags = []
    present, order = {}, []
    for c in nb.cells:
        gid = grade_id(c)
        if not gid:
            continue
        if gid in present:
            if gid in source_cells:
                flags.append(f"pasted the cell {gid} twice (only the first copy is graded)")
            continue
        present[gid] = c
        if gid in source_cells:
            order.append(gid)
    expected = [n for n in source_cells if n in present]
    if order != expected:
        moved = next(a for a, b in zip(order, expected) if a != b)
        flags.append(f"moved the cell {moved} (cells were put back in the assignment's order)")
    for name, src in source_cells.items():
        if name not in present:
            if src["grade"]:
                flags.append(f"deleted the test cell {name} (put back for grading)")
            elif src["solution"]:
                flags.append(f"deleted the answer cell {name} (put back unanswered)")
            elif src["locked"]:
                flags.append(f"deleted the locked cell {name} (put back for grading)")
            continue
        cell = present[name]
        want = released.get(name, cell.metadata.nbgrader.get("checksum"))
        if src["locked"] and want and _checksum(cell) != want:
            flags.append(f"edited the locked cell {name} (the original was restored)")
    return flags


def output_flags(nb, timeout):
    """Reasons found in a graded notebook's outputs: time, memory, a dead kernel, syntax."""
    flags = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            where = grade_id(cell) or f"cell {i + 1}"
            ename, evalue = out.get("ename", ""), out.get("evalue", "")
            if ename == "CellTimeoutError":
                flags.append(f"time limit: {where} ran longer than {timeout} s and was stopped")
            elif ename == KERNEL_DIED:
                flags.append(f"kernel died in {where}: {evalue}")
            elif ename == NOT_RUN and not any(f.startswith("later cells not run") for f in flags):
                flags.append(f"later cells not run: {evalue[len('Not run: '):].rstrip('.')}")
            elif ename == "MemoryError" or "can't allocate memory" in evalue:
                flags.append(f"memory limit: {where} ran out of memory")
            elif ename in ("SyntaxError", "IndentationError", "TabError"):
                flags.append(f"syntax error in {where}: {evalue[:200]}")
    return flags
