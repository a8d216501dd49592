"""Grids of configs over seeds, and the mean +- std of their metrics."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from ..config import RunConfig, apply_overrides, config_from_dict
from ..errors import ConfigError
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
            raise ConfigError(f"--grid expects key=v1,v2,..., got {item!r}")
        parsed = []
        for v in values.split(","):
            try:
                parsed.append(yaml.safe_load(v.strip()))
            except yaml.YAMLError as exc:
                raise ConfigError(f"--grid {item!r}: cannot parse {v!r}") from exc
        grid[key] = parsed
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
        return f"{self.mean:.4f} ± {self.std:.4f}"


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
