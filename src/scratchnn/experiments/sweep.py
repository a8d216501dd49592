"""Grids of configs over seeds, the mean +- std of their metrics, and the sweep job itself
(:func:`run_sweep`, what ``scratchnn sweep`` does)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..config import RunConfig, apply_overrides, config_from_dict, parse_yaml, read_yaml
from ..errors import ConfigError, shown
from ..fileio import atomic_write_text
from .runner import PlannedRun
from .store import RunRecord

METRICS = ("train_acc", "val_acc_last", "val_acc_best", "test_acc")
CURVE_FIELDS = ("train_loss", "val_loss", "train_acc", "val_acc")  # per-epoch history fields


def parse_grid(items: Iterable[str]) -> dict[str, list[Any]]:
    """``["learning_rate=1,0.1", "reg=0.01"]`` -> ``{"learning_rate": [1, 0.1], "reg": [0.01]}``."""
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        if not sep or not key or not values:
            raise ConfigError(f"--grid expects key=v1,v2,..., got {shown(item)}")
        grid[key] = [parse_yaml(v.strip(), f"--grid {shown(item)}") for v in values.split(",")]
    return grid


def run_name(cfg: RunConfig) -> str:
    """A readable directory name, e.g. ``TwoLayerNet-h128-bs64-lr0.1-reg0.001-ep10-float64/seed0``.

    Unique for the settings the reproduce job varies (model, batch, lr, reg, epochs, dtype, seed).
    """
    t, m = cfg.train, cfg.model
    size = f"-h{m.hidden_size}" if m.type == "TwoLayerNet" else ""
    return (
        f"{m.type}{size}-bs{t.batch_size}-lr{t.learning_rate:g}-reg{t.reg:g}-ep{t.epochs}"
        f"-{t.dtype}/seed{t.seed}"
    )


def expand(
    base: Mapping[str, Any], grid: Mapping[str, Sequence[Any]], seeds: Sequence[int]
) -> list[tuple[dict[str, Any], list[PlannedRun]]]:
    """Every combination of ``grid`` values, each with one run per seed.

    Returns ``[(combo, [PlannedRun per seed]), ...]``; configs are validated here, before any run.
    """
    keys = list(grid)
    out = []
    for values in itertools.product(*(grid[k] for k in keys)):
        combo = dict(zip(keys, values, strict=True))
        runs = []
        for seed in seeds:
            overrides = [f"{k}={v}" for k, v in combo.items()] + [f"Train.seed={seed}"]
            cfg = config_from_dict(apply_overrides(dict(base), overrides))
            label = ",".join(f"{k}={v}" for k, v in combo.items())
            runs.append(PlannedRun(f"{label}/seed{seed}", cfg))
        out.append((combo, runs))
    return out


@dataclass
class Cell:
    """One metric over seeds."""

    values: list[float]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values)) if self.values else float("nan")

    @property
    def std(self) -> float:
        """Sample standard deviation (ddof 1); 0 for a single seed."""
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "std": self.std, "values": self.values}

    def __str__(self) -> str:
        """``"0.9766 ± 0.0012"``; ``"0.9766"`` for one seed (no spread to show); ``"diverged"``
        when no run finished (no values)."""
        if not self.values:
            return "diverged"
        return f"{self.mean:.4f}" if len(self.values) == 1 else f"{self.mean:.4f} ± {self.std:.4f}"


def summarize(records: Sequence[RunRecord], metric: str) -> Cell:
    """``metric`` over the records that finished ``ok`` (diverged runs have no final numbers)."""
    return Cell([r.metrics[metric] for r in records if r.metrics.get(metric) is not None])


def history_array(records: Sequence[RunRecord], field: str) -> np.ndarray:
    """(seeds, epochs) array of a history field; shorter (diverged) runs padded with NaN."""
    n = max((len(r.history) for r in records), default=0)
    arr = np.full((len(records), n), np.nan)
    for i, r in enumerate(records):
        arr[i, : len(r.history)] = [h[field] for h in r.history]
    return arr


def format_table(rows: Sequence[tuple[str, Sequence[RunRecord]]]) -> str:
    """Plain-text table: one row per combination, mean ± std of each metric."""
    head = f"{'setting':38s} " + " ".join(f"{m:>17s}" for m in METRICS) + "  runs"
    lines = [head, "-" * len(head)]
    for label, recs in rows:
        cells = " ".join(f"{summarize(recs, m)!s:>17s}" for m in METRICS)
        ok = sum(r.status == "ok" for r in recs)
        lines.append(f"{label:38s} {cells}  {ok}/{len(recs)}")
    return "\n".join(lines)


@dataclass
class SweepResult:
    """A finished sweep: one row per grid combination with its runs' records (seed order),
    the printed table, and where ``table.txt``, ``sweep.png``, ``runs/`` and the store are."""

    rows: list[tuple[str, list[RunRecord]]]
    table: str
    out: Path


def run_sweep(
    config: Path | str | Mapping[str, Any] | None,
    grid: Mapping[str, Sequence[Any]] | Iterable[str],
    *,
    overrides: Iterable[str] = (),
    seeds: int = 1,
    first_seed: int = 0,
    out: Path | str = "runs/sweep",
    data: Any = None,
    data_dir: Path | str | None = None,
    progress: bool = True,
    log: Callable[[str], None] = print,
    jobs: int = 1,
    executor: str = "local",
    address: str | None = None,
    hooks: Any = None,
) -> SweepResult:
    """Train every combination of ``grid`` on top of ``config``, ``seeds`` seeds each.

    ``config``: a YAML file, a raw ``{"Train": ..., "Model": ...}`` mapping, or ``None`` (the
    defaults); ``overrides``: ``key=value`` items applied to it; ``grid``: ``{key: [values]}`` or
    ``["key=v1,v2", ...]``. Every config is validated before any run. ``data``: the splits to
    train on (default: the faithful MNIST split, fetched into ``data_dir`` if needed).

    Writes into ``out``: one run directory per run under ``runs/``, ``results.sqlite`` (finished
    runs are skipped when the same sweep runs again), ``table.txt`` (mean +- std per combination)
    and ``sweep.png`` (training loss and validation accuracy of every combination).
    ``jobs`` runs train at once in worker processes, or every run is a Ray task with
    ``executor="ray"`` (:func:`~scratchnn.experiments.runner.run_plan`); the results are the same.
    ``hooks``: observes every run (see :class:`~scratchnn.experiments.runner.RunHooks`).
    """
    from ..data import faithful_split, load_mnist
    from ..plots import plot_overview
    from .runner import run_plan
    from .store import ResultStore

    if seeds < 1:
        raise ConfigError(f"seeds (--seeds) must be >= 1, got {seeds}")
    grid = dict(grid) if isinstance(grid, Mapping) else parse_grid(grid)
    raw = read_yaml(config) if isinstance(config, (str, Path)) else dict(config or {})
    base = apply_overrides(
        raw, overrides, str(config) if isinstance(config, (str, Path)) else "config"
    )
    combos = expand(base, grid, list(range(first_seed, first_seed + seeds)))  # validated
    out = Path(out)
    if data is None:
        data = faithful_split(load_mnist(data_dir, log=log))
    plan = [run for _, runs in combos for run in runs]
    with ResultStore(out / "results.sqlite") as store:
        records = run_plan(
            plan,
            data,
            store,
            out,
            progress=progress,
            log=log,
            jobs=jobs,
            executor=executor,
            address=address,
            hooks=hooks,
        )
    rows = []
    series = {}
    for combo, runs in combos:
        label = ", ".join(f"{k}={v}" for k, v in combo.items())
        recs = [records[r.name] for r in runs]
        rows.append((label, recs))
        series[label] = {f: history_array(recs, f) for f in CURVE_FIELDS}
    plot_overview(series, f"sweep over {', '.join(grid)}", out / "sweep.png")
    table = format_table(rows)
    atomic_write_text(out / "table.txt", table + "\n")
    return SweepResult(rows, table, out)
