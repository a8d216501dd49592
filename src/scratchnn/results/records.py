"""Run records (``run.json``): reading them and the numbers they hold.

A run keeps a record beside its files (schema ``scratchnn.run/1``)::

    {"schema": "scratchnn.run/1", "name": "wann-swingup-tourn2-seed29", "kind": "wann-search",
     "command": "scratchnn wann search ...", "commands": [...], "commit": "6e4be6b",
     "dirty": null, "seed": 29, "config": {...}, "versions": null, "missing": ["versions", ...],
     "network": {"hidden_nodes": 28, "connections": 61, ...},
     "metrics": {"eval": {...}, "search": {...}, "training": {...}},
     "time": {"wall_s": ..., "user_s": ...},
     "artifacts": {"best.json": {"sha256": "...", "bytes": 5493, "in_tree": true}, ...}}

``metrics.eval`` is a ``scratchnn wann eval`` JSON without its sweeps: control tasks hold
``rows`` (condition, mean, std, n); MNIST-256 holds ``random_shared``, ``per_weight``,
``ensemble``, ``tuned_accuracy``, ``trained_accuracy`` as fractions. Files that left the tree
keep their sha256 and the command that remakes them (``remake``) or where git still holds
them (``source``); ``null`` fields were not recorded when the run was made and ``missing``
names them.

Only ``schema`` is required: the record of a run of one's own can be as small as
``{"schema": "scratchnn.run/1", "kind": "train", "seed": 0, "metrics": {"test_acc": 0.97}}``,
and ``scratchnn results DIR`` tabulates every record under ``DIR`` (:mod:`.summary`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, ScratchnnError, shown

if TYPE_CHECKING:
    from ..wann.evaluation import Evaluation

RECORD = "run.json"
SCHEMA = "scratchnn.run/1"


class ResultsError(ScratchnnError):
    """A missing, unreadable or malformed record."""


@dataclass(frozen=True)
class Record:
    """One run's record: ``name`` is its folder relative to the results root."""

    name: str
    data: dict[str, Any]

    @property
    def seed(self) -> Any:
        return self.data.get("seed")

    @property
    def metrics(self) -> dict[str, Any]:
        """The record's ``metrics`` (an empty dict when it has none)."""
        metrics = self.data.get("metrics")
        return metrics if isinstance(metrics, dict) else {}

    def eval(self, key: str = "eval") -> dict[str, Any]:
        """The eval summary ``metrics[key]``; a clear error when the record has none."""
        ev = self.metrics.get(key)
        if not isinstance(ev, dict):
            raise ResultsError(f"record {self.name}: no metrics.{key}")
        return ev

    def evaluation(self, key: str = "eval") -> Evaluation:
        """``metrics[key]`` read as a :class:`~scratchnn.wann.evaluation.Evaluation`; a
        :class:`ResultsError` when the record has none or it is not one."""
        from ..wann.evaluation import Evaluation

        try:
            return Evaluation.from_dict(self.eval(key))
        except DataError as exc:
            raise ResultsError(f"record {self.name}: metrics.{key}: {exc}") from None

    def condition(self, which: str, key: str = "eval") -> tuple[float, float, int]:
        """(mean, std, n) of the condition ``which`` (a condition key of
        :class:`~scratchnn.wann.evaluation.Evaluation`'s rows) in ``metrics[key]``."""
        row = self.evaluation(key).by_key.get(which)
        if row is None:
            raise ResultsError(f"record {self.name}: no {which!r} row in metrics.{key}")
        return float(row.mean), float(row.std), int(row.n)

    def has_condition(self, which: str, key: str = "eval") -> bool:
        try:
            self.condition(which, key)
        except ResultsError:
            return False
        return True

    def mnist(self, key: str = "eval") -> dict[str, float | None]:
        """MNIST-256 test accuracies in %: random_shared (mean) and its sd, ensemble,
        tuned_shared, tuned_weight (the weight itself), mean_six and sd_six (the six search
        weights), trained (None without individual weights)."""
        ev = self.evaluation(key)
        if ev.kind != "classification" or "random_shared" not in ev.by_key:
            raise ResultsError(f"record {self.name}: metrics.{key} is not an MNIST-256 eval")

        def pct(which: str, field: str = "mean") -> float | None:
            row = ev.by_key.get(which)
            return None if row is None else 100.0 * float(getattr(row, field))

        return {
            "random_shared": pct("random_shared"),
            "random_shared_sd": pct("random_shared", "std"),
            "ensemble": pct("ensemble"),
            "tuned_shared": pct("tuned_shared"),
            "tuned_weight": ev.tuned_weight,
            "mean_six": pct("shared_mean"),
            "sd_six": pct("shared_mean", "std"),
            "trained": pct("trained"),
        }


def read_record(path: Path, root: Path) -> Record:
    """The record in ``path`` (a ``run.json``), named by its folder relative to ``root``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResultsError(f"cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise ResultsError(f"{path}: not valid JSON ({exc})") from exc
    except RecursionError:
        raise ResultsError(f"{path}: not valid JSON (nested too deep)") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ResultsError(f"{path}: not a {SCHEMA} record")
    if not isinstance(data.get("metrics"), dict | None):
        raise ResultsError(f"{path}: metrics must be an object (names to values)")
    return Record(Path(path).parent.relative_to(root).as_posix(), data)


def load_records(root: Path | str) -> dict[str, Record]:
    """Every ``run.json`` under ``root`` (recursively), by name, in sorted order."""
    if not isinstance(root, str | os.PathLike):
        raise ResultsError(f"root must be a folder's path, got {shown(root)}")
    root = Path(root)
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "does not exist"
        raise ResultsError(f"no results folder {root}: it {what}")
    out = {}
    for path in sorted(root.rglob(RECORD)):
        rec = read_record(path, root)
        out[rec.name] = rec
    if not out:
        raise ResultsError(f"no {RECORD} records under {root}")
    return out


def published() -> dict[str, Any]:
    """The paper's published numbers (``published.json``), labelled as the paper's."""
    text = resources.files(__package__).joinpath("published.json").read_text(encoding="utf-8")
    return json.loads(text)


def get(records: dict[str, Record], name: str) -> Record:
    """``records[name]`` or a one-line error naming the missing record."""
    try:
        return records[name]
    except KeyError:
        raise ResultsError(f"no record {name}/{RECORD}") from None
