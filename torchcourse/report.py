"""The class report of a grading run: scores, the parts learners struggle with, flagged submissions.

Written as ``report.html`` beside two figures (``scores.png``: the score distribution
of each assignment; ``parts.png``: the pass rate of every graded part) and the
grades exported by nbgrader's CSV exporter (``grades.csv``).
"""
import html
import statistics
from pathlib import Path


def export_csv(course, dest, ids):
    """nbgrader's CSV export of ``ids`` (what `nbgrader export` writes) to ``dest``."""
    from nbgrader.plugins import CsvExportPlugin

    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    plugin = CsvExportPlugin(to=str(dest), assignment=list(ids))
    with course.gradebook() as gb:
        plugin.export(gb)
    return dest


def gather(course, ids):
    """Per assignment: max score, {student: score}, and per part (max, passed, submissions)."""
    from nbgrader.api import MissingEntry

    data = {}
    with course.gradebook() as gb:
        for aid in ids:
            try:
                a = gb.find_assignment(aid)
            except MissingEntry:
                continue
            parts = {}
            for nb in a.notebooks:
                for cell in nb.grade_cells:
                    if cell.cell_type == "code":
                        parts[cell.name] = {"max": cell.max_score, "passed": 0, "n": 0}
            scores = {}
            for sub in a.submissions:
                scores[sub.student.id] = float(sub.score)
                for snb in sub.notebooks:
                    for g in snb.grades:
                        if g.name in parts:
                            parts[g.name]["n"] += 1
                            parts[g.name]["passed"] += (g.score or 0) >= g.max_score
            data[aid] = {"max": float(a.max_score), "scores": scores, "parts": parts}
    return data


def plot_scores(data, path):
    """One histogram of scores per assignment."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ids = [a for a in data if data[a]["scores"]]
    cols = min(4, max(len(ids), 1))
    rows = max(1, -(-len(ids) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    for ax in axes.flat[len(ids):]:
        ax.axis("off")
    for ax, aid in zip(axes.flat, ids):
        top = data[aid]["max"]
        scores = list(data[aid]["scores"].values())
        bins = [i - 0.5 for i in range(int(top) + 2)] if top <= 30 else 15
        ax.hist(scores, bins=bins, color="#4c72b0", edgecolor="white")
        ax.set_title(aid, fontsize=9)
        ax.set_xlabel(f"score (of {top:g})", fontsize=8)
        ax.set_ylabel("students", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_parts(data, path):
    """The pass rate of every graded part, lowest first within each assignment."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, rates = [], []
    for aid, d in data.items():
        for name, p in d["parts"].items():
            if p["n"]:
                labels.append(f"{aid}: {name}")
                rates.append(100 * p["passed"] / p["n"])
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(labels) + 1.2))
    colors = ["#c44e52" if r < 50 else "#dd8452" if r < 80 else "#55a868" for r in rates]
    ax.barh(range(len(labels)), rates, color=colors)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions passing the part (%)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


STYLE = """body{font-family:sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#eee}.low{color:#b00}"""


def write(course, run, ids, out):
    """Write report.html, scores.png and parts.png for the run into ``out``; return the path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = gather(course, ids)
    plot_scores(data, out / "scores.png")
    plot_parts(data, out / "parts.png")
    e = html.escape
    summary = []
    for aid, d in data.items():
        s = list(d["scores"].values())
        if not s:
            continue
        summary.append([e(aid), len(s), f"{statistics.mean(s):.2f}", f"{statistics.median(s):g}",
                        f"{min(s):g}", f"{max(s):g}", f"{d['max']:g}",
                        f"{100 * sum(x >= d['max'] for x in s) / len(s):.0f}%"])
    parts = sorted(((100 * p["passed"] / p["n"], aid, name, p) for aid, d in data.items()
                    for name, p in d["parts"].items() if p["n"]), key=lambda t: t[0])
    part_rows = [[e(aid), e(name), f"{p['max']:g}",
                  f"<span class={'low' if rate < 50 else 'ok'}>{rate:.0f}%</span>",
                  f"{p['passed']}/{p['n']}"] for rate, aid, name, p in parts]
    records = sorted(run.records.values(), key=lambda r: r.pair)
    flagged = [[e(r.student), e(r.assignment), f"{r.score:g}/{r.max_score:g}",
                "<br>".join(e(f) for f in r.flags)] for r in records if r.flags]
    errors = [[e(r.student), e(r.assignment), e(str(r.reason))]
              for r in records if r.status == "error"]
    missing = [[e(s), e(a)] for s, a in run.missing]
    times = ", ".join(f"{k} {v:.1f} s" for k, v in run.times.items())
    page = [f"<!doctype html><html><head><meta charset='utf-8'><title>Grading report</title>"
            f"<style>{STYLE}</style></head><body><h1>Grading report</h1>",
            f"<p>{len(run.graded)} submissions graded in this run, {len(run.skipped)} already "
            f"graded, {len(flagged)} flagged, {len(errors)} not graded because of an error, "
            f"{len(missing)} not submitted. Time: {e(times)}.</p>",
            "<h2>Scores</h2>",
            _table(["assignment", "submissions", "mean", "median", "min", "max", "out of",
                    "full marks"], summary),
            "<img src='scores.png' alt='score distribution per assignment'>",
            "<h2>Graded parts, hardest first</h2>",
            "<p>The share of submissions that earn all of a part's points.</p>",
            _table(["assignment", "part", "points", "pass rate", "passed"], part_rows),
            "<img src='parts.png' alt='pass rate of every graded part'>",
            f"<h2>Flagged submissions ({len(flagged)})</h2>",
            "<p>Graded, but something needs a look: limits reached, a dead kernel, a syntax "
            "error, edited or deleted cells, missing notebooks.</p>",
            _table(["student", "assignment", "score", "why"], flagged) if flagged
            else "<p>None.</p>"]
    if errors:
        page += [f"<h2>Not graded ({len(errors)})</h2>",
                 "<p>Run <code>make grade</code> again to retry these.</p>",
                 _table(["student", "assignment", "error"], errors)]
    if missing:
        page += [f"<h2>Not submitted ({len(missing)})</h2>",
                 _table(["student", "assignment"], missing)]
    page.append("</body></html>")
    path = out / "report.html"
    path.write_text("\n".join(page), encoding="utf-8")
    return path
