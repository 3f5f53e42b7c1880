"""Read, execute, normalize and compare notebooks the same way everywhere."""
import os
import re
from contextlib import contextmanager
from pathlib import Path

import nbformat

#: The course root: the folder holding nbgrader_config.py.
ROOT = Path(__file__).resolve().parent.parent

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def assignments(root=ROOT):
    """Assignment ids in course order: the folders of source/."""
    return sorted(p.name for p in (Path(root) / "source").iterdir()
                  if p.is_dir() and re.match(r"\d\d_", p.name))


def notebooks(folder):
    """The .ipynb files of a folder, sorted, checkpoints excluded."""
    return sorted(p for p in Path(folder).glob("*.ipynb"))


def read(path):
    return nbformat.read(str(path), as_version=4)


def write(nb, path):
    """Write ``nb`` normalized, so a rebuild of unchanged input is byte-identical."""
    normalize(nb)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        nbformat.write(nb, f)


def normalize(nb):
    """Drop what changes from run to run or machine to machine: timings, widget state, ids."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    li = nb.metadata.get("language_info")
    if li:
        nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    used = set()
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        # Stable ids (nbformat 4.5): the grade_id where there is one, else the position
        # (a pasted copy of a cell, with the same grade_id, gets its position too).
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell["id"] = grade_id if grade_id and grade_id not in used else f"cell-{i}"
        used.add(cell["id"])
        if cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.get("outputs", []))
            for out in cell.outputs:
                out.get("metadata", {}).pop("execution", None)
    return nb


def _coalesce_streams(outputs):
    """Merge consecutive prints to the same stream: how a kernel splits them is timing."""
    merged = []
    for out in outputs:
        if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == out.name):
            merged[-1].text += out.text
        else:
            merged.append(out)
    return merged


def strip_outputs(nb):
    """Clear every code cell's outputs and execution count; return ``nb``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


@contextmanager
def env(**values):
    """Set environment variables for the block (kernels started inside inherit them)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def execute(nb, cwd, timeout=300, allow_errors=False, sandbox=False):
    """Run every cell of ``nb`` in a fresh python3 kernel started in ``cwd``; return ``nb``.

    With ``sandbox`` the kernel runs in the grading sandbox (``torchcourse.sandbox``): it
    sees none of the course's files and its working folder is a private empty one.
    """
    from nbclient import NotebookClient

    extra = {}
    if sandbox:
        from .sandbox import SandboxKernelManager

        extra["kernel_manager_class"] = SandboxKernelManager
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            allow_errors=allow_errors, record_timing=False,
                            resources={"metadata": {"path": str(cwd)}}, **extra)
    with env(PYTHONHASHSEED=0, MPLBACKEND="module://matplotlib_inline.backend_inline"):
        client.execute()
    return nb


def execute_file(path, timeout=300):
    """Execute the notebook at ``path`` in the sandbox and write it back normalized.

    In the sandbox, as the tests run it (torchcourse.nbcompare): a lecture reads nothing but
    the course package, and its outputs do not depend on where the course lives.
    """
    nb = read(path)
    execute(nb, Path(path).parent, timeout=timeout, sandbox=True)
    write(nb, path)
    return nb
