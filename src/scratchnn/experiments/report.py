"""Render the reproduce results: ``report.md``, a self-contained ``index.html``, figures, JSON.

The page: a contents bar; per sweep its table (ours beside the writeup's value, ⚠ where they
differ), the commentary, a compact grid of small multiples (one accuracy panel per setting, with
the writeup's values drawn on it) and, folded in ``<details>``, the overview and the per-setting
loss/accuracy figures; the "Beyond the writeup" configs; the theory checks; the paper review's
claims tested (:mod:`scratchnn.review.report`, when ``results`` holds a review); the provenance.

:func:`render_markdown` and :func:`render_html` are pure functions of ``results`` (what
``results.json`` holds) and the figure files; :func:`write_figures` and :func:`write_report` do
the drawing and the writing.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

from ..config import RunConfig
from ..fileio import atomic_write_text, dumps_json
from ..plots import plot_overview, plot_seed_curves, plot_small_multiples, seeds_caption
from . import writeup
from .store import RunRecord
from .sweep import CURVE_FIELDS, METRICS, history_array

ROW_LABELS = {
    "train_acc": "train acc (last epoch, running)",
    "val_acc_last": "val acc (last epoch)",
    "val_acc_best": "val acc (best epoch)",
    "test_acc": "test acc (best-val model)",
}
MARK = "⚠"
DIVERGED = "diverged"  # a cell none of whose runs finished (their loss became NaN or infinite)
TITLE = "scratchnn reproduces the CS7643 A1 writeup"
SECTION_NAMES = {
    "lr": "Learning rate",
    "reg": "Regularisation",
    "tuned": "Tuned",
    "beyond": "Beyond the writeup",
    "theory": "Theory",
    "review": "Paper review",
    "provenance": "Provenance",
}
# where each figure goes: "grid" and "shown" in the page, "details" folded
Figures = dict[str, dict[str, list[str]]]


def mean_std(stats: dict[str, Any]) -> str:
    """``"0.9766 ± 0.0012"``; ``"0.9766"`` for a single seed (there is no spread to show);
    ``"diverged"`` for a cell without a finished run (its mean is ``null`` in ``results.json``,
    ``NaN`` before it is written)."""
    mean, std = stats.get("mean"), stats.get("std")
    if mean is None or not math.isfinite(mean):
        return DIVERGED
    if len(stats.get("values") or ()) == 1:
        return f"{mean:.4f}"
    return f"{mean:.4f} ± {std:.4f}"


def md_cell(text: str) -> str:
    """Text made safe for a Markdown table cell: ``|`` escaped, no line breaks."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _n_seeds(results: dict[str, Any]) -> int:
    return int(results["settings"]["seeds"])


def _fmt_cell(cell: dict[str, Any], metric: str) -> tuple[str, str | None, bool]:
    """(ours: "mean ± std", "mean" for one seed, or "diverged"; writeup value or None;
    differs?)."""
    ours = cell[metric]
    text = mean_std(ours)
    cmp = cell["compare"].get(metric)
    if cmp is None:
        return text, None, False
    return text, f"{cmp['writeup']:.4f}", cmp["differs"]


def _tables(results: dict[str, Any]) -> list[tuple[str, str, str, dict[str, dict[str, Any]]]]:
    """(section key, title, column label, {column value: cell})."""
    s = results["settings"]
    d, t, ep = s["defaults"], s["tuned"], s["epochs"]
    return [
        (
            "lr",
            f"Learning rate (batch {d['batch_size']}, reg {d['reg']}, {ep} epochs)",
            "lr",
            results["lr_sweep"],
        ),
        (
            "reg",
            f"Regularisation (batch {d['batch_size']}, lr {d['learning_rate']}, {ep} epochs)",
            "reg",
            results["reg_sweep"],
        ),
        (
            "tuned",
            f"Tuned (batch {t['batch_size']}, lr {t['learning_rate']}, reg {t['reg']}, "
            f"{t['epochs']} epochs)",
            "",
            {"tuned": results["tuned"]},
        ),
    ]


def _md_table(label: str, cells: dict[str, dict[str, Any]]) -> str:
    head = "| | " + " | ".join(md_cell(f"{label} {v}".strip()) for v in cells) + " |"
    lines = [head, "|---" * (len(cells) + 1) + "|"]
    for metric in METRICS:
        row = []
        for cell in cells.values():
            ours, pub, differs = _fmt_cell(cell, metric)
            text = ours if pub is None else f"{ours} (writeup {pub})"
            row.append(md_cell(text + (f" {MARK}" if differs else "")))
        lines.append(f"| {ROW_LABELS[metric]} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def _html_table(label: str, cells: dict[str, dict[str, Any]]) -> str:
    head = "".join(f"<th>{html.escape(f'{label} {v}'.strip())}</th>" for v in cells)
    rows = []
    for metric in METRICS:
        tds = []
        for cell in cells.values():
            ours, pub, differs = _fmt_cell(cell, metric)
            pub_html = f"<br><span class='pub'>writeup {pub}</span>" if pub else ""
            cls = " class='differs'" if differs else ""
            mark = (
                f" <span title='{html.escape(writeup.FLAG_RULE)}'>{MARK}</span>" if differs else ""
            )
            tds.append(f"<td{cls}>{ours}{mark}{pub_html}</td>")
        rows.append(f"<tr><th>{ROW_LABELS[metric]}</th>{''.join(tds)}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


# --- figures (drawing: the only part that touches the run records) ------------------------------


def _marks(cell: dict[str, Any], fallback: dict[str, float] | None = None) -> dict[str, Any]:
    """What :func:`~scratchnn.plots.plot_seed_curves` draws for a cell: the writeup's final-epoch
    values (``fallback`` when the cell has none: the writeup's tuned test accuracy for the
    "Beyond" configs) and our test accuracy."""
    pub = cell.get("writeup") or {}
    marks: dict[str, Any] = {k: pub[k] for k in ("train_acc", "val_acc", "test_acc") if k in pub}
    if not marks and fallback:
        marks = {**fallback, "label": "writeup tuned"}
    mean = cell["test_acc"]["mean"]
    if mean is not None and math.isfinite(mean):
        marks["ours_test"] = mean
    return marks


def _cell_of(results: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    if name == "tuned":
        return results["tuned"]
    if name == "beyond":
        return results["beyond"][value]
    return results[f"{name}_sweep"][f"{value:g}"]


def write_figures(
    experiments: dict[str, list[tuple[Any, list[RunConfig]]]],
    records: dict[RunConfig, RunRecord],
    results: dict[str, Any],
    out: Path,
) -> Figures:
    """Draw every figure into ``out/figures``; return where each goes in the report:
    ``{section: {"grid": [...], "shown": [...], "details": [...]}}`` (paths relative to ``out``).

    Per sweep: a grid of small accuracy panels (one per setting), the overview of all settings and
    one loss/accuracy figure per setting (mean over seeds, min..max band), each with the
    writeup's values marked; the theory section's decision boundaries.
    """
    from ..theory.checks import plot_gates

    fig_dir = out / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    plot_gates(fig_dir / "theory_gates.png")
    made: Figures = {"theory": {"grid": [], "shown": ["figures/theory_gates.png"], "details": []}}
    if "review" in results:
        from ..review.report import write_section_figures

        drawn = write_section_figures(results["review"], out)
        made["review"] = {str(claim): paths for claim, paths in drawn.items()}
    tuned_test = {"test_acc": writeup.TUNED["test_acc"]}
    for name, rows in experiments.items():
        panels, marks = {}, {}
        made[name] = {"grid": [], "shown": [], "details": []}
        for value, cfgs in rows:
            recs = [records[c] for c in cfgs]
            curves = {f: history_array(recs, f) for f in CURVE_FIELDS}
            if name in ("tuned", "beyond"):
                label = "tuned" if name == "tuned" else str(value)
                fname = f"{label}.png" if name == "tuned" else f"beyond_{value}.png"
            else:
                label, fname = f"{name} {value:g}", f"{name}_{value:g}.png"
            mark = _marks(_cell_of(results, name, value), tuned_test)
            panels[label], marks[label] = curves, mark
            plot_seed_curves(
                curves, f"{label} ({seeds_caption(len(recs))})", fig_dir / fname, marks=mark
            )
            made[name]["shown" if name == "tuned" else "details"].append(f"figures/{fname}")
        if name == "tuned" or not rows:
            continue
        n = len(rows[0][1])
        who = "the writeup's tuned test accuracy" if name == "beyond" else "the writeup's values"
        plot_small_multiples(
            panels,
            f"{SECTION_NAMES[name]}: accuracy per setting ({seeds_caption(n)}; dashed lines and "
            f"star: {who}; circle: our test accuracy)",
            fig_dir / f"{name}_grid.png",
            marks=marks,
        )
        made[name]["grid"].append(f"figures/{name}_grid.png")
        if name in ("lr", "reg"):
            plot_overview(
                panels,
                f"{name} sweep: all settings ({seeds_caption(n)})",
                fig_dir / f"{name}_overview.png",
            )
            made[name]["details"].insert(0, f"figures/{name}_overview.png")
    return made


# --- the text ----------------------------------------------------------------------------------


def _beyond_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    tuned = writeup.TUNED["test_acc"]
    for name, cell in results.get("beyond", {}).items():
        m, t = cell["config"]["Model"], cell["config"]["Train"]
        size = "784-10" if m["type"] == "SoftmaxRegression" else f"784-{m['hidden_size']}-10"
        desc = (
            f"{name}: {m['type']} {size}, {m['activation']}, dropout {m['dropout']:g}, "
            f"{t['optimizer']}, lr {t['learning_rate']:g}, reg {t['reg']:g}, {t['schedule']}, "
            f"batch {t['batch_size']}, {t['epochs']} epochs"
        )
        test = cell["test_acc"]
        rows.append(
            [
                f"`{cell['file']}`",
                desc,
                mean_std(test),
                _number(cell["val_acc_best"]["mean"], "{:.4f}"),
                _number(None if test["mean"] is None else test["mean"] - tuned, "{:+.4f}"),
                f"{cell['seconds']['mean']:.0f} s",
                str(len(test["values"])),
            ]
        )
    return rows


def _number(x: float | None, fmt: str) -> str:
    """``fmt`` of ``x``, or ``"diverged"`` when there is no finite number."""
    return DIVERGED if x is None or not math.isfinite(x) else fmt.format(x)


BEYOND_HEAD = [
    "config",
    "setup",
    "test acc",
    "best val acc",
    f"vs writeup's tuned {writeup.TUNED['test_acc']:.4f}",
    "training time per run",
    "seeds",
]


def sections(results: dict[str, Any]) -> list[str]:
    """The report's section keys, in order (``beyond`` only when it has rows)."""
    keys = ["lr", "reg", "tuned"]
    if _beyond_rows(results):
        keys.append("beyond")
    review = ["review"] if "review" in results else []
    return [*keys, "theory", *review, "provenance"]


def intro(results: dict[str, Any]) -> list[str]:
    """The opening paragraphs (plain text, the same in Markdown and HTML)."""
    s = results["settings"]
    n = _n_seeds(results)
    ours = "our single run (shuffle seed 0)" if n == 1 else f"our mean ± std over {n} shuffle seeds"
    parts = [
        f"Each cell: {ours} (faithful mode: TwoLayerNet 784-128-10 sigmoid, init seed 1024, "
        "float64), and the writeup's single unseeded run, labelled writeup. "
        f"{MARK} marks a cell where {writeup.FLAG_RULE}. The writeup's validation column does not "
        "say whether it is the last or the best epoch; both of ours are shown and compared with "
        "it. On the figures, dashed lines are the writeup's final-epoch training and validation "
        "accuracy, a star its test accuracy and an open circle ours.",
    ]
    if s["quick"]:
        parts.append(
            "Quick smoke run: 2-3 epochs on a data subset; not comparable with the writeup."
        )
    return parts


def theory_rows(results: dict[str, Any]) -> list[list[str]]:
    """(part, check, result, detail) per theory check."""
    return [
        [c["section"], c["name"].strip(), "pass" if c["passed"] else "FAIL", c["detail"]]
        for c in results["theory"]
    ]


def provenance_rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, value) rows of the provenance section, from ``results["provenance"]`` and the
    timings (``"not recorded"`` for a ``results.json`` written before provenance was kept)."""
    p = results.get("provenance") or {}

    def get(key: str) -> str:
        value = p.get(key)
        return "not recorded" if value is None else str(value)

    commit = p.get("git_commit")
    if "git_commit" in p and commit is None:
        commit_text = "none (not run from a git checkout)"
    else:
        commit_text = get("git_commit")
    seeds = p.get("shuffle_seeds")
    seeds_text = (
        f"shuffle seeds (Train.seed) {', '.join(map(str, seeds))}; weight-init seed 1024 "
        "(faithful mode)"
        if seeds is not None
        else "not recorded"
    )
    train_s = results.get("seconds_training_all_runs")
    this_s = results.get("seconds_total_this_invocation")
    time_text = (
        f"{train_s:.0f} s of training, summed over all runs (runs resumed from results.sqlite "
        f"count their original time); this invocation took {this_s:.0f} s"
        if train_s is not None and this_s is not None
        else "not recorded"
    )
    machine = (
        f"{p['cpu']}, {p['cores']} usable cores" if "cpu" in p and "cores" in p else "not recorded"
    )
    return [
        ("date (UTC)", get("date")),
        ("scratchnn version", get("scratchnn")),
        ("git commit", commit_text),
        ("machine", machine),
        ("platform", get("platform")),
        ("Python", get("python")),
        ("NumPy", get("numpy")),
        ("total training time", time_text),
        ("seeds", seeds_text),
    ]


def _md_rows(head: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(md_cell(h) for h in head) + " |",
        "|---" * len(head) + "|",
        *("| " + " | ".join(md_cell(c) for c in r) + " |" for r in rows),
    ]


def _md_details(summary: str, figures: list[str], alt: str) -> list[str]:
    if not figures:
        return []
    return [
        f"<details><summary>{html.escape(summary, quote=False)}</summary>",
        "",
        *(f"![{alt}]({f})" for f in figures),
        "",
        "</details>",
        "",
    ]


def _details_summary(key: str, figs: list[str]) -> str:
    n = len(figs)
    if key in ("lr", "reg"):
        return f"All settings overlaid, and each setting's loss and accuracy ({n} figures)"
    return f"Each config's loss and accuracy ({n} figures)"


def _review_figures(figures: Figures) -> dict[int, list[str]]:
    """The review section's figures by claim number."""
    return {int(claim): paths for claim, paths in figures.get("review", {}).items()}


def render_markdown(results: dict[str, Any], figures: Figures) -> str:
    """``report.md`` (GitHub-flavoured Markdown; anchors by ``<a id>``, folds by ``<details>``)."""
    keys = sections(results)
    parts = [
        f"# {TITLE}",
        "",
        "Contents: " + " · ".join(f"[{SECTION_NAMES[k]}](#{k})" for k in keys),
        "",
        *(p for para in intro(results) for p in (para, "")),
    ]
    for key, title, label, cells in _tables(results):
        parts += [f'<a id="{key}"></a>', "", f"## {title}", "", _md_table(label, cells), ""]
        parts += [f"- {line}" for line in results["commentary"][key]] + [""]
        fig = figures.get(key, {})
        parts += [f"![{key}]({f})" for f in fig.get("grid", []) + fig.get("shown", [])] + [""]
        parts += _md_details(
            _details_summary(key, fig.get("details", [])), fig.get("details", []), key
        )
    rows = _beyond_rows(results)
    if rows:
        fig = figures.get("beyond", {})
        parts += [
            '<a id="beyond"></a>',
            "",
            "## Beyond the writeup",
            "",
            "Configs found by `scratchnn tune` (selected on validation accuracy only; one hidden "
            "layer, no augmentation, no ensembles), beside the writeup's hand-tuned test accuracy "
            f"{writeup.TUNED['test_acc']:.4f} (the writeup's number). The configs are the ones "
            "shipped inside the package (`scratchnn/configs/`; the repository's `configs/` links "
            "there).",
            "",
            *_md_rows(BEYOND_HEAD, rows),
            "",
            *(f"![beyond]({f})" for f in fig.get("grid", [])),
            "",
            *_md_details(
                _details_summary("beyond", fig.get("details", [])), fig.get("details", []), "beyond"
            ),
        ]
    parts += ['<a id="theory"></a>', "", "## Theory, checked by computation", ""]
    parts += _md_rows(["part", "check", "result", "detail"], theory_rows(results))
    parts += [""] + [f"![theory]({f})" for f in figures["theory"]["shown"]] + [""]
    if "review" in results:
        from ..review.report import render_markdown as review_markdown

        parts += review_markdown(results["review"], _review_figures(figures))
    parts += ['<a id="provenance"></a>', "", "## Provenance", ""]
    parts += _md_rows(["", ""], [list(r) for r in provenance_rows(results)])
    return "\n".join(parts) + "\n"


CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:0 auto 2em;padding:0 1em;color:#222}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.5em 0;z-index:1;
font-size:15px}
nav a{margin-right:1em;text-decoration:none;color:#0645ad}
section{scroll-margin-top:3em}
table{border-collapse:collapse;margin:1em 0;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:center}
th{background:#f3f3f3}.pub{color:#666;font-size:12px}.differs{background:#fff3cd}
td.left{text-align:left}
img{max-width:100%;border:1px solid #eee;margin:4px 0}
details{margin:.5em 0 1.5em;border:1px solid #ddd;border-radius:4px;padding:.3em .8em}
summary{cursor:pointer;color:#0645ad}
.prov{font-size:13px;color:#555}
.verdict{padding:1px 6px;border-radius:3px}.supported{background:#d4edda}
.not-supported{background:#f8d7da}.mixed{background:#fff3cd}.rule{color:#555;font-size:13px}
"""


def _img(out: Path, rel: str) -> str:
    """An <img> with the PNG inlined as a data URI, so the page is one self-contained file."""
    data = base64.b64encode((out / rel).read_bytes()).decode()
    return f"<img alt='{html.escape(rel)}' src='data:image/png;base64,{data}'>"


def _html_details(out: Path, key: str, figs: list[str]) -> str:
    if not figs:
        return ""
    imgs = "".join(_img(out, f) for f in figs)
    return f"<details><summary>{html.escape(_details_summary(key, figs))}</summary>{imgs}</details>"


def _html_rows(head: list[str], rows: list[list[str]], left: int | None = None) -> str:
    ths = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=left' if i == left else ''}>{html.escape(c.strip('`'))}</td>"
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{ths}</tr>{trs}</table>"


def render_html(results: dict[str, Any], figures: Figures, out: Path) -> str:
    """``index.html``: one self-contained page (figures inlined) with a sticky contents bar."""
    keys = sections(results)
    prov = dict(provenance_rows(results))
    nav = "".join(f"<a href='#{k}'>{SECTION_NAMES[k]}</a>" for k in keys)
    body = [
        f"<nav id='contents'><b>Contents:</b> {nav}</nav>",
        f"<h1>{html.escape(TITLE)}</h1>",
        f"<p class='prov'>Generated {html.escape(prov['date (UTC)'])} (UTC) by scratchnn "
        f"{html.escape(prov['scratchnn version'])}, commit {html.escape(prov['git commit'])}; "
        "details under <a href='#provenance'>Provenance</a>.</p>",
        *(f"<p>{html.escape(p)}</p>" for p in intro(results)),
    ]
    for key, title, label, cells in _tables(results):
        fig = figures.get(key, {})
        body.append(f"<section id='{key}'><h2>{html.escape(title)}</h2>")
        body.append(_html_table(label, cells))
        body.append(
            "<ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in results["commentary"][key])
            + "</ul>"
        )
        body += [_img(out, f) for f in fig.get("grid", []) + fig.get("shown", [])]
        body.append(_html_details(out, key, fig.get("details", [])) + "</section>")
    rows = _beyond_rows(results)
    if rows:
        fig = figures.get("beyond", {})
        body.append(
            "<section id='beyond'><h2>Beyond the writeup</h2><p>Configs found by "
            "<code>scratchnn tune</code> (selected on validation accuracy only), beside the "
            f"writeup's tuned test accuracy {writeup.TUNED['test_acc']:.4f}.</p>"
        )
        body.append(_html_rows(BEYOND_HEAD, rows, left=1))
        body += [_img(out, f) for f in fig.get("grid", [])]
        body.append(_html_details(out, "beyond", fig.get("details", [])) + "</section>")
    body.append("<section id='theory'><h2>Theory, checked by computation</h2>")
    trs = "".join(
        f"<tr><td>{html.escape(part)}</td><td>{html.escape(name)}</td>"
        f"<td>{'pass' if ok == 'pass' else '<b>FAIL</b>'}</td>"
        f"<td class=left>{html.escape(detail)}</td></tr>"
        for part, name, ok, detail in theory_rows(results)
    )
    body.append(
        "<details open><summary>The checks (one row each)</summary><table><tr><th>part</th>"
        f"<th>check</th><th>result</th><th>detail</th></tr>{trs}</table></details>"
    )
    body += [_img(out, f) for f in figures["theory"]["shown"]]
    body.append("</section>")
    if "review" in results:
        from ..review.report import render_html as review_html

        body.append(
            review_html(results["review"], _review_figures(figures), lambda f: _img(out, f))
        )
    body.append("<section id='provenance'><h2>Provenance</h2>")
    body.append(
        "<table>"
        + "".join(
            f"<tr><th>{html.escape(k)}</th><td class=left>{html.escape(v)}</td></tr>"
            for k, v in provenance_rows(results)
        )
        + "</table></section>"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>scratchnn: writeup reproduction</title>"
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def write_report(
    results: dict[str, Any],
    experiments: dict[str, list[tuple[Any, list[RunConfig]]]],
    records: dict[RunConfig, RunRecord],
    out: Path | str,
) -> None:
    """Write the figures, ``results.json`` (strict JSON: a diverged cell's numbers are ``null``),
    ``report.md`` and ``index.html`` into ``out``. Each file is replaced atomically: a failed
    write (full disk, Ctrl-C) leaves the previous report whole."""
    out = Path(out)
    figures = write_figures(experiments, records, results, out)
    atomic_write_text(out / "results.json", dumps_json(results, indent=1))
    atomic_write_text(out / "report.md", render_markdown(results, figures))
    atomic_write_text(out / "index.html", render_html(results, figures, out))
