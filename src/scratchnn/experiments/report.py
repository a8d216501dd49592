"""Render the reproduce results: ``report.md``, a self-contained ``index.html``, figures, JSON."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

from ..config import RunConfig
from ..fileio import atomic_write_text, dumps_json
from ..plots import plot_overview, plot_seed_curves
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


def mean_std(stats: dict[str, Any]) -> str:
    """``"0.9766 ± 0.0012"``, or ``"diverged"`` for a cell without a finished run (its mean is
    ``null`` in ``results.json``, ``NaN`` before it is written)."""
    mean, std = stats.get("mean"), stats.get("std")
    if mean is None or not math.isfinite(mean):
        return DIVERGED
    return f"{mean:.4f} ± {std:.4f}"


def _fmt_cell(cell: dict[str, Any], metric: str) -> tuple[str, str | None, bool]:
    """(ours "mean ± std" or "diverged", writeup value or None, differs?)."""
    ours = cell[metric]
    text = mean_std(ours)
    cmp = cell["compare"].get(metric)
    if cmp is None:
        return text, None, False
    return text, f"{cmp['writeup']:.4f}", cmp["differs"]


def _tables(results: dict[str, Any]) -> list[tuple[str, str, dict[str, dict[str, Any]]]]:
    """(title, column label, {column value: cell})."""
    s = results["settings"]
    d, t, ep = s["defaults"], s["tuned"], s["epochs"]
    return [
        (
            f"Learning rate (batch {d['batch_size']}, reg {d['reg']}, {ep} epochs)",
            "lr",
            results["lr_sweep"],
        ),
        (
            f"Regularisation (batch {d['batch_size']}, lr {d['learning_rate']}, {ep} epochs)",
            "reg",
            results["reg_sweep"],
        ),
        (
            f"Tuned (batch {t['batch_size']}, lr {t['learning_rate']}, reg {t['reg']}, "
            f"{t['epochs']} epochs)",
            "",
            {"tuned": results["tuned"]},
        ),
    ]


def _md_table(label: str, cells: dict[str, dict[str, Any]]) -> str:
    head = "| | " + " | ".join(f"{label} {v}".strip() for v in cells) + " |"
    lines = [head, "|---" * (len(cells) + 1) + "|"]
    for metric in METRICS:
        row = []
        for cell in cells.values():
            ours, pub, differs = _fmt_cell(cell, metric)
            text = ours if pub is None else f"{ours} (writeup {pub})"
            row.append(text + (f" {MARK}" if differs else ""))
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
                f" <span title='differs by more than max(3 std, 0.01)'>{MARK}</span>"
                if differs
                else ""
            )
            tds.append(f"<td{cls}>{ours}{mark}{pub_html}</td>")
        rows.append(f"<tr><th>{ROW_LABELS[metric]}</th>{''.join(tds)}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def write_figures(
    experiments: dict[str, list[tuple[float, list[RunConfig]]]],
    records: dict[RunConfig, RunRecord],
    out: Path,
) -> dict[str, list[str]]:
    """Learning curves per setting (mean over seeds, min..max band), one overview per sweep, and
    the theory section's decision boundaries."""
    from ..theory.checks import plot_gates

    fig_dir = out / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    plot_gates(fig_dir / "theory_gates.png")
    made: dict[str, list[str]] = {"theory": ["figures/theory_gates.png"]}
    for name, rows in experiments.items():
        overview = {}
        made[name] = []
        for value, cfgs in rows:
            recs = [records[c] for c in cfgs]
            seeds_word = "seed" if len(recs) == 1 else "seeds"
            curves = {f: history_array(recs, f) for f in CURVE_FIELDS}
            if name in ("tuned", "beyond"):
                label = "tuned" if name == "tuned" else str(value)
                fname = f"{label}.png" if name == "tuned" else f"beyond_{value}.png"
            else:
                label, fname = f"{name} {value:g}", f"{name}_{value:g}.png"
            overview[label] = curves
            plot_seed_curves(
                curves, f"{label} ({len(recs)} {seeds_word}: mean, min-max band)", fig_dir / fname
            )
            made[name].append(f"figures/{fname}")
        if name in ("lr", "reg"):
            plot_overview(overview, f"{name} sweep: all settings", fig_dir / f"{name}_overview.png")
            made[name].insert(0, f"figures/{name}_overview.png")
    return made


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
    "vs writeup's tuned 0.9766",
    "training time per run",
    "seeds",
]


def _beyond_markdown(results: dict[str, Any], figures: dict[str, list[str]]) -> list[str]:
    rows = _beyond_rows(results)
    if not rows:
        return []
    parts = [
        "## Beyond the writeup",
        "",
        "Configs found by `scratchnn tune` (selected on validation accuracy only; one hidden "
        "layer, no augmentation, no ensembles), beside the writeup's hand-tuned test accuracy "
        "0.9766 (the writeup's number). The configs are the ones shipped inside the package "
        "(`scratchnn/configs/`; the repository's `configs/` links there).",
        "",
        "| " + " | ".join(BEYOND_HEAD) + " |",
        "|---" * len(BEYOND_HEAD) + "|",
    ]
    parts += ["| " + " | ".join(r) + " |" for r in rows]
    parts += [""] + [f"![beyond]({f})" for f in figures.get("beyond", [])] + [""]
    return parts


def render_markdown(results: dict[str, Any], figures: dict[str, list[str]]) -> str:
    s = results["settings"]
    parts = [
        "# scratchnn reproduces the CS7643 A1 writeup",
        "",
        f"Each cell: our mean ± std over {s['seeds']} shuffle seed(s) (faithful mode: TwoLayerNet "
        "784-128-10 sigmoid, init seed 1024, float64), and the writeup's single unseeded run, "
        f"labelled writeup. {MARK} marks a cell where the two differ by more than "
        "max(3 std of our seeds, 0.01). The writeup's validation column does not say whether it is "
        "the last or the best epoch; both of ours are shown and compared with it.",
        "",
    ]
    if s["quick"]:
        parts += [
            "**Quick smoke run**: 2-3 epochs on a data subset; not comparable with the writeup.",
            "",
        ]
    keys = ["lr", "reg", "tuned"]
    for (title, label, cells), key in zip(_tables(results), keys, strict=True):
        parts += [f"## {title}", "", _md_table(label, cells), ""]
        parts += [f"- {line}" for line in results["commentary"][key]] + [""]
        parts += [f"![{key}]({f})" for f in figures.get(key, [])] + [""]
    parts += _beyond_markdown(results, figures)
    parts += [
        "## Theory, checked by computation",
        "",
        "| part | check | result | detail |",
        "|---|---|---|---|",
    ]
    parts += [
        f"| {c['section']} | {c['name'].strip()} | {'pass' if c['passed'] else 'FAIL'} | "
        f"{c['detail']} |"
        for c in results["theory"]
    ]
    parts += [""] + [f"![theory]({f})" for f in figures["theory"]] + [""]
    parts.append(
        f"Training time of all runs: {results['seconds_training_all_runs']:.0f} s "
        f"(this invocation: {results['seconds_total_this_invocation']:.0f} s)."
    )
    return "\n".join(parts) + "\n"


CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:center}
th{background:#f3f3f3}.pub{color:#666;font-size:12px}.differs{background:#fff3cd}
img{max-width:100%;border:1px solid #eee;margin:4px 0}
"""


def _img(out: Path, rel: str) -> str:
    """An <img> with the PNG inlined as a data URI, so the page is one self-contained file."""
    data = base64.b64encode((out / rel).read_bytes()).decode()
    return f"<img alt='{html.escape(rel)}' src='data:image/png;base64,{data}'>"


def render_html(results: dict[str, Any], figures: dict[str, list[str]], out: Path) -> str:
    md = render_markdown(results, figures)
    intro = md.split("\n## ", 1)[0].split("\n", 2)[2].strip()
    body = ["<h1>scratchnn reproduces the CS7643 A1 writeup</h1>", f"<p>{html.escape(intro)}</p>"]
    for (title, label, cells), key in zip(_tables(results), ["lr", "reg", "tuned"], strict=True):
        body.append(f"<h2>{html.escape(title)}</h2>")
        body.append(_html_table(label, cells))
        body.append(
            "<ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in results["commentary"][key])
            + "</ul>"
        )
        body += [_img(out, f) for f in figures.get(key, [])]
    rows = _beyond_rows(results)
    if rows:
        body.append(
            "<h2>Beyond the writeup</h2><p>Configs found by <code>scratchnn tune</code> "
            "(validation only), beside the writeup's tuned test accuracy 0.9766.</p>"
        )
        head = "".join(f"<th>{html.escape(h)}</th>" for h in BEYOND_HEAD)
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c.strip('`'))}</td>" for c in r) + "</tr>"
            for r in rows
        )
        body.append(f"<table><tr>{head}</tr>{cells}</table>")
        body += [_img(out, f) for f in figures.get("beyond", [])]
    body.append(
        "<h2>Theory, checked by computation</h2><table><tr><th>part</th><th>check</th>"
        "<th>result</th><th>detail</th></tr>"
    )
    body += [
        f"<tr><td>{html.escape(c['section'])}</td><td>{html.escape(c['name'].strip())}</td>"
        f"<td>{'pass' if c['passed'] else '<b>FAIL</b>'}</td>"
        f"<td style='text-align:left'>{html.escape(c['detail'])}</td></tr>"
        for c in results["theory"]
    ]
    body.append("</table>")
    body += [_img(out, f) for f in figures["theory"]]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>scratchnn: writeup reproduction</title>"
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def write_report(
    results: dict[str, Any],
    experiments: dict[str, list[tuple[float, list[RunConfig]]]],
    records: dict[RunConfig, RunRecord],
    out: Path | str,
) -> None:
    """Write the figures, ``results.json`` (strict JSON: a diverged cell's numbers are ``null``),
    ``report.md`` and ``index.html`` into ``out``. Each file is replaced atomically: a failed
    write (full disk, Ctrl-C) leaves the previous report whole."""
    out = Path(out)
    figures = write_figures(experiments, records, out)
    atomic_write_text(out / "results.json", dumps_json(results, indent=1))
    atomic_write_text(out / "report.md", render_markdown(results, figures))
    atomic_write_text(out / "index.html", render_html(results, figures, out))
