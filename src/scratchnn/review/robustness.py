"""Claim 2: a WANN's score holds across the shared weight's magnitude and across the ways its
weights are set.

Magnitude: the champion's score at every weight of the tuning grid (-2 to 2 in steps of 0.05,
without 0, as ``wann eval``), and the share of those weights whose score is near the best
(:data:`~scratchnn.review.verdict.NEAR_BEST` of it above the task's floor: 0 reward on SwingUp,
chance accuracy 0.1 on MNIST-256). Ways of setting the weights, on the same episodes or test
images: a random shared weight U(-2, 2), random individual weights U(-2, 2), the tuned shared
weight (the one the zoo's evaluation chose on separate episodes or training images) and the
trained individual weights of the zoo (``NAME:trained``; SwingUp's were trained on another
search's champion, MNIST-256's on this one).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import verdict
from .common import (
    Scale,
    accuracies,
    champion,
    episode_scores,
    evaluation,
    fmt_pm,
    n_edges,
    rng,
    shared,
    spread,
    task,
)

CLAIM = (
    "a WANN's score holds across the shared weight's magnitude and across ways of setting its "
    "weights (shared, random, trained)"
)
#: the score of a network that does nothing useful: SwingUp's pole hanging down earns about 0,
#: MNIST-256's chance accuracy is 0.1
FLOORS = {"swingup": 0.0, "mnist256": 0.1}
METHODS = ("random shared weight", "random individual weights", "tuned shared weight",
           "trained individual weights")  # fmt: skip


def grid() -> np.ndarray:
    """The tuning grid of ``wann eval`` (-2..2 in steps of 0.05, without 0)."""
    from ..wann.evaluate import TUNE_GRID

    return TUNE_GRID


def flat_share(scores: np.ndarray, floor: float) -> float:
    """The share of ``scores`` near their best (:data:`~scratchnn.review.verdict.NEAR_BEST`
    of it above ``floor``)."""
    best = float(np.max(scores))
    near = [verdict.normalised(float(s), best, floor) >= verdict.NEAR_BEST for s in scores]
    return float(np.mean(near))


def _stored_sweep(ev: Any) -> tuple[np.ndarray, np.ndarray]:
    """The zoo evaluation's SwingUp sweep (an :class:`~scratchnn.wann.evaluation.Evaluation`),
    restricted to the tuning grid."""
    w = np.array(ev.sweep.weights, float)
    s = np.array(ev.sweep.mean, float)
    keep = np.isin(np.round(w, 2), grid())
    return w[keep], s[keep]


def swingup(scale: Scale, seed: int) -> dict[str, Any]:
    """Sweep and ways of setting the weights on SwingUp."""
    t = task("swingup")
    champ, trained = champion("swingup"), champion("swingup:trained")
    g, E, n = champ.genome, n_edges(champ.genome), scale.episodes
    ev = evaluation(champ)
    r = rng(seed, 3)
    states = t.episode_states(n, r)
    if scale.stored:
        ws, sweep = _stored_sweep(ev)
        n_tune = 100 if ev.tune_episodes is None else ev.tune_episodes
        source = f"the zoo's stored evaluation ({n_tune} episodes)"
    else:
        ws = grid()
        sweep = np.array([episode_scores(t, g, shared(np.full(n, w), E), states).mean()
                          for w in ws])  # fmt: skip
        source = f"{n} episodes per weight"
    w_tuned = float(ev.tuned_weight)
    methods = {
        METHODS[0]: episode_scores(t, g, shared(r.uniform(-2, 2, n), E), states),
        METHODS[1]: episode_scores(t, g, r.uniform(-2, 2, size=(n, E)), states),
        METHODS[2]: episode_scores(t, g, shared(np.full(n, w_tuned), E), states),
        METHODS[3]: episode_scores(t, trained.genome, np.repeat(trained.weights[None], n, 0),
                                   states),
    }  # fmt: skip
    return _summary("swingup", ws, sweep, source, methods, w_tuned, f"{n} episodes")


def mnist256(scale: Scale, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    """Sweep (test accuracy at every grid weight) and ways of setting the weights."""
    t = task("mnist256", data_dir)
    d = t.data
    champ, trained = champion("mnist256"), champion("mnist256:trained")
    g, E, n = champ.genome, n_edges(champ.genome), scale.draws
    r = rng(seed, 4)
    ws = grid()
    sweep = accuracies(t, g, shared(ws, E), d.X_test, d.y_test)
    w_tuned = float(evaluation(champ).tuned_weight)

    def acc(W: np.ndarray, genome: Any = g) -> np.ndarray:
        return accuracies(t, genome, W, d.X_test, d.y_test)

    methods = {
        METHODS[0]: acc(shared(r.uniform(-2, 2, n), E)),
        METHODS[1]: acc(r.uniform(-2, 2, size=(n, E))),
        METHODS[2]: acc(shared(np.array([w_tuned]), E)),
        METHODS[3]: acc(trained.weights[None], trained.genome),
    }
    return _summary("mnist256", ws, sweep, "the 10,000 test images", methods, w_tuned,
                    f"{n} draws")  # fmt: skip


def _summary(name: str, ws: np.ndarray, sweep: np.ndarray, source: str, methods: dict,
             w_tuned: float, unit: str) -> dict[str, Any]:  # fmt: skip
    floor = FLOORS[name]
    scores = {k: spread(v) for k, v in methods.items()}
    best = max(s["mean"] for s in scores.values())
    shares = {k: verdict.normalised(s["mean"], best, floor) for k, s in scores.items()}
    return {
        "floor": floor,
        "sweep": {"weights": [float(w) for w in ws], "score": [float(s) for s in sweep],
                  "source": source},
        "flat_share": flat_share(np.asarray(sweep), floor),
        "tuned_weight": w_tuned,
        "methods": scores,
        "unit": unit,
        "method_shares": shares,
        "worst_method_share": min(shares.values()),
    }  # fmt: skip


def run(scale: Scale, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    """Claim 2's evidence and verdict (:func:`~scratchnn.review.verdict.claim2`)."""
    tasks = {"swingup": swingup(scale, seed), "mnist256": mnist256(scale, seed, data_dir)}
    v = verdict.claim2([e["flat_share"] for e in tasks.values()],
                       [e["worst_method_share"] for e in tasks.values()])  # fmt: skip
    return {"claim": 2, "text": CLAIM, "tasks": tasks, "verdict": v,
            "rule": verdict.rule_text(verdict.claim2)}  # fmt: skip


def evidence_line(result: dict[str, Any]) -> str:
    """One line: each task's flat share and its weakest way of setting the weights."""
    parts = []
    for name, e in result["tasks"].items():
        pct = name == "mnist256"
        worst = min(e["method_shares"], key=e["method_shares"].get)
        parts.append(
            f"{name}: {e['flat_share']:.0%} of w in [-2, 2] within {verdict.NEAR_BEST:.0%} of "
            f"the best; weakest way: {worst} {fmt_pm(e['methods'][worst], pct=pct)} "
            f"({e['method_shares'][worst]:.0%} of the best way's score above the floor)"
        )
    return "; ".join(parts)


def plot(result: dict[str, Any], path: Any) -> None:
    """The score against the shared weight, one panel per task, the near-best band shaded."""
    from ..fileio import save_figure
    from ..plots import figure

    tasks = result["tasks"]
    fig = figure(figsize=(10, 3.8))
    axes = fig.subplots(1, len(tasks))
    for ax, (name, e) in zip(np.atleast_1d(axes), tasks.items(), strict=True):
        w, s = np.array(e["sweep"]["weights"]), np.array(e["sweep"]["score"])
        best, floor = float(s.max()), e["floor"]
        ax.axhspan(floor + verdict.NEAR_BEST * (best - floor), best, color="C2", alpha=0.15,
                   label=f"within {verdict.NEAR_BEST:.0%} of the best")  # fmt: skip
        ax.plot(w, s, ".-", color="C0", lw=1)
        ax.axvline(e["tuned_weight"], color="0.5", ls="--", lw=1, label="tuned weight")
        ax.set_title(f"{name}: {e['flat_share']:.0%} of the grid near the best", fontsize=10)
        ax.set_xlabel("shared weight w")
        ax.set_ylabel("test accuracy" if name == "mnist256" else "mean return")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
