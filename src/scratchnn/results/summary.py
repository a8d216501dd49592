"""A table of any folder of run records: one row per ``run.json`` with its name, kind, seed,
commit, dirty flag and summary metrics (``scratchnn results DIR``).

A record's ``metrics`` may nest as deep as it likes; :func:`flatten_metrics` turns them into
``{"path.to.value": value}``:

- a number or a true/false value is kept; a short string (a verdict, a method) too;
- a dict with a numeric ``mean`` gives one value, ``{"mean", "std", "n"}`` (shown
  ``mean ± std``), and its other keys their own;
- a list of dicts is keyed by each item's label (its ``condition``, ``name``, ``label``,
  ``claim`` or ``id``, else its position): ``eval.rows[tuned shared weight]``;
- lists of plain values (every epoch's time, every seed's accuracy) and the settings a run
  kept beside its numbers (``config``, ``settings``, ``setup``, ``provenance``, ``versions``)
  are left out: the record keeps them.

The table shows the shallowest metrics first (the headline numbers of a run usually sit near
the top), at most ``max_metrics`` of them per row; :func:`summary_rows` has them all.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigTypeError, shown
from ..validation import integer, is_real
from .markdown import DASH, table
from .records import Record

#: sub-dicts of ``metrics`` that hold settings, not results
SETTINGS = frozenset({"config", "settings", "setup", "provenance", "versions"})
#: keys that label the items of a list of dicts, in order of preference
LABELS = ("condition", "name", "label", "claim", "id")
#: the keys of a summary over runs or episodes, shown as one value
SUMMARY = ("mean", "std", "n")
#: the longest string value kept as a metric
MAX_STRING = 40


def _plain(v: Any) -> Any:
    """A NumPy scalar as Python's int or float (JSON-ready); anything else as is."""
    if isinstance(v, numbers.Integral) and not isinstance(v, int):
        return int(v)
    if isinstance(v, numbers.Real) and not isinstance(v, int | float):
        return float(v)
    return v


def _label(item: dict[str, Any], index: int) -> tuple[str, str | None]:
    """The label of a list item and the key it came from (None: its position)."""
    for key in LABELS:
        if isinstance(item.get(key), str | int) and not isinstance(item.get(key), bool):
            return str(item[key]), key
    return str(index), None


def _walk(value: Any, path: str, depth: int, out: list[tuple[int, str, Any]]) -> None:
    if isinstance(value, dict):
        rest = value
        if is_real(value.get("mean")):  # a summary: one value, then what else it holds
            summary = {k: _plain(value[k]) for k in SUMMARY if is_real(value.get(k))}
            out.append((depth, path, summary))
            rest = {k: v for k, v in value.items() if k not in SUMMARY}
        for key, sub in rest.items():
            if key not in SETTINGS:
                _walk(sub, f"{path}.{key}" if path else str(key), depth + 1, out)
    elif isinstance(value, list):
        if not all(isinstance(item, dict) for item in value):
            return
        for i, item in enumerate(value):
            label, key = _label(item, i)
            _walk({k: v for k, v in item.items() if k != key}, f"{path}[{label}]", depth, out)
    elif isinstance(value, numbers.Real) or (
        isinstance(value, str) and 0 < len(value) <= MAX_STRING
    ):
        out.append((depth, path, _plain(value)))  # a number, a true/false value, short text


def flatten_metrics(metrics: Any) -> dict[str, Any]:
    """``metrics`` as ``{dotted path: value}``, shallowest first (see the module docstring);
    a value is a number, a bool, a short string or ``{"mean", "std", "n"}``."""
    found: list[tuple[int, str, Any]] = []
    _walk(metrics, "", 0, found)
    found.sort(key=lambda item: item[0])  # stable: the record's own order within a depth
    out: dict[str, Any] = {}
    for _, path, value in found:
        key, k = path or "value", 1
        while key in out:  # two list items with the same label
            k += 1
            key = f"{path}#{k}"
        out[key] = value
    return out


def _short_commit(commit: Any) -> str | None:
    if not isinstance(commit, str) or not commit:
        return None
    return commit.split("+")[0][:7]


def _check_records(records: Any) -> None:
    """A :class:`~scratchnn.errors.ConfigTypeError` unless ``records`` maps names to
    :class:`~.records.Record` (what :func:`~.records.load_records` gives)."""
    if not isinstance(records, Mapping) or not all(isinstance(r, Record) for r in records.values()):
        raise ConfigTypeError(
            f"records must map names to Record objects (scratchnn.results.load_records(folder) "
            f"gives them), got {shown(records)}"
        )


def summary_rows(records: dict[str, Record]) -> list[dict[str, Any]]:
    """One dict per record, in the order of ``records``: ``name``, ``kind``, ``seed``,
    ``commit`` (short), ``dirty`` and ``metrics`` (:func:`flatten_metrics`); JSON-ready."""
    _check_records(records)
    return [
        {
            "name": rec.name,
            "kind": rec.data.get("kind"),
            "seed": rec.seed,
            "commit": _short_commit(rec.data.get("commit")),
            "dirty": rec.data.get("dirty"),
            "metrics": flatten_metrics(rec.data.get("metrics")),
        }
        for rec in records.values()
    ]


def _finite(x: Any) -> bool:
    """Whether ``x`` is a number a float holds, finite (a huge int is not)."""
    try:
        return math.isfinite(x)
    except (OverflowError, TypeError):
        return False


def format_value(value: Any) -> str:
    """A metric as a table shows it: 4 significant digits, ``mean ± std`` for a summary."""
    if isinstance(value, dict):
        mean, std = value["mean"], value.get("std")
        if std is None or not _finite(mean) or not _finite(std):
            return format_value(mean) + ("" if std is None else f" ± {format_value(std)}")
        text = f"{float(mean):#.4g}".rstrip(".")
        if "e" in text:
            return f"{text} ± {format_value(std)}"
        decimals = len(text.partition(".")[2])  # the sd to the mean's last digit
        return f"{text} ± {std:.{decimals}f}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)

    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _seed_text(seed: Any) -> str:
    if seed is None:
        return DASH
    if isinstance(seed, list):
        return ", ".join(str(s) for s in seed)
    return str(seed)


def tabulate(records: dict[str, Record], max_metrics: int = 12) -> str:
    """A Markdown table of ``records``, one row each: run, kind, seed, commit, dirty flag and
    its first ``max_metrics`` metrics (0: all of them), then how many more it holds."""
    max_metrics = integer(max_metrics, "max_metrics (--metrics)", low=0)
    rows = []
    for row in summary_rows(records):
        items = list(row["metrics"].items())
        shown = items if max_metrics <= 0 else items[:max_metrics]
        text = "; ".join(f"{k} {format_value(v)}" for k, v in shown)
        if len(items) > len(shown):
            text += f"; +{len(items) - len(shown)} more"
        dirty = {True: "yes", False: "no"}.get(row["dirty"], DASH)
        rows.append([
            f"`{_cell(row['name'])}`", _cell(str(row["kind"] or DASH)),
            _cell(_seed_text(row["seed"])), _cell(row["commit"] or DASH), dirty,
            _cell(text) or DASH,
        ])  # fmt: skip
    return table(["Run", "kind", "seed", "commit", "dirty", "metrics"], rows)
