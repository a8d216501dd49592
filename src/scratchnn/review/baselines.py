"""Claim 1: under random shared weights the WANN champions beat fixed-topology baselines.

On SwingUp and MNIST-256 the zoo champion and the paper's fixed-topology baseline (a dense
network with one hidden layer of ``HIDDEN`` tanh nodes,
:func:`scratchnn.wann.weights.dense_genome`) are scored on the same draws: SwingUp, the same
initial states and the same shared weight ``w ~ U(-2, 2)`` per episode; MNIST-256, the same
weights, each on all 10,000 test images. Random individual weights ``U(-2, 2)`` (drawn per
network, as their counts differ) are reported beside them.
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
    fmt_ci,
    fmt_pm,
    n_edges,
    paired_interval,
    rng,
    shared,
    spread,
    task,
)

#: hidden nodes of the fixed-topology baseline (the default of ``scratchnn wann baseline``)
HIDDEN = 10
CLAIM = (
    "WANN champions under random shared weights beat fixed-topology networks, which need their "
    "weights tuned before they do anything useful"
)


def _conditions(score, e_champ: int, e_base: int, ws: np.ndarray, r: np.random.Generator) -> dict:
    """Per network: scores under the shared weights ``ws`` and under random individual
    weights; ``score(which, W)`` scores the rows of W on network ``which``."""
    n = len(ws)
    out = {}
    for which, e in (("champion", e_champ), ("baseline", e_base)):
        out[which] = {
            "random_shared": score(which, shared(ws, e)),
            "random_individual": score(which, r.uniform(-2, 2, size=(n, e))),
        }
    return out


def swingup(scale: Scale, seed: int) -> dict[str, Any]:
    """The SwingUp comparison: scores per condition and the paired difference."""
    from ..wann.weights import dense_genome

    t = task("swingup")
    g = {"champion": champion("swingup").genome, "baseline": dense_genome(t.n_in, t.n_out, HIDDEN)}
    r = rng(seed, 1)
    states = t.episode_states(scale.episodes, r)
    ws = r.uniform(-2, 2, size=scale.episodes)

    def score(which: str, W: np.ndarray) -> np.ndarray:
        return episode_scores(t, g[which], W, states)

    raw = _conditions(score, n_edges(g["champion"]), n_edges(g["baseline"]), ws, r)
    return _summary(raw, scale, seed, "episodes", {k: n_edges(v) for k, v in g.items()})


def mnist256(scale: Scale, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    """The MNIST-256 comparison: test accuracy per drawn weight, paired."""
    from ..wann.weights import dense_genome

    t = task("mnist256", data_dir)
    d = t.data
    g = {"champion": champion("mnist256").genome, "baseline": dense_genome(t.n_in, t.n_out, HIDDEN)}
    r = rng(seed, 2)
    ws = r.uniform(-2, 2, size=scale.draws)

    def score(which: str, W: np.ndarray) -> np.ndarray:
        return accuracies(t, g[which], W, d.X_test, d.y_test)

    raw = _conditions(score, n_edges(g["champion"]), n_edges(g["baseline"]), ws, r)
    return _summary(raw, scale, seed, "weight draws", {k: n_edges(v) for k, v in g.items()})


def _summary(raw: dict, scale: Scale, seed: int, unit: str, edges: dict[str, int]) -> dict:
    diff = raw["champion"]["random_shared"] - raw["baseline"]["random_shared"]
    return {
        "unit": unit,
        "connections": edges,
        "champion": {k: spread(v) for k, v in raw["champion"].items()},
        "baseline": {k: spread(v) for k, v in raw["baseline"].items()},
        "difference": paired_interval(diff, scale.bootstrap, seed),
    }


def run(scale: Scale, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    """Claim 1's evidence and verdict (:func:`~scratchnn.review.verdict.claim1`)."""
    tasks = {"swingup": swingup(scale, seed), "mnist256": mnist256(scale, seed, data_dir)}
    v = verdict.claim1([(e["difference"]["lo"], e["difference"]["hi"]) for e in tasks.values()])
    return {"claim": 1, "text": CLAIM, "tasks": tasks, "verdict": v,
            "rule": verdict.rule_text(verdict.claim1)}  # fmt: skip


def evidence_line(result: dict[str, Any]) -> str:
    """One line: each task's champion and baseline under random shared weights, the paired
    difference and its interval."""
    parts = []
    for name, e in result["tasks"].items():
        pct = name == "mnist256"
        c, b = e["champion"]["random_shared"], e["baseline"]["random_shared"]
        parts.append(
            f"{name}: champion {fmt_pm(c, pct=pct)} vs dense {HIDDEN}-hidden {fmt_pm(b, pct=pct)} "
            f"over {c['n']} {e['unit']}, difference {fmt_ci(e['difference'], pct=pct)}"
        )
    return "; ".join(parts)
