"""What the five experiments share: the run's scale
(:class:`~scratchnn.review.common.Scale`, :data:`~scratchnn.review.common.SCALES`), the zoo
champions and tasks they run on, scoring one network under many weight vectors (the WANN
engine's packed kernels), and the statistics each claim reports (a paired bootstrap interval,
mean and spread).

Every random draw comes from ``numpy.random.default_rng([seed, stream])`` with a stream number
per use, so the same seed gives the same numbers bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from typing import Any

import numpy as np

from ..errors import ConfigError


@dataclass(frozen=True)
class Scale:
    """The budgets of one review run.

    ``episodes``: SwingUp episodes per condition (claims 1-2) and validation episodes of the
    weight trainers; ``draws``: MNIST-256 weights drawn per condition; ``tune_episodes``:
    episodes per weight of the 1-D search (claim 3); ``es_generations`` / ``es_pairs`` /
    ``es_episodes`` / ``es_validate``: CMA-ES budget, ``2 pairs`` candidates a generation, each on
    ``es_episodes`` episodes, validated every ``es_validate`` generations (claims 3 and 5);
    ``seeds``: training runs per condition (claims 3-5); ``epochs`` and ``train_images``:
    backprop budget on MNIST-256 (claims 3-4; ``train_images`` the first training images used,
    0 for all); ``permutations``: the permutation test's draws (claim 4); ``bootstrap``: resamples
    of each interval; ``stored``: take claim 2's weight sweep from the zoo's stored evaluation
    instead of measuring it."""

    name: str
    episodes: int
    draws: int
    tune_episodes: int
    es_generations: int
    es_pairs: int
    es_episodes: int
    es_validate: int
    seeds: int
    epochs: int
    train_images: int
    permutations: int
    bootstrap: int
    stored: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: ``tiny``: the tests and ``reproduce --quick`` (seconds); ``light``: ``make reproduce``'s
#: section; ``default``: ``scratchnn review``; ``full``: ``scratchnn review --full``, the scale
#: of the results pages (100 episodes and draws per condition, as ``wann eval``)
SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 8, 6, 2, 6, 4, 2, 3, 1, 1, 3000, 50, 200, stored=True),
    "light": Scale("light", 50, 30, 10, 120, 8, 4, 10, 2, 3, 10_000, 500, 1000, stored=True),
    "default": Scale("default", 100, 50, 10, 250, 8, 4, 10, 3, 5, 20_000, 2000, 2000),
    "full": Scale("full", 100, 100, 20, 400, 16, 8, 10, 5, 10, 0, 10_000, 5000),
}


def scale_named(name: str) -> Scale:
    """The scale called ``name`` (a :class:`~scratchnn.errors.ConfigError` listing them)."""
    if name not in SCALES:
        raise ConfigError(f"unknown review scale {name!r}; scales: {', '.join(SCALES)}")
    return SCALES[name]


def rng(seed: int, stream: int) -> np.random.Generator:
    """The generator of one use (``stream``) of the run's ``seed``."""
    return np.random.default_rng([seed, stream])


# --- networks and tasks ----------------------------------------------------------------------


@cache
def task(name: str, data_dir: str | None = None) -> Any:
    """The WANN task ``name`` (its data loaded once per process)."""
    from ..wann.tasks import make_task

    return make_task(name, data_dir=data_dir)


def champion(spec: str) -> Any:
    """The zoo network ``spec`` (:func:`scratchnn.wann.load_champion`)."""
    from ..wann import load_champion

    return load_champion(spec)


def evaluation(champ: Any) -> Any:
    """A zoo network's shipped evaluation, typed
    (:class:`~scratchnn.wann.evaluation.Evaluation`)."""
    from ..wann.evaluation import Evaluation

    return Evaluation.from_dict(champ.eval)


def first_images(data: Any, n: int) -> Any:
    """MNIST-256 ``data`` with its first ``n`` training images (all of them when ``n`` is 0 or
    not smaller); the test set whole."""
    from ..wann.tasks.mnist256 import Mnist256

    if not n or n >= len(data.X_train):
        return data
    return Mnist256(data.X_train[:n], data.y_train[:n], data.X_test, data.y_test)


def n_edges(genome: Any) -> int:
    """Connections of ``genome`` (the length of its weight vectors)."""
    from ..wann.networks.formats import edge_pairs

    return len(edge_pairs(genome))


def _packed(genome: Any) -> Any:
    from ..wann.search.population import Population, pack_population

    return pack_population(Population.from_genomes([genome]))


def episode_scores(t: Any, genome: Any, weights: np.ndarray, states: np.ndarray) -> np.ndarray:
    """(n,) the score of episode ``i``: ``genome`` with the weight vector ``weights[i]`` (rows
    (n, E)) from initial state ``states[i]``."""
    from ..wann.networks.packed import instances

    packed = _packed(genome)
    w = np.asarray(weights, float)
    return t.episode_scores(packed, instances(packed, np.zeros(len(w), np.int64), w), states)


def accuracies(
    t: Any, genome: Any, weights: np.ndarray, X: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """(n,) accuracy on ``X``, ``y`` of ``genome`` with each row of ``weights`` (n, E)."""
    from ..wann.networks.packed import instances

    packed = _packed(genome)
    w = np.asarray(weights, float)
    z = t.logits(packed, instances(packed, np.zeros(len(w), np.int64), w), X)
    return (z.argmax(axis=2) == y).mean(axis=1)


def shared(ws: np.ndarray, n_edges_: int) -> np.ndarray:
    """(n, E) weight rows: every connection of row ``i`` set to ``ws[i]``."""
    return np.repeat(np.asarray(ws, float)[:, None], n_edges_, axis=1)


# --- statistics ------------------------------------------------------------------------------


def spread(values: np.ndarray | list[float]) -> dict[str, Any]:
    """``{"mean", "sd", "n"}`` (sample standard deviation; 0 for one value)."""
    v = np.asarray(values, float)
    sd = float(v.std(ddof=1)) if len(v) > 1 else 0.0
    return {"mean": float(v.mean()), "sd": sd, "n": len(v)}


def paired_interval(diff: np.ndarray, reps: int, seed: int) -> dict[str, float]:
    """The mean of the paired differences ``diff`` and its 95 % percentile-bootstrap interval
    (``reps`` resamples): ``{"mean", "lo", "hi", "n"}``."""
    d = np.asarray(diff, float)
    idx = rng(seed, 99).integers(0, len(d), size=(reps, len(d)))
    means = d[idx].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return {"mean": float(d.mean()), "lo": float(lo), "hi": float(hi), "n": len(d)}


def plural(n: int, word: str) -> str:
    """``"1 seed"``, ``"3 seeds"``."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def fmt_pm(s: dict[str, Any], digits: int = 1, pct: bool = False) -> str:
    """``"549.0 ± 176.1"`` (``pct``: as percent) from :func:`spread`'s dict."""
    k = 100.0 if pct else 1.0
    unit = " %" if pct else ""
    return f"{k * s['mean']:.{digits}f} ± {k * s['sd']:.{digits}f}{unit}"


def fmt_ci(c: dict[str, float], digits: int = 1, pct: bool = False) -> str:
    """``"+416.2 [380.1, 450.0]"`` from :func:`paired_interval`'s dict."""
    k = 100.0 if pct else 1.0
    return f"{k * c['mean']:+.{digits}f} [{k * c['lo']:.{digits}f}, {k * c['hi']:.{digits}f}]"
