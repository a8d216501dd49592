"""Rank search folders: the search's own objective on common batches beside the evaluation.

A search's champion score is measured on that search's own random batches or episodes, so it
does not compare across searches. :func:`search_objective` scores every champion on the *same*
draws: the mean over the search's shared weights (its checkpoint's ``weights``; the paper's
six when the folder keeps no checkpoint) of the task's fitness (``task.evaluate``; for
``mnist256`` minus the mean cross-entropy on batches of 1,000 training images, for control
tasks the mean episode reward) over ``reps`` draws from ``numpy.random.default_rng(seed)``.

:func:`rank_searches` puts that objective beside what each folder's ``eval.json`` reports (the
tuned shared weight and, for ``mnist256``, the ensemble and the random shared weight), sorted
by the objective, with the Spearman rank correlation between the objective and the tuned
score: how well the search's objective predicts the number the paper reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ScratchnnError
from .evaluation import Evaluation
from .networks.formats import load_genome
from .networks.genome import Genome, express
from .networks.packed import pack_networks
from .search.loop import CHECKPOINT, WEIGHTS, load_checkpoint
from .tasks import Task


@dataclass(frozen=True)
class Ranked:
    """One search folder: its champion's ``connections``, ``objective`` (common draws), and
    from its ``eval.json`` the ``tuned`` score at ``tuned_weight`` (test accuracy for
    classification, mean reward otherwise), ``ensemble`` and ``random_shared`` (None when the
    evaluation has none)."""

    folder: str
    connections: int
    objective: float
    tuned: float
    tuned_weight: float
    ensemble: float | None
    random_shared: float | None


def search_objective(
    task: Task,
    genome: Genome,
    seed: int = 7,
    reps: int = 20,
    weights: tuple[float, ...] | np.ndarray = tuple(WEIGHTS),
) -> float:
    """The search objective of ``genome``: mean over the shared ``weights`` (default: the
    paper's six) and ``reps`` draws (rng ``default_rng(seed)``) of ``task.evaluate``, a
    scalar."""
    if reps < 1:
        raise ScratchnnError(f"reps must be >= 1, got {reps}")
    one = pack_networks([express(genome)])
    scores = task.evaluate(one, np.asarray(weights, np.float64), np.random.default_rng(seed), reps)
    return float(np.mean(scores))


def search_weights(folder: Path) -> tuple[float, ...]:
    """The shared weights the search in ``folder`` scored its networks at: its checkpoint's
    config, or the paper's six when the folder keeps no checkpoint."""
    path = Path(folder) / CHECKPOINT
    if not path.is_file():
        return tuple(float(w) for w in WEIGHTS)
    return load_checkpoint(path).config.weights


def _eval_numbers(data: dict, where: Path) -> tuple[float, float, float | None, float | None]:
    """(tuned, tuned weight, ensemble, random shared) of a ``wann eval`` JSON, read by
    condition key."""
    try:
        ev = Evaluation.from_dict(data)
        ensemble, rand = ev.by_key.get("ensemble"), ev.by_key.get("random_shared")
        return (
            float(ev.row("tuned_shared").mean),
            float(ev.tuned_weight),
            None if ensemble is None else ensemble.mean,
            None if rand is None else rand.mean,
        )
    except ScratchnnError as exc:
        raise ScratchnnError(f"{where}: {exc}") from None


def rank_searches(
    folders: list[Path], task: Task, seed: int = 7, reps: int = 20
) -> tuple[list[Ranked], float | None]:
    """Every folder's champion (``best.json``) and evaluation (``eval.json``), best objective
    first, and the Spearman correlation of objective and tuned score over them (None with
    fewer than three folders or a constant column)."""
    rows = []
    for folder in folders:
        folder = Path(folder)
        for name in ("best.json", "eval.json"):
            if not (folder / name).is_file():
                raise ScratchnnError(f"{folder}: no {name} (a search folder holds both)")
        genome = load_genome(folder / "best.json", task.n_in, task.n_out)
        try:
            ev = json.loads((folder / "eval.json").read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ScratchnnError(f"{folder / 'eval.json'}: not valid JSON ({exc})") from None
        tuned, w, ens, rnd = _eval_numbers(ev, folder / "eval.json")
        obj = search_objective(task, genome, seed, reps, search_weights(folder))
        rows.append(Ranked(str(folder), genome.n_enabled(), obj, tuned, w, ens, rnd))
    rows.sort(key=lambda r: -r.objective)
    return rows, spearman([r.objective for r in rows], [r.tuned for r in rows])


def spearman(a: list[float], b: list[float]) -> float | None:
    """Spearman's rank correlation of ``a`` and ``b`` (average ranks for ties): the Pearson
    correlation of their ranks; None for fewer than three pairs or a constant column."""
    if len(a) != len(b) or len(a) < 3:
        return None

    def ranks(x: list[float]) -> np.ndarray:
        v = np.asarray(x, float)
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v), dtype=float)
        for value in np.unique(v):  # ties share their mean rank
            r[v == value] = r[v == value].mean()
        return r

    ra, rb = ranks(a), ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return None
    return float(np.corrcoef(ra, rb)[0, 1])


def format_ranking(rows: list[Ranked], rho: float | None, percent: bool) -> list[str]:
    """The table ``wann compare`` prints, one line per folder, then the correlation."""

    def f(v: float | None) -> str:
        if v is None:
            return "-"
        return f"{100 * v:.2f} %" if percent else f"{v:.1f}"

    out = [f"{'folder':40s} {'conns':>5s} {'objective':>10s} {'tuned (w)':>18s} "
           f"{'ensemble':>9s} {'random':>9s}"]  # fmt: skip
    for r in rows:
        tuned = f"{f(r.tuned)} ({r.tuned_weight:+g})"
        out.append(
            f"{r.folder:40s} {r.connections:5d} {r.objective:10.4f} {tuned:>18s} "
            f"{f(r.ensemble):>9s} {f(r.random_shared):>9s}"
        )
    out.append(
        "Spearman correlation of objective and tuned score: "
        + ("n/a (fewer than three folders)" if rho is None else f"{rho:+.2f}")
    )
    return out
