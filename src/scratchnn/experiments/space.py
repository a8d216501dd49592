"""A hyper-parameter search space: a YAML file read and checked by :func:`load_spec`.

A search space is a YAML file::

    base: configs/config_exp.yaml   # a config file, or an inline {Train: ..., Model: ...}
    set: [epochs=20, dtype=float32] # optional overrides of the base
    space:
      learning_rate: {low: 0.01, high: 1.0, log: true}
      hidden_size: {low: 64, high: 1024, log: true, type: int}
      activation: {choices: [sigmoid, tanh, relu]}

Keys are config keys, short (``reg``) or dotted (``Model.dropout``); each is checked against
the config schema when the file is read, with every parameter at its low end or first choice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import (
    RunConfig,
    apply_overrides,
    config_from_dict,
    read_yaml,
    resolve_config_path,
)
from ..errors import ConfigError, shown


@dataclass(frozen=True)
class Param:
    key: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    kind: str = "float"  # float | int | categorical
    choices: tuple[Any, ...] = ()

    def suggest(self, trial: Any) -> Any:
        if self.kind == "categorical":
            return trial.suggest_categorical(self.key, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.key, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.key, float(self.low), float(self.high), log=self.log)


@dataclass(frozen=True)
class TuneSpec:
    base: dict[str, Any]  # raw config mapping, overrides applied
    params: tuple[Param, ...]

    def config(self, values: Mapping[str, Any]) -> RunConfig:
        return config_from_dict(
            apply_overrides(self.base, [f"{k}={v}" for k, v in values.items()]), "tune"
        )


def _param(key: str, spec: Any) -> Param:
    if not isinstance(key, str):
        raise ConfigError(f"space: keys are config keys (strings), got {shown(key)}")
    if not isinstance(spec, Mapping):
        raise ConfigError(f"space.{key}: expected a mapping (low/high or choices)")
    unknown = set(spec) - {"low", "high", "log", "type", "choices"}
    if unknown:
        raise ConfigError(
            f"space.{key}: unknown field(s) {', '.join(sorted(str(k) for k in unknown))}; "
            "valid: low, high, log, type, choices"
        )
    if "choices" in spec:
        if not isinstance(spec["choices"], list) or not spec["choices"]:
            raise ConfigError(f"space.{key}.choices must be a non-empty list")
        return Param(key, kind="categorical", choices=tuple(spec["choices"]))
    try:
        low, high = float(spec["low"]), float(spec["high"])
    except (KeyError, TypeError, ValueError, OverflowError):
        raise ConfigError(f"space.{key}: needs numeric low and high, or choices") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ConfigError(f"space.{key}: low and high must be finite, got {low} and {high}")
    kind = spec.get("type", "float")
    if kind not in ("float", "int"):
        raise ConfigError(f"space.{key}.type must be float or int, got {kind!r}")
    log = bool(spec.get("log", False))
    if not low < high or (log and low <= 0):
        raise ConfigError(f"space.{key}: need low < high (and low > 0 with log)")
    return Param(key, low, high, log, kind)


def load_spec(path: Path | str) -> TuneSpec:
    """Read and validate a search-space YAML; every key is checked against the config schema.

    ``path`` may name a shipped search space (``tune_128``); a relative ``base`` is looked up
    beside the search space when it is not found from the current folder.
    """
    path = resolve_config_path(path)
    raw = read_yaml(path, "search space")
    unknown = set(raw) - {"base", "set", "space"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown field(s) {', '.join(sorted(str(k) for k in unknown))}; valid: base, "
            "set, space"
        )
    base = raw.get("base") or {}
    if isinstance(base, str):
        base_path = Path(base)
        if not base_path.is_absolute() and not base_path.exists():
            base_path = Path(path).parent / base
        base = read_yaml(base_path)
    sets = raw.get("set") or []
    if not isinstance(sets, list) or not all(isinstance(x, str) for x in sets):
        raise ConfigError(f"{path}: 'set' must be a list of key=value strings, got {shown(sets)}")
    base = apply_overrides(base, sets, f"{path}: base")
    space = raw.get("space")
    if not isinstance(space, Mapping) or not space:
        raise ConfigError(f"{path}: 'space' must map config keys to ranges or choices")
    params = tuple(_param(k, v) for k, v in space.items())
    spec = TuneSpec(base, params)
    # validate keys (and the base) now, with each parameter at its low end / first choice
    spec.config(
        {
            p.key: (p.choices[0] if p.choices else p.low if p.kind == "float" else int(p.low))
            for p in params
        }
    )
    return spec
