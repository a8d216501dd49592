"""The review's section of ``make reproduce``'s report: per claim its evidence table, its figure
where it has one, its verdict and the rule that gave it.

:func:`claim_tables` and the two renderers are pure functions of a :func:`~scratchnn.review.
run.run_review` result (and of the figure paths :func:`write_section_figures` returns); the
paper's numbers appear only in columns labelled as the paper's.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import fmt_ci, fmt_pm
from .run import SOURCE, write_figures

TITLE = "The paper review, tested"
SECTION_ID = "review"
#: the paper's numbers beside ours (Gaier & Ha 2019; :data:`scratchnn.wann.evaluate.PAPER`)
PAPER_RANDOM_SHARED = {"swingup": ("515 ± 58", "7 ± 2"), "mnist256": ("82.0 ± 18.7 %", "")}

Table = tuple[list[str], list[list[str]]]


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _claim1(c: dict[str, Any]) -> Table:
    head = ["task", "condition", "champion", "dense baseline", "champion - baseline (95 % CI)",
            "the paper: WANN / fixed topology"]  # fmt: skip
    rows = []
    for name, e in c["tasks"].items():
        pct = name == "mnist256"
        champ, base = e["champion"], e["baseline"]
        paper = " / ".join(p for p in PAPER_RANDOM_SHARED[name] if p)
        n = f"{champ['random_shared']['n']} {e['unit']}"
        rows.append([
            name, f"random shared weight ({n})", fmt_pm(champ["random_shared"], pct=pct),
            fmt_pm(base["random_shared"], pct=pct), fmt_ci(e["difference"], pct=pct), paper,
        ])  # fmt: skip
        rows.append([
            name, "random individual weights", fmt_pm(champ["random_individual"], pct=pct),
            fmt_pm(base["random_individual"], pct=pct), "", "",
        ])  # fmt: skip
    return head, rows


def _claim2(c: dict[str, Any]) -> Table:
    head = ["task", "way of setting the weights", "score", "share of the best way above the floor"]
    rows = []
    for name, e in c["tasks"].items():
        pct = name == "mnist256"
        rows.append([name, f"shared weight over [-2, 2] ({e['sweep']['source']})",
                     f"{e['flat_share']:.0%} of the grid near the best", ""])  # fmt: skip
        for way, s in e["methods"].items():
            label = f"{way} (w = {e['tuned_weight']:g})" if way.startswith("tuned") else way
            rows.append([name, label, fmt_pm(s, pct=pct), f"{e['method_shares'][way]:.0%}"])
    return head, rows


def _claim3(c: dict[str, Any]) -> Table:
    head = ["task", "1-D search (no gradient)", "training every weight: reached the same score",
            "cost ratio"]  # fmt: skip
    rows = []
    for name, e in c["tasks"].items():
        reached = [r["reached_at"] for r in e["runs"]]
        if all(x is None for x in reached):
            got = f"none of {len(reached)} runs within {e['runs'][0]['budget']:,}"
        else:
            got = "after " + ", ".join("not within the budget" if x is None else f"{x:,}"
                                       for x in reached)  # fmt: skip
        if e["ratio"] is not None:
            ratio = f"{e['ratio']:.1f}x (median)"
        elif e["reached"] == 0:
            ratio = f"> {e['lower_bound']:.1f}x"
        else:
            ratio = "some runs did not reach it"
        rows.append([name, f"{e['cost_1d']:,} {e['unit']}", f"{got} {e['unit']}", ratio])
    return head, rows


def _claim4(c: dict[str, Any]) -> Table:
    head = ["network (MNIST-256)", "parameters", "test accuracy", "the paper"]
    w, m, loc = c["wann"], c["matched"], c["locality"]
    rows = [
        [f"WANN champion, tuned shared weight (w = {w['tuned']['tuned_weight']:g})", "1",
         _pct(w["tuned"]["test_acc"]), "91.9 %"],
        ["WANN champion, trained individual weights", str(w["trained"]["n_parameters"]),
         _pct(w["trained"]["test_acc"]), "94.2 %"],
        [f"{m['mlp']['model']}, {c['epochs']} epochs", str(m["mlp"]["n_parameters"]),
         fmt_pm(m["mlp"]["test_acc"], pct=True), ""],
        [f"one-layer CNN, {c['epochs']} epochs", str(m["cnn"]["n_parameters"]),
         fmt_pm(m["cnn"]["test_acc"], pct=True), "99.3 % (a two-layer CNN)"],
    ]  # fmt: skip
    if loc["observed"] is not None:
        rows.append([f"locality: mean pixel distance within {loc['nodes']} hidden nodes", "",
                     f"{loc['observed']:.2f} vs {loc['null_mean']:.2f} ± {loc['null_sd']:.2f} "
                     f"relabelled; p = {loc['p_value']:.2g}", ""])  # fmt: skip
    return head, rows


def _claim5(c: dict[str, Any]) -> Table:
    head = ["network (SwingUp, CMA-ES)", "weights", "validation score at the start",
            f"best within {c['budget']:,} episodes", f"first to {c['target']:.0f}"]  # fmt: skip
    firsts = [r["wann_first"] for r in c["runs"]]
    s = c["summary"]

    def pm(x: dict) -> str:
        return f"{x['mean']:.0f} ± {x['sd']:.0f}"

    return head, [
        [f"WANN champion from w = {c['tuned_weight']:g}", str(c["connections"]["wann"]),
         pm(s["wann"]["start"]), pm(s["wann"]["best"]), f"{firsts.count(True)} seeds"],
        [f"dense {c['dense_hidden']}-hidden from random weights", str(c["connections"]["dense"]),
         pm(s["dense"]["start"]), pm(s["dense"]["best"]), f"{firsts.count(False)} seeds"],
    ]  # fmt: skip


TABLES: dict[int, Callable[[dict[str, Any]], Table]] = {
    1: _claim1, 2: _claim2, 3: _claim3, 4: _claim4, 5: _claim5,
}  # fmt: skip


def claim_tables(review: dict[str, Any]) -> list[dict[str, Any]]:
    """Per claim: ``{"claim", "text", "verdict", "rule", "head", "rows"}``."""
    out = []
    for c in review["claims"]:
        head, rows = TABLES[c["claim"]](c)
        out.append({"claim": c["claim"], "text": c["text"], "verdict": c["verdict"],
                    "rule": c["rule"], "head": head, "rows": rows})  # fmt: skip
    return out


def intro(review: dict[str, Any]) -> str:
    """The section's opening sentence."""
    s = review["scale"]
    return (f"The five testable claims of {SOURCE}, each tested on the zoo champions by "
            f"`scratchnn review` at scale {s['name']} (seed {review['seed']}; `scratchnn review "
            "--full` runs the results pages' scale). A verdict comes from the rule shown with it, "
            "applied to the numbers in its table.")  # fmt: skip


def write_section_figures(review: dict[str, Any], out: Path) -> dict[int, list[str]]:
    """Draw the figures into ``out/figures``; returns claim -> figure paths relative to ``out``."""
    made = write_figures(review, out / "figures")
    by_claim: dict[int, list[str]] = {}
    for path in made:
        claim = 2 if path.name == "review_weight_sweep.png" else 5
        by_claim.setdefault(claim, []).append(f"figures/{path.name}")
    return by_claim


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def render_markdown(review: dict[str, Any], figures: dict[int, list[str]]) -> list[str]:
    """The section as Markdown lines."""
    lines = [f'<a id="{SECTION_ID}"></a>', "", f"## {TITLE}", "", intro(review), ""]
    for t in claim_tables(review):
        lines += [f"### Claim {t['claim']}: {t['text']}", "",
                  f"**Verdict: {t['verdict']}.** Rule: {t['rule']}", "",
                  _md_row(t["head"]), "|---" * len(t["head"]) + "|",
                  *(_md_row(r) for r in t["rows"]), ""]  # fmt: skip
        lines += [f"![claim {t['claim']}]({f})" for f in figures.get(t["claim"], [])]
        lines += [""] if figures.get(t["claim"]) else []
    return lines


def render_html(
    review: dict[str, Any], figures: dict[int, list[str]], img: Callable[[str], str]
) -> str:
    """The section as HTML; ``img(path)`` renders one figure (the report inlines them)."""
    e = html.escape
    parts = [f"<section id='{SECTION_ID}'><h2>{e(TITLE)}</h2>",
             f"<p>{e(intro(review)).replace('`', '')}</p>"]  # fmt: skip
    for t in claim_tables(review):
        ths = "".join(f"<th>{e(h)}</th>" for h in t["head"])
        trs = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in t["rows"])
        cls = t["verdict"].replace(" ", "-")
        parts += [f"<h3>Claim {t['claim']}: {e(t['text'])}</h3>",
                  f"<p><b class='verdict {cls}'>Verdict: {e(t['verdict'])}.</b> "
                  f"<span class='rule'>Rule: {e(t['rule'])}</span></p>",
                  f"<table><tr>{ths}</tr>{trs}</table>",
                  *(img(f) for f in figures.get(t["claim"], []))]  # fmt: skip
    parts.append("</section>")
    return "".join(parts)
