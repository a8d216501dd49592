"""Claim 3: tuning the one shared weight is trivial and takes no gradient.

The cost of each way of reaching the same score, counted in evaluations:

- the 1-D search: every weight of ``wann eval``'s tuning grid (80 weights) scored without a
  gradient; SwingUp on ``tune_episodes`` episodes each, MNIST-256 on one batch of
  :data:`TUNE_IMAGES` training images (the search's batch size). Its pick, scored on the
  trainer's validation episodes or images, is the **target**;
- training every weight of the same champion from random weights N(0, 1): SwingUp by CMA-ES
  (:func:`scratchnn.wann.weights.train_episode_weights`), counting its episodes until its
  validation score first reaches the target; MNIST-256 by backprop
  (:func:`scratchnn.wann.weights.train_classifier_weights`), counting the training images it
  passes forward and back until its validation accuracy first reaches the target, each as
  :data:`BACKPROP_PASSES` forward passes (a backward pass costs about two forward passes).

The ratio of the two costs, per training seed, decides (:func:`~scratchnn.review.verdict.
cost_part`); a trainer that does not reach the target gives a lower bound, its whole budget.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from . import verdict
from .common import (
    Scale,
    accuracies,
    champion,
    episode_scores,
    first_images,
    n_edges,
    rng,
    shared,
    task,
)
from .robustness import grid

CLAIM = "tuning the one shared weight is trivial and needs no gradients"
#: MNIST-256 training images the 1-D search scores every weight on (the search's batch)
TUNE_IMAGES = 1000
#: forward-pass equivalents of one training image's forward and backward pass
BACKPROP_PASSES = 3


def one_d_swingup(t: Any, genome: Any, episodes: int, seed: int) -> tuple[float, int]:
    """(best weight of the grid, episodes spent) on ``episodes`` fresh episodes per weight."""
    states = t.episode_states(episodes, rng(seed, 5))
    E = n_edges(genome)
    means = [episode_scores(t, genome, shared(np.full(episodes, w), E), states).mean()
             for w in grid()]  # fmt: skip
    return float(grid()[int(np.argmax(means))]), len(grid()) * episodes


def es_config(scale: Scale, seed: int) -> Any:
    """The CMA-ES settings of the review's runs (claims 3 and 5)."""
    from ..wann.weights import ESConfig

    return ESConfig(pairs=scale.es_pairs, episodes=scale.es_episodes, sigma0=0.5, seed=seed,
                    method="cma", validate_every=scale.es_validate,
                    validation_episodes=scale.episodes)  # fmt: skip


def validation_states(t: Any, scale: Scale, seed: int) -> np.ndarray:
    """The fixed validation episodes of a CMA-ES run of seed ``seed``."""
    from ..wann.weights import validation_rng

    return t.episode_states(scale.episodes, validation_rng(seed))


def cma_curve(t: Any, genome: Any, w0: float | np.ndarray, scale: Scale, seed: int) -> dict:
    """A CMA-ES run: ``{"evaluations": [...], "validation": [...]}`` at each validation (the
    first entry, at 0 evaluations, is the start)."""
    from ..wann.weights import train_episode_weights

    cfg = es_config(scale, seed)
    start = np.broadcast_to(np.asarray(w0, float), (n_edges(genome),))
    rows = np.repeat(start[None], scale.episodes, 0)
    v0 = float(episode_scores(t, genome, rows, validation_states(t, scale, seed)).mean())
    state = train_episode_weights(t, genome, w0, cfg, scale.es_generations, log=lambda _: None)
    per_gen = 2 * cfg.pairs * cfg.episodes
    evals, vals = [0], [v0]
    for h in state.history:
        if "validation" in h:
            evals.append(h["generation"] * per_gen)
            vals.append(float(h["validation"]))
    return {"evaluations": evals, "validation": vals}


def first_reach(curve: dict, target: float) -> int | None:
    """The evaluations at the first validation at or above ``target`` (None: never)."""
    for e, v in zip(curve["evaluations"], curve["validation"], strict=True):
        if v >= target:
            return int(e)
    return None


def swingup(scale: Scale, seed: int) -> dict[str, Any]:
    """The 1-D search against CMA-ES from random weights, on SwingUp."""
    t = task("swingup")
    g = champion("swingup").genome
    E = n_edges(g)
    w_best, cost_1d = one_d_swingup(t, g, scale.tune_episodes, seed)
    runs = []
    for s in range(scale.seeds):
        es_seed = seed * 1000 + s
        target = float(episode_scores(t, g, shared(np.full(scale.episodes, w_best), E),
                                      validation_states(t, scale, es_seed)).mean())  # fmt: skip
        w0 = rng(es_seed, 6).normal(0.0, 1.0, E)
        curve = cma_curve(t, g, w0, scale, es_seed)
        runs.append(_run(curve, target, cost_1d))
    return _summary("episodes", w_best, cost_1d, runs)


def _run(curve: dict, target: float, cost_1d: int) -> dict:
    reached = first_reach(curve, target)
    return {"target": target, "reached_at": reached, "budget": curve["evaluations"][-1],
            "ratio": None if reached is None else reached / cost_1d,
            "lower_bound": curve["evaluations"][-1] / cost_1d, "curve": curve}  # fmt: skip


def val_size(n_train: int) -> int:
    """Images held out for validation: 10,000, or a fifth of a smaller training set."""
    return min(10_000, n_train // 5)


def backprop_curve(t: Any, genome: Any, w0: float | np.ndarray, scale: Scale, seed: int) -> dict:
    """A backprop run of ``genome``'s weights from ``w0``: ``{"images": [...], "val_acc": [...]}``
    per epoch (the first entry, at 0 images, is the start) and the test accuracy."""
    from ..wann.networks.backprop import GenomeNet
    from ..wann.weights import held_out_splits, train_classifier_weights

    sub = SimpleNamespace(data=first_images(t.data, scale.train_images))
    n_val = val_size(len(sub.data.X_train))
    splits = held_out_splits(sub.data, seed, n_val)
    start = GenomeNet(genome, w0)
    acc0 = float((start.logits(splits.val.X).argmax(axis=1) == splits.val.y).mean())
    _, result, _ = train_classifier_weights(sub, genome, w0, epochs=scale.epochs, seed=seed,
                                            val_size=n_val)  # fmt: skip
    n_train = len(splits.train.y)
    return {"images": [0] + [r.epoch * n_train for r in result.history],
            "val_acc": [acc0] + [float(r.val_acc) for r in result.history],
            "test_acc": result.metrics().get("test_acc"), "n_val": n_val,
            "val": splits.val}  # fmt: skip


def mnist256(scale: Scale, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    """The 1-D search against backprop from random weights, on MNIST-256."""
    t = task("mnist256", data_dir)
    champ = champion("mnist256")
    g, E = champ.genome, n_edges(champ.genome)
    d = t.data
    idx = rng(seed, 10).choice(len(d.X_train), size=TUNE_IMAGES, replace=False)
    acc = accuracies(t, g, shared(grid(), E), d.X_train[idx], d.y_train[idx])
    w_best = float(grid()[int(np.argmax(acc))])
    cost_1d = len(grid()) * TUNE_IMAGES
    runs = []
    for s in range(scale.seeds):
        tr_seed = seed * 1000 + s
        curve = backprop_curve(t, g, rng(tr_seed, 7).normal(0.0, 1.0, E), scale, tr_seed)
        val = curve.pop("val")
        target = float(accuracies(t, g, shared(np.array([w_best]), E), val.X, val.y)[0])
        passes = [BACKPROP_PASSES * n for n in curve["images"]]
        curve = {"evaluations": passes, "validation": curve["val_acc"]}
        runs.append(_run(curve, target, cost_1d))
    return _summary("image forward passes", w_best, cost_1d, runs)


def _summary(unit: str, w_best: float, cost_1d: int, runs: list[dict]) -> dict[str, Any]:
    ratios = [r["ratio"] for r in runs if r["ratio"] is not None]
    ratio = float(np.median(ratios)) if len(ratios) == len(runs) else None
    return {"unit": unit, "tuned_weight": w_best, "cost_1d": cost_1d, "runs": runs,
            "ratio": ratio, "lower_bound": min(r["lower_bound"] for r in runs),
            "reached": len(ratios), "n_runs": len(runs),
            "part": verdict.cost_part(ratio, min(r["lower_bound"] for r in runs))}  # fmt: skip


def run(scale: Scale, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    """Claim 3's evidence and verdict (:func:`~scratchnn.review.verdict.claim3`)."""
    tasks = {"swingup": swingup(scale, seed), "mnist256": mnist256(scale, seed, data_dir)}
    v = verdict.claim3([e["part"] for e in tasks.values()])
    return {"claim": 3, "text": CLAIM, "tasks": tasks, "verdict": v,
            "rule": verdict.rule_text(verdict.claim3)}  # fmt: skip


def evidence_line(result: dict[str, Any]) -> str:
    """One line: each task's 1-D cost and what training every weight needed."""
    parts = []
    for name, e in result["tasks"].items():
        if e["ratio"] is not None:
            train = f"training every weight reached it after {e['ratio']:.1f}x that (median)"
        else:
            train = (f"training every weight reached it in {e['reached']} of {e['n_runs']} "
                     f"runs within {e['lower_bound']:.1f}x that")  # fmt: skip
        parts.append(f"{name}: the 1-D search takes {e['cost_1d']:,} {e['unit']}; {train}")
    return "; ".join(parts)
