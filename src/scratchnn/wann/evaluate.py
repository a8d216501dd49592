"""Evaluate one network the way the paper reports WANNs.

Control and Boolean tasks: mean +- std over ``episodes`` episodes, each from its own initial state
(the same states for every condition), for

- ``random weights``: every connection its own weight ~ U(-2, 2), drawn anew per episode;
- ``random shared weight``: one w ~ U(-2, 2) per episode;
- ``w = -2, -1, -0.5, 0.5, 1, 2``: the search's six weights;
- ``tuned shared weight``: the best w of the grid ``TUNE_GRID`` (-2 to 2 in steps of 0.05,
  without 0), chosen on a *separate* set of ``episodes`` initial states, then scored on the
  evaluation states;
- ``tuned individual weights``: when the network carries trained weights (one per connection,
  :mod:`~scratchnn.wann.weights`), those, on the evaluation states.

``mnist256``: test accuracy on all 10,000 test images

- ``random shared weight``: at each of ``draws`` weights w ~ U(-2, 2) (the paper's "random
  weight" condition, 82.0 % +- 18.7 %), as mean +- std over the draws;
- at each of the six weights, their mean +- std, and the ensemble vote of the six (each weight's
  argmax is one vote; a tie goes to the class with the larger summed softmax probability);
- the tuned shared weight, chosen by accuracy on 10,000 training images;
- the trained individual weights' accuracy, when there are some.

The weight sweep for the paper's figure covers ``SWEEP_GRID`` (-2.5 to 2.5 in steps of 0.05,
without 0), measured on the tuning episodes (mnist256: the test images, digit by digit).

:func:`evaluate` returns one :class:`~scratchnn.wann.evaluation.Evaluation` for both kinds of
task (:mod:`~scratchnn.wann.evaluation`, whose names are importable from here too): its rows
carry a condition key and a label; ``to_dict()`` gives the JSON ``wann eval --json`` writes and
``Evaluation.from_dict`` reads it back (older files too).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError, ScratchnnError, shown
from ..fileio import save_figure
from ..functional import softmax
from ..validation import integer
from . import weights_word
from .checks import check_optional_int
from .evaluation import (  # noqa: F401 (the result types, importable from here as before)
    CLASSIFICATION_CONDITIONS,
    CONDITIONS,
    LEGACY_LABELS,
    DigitAccuracy,
    Evaluation,
    Row,
    WeightSweep,
    classification_rows,
    row_key,
)
from .networks.formats import edge_pairs
from .networks.genome import Genome, GenomeError, validate
from .networks.packed import Packed, instances
from .search.loop import WEIGHTS
from .search.population import Population, pack_population
from .tasks import ClassificationTask, EpisodeTask, Task
from .tasks.base import check_task

TUNE_GRID = np.round(np.concatenate([np.arange(-40, 0), np.arange(1, 41)]) * 0.05, 2)
SWEEP_GRID = np.round(np.concatenate([np.arange(-50, 0), np.arange(1, 51)]) * 0.05, 2)
TUNE_GRID_TEXT = (
    f"grid w = {TUNE_GRID[0]:g}..{TUNE_GRID[-1]:g} in steps of 0.05 without 0 "
    f"({len(TUNE_GRID)} values)"
)


def _instances(packed: Packed, edge_weights: np.ndarray) -> tuple[np.ndarray, ...]:
    """Instances of network 0 of ``packed``, one per row of ``edge_weights`` (n, n_edges)."""
    return instances(packed, np.zeros(len(edge_weights), np.int64), edge_weights)


def evaluate(
    task: Task,
    genome: Genome,
    episodes: int = 100,
    seed: int = 0,
    weights: np.ndarray | None = None,
    tune_episodes: int | None = None,
) -> Evaluation:
    """The paper's evaluation of ``genome`` on ``task`` (see the module docstring), as an
    :class:`~scratchnn.wann.evaluation.Evaluation`: keyed rows (read one with
    ``result.row("tuned_shared")``), the tuned weight, and the weight sweep (episode tasks:
    ``sweep``, the mean score at every weight of ``SWEEP_GRID`` on the tuning episodes;
    classification: ``digit_accuracy``, test accuracy of each digit at every weight of
    ``SWEEP_GRID``, the paper's accuracy-by-digit figure). ``result.to_dict()`` is the JSON
    ``wann eval --json`` writes. ``episodes``: episodes per condition (classification: the
    random shared weights drawn). ``weights``: the network's trained individual weights
    (packed edge order), evaluated as a further condition (``trained``). ``tune_episodes``
    (episode tasks): episodes per weight of the tuning grid and the sweep (default
    ``episodes``). The arguments are checked first (:func:`check_evaluate_args`)."""
    episodes, seed, weights, tune_episodes = check_evaluate_args(
        task, genome, episodes, seed, weights, tune_episodes
    )
    if isinstance(task, ClassificationTask):
        return evaluate_mnist(task, genome, seed=seed, weights=weights, draws=episodes)
    if isinstance(task, EpisodeTask):
        n_tune = episodes if tune_episodes is None else tune_episodes
        rows, w_best, sweep_means = _control(task, genome, episodes, seed, weights, n_tune)
        sweep = WeightSweep(tuple(SWEEP_GRID.tolist()), tuple(sweep_means))
        return Evaluation("episodes", tuple(rows), w_best, sweep=sweep, tune_episodes=n_tune)
    raise ScratchnnError(f"task {shown(getattr(task, 'name', task))} has no evaluation protocol")


#: the most episodes (or random weights drawn) one evaluation takes
MAX_EPISODES = 1_000_000


def check_evaluate_args(
    task: object,
    genome: object,
    episodes: object,
    seed: object,
    weights: object,
    tune_episodes: object,
) -> tuple[int, int, np.ndarray | None, int | None]:
    """The checks :func:`evaluate` makes before anything runs: a task, a valid genome that fits
    it, counts in range, individual weights (one finite number per connection) or None.
    Returns ``episodes``, ``seed``, ``weights`` (as floats) and ``tune_episodes``."""
    check_task(task)
    if not isinstance(genome, Genome):
        raise ConfigError(
            "genome must be a Genome (scratchnn.wann.networks.formats.load_network(path, n_in, "
            "n_out) reads one; a zoo champion's is load_champion(name).genome), got "
            f"{shown(genome)}"
        )
    try:
        validate(genome)
    except GenomeError as exc:
        raise DataError(f"genome: {exc}") from None
    if (genome.n_in, genome.n_out) != (task.n_in, task.n_out):
        raise DataError(
            f"genome: the network has {genome.n_in} inputs and {genome.n_out} outputs; task "
            f"{task.name} needs {task.n_in} and {task.n_out}"
        )
    episodes = integer(episodes, "episodes", low=1, high=MAX_EPISODES)
    seed = integer(seed, "seed", low=0)
    tune_episodes = check_optional_int("tune_episodes", tune_episodes, 1, MAX_EPISODES)
    if weights is None:
        return episodes, seed, None, tune_episodes
    n_edges = len(edge_pairs(genome))
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        w = None
    if w is None or w.shape != (n_edges,) or not np.all(np.isfinite(w)):
        raise DataError(
            f"weights must be {n_edges} finite numbers (one per connection of the genome, in "
            f"packed edge order) or None, got {shown(weights)}"
        )
    return episodes, seed, w, tune_episodes


def report_lines(result: Evaluation, episodes: int) -> list[str]:
    """What ``wann eval`` prints for a result of :func:`evaluate` (``episodes``: the tuning
    episodes to name when the result does not say)."""
    if result.kind == "classification":
        by = result.by_key
        per_weight = [r for r in result.rows if r.key.startswith("w=")]
        lines = [f"w = {r.key[2:]:>4}: test accuracy {r.mean:.4f}" for r in per_weight]
        n = weights_word(len(per_weight))
        trained = by.get("trained")
        trained_line = [] if trained is None else [f"tuned individual weights: {trained.mean:.4f}"]
        rand = by.get("random_shared")  # absent from the eval JSON of earlier versions
        rand_line = [] if rand is None else [
            f"random shared weight U(-2,2), {rand.n} draws: test accuracy {rand.mean:.4f} "
            f"+- {rand.std:.4f}"
        ]  # fmt: skip
        mean = result.row("shared_mean")
        return [
            *rand_line,
            *lines,
            f"mean +- std over the {n} weights: {mean.mean:.4f} +- {mean.std:.4f}",
            f"ensemble vote of the {n} weights: {result.row('ensemble').mean:.4f}",
            f"tuned shared weight w = {result.tuned_weight:g} ({TUNE_GRID_TEXT}, chosen on "
            f"10,000 training images): test accuracy {result.row('tuned_shared').mean:.4f}",
            *trained_line,
        ]
    n_tune = episodes if result.tune_episodes is None else result.tune_episodes
    return [
        *([result.reward] if result.reward is not None else []),
        format_rows(list(result.rows)),
        f"tuned: {TUNE_GRID_TEXT}, chosen on {n_tune} separate episodes; "
        f"best w = {result.tuned_weight:g}",
    ]


def plot_weight_sweep(result: Evaluation, path: Path, title: str = "") -> None:
    """The score against the shared weight (episode tasks: mean score on the tuning episodes),
    or the test accuracy of each digit against the shared weight (classification). A
    :class:`~scratchnn.errors.ScratchnnError` for a result without its sweep (run records)."""
    from ..plots import figure

    curve = result.sweep if result.kind == "episodes" else result.digit_accuracy
    if curve is None:
        raise ScratchnnError("the evaluation holds no weight sweep to plot (run records drop it)")
    fig = figure(figsize=(8, 4.5))
    ax = fig.subplots()
    if isinstance(curve, WeightSweep):
        ax.plot(curve.weights, curve.mean, marker=".", color="C0")
        ax.set_ylabel("mean score (tuning episodes)")
    else:
        acc = np.array(curve.accuracy)  # (n_weights, 10)
        for d in range(acc.shape[1]):
            ax.plot(curve.weights, acc[:, d], lw=1.2, label=str(d), color=f"C{d}")
        ax.plot(curve.weights, acc.mean(axis=1), lw=2.5, color="k", label="mean")
        ax.set_ylabel("test accuracy")
        ax.legend(ncol=6, fontsize=8, title="digit", title_fontsize=8)
    ax.axvline(result.tuned_weight, color="0.5", ls="--", lw=1)
    ax.set_xlabel("shared weight w")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def evaluate_control(
    task: EpisodeTask, genome: Genome, episodes: int = 100, seed: int = 0
) -> tuple[list[Row], float]:
    """The rows described in the module docstring, and the tuned weight. Episodes come from the
    task's ``episode_states`` and ``episode_scores`` (swingup: returns from initial states;
    Boolean: the fraction of the four inputs answered right)."""
    rows, w_best, _ = _control(task, genome, episodes, seed)
    return rows, w_best


def _control(
    task: EpisodeTask,
    genome: Genome,
    episodes: int,
    seed: int,
    weights: np.ndarray | None = None,
    tune_episodes: int | None = None,
) -> tuple[list[Row], float, list[float]]:
    packed = pack_population(Population.from_genomes([genome]))
    E = packed.n_edges(0)
    rng = np.random.default_rng(seed)
    states = task.episode_states(episodes, rng)
    n_tune = episodes if tune_episodes is None else tune_episodes
    tune_states = task.episode_states(n_tune, rng)

    def run(edge_weights: np.ndarray, s=states) -> np.ndarray:
        """One episode per row of ``edge_weights``, episode ``i`` from ``s[i]``."""
        return task.episode_scores(packed, _instances(packed, edge_weights), s)

    def shared(ws: np.ndarray) -> np.ndarray:
        return np.repeat(np.asarray(ws, float)[:, None], E, axis=1)

    rows = []

    def add(key: str, scores: np.ndarray, label: str = "") -> None:
        label = label or CONDITIONS[key]
        rows.append(Row(label, float(scores.mean()), float(scores.std()), len(scores), key))

    add("random_weights", run(rng.uniform(-2, 2, size=(episodes, E))))
    add("random_shared", run(shared(rng.uniform(-2, 2, size=episodes))))
    for w in WEIGHTS:
        add(f"w={w:g}", run(shared(np.full(episodes, w))), f"w = {w:g}")
    sweep = [float(run(shared(np.full(n_tune, w)), tune_states).mean()) for w in SWEEP_GRID]
    in_tune = np.isin(SWEEP_GRID, TUNE_GRID)
    w_best = float(SWEEP_GRID[in_tune][int(np.argmax(np.array(sweep)[in_tune]))])
    tuned_label = f"{CONDITIONS['tuned_shared']} (w = {w_best:g})"
    add("tuned_shared", run(shared(np.full(episodes, w_best))), tuned_label)
    if weights is not None:
        add("trained", run(np.repeat(np.asarray(weights)[None], episodes, 0)))
    return rows, w_best, sweep


def evaluate_mnist(
    task: ClassificationTask,
    genome: Genome,
    seed: int = 0,
    weights: np.ndarray | None = None,
    draws: int = 100,
) -> Evaluation:
    """Test accuracies (see the module docstring) as a classification
    :class:`~scratchnn.wann.evaluation.Evaluation`; ``draws`` random shared weights
    w ~ U(-2, 2), each scored on the whole test set."""
    if draws < 1:
        raise ScratchnnError(f"draws (the random shared weights) must be >= 1, got {draws}")
    packed = pack_population(Population.from_genomes([genome]))
    E = packed.n_edges(0)
    data = task.data

    def logits(ws: np.ndarray, X: np.ndarray) -> np.ndarray:
        W = np.repeat(np.asarray(ws, float)[:, None], E, axis=1)
        return task.logits(packed, _instances(packed, W), X)

    z = logits(WEIGHTS, data.X_test)  # (6, 10000, 10)
    pred = z.argmax(axis=2)
    acc = (pred == data.y_test).mean(axis=1)
    with np.errstate(all="ignore"):
        p = np.stack([softmax(zw) for zw in z])  # (6, 10000, 10) class probabilities
    votes = np.stack([(pred == c).sum(axis=0) for c in range(10)], axis=1)  # (10000, 10)
    tie_break = np.nan_to_num(p.sum(axis=0)) / (len(WEIGHTS) + 1)  # < 1: only breaks ties
    ensemble = (votes + tie_break).argmax(axis=1)
    rng = np.random.default_rng(seed)
    tune_idx = rng.choice(len(data.X_train), size=10_000, replace=False)
    grid_acc = [
        (logits([w], data.X_train[tune_idx])[0].argmax(axis=1) == data.y_train[tune_idx]).mean()
        for w in TUNE_GRID
    ]
    w_best = float(TUNE_GRID[int(np.argmax(grid_acc))])

    def right(w: float) -> np.ndarray:
        """(n_test,) bool: which test images the shared weight ``w`` classifies right."""
        return logits([w], data.X_test)[0].argmax(axis=1) == data.y_test

    best_acc = float(right(w_best).mean())
    digits = np.unique(data.y_test)
    by_digit = []
    for w in SWEEP_GRID:
        r = right(w)
        by_digit.append([float(r[data.y_test == d].mean()) for d in digits])
    random_acc = np.array([right(w).mean() for w in rng.uniform(-2, 2, size=draws)])
    trained = None
    if weights is not None:
        z = task.logits(packed, _instances(packed, np.asarray(weights)[None]), data.X_test)[0]
        trained = float((z.argmax(axis=1) == data.y_test).mean())
    rows = classification_rows(
        (float(random_acc.mean()), float(random_acc.std()), int(draws)),
        {f"{w:g}": float(a) for w, a in zip(WEIGHTS, acc, strict=False)},
        (float(acc.mean()), float(acc.std())),
        float((ensemble == data.y_test).mean()),
        w_best,
        best_acc,
        trained,
    )
    digit_accuracy = DigitAccuracy(tuple(SWEEP_GRID.tolist()), tuple(map(tuple, by_digit)))
    return Evaluation("classification", rows, w_best, digit_accuracy=digit_accuracy)


def format_rows(rows: list[Row]) -> str:
    width = max(len(r.condition) for r in rows)
    lines = [f"{'condition':<{width}}  {'mean':>10}  {'std':>9}  episodes"]
    lines += [f"{r.condition:<{width}}  {r.mean:10.2f}  {r.std:9.2f}  {r.n:8d}" for r in rows]
    return "\n".join(lines)


#: The paper's published numbers (Gaier & Ha 2019, Table 1 and the MNIST section), labelled as
#: the paper's wherever they are shown: random weights / random shared / tuned shared / tuned
#: individual weights, for the found WANN and for the fixed-topology baseline.
PAPER = {
    "swingup": {
        "wann": ("57 ± 121", "515 ± 58", "723 ± 16", "932 ± 6"),
        "fixed": ("21 ± 43", "7 ± 2", "8 ± 1", "918 ± 7"),
    },
    "biped": {
        "wann": ("-46 ± 54", "51 ± 108", "261 ± 58", "332 ± 1"),
        "fixed": ("-129 ± 28", "-107 ± 12", "-35 ± 23", "347 ± 1"),
    },
    "mnist256": {
        "random_shared": "82.0 ± 18.7 %",
        "ensemble": "91.6 %",
        "tuned": "91.9 %",
        "trained": "94.2 %",
        "linear": "91.6 %",
        "cnn": "99.3 %",
    },
}


def paper_table(task_name: str, result: Evaluation) -> str:
    """Markdown: the paper's table layout, ours (from ``result`` of :func:`evaluate`) beside
    the paper's numbers for the task (empty paper cells where the paper has none)."""
    paper = PAPER.get(task_name, {})
    by_key = result.by_key
    if result.kind == "episodes":
        conditions = [
            ("random weights", "random_weights"),
            ("random shared weight", "random_shared"),
            (f"tuned shared weight (w = {result.tuned_weight:g})", "tuned_shared"),
            ("tuned individual weights", "trained"),
        ]
        wann, fixed = paper.get("wann", ("",) * 4), paper.get("fixed", ("",) * 4)
        lines = [
            f"| {task_name} | ours | the paper: WANN | the paper: fixed topology |",
            "|---|---|---|---|",
        ]
        for i, (label, key) in enumerate(conditions):
            r = by_key.get(key)
            ours = "not measured" if r is None else f"{r.mean:.0f} ± {r.std:.0f}"
            lines.append(f"| {label} | {ours} | {wann[i]} | {fixed[i]} |")
        return "\n".join(lines) + "\n"

    def pct(r: Row | None) -> str:
        return "not measured" if r is None else f"{100 * r.mean:.1f} %"

    def pct_std(r: Row) -> str:
        return f"{100 * r.mean:.1f} ± {100 * r.std:.1f} %"

    def label(key: str) -> str:
        """The row's own label; the condition's where the row is absent (older files)."""
        return by_key[key].condition if key in by_key else CONDITIONS[key]

    rand = by_key.get("random_shared")  # absent from the eval JSON of earlier versions
    rows = [
        (label("random_shared"), "not measured" if rand is None else pct_std(rand),
         paper.get("random_shared", "")),
        (label("shared_mean"), pct_std(result.row("shared_mean")), ""),
        (label("ensemble"), pct(by_key["ensemble"]), paper.get("ensemble", "")),
        (label("tuned_shared"), pct(by_key["tuned_shared"]), paper.get("tuned", "")),
        (label("trained"), pct(by_key.get("trained")), paper.get("trained", "")),
    ]  # fmt: skip
    lines = [f"| {task_name} test accuracy | ours | the paper |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines) + "\n"
