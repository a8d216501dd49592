"""The numbers behind a champion page's weight slider, computed when the page is written.

Every weight ``w`` of :data:`~scratchnn.wann.evaluate.SWEEP_GRID` (-2.5..2.5 in steps of 0.05,
without 0) is scored with all connections set to ``w``:

- episode tasks (:func:`control_grid`): the mean and standard deviation of the episode score
  over the *tuning episodes* of :func:`~scratchnn.wann.evaluate.evaluate` (the same random
  stream: ``eval_episodes`` evaluation states drawn first, then ``episodes`` tuning states), so
  the means equal the ``weight_sweep`` of ``wann eval`` run with the same seed and counts;
- MNIST-256 (:func:`mnist_grid`): test accuracy on all 10,000 test images, per digit (equal to
  ``wann eval``'s ``digit_accuracy``), and the predictions for a few test images.

:func:`references` turns an evaluation (``wann eval --json``, or a zoo ``eval.json``) into the
slider chart's reference lines.
"""

from __future__ import annotations

import base64

import numpy as np

from ..evaluate import CONDITIONS, SWEEP_GRID, _instances
from ..evaluation import Evaluation
from ..networks.genome import Genome
from ..search.population import Population, pack_population
from ..tasks import ClassificationTask, EpisodeTask, Task

#: test images shown on an MNIST-256 page: the first of each digit, then the next ones in order
N_SAMPLES = 12


def _packed(genome: Genome):
    return pack_population(Population.from_genomes([genome]))


def tuning_states(task: EpisodeTask, eval_episodes: int, episodes: int, seed: int):
    """The tuning episodes' initial states (or seeds) of ``evaluate(task, g, eval_episodes,
    seed, tune_episodes=episodes)``: the evaluation states are drawn first, then these."""
    rng = np.random.default_rng(seed)
    task.episode_states(eval_episodes, rng)
    return task.episode_states(episodes, rng)


def control_grid(
    task: EpisodeTask, genome: Genome, eval_episodes: int, episodes: int, seed: int = 0
) -> dict:
    """``{"weights" (W,), "mean" (W,), "sd" (W,), "episodes", "seed", "eval_episodes"}``: the
    episode score at every shared weight of the grid, over the ``episodes`` tuning episodes (all
    ``W * episodes`` episodes run in one batched call)."""
    packed = _packed(genome)
    E = packed.n_edges(0)
    states = tuning_states(task, eval_episodes, episodes, seed)
    per_episode = np.repeat(SWEEP_GRID, episodes)  # weight-major: (W * episodes,)
    W = np.repeat(per_episode[:, None], E, axis=1)
    all_states = None if states is None else np.concatenate([states] * len(SWEEP_GRID))
    scores = task.episode_scores(packed, _instances(packed, W), all_states)
    scores = np.asarray(scores, float).reshape(len(SWEEP_GRID), episodes)
    return {
        "weights": SWEEP_GRID.tolist(),
        "mean": scores.mean(axis=1).tolist(),
        "sd": scores.std(axis=1).tolist(),
        "episodes": int(episodes),
        "eval_episodes": int(eval_episodes),
        "seed": int(seed),
    }


def sample_indices(y: np.ndarray, n: int = N_SAMPLES) -> np.ndarray:
    """Indices of ``n`` test images: the first of each class in turn, then the following images
    not taken yet (deterministic)."""
    first = [int(np.flatnonzero(y == c)[0]) for c in np.unique(y)]
    taken = set(first)
    rest = [i for i in range(min(len(y), n + len(first))) if i not in taken]
    return np.array((first + rest)[:n])


def mnist_grid(task: ClassificationTask, genome: Genome, chunk: int = 20) -> dict:
    """``{"weights" (W,), "accuracy" (W,), "digit_accuracy" (W, 10), "samples": {"index",
    "label", "pixels" (base64 of uint8 (k, 256), 0 = white), "pred" (W, k)}}``: test accuracy
    at every shared weight of the grid (``chunk`` weights per forward pass)."""
    packed = _packed(genome)
    E = packed.n_edges(0)
    X, y = task.data.X_test, task.data.y_test
    digits = np.unique(y)
    idx = sample_indices(y)
    acc, by_digit, pred_samples = [], [], []
    for a in range(0, len(SWEEP_GRID), chunk):
        ws = SWEEP_GRID[a : a + chunk]
        z = task.logits(packed, _instances(packed, np.repeat(ws[:, None], E, axis=1)), X)
        pred = z.argmax(axis=2)  # (chunk, n_test)
        right = pred == y
        acc += right.mean(axis=1).tolist()
        by_digit += [[float(r[y == d].mean()) for d in digits] for r in right]
        pred_samples += pred[:, idx].tolist()
    x = np.asarray(X[idx], float)
    lo, hi = float(x.min()), float(x.max())
    pixels = np.round(255 * (x - lo) / (hi - lo if hi > lo else 1.0)).astype(np.uint8)
    return {
        "weights": SWEEP_GRID.tolist(),
        "accuracy": [float(v) for v in acc],
        "digit_accuracy": by_digit,
        "digits": [int(d) for d in digits],
        "samples": {
            "index": idx.tolist(),
            "label": [int(v) for v in y[idx]],
            "pixels": base64.b64encode(pixels.tobytes()).decode("ascii"),
            "side": round(float(np.sqrt(x.shape[1]))),
            "pred": pred_samples,
        },
    }


def grid(task: Task, genome: Genome, eval_episodes: int, episodes: int, seed: int = 0) -> dict:
    """:func:`mnist_grid` for a classification task, else :func:`control_grid`."""
    if isinstance(task, ClassificationTask):
        return {"kind": "accuracy", **mnist_grid(task, genome)}
    return {"kind": "episodes", **control_grid(task, genome, eval_episodes, episodes, seed)}


def references(result: Evaluation) -> list[dict]:
    """Reference lines of the slider chart from an evaluation
    (:func:`~scratchnn.wann.evaluate.evaluate`'s result, or
    :meth:`~scratchnn.wann.evaluation.Evaluation.from_dict` of its JSON): ``[{"label", "mean",
    "sd" (or None), "n" (or None)}]`` for random weights, a random shared weight, the tuned
    shared weight and the tuned individual weights (MNIST-256: also the ensemble vote), those
    the evaluation holds."""
    if result.kind == "episodes":
        return [
            {"label": r.condition, "mean": r.mean, "sd": r.std, "n": r.n}
            for r in result.rows
            if r.key in CONDITIONS
        ]
    out = []
    for key in ("random_shared", "tuned_shared", "ensemble", "trained"):
        r = result.by_key.get(key)
        if r is not None:
            spread = key == "random_shared"  # the others are one accuracy each
            out.append({"label": r.condition, "mean": r.mean, "sd": r.std if spread else None,
                        "n": r.n if spread else None})  # fmt: skip
    return out
