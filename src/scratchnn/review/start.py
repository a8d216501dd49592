"""Claim 5: on a task simple structures solve, a WANN may match or beat a conventional network
because it starts from a better baseline before its weights are tuned.

On SwingUp, CMA-ES (the same settings as claim 3) trains, per seed, the zoo champion's
individual weights from its tuned shared weight, and a dense network of about as many
connections (one hidden layer of tanh nodes, :func:`scratchnn.wann.weights.dense_genome`) from
random weights N(0, 1) (a shared start would keep its identical hidden nodes alike). Both are
validated on the same fixed episodes. Evidence: the score at the start, the episodes each
needs to reach :data:`TARGET` and the result after the same budget: the best validation score
of the run (what the trainer returns; the start counts, as it is a weight vector the trainer
could return).
"""

from __future__ import annotations

from typing import Any

from . import verdict
from .common import Scale, champion, evaluation, n_edges, plural, rng, spread, task
from .tuning import cma_curve, first_reach

CLAIM = (
    "on tasks simple structures solve, a WANN may match or beat a conventional network, as "
    "it starts from a better baseline before tuning"
)
#: the SwingUp score both networks race to (mean return on the validation episodes)
TARGET = 800.0


def dense_hidden_for(n_connections: int, n_in: int = 5, n_out: int = 1) -> int:
    """Hidden nodes of a dense network ``n_in -> H -> n_out`` (bias to every node) whose
    ``(n_in + 1) H + (H + 1) n_out`` connections are nearest ``n_connections``."""
    per = n_in + 1 + n_out
    return max(1, round((n_connections - n_out) / per))


def first_of(wann_at: int | None, dense_at: int | None) -> bool | None:
    """True when the WANN reached the target first, False when the dense network did (or
    both at once), None when neither did."""
    if wann_at is None and dense_at is None:
        return None
    if dense_at is None:
        return True
    if wann_at is None:
        return False
    return wann_at < dense_at


def run(scale: Scale, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    """Claim 5's evidence and verdict (:func:`~scratchnn.review.verdict.claim5`)."""
    from ..wann.weights import dense_genome

    t = task("swingup")
    champ = champion("swingup")
    E = n_edges(champ.genome)
    hidden = dense_hidden_for(E, t.n_in, t.n_out)
    dense = dense_genome(t.n_in, t.n_out, hidden)
    w_tuned = float(evaluation(champ).tuned_weight)
    runs = []
    for s in range(scale.seeds):
        es_seed = seed * 1000 + 500 + s
        wann = cma_curve(t, champ.genome, w_tuned, scale, es_seed)
        start = rng(es_seed, 9).normal(0.0, 1.0, n_edges(dense))
        dn = cma_curve(t, dense, start, scale, es_seed)
        w_at, d_at = first_reach(wann, TARGET), first_reach(dn, TARGET)
        runs.append({"seed": es_seed, "wann": wann, "dense": dn, "wann_reached_at": w_at,
                     "dense_reached_at": d_at, "wann_first": first_of(w_at, d_at)})  # fmt: skip
    summary = {
        k: {"start": spread([r[k]["validation"][0] for r in runs]),
            "best": spread([max(r[k]["validation"]) for r in runs])}
        for k in ("wann", "dense")
    }  # fmt: skip
    v = verdict.claim5([r["wann_first"] for r in runs], summary["wann"]["best"]["mean"],
                       summary["dense"]["best"]["mean"])  # fmt: skip
    return {"claim": 5, "text": CLAIM, "target": TARGET, "connections": {"wann": E,
            "dense": n_edges(dense)}, "dense_hidden": hidden, "tuned_weight": w_tuned,
            "budget": runs[0]["wann"]["evaluations"][-1], "runs": runs, "summary": summary,
            "verdict": v, "rule": verdict.rule_text(verdict.claim5)}  # fmt: skip


def evidence_line(result: dict[str, Any]) -> str:
    """One line: start and best scores, and who reached the target first."""
    s = result["summary"]

    def pm(x: dict) -> str:
        return f"{x['mean']:.0f} ± {x['sd']:.0f}"

    firsts = [r["wann_first"] for r in result["runs"]]
    return (f"swingup, CMA-ES over {plural(len(firsts), 'seed')}, {result['budget']:,} "
            "episodes each: "
            f"WANN ({result['connections']['wann']} weights) from w = {result['tuned_weight']:g} "
            f"starts at {pm(s['wann']['start'])}, best {pm(s['wann']['best'])}; dense "
            f"{result['dense_hidden']}-hidden ({result['connections']['dense']} weights) from "
            f"random starts at {pm(s['dense']['start'])}, best {pm(s['dense']['best'])}; "
            f"first to {result['target']:.0f}: WANN {firsts.count(True)}, dense "
            f"{firsts.count(False)}, neither {firsts.count(None)}")  # fmt: skip


def plot(claim3: dict[str, Any], claim5: dict[str, Any], path: Any) -> None:
    """Validation score against training episodes: claims 3 and 5's CMA-ES runs on SwingUp."""
    from ..fileio import save_figure
    from ..plots import figure

    fig = figure(figsize=(8, 4.2))
    ax = fig.subplots()
    series = [("champion from random weights (claim 3)", "C1",
               [r["curve"] for r in claim3["tasks"]["swingup"]["runs"]]),
              ("champion from its shared weight (claim 5)", "C0",
               [r["wann"] for r in claim5["runs"]]),
              (f"dense {claim5['dense_hidden']}-hidden from random weights (claim 5)", "C3",
               [r["dense"] for r in claim5["runs"]])]  # fmt: skip
    for label, color, curves in series:
        for i, c in enumerate(curves):
            ax.plot(c["evaluations"], c["validation"], color=color, lw=1.2, alpha=0.8,
                    label=label if i == 0 else None)  # fmt: skip
    ax.axhline(claim5["target"], color="0.4", ls="--", lw=1, label=f"target {claim5['target']:.0f}")
    ax.set_xlabel("training episodes")
    ax.set_ylabel("validation mean return")
    ax.set_title("SwingUp: CMA-ES from a shared weight and from random weights", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
