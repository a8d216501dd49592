"""Run configuration: the assignment's YAML layout, validated before any work starts.

The layout is the course's ``config_exp.yaml``, so a student's own file works unchanged::

    Train:
      batch_size: 64
      learning_rate: 0.1
      reg: 0.001
      epochs: 10
      momentum: 0.9     # listed by the assignment, never used by its SGD (a run says so)
      debug: True       # print one line per epoch
    Model:
      type: TwoLayerNet # or SoftmaxRegression
      hidden_size: 128

scratchnn adds optional keys, all defaulting to the reference's behaviour:

* ``Train.seed`` (shuffle seed, 0); ``Train.dtype`` (``float32``, the fast default, or
  ``float64``, the reference's precision, which the ``reproduce`` job uses);
* ``Train.optimizer``: ``sgd`` (the reference; ``momentum`` is ignored, as the assignment's SGD
  ignores it), ``momentum`` or ``nesterov`` (these use ``Train.momentum``), ``adam``;
* ``Train.schedule``: ``constant``, ``step`` (``step_size`` epochs, factor ``gamma``) or
  ``cosine``; ``Train.warmup_epochs`` (linear warm-up); ``Train.early_stopping`` (patience in
  epochs on validation accuracy, 0 = off);
* ``Model.activation``: for TwoLayerNet ``sigmoid`` (the reference), ``tanh`` or ``relu``; for
  SoftmaxRegression ``relu`` (the reference) or ``linear``; ``default`` (or no key) is resolved
  to the reference's, so a resolved config always names the real activation;
  ``Model.init`` (``faithful``, ``xavier``, ``he``), ``Model.dropout`` (on the hidden layer,
  0 = off).

Any other key is an error that names the key and lists the valid ones.

Configs ship with the package (``scratchnn/configs/*.yaml``: the assignment's configs, the tuned
ones, the tuning search spaces; in a clone ``./configs`` links there). A config path that does
not exist but names one of them, bare (``best_128``, ``best_128.yaml``) or as ``configs/NAME``,
reads the shipped file, so the README's commands work from any folder after ``pip install``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError, shown
from .functional import HIDDEN_ACTIVATIONS
from .models import INITS
from .optim import OPTIMIZERS, SCHEDULES

#: the configs shipped inside the package (package data; ./configs in a clone links here)
SHIPPED_CONFIGS = Path(__file__).resolve().parent / "configs"

#: upper bounds checked before any work: the training split's size, and a hidden layer whose
#: first weight matrix (784 x hidden, float64) stays under 1 GB
MAX_BATCH = 48_000
MAX_HIDDEN = 131_072

MODEL_TYPES = {"twolayernet": "TwoLayerNet", "softmaxregression": "SoftmaxRegression"}
DTYPES = ("float32", "float64")
REFERENCE_ACTIVATION = {"TwoLayerNet": "sigmoid", "SoftmaxRegression": "relu"}
MODEL_ACTIVATIONS = {  # per model type; "default" resolves to REFERENCE_ACTIVATION
    "TwoLayerNet": ("default", *HIDDEN_ACTIVATIONS),
    "SoftmaxRegression": ("default", "relu", "linear"),
}


@dataclass(frozen=True)
class TrainConfig:
    batch_size: int = 64
    learning_rate: float = 0.1
    reg: float = 0.001
    epochs: int = 10
    momentum: float = 0.9
    debug: bool = False
    seed: int = 0
    dtype: str = "float32"
    optimizer: str = "sgd"
    schedule: str = "constant"
    warmup_epochs: float = 0.0
    step_size: int = 10
    gamma: float = 0.1
    early_stopping: int = 0


@dataclass(frozen=True)
class ModelConfig:
    type: str = "TwoLayerNet"
    hidden_size: int = 128
    activation: str = "default"  # resolved to the model's reference activation: sigmoid / relu
    init: str = "faithful"
    dropout: float = 0.0

    def __post_init__(self) -> None:
        if self.activation == "default":  # name the real activation (unknown types: left alone)
            reference = REFERENCE_ACTIVATION.get(MODEL_TYPES.get(self.type.lower(), ""))
            if reference is not None:
                object.__setattr__(self, "activation", reference)


@dataclass(frozen=True)
class RunConfig:
    train: TrainConfig = TrainConfig()
    model: ModelConfig = ModelConfig()

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The YAML layout: ``{"Train": {...}, "Model": {...}}``."""
        return {"Train": asdict(self.train), "Model": asdict(self.model)}

    def to_yaml(self) -> str:
        import yaml  # PyYAML is imported where it is used, not with the package (start-up time)

        return yaml.safe_dump(self.to_dict(), sort_keys=False)


SECTIONS: dict[str, type] = {"Train": TrainConfig, "Model": ModelConfig}


def coerce_value(section: str, key: str, value: Any, kind: type) -> Any:
    """``value`` of config key ``section.key`` as ``kind`` (bool, int, float or str), or a
    :class:`ConfigError` naming the key: no bool for a number, ``"1e-4"`` (YAML 1.1 reads it as a
    string) accepted as a float, ints accepted as floats."""
    where = f"{section}.{key}"
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where} must be true or false, got {shown(value)}")
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"{where} must be an integer, got {shown(value)}")
    if kind is float:
        if isinstance(value, bool):
            raise ConfigError(f"{where} must be a number, got {shown(value)}")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):  # YAML 1.1 reads "1e-4" as a string
            try:
                return float(value)
            except ValueError:
                pass
        raise ConfigError(f"{where} must be a number, got {shown(value)}")
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {shown(value)}")
    return value


_coerce = coerce_value  # the former private name, still imported by scratchnn.wann.search.config


def _check_ranges(cfg: RunConfig) -> RunConfig:
    t, m = cfg.train, cfg.model
    checks = [
        (t.learning_rate > 0, f"Train.learning_rate must be > 0, got {t.learning_rate}"),
        (t.reg >= 0, f"Train.reg must be >= 0, got {t.reg}"),
        (t.batch_size >= 1, f"Train.batch_size must be >= 1, got {t.batch_size}"),
        (t.epochs >= 1, f"Train.epochs must be >= 1, got {t.epochs}"),
        (t.seed >= 0, f"Train.seed must be >= 0, got {t.seed}"),
        (m.hidden_size >= 1, f"Model.hidden_size must be >= 1, got {m.hidden_size}"),
        # bounds that would otherwise fail late (NaN, MemoryError, the store's 64-bit integers)
        (
            math.isfinite(t.learning_rate),
            f"Train.learning_rate must be finite, got {t.learning_rate}",
        ),
        (math.isfinite(t.reg), f"Train.reg must be finite, got {t.reg}"),
        (
            t.batch_size <= MAX_BATCH,
            f"Train.batch_size must be <= {MAX_BATCH:,} (the training split's size), "
            f"got {t.batch_size}",
        ),
        (t.seed < 2**63, f"Train.seed must be < 2**63 (a 64-bit integer), got {t.seed}"),
        (
            m.hidden_size <= MAX_HIDDEN,
            f"Model.hidden_size must be <= {MAX_HIDDEN:,} (W1 alone would take "
            f"{784 * 8 * m.hidden_size / 1e9:.1f} GB), got {m.hidden_size}",
        ),
        (t.dtype in DTYPES, f"Train.dtype must be one of {', '.join(DTYPES)}, got {t.dtype!r}"),
        (
            t.optimizer in OPTIMIZERS,
            f"Train.optimizer must be one of {', '.join(OPTIMIZERS)}, got {t.optimizer!r}",
        ),
        (
            t.schedule in SCHEDULES,
            f"Train.schedule must be one of {', '.join(SCHEDULES)}, got {t.schedule!r}",
        ),
        (0 <= t.momentum < 1, f"Train.momentum must be in [0, 1), got {t.momentum}"),
        (t.warmup_epochs >= 0, f"Train.warmup_epochs must be >= 0, got {t.warmup_epochs}"),
        (
            math.isfinite(t.warmup_epochs),
            f"Train.warmup_epochs must be finite, got {t.warmup_epochs}",
        ),
        (t.step_size >= 1, f"Train.step_size must be >= 1, got {t.step_size}"),
        (0 < t.gamma <= 1, f"Train.gamma must be in (0, 1], got {t.gamma}"),
        (t.early_stopping >= 0, f"Train.early_stopping must be >= 0, got {t.early_stopping}"),
        (m.init in INITS, f"Model.init must be one of {', '.join(INITS)}, got {m.init!r}"),
        (0 <= m.dropout < 1, f"Model.dropout must be in [0, 1), got {m.dropout}"),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(message)
    model_type = MODEL_TYPES.get(m.type.lower())
    if model_type is None:
        raise ConfigError(
            f"Model.type must be one of {', '.join(MODEL_TYPES.values())}, got {m.type!r}"
        )
    valid = MODEL_ACTIVATIONS[model_type]
    if m.activation not in valid:
        raise ConfigError(
            f"Model.activation for {model_type} must be one of {', '.join(valid)}, "
            f"got {m.activation!r}"
        )
    return replace(cfg, model=replace(m, type=model_type))


def config_from_dict(raw: Mapping[str, Any] | None, origin: str = "config") -> RunConfig:
    """Validate a ``{"Train": {...}, "Model": {...}}`` mapping; missing keys take defaults."""
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin}: expected a mapping with sections Train and Model")
    parts: dict[str, Any] = {}
    for section, value in raw.items():
        if section not in SECTIONS:
            raise ConfigError(
                f"{origin}: unknown section {section!r}; valid sections: {', '.join(SECTIONS)}"
            )
        if not isinstance(value, Mapping):
            raise _not_a_section(origin, section, value)
        kinds = {f.name: f.type for f in fields(SECTIONS[section])}
        kinds = {
            k: {"int": int, "float": float, "bool": bool, "str": str}[v] for k, v in kinds.items()
        }
        values = {}
        for key, v in value.items():
            if key not in kinds:
                raise ConfigError(
                    f"{origin}: unknown key {section}.{key}; valid keys in {section}: "
                    + ", ".join(kinds)
                )
            values[key] = coerce_value(section, key, v, kinds[key])
        parts[section.lower()] = SECTIONS[section](**values)
    return _check_ranges(RunConfig(**parts))


def _not_a_section(origin: str, section: str, value: Any) -> ConfigError:
    keys = ", ".join(f.name for f in fields(SECTIONS[section]))
    return ConfigError(
        f"{origin}: section {section} must be a mapping of keys (e.g. `{section}: "
        f"{{{keys.split(', ')[0]}: ...}}`), got {shown(value)}; valid keys in {section}: {keys}"
    )


def apply_overrides(
    raw: Mapping[str, Any] | None, overrides: Iterable[str], origin: str = "config"
) -> dict[str, Any]:
    """Apply ``key=value`` overrides (``Train.reg=0.01`` or just ``reg=0.01``) to a raw mapping.

    Values are parsed as YAML scalars (``0.5`` -> float, ``true`` -> bool). Sections of ``raw``
    are checked first (a section that is not a mapping, e.g. ``Train: 5``, or an unknown one is
    a :class:`ConfigError` naming the valid keys).
    """
    if raw is not None and not isinstance(raw, Mapping):
        raise ConfigError(f"{origin}: expected a mapping with sections Train and Model")
    for section, value in (raw or {}).items():
        if section not in SECTIONS:
            raise ConfigError(
                f"{origin}: unknown section {shown(section)}; valid sections: {', '.join(SECTIONS)}"
            )
        if value is not None and not isinstance(value, Mapping):
            raise _not_a_section(origin, section, value)
    raw = {s: dict(v or {}) for s, v in (raw or {}).items()}
    known = {f.name: s for s, cls in SECTIONS.items() for f in fields(cls)}
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        section, dot, name = key.rpartition(".")
        if not dot:
            if name not in known:
                raise ConfigError(
                    f"--set: unknown key {name!r}; valid keys: " + ", ".join(sorted(known))
                )
            section = known[name]
        elif section not in SECTIONS:
            raise ConfigError(
                f"--set: unknown section {section!r}; valid sections: {', '.join(SECTIONS)}"
            )
        value = parse_yaml(text, f"--set {shown(item)}")
        raw.setdefault(section, {})[name] = value
    return raw


def shipped_configs() -> list[str]:
    """Names (without ``.yaml``) of the configs shipped with scratchnn."""
    return sorted(p.stem for p in SHIPPED_CONFIGS.glob("*.yaml"))


def resolve_config_path(path: Path | str) -> Path:
    """``path`` if it exists; else, if it names a shipped config (``NAME``, ``NAME.yaml`` or
    ``configs/NAME.yaml``), that file in :data:`SHIPPED_CONFIGS`; else ``path`` unchanged."""
    p = Path(path)
    if p.exists() or p.parent not in (Path("."), Path("configs")):
        return p
    name = p.name if p.suffix in (".yaml", ".yml") else f"{p.name}.yaml"
    shipped = SHIPPED_CONFIGS / name
    return shipped if shipped.is_file() else p


MAX_YAML_BYTES = 1_000_000  # a config, a tune space or a WANN config is a few hundred bytes


def parse_yaml(text: str | bytes, origin: str) -> Any:
    """Parse untrusted YAML (``yaml.safe_load``: no Python objects) with every failure a
    :class:`ConfigError` naming ``origin``: bytes that are not UTF-8 text (a binary file), more
    than :data:`MAX_YAML_BYTES`, invalid YAML, or nesting too deep for the parser."""
    import yaml

    if len(text) > MAX_YAML_BYTES:
        raise ConfigError(
            f"{origin}: {len(text):,} bytes, more than a config can be ({MAX_YAML_BYTES:,}); "
            "is this the right file?"
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(
                f"{origin}: not a text file (not UTF-8); give a YAML config"
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML ({exc})".replace("\n", " ")) from None
    except RecursionError:
        raise ConfigError(f"{origin}: nested too deeply to be a config") from None


def read_yaml_file(path: Path | str, what: str = "config file") -> Any:
    """The parsed YAML of file ``path`` (see :func:`parse_yaml`); a missing or unreadable file is
    a :class:`ConfigError`. ``path`` may name a shipped config (see :func:`resolve_config_path`)."""
    path = resolve_config_path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        shipped = (
            f" (configs shipped with scratchnn, usable by name: {', '.join(shipped_configs())})"
            if what == "config file"
            else ""
        )
        raise ConfigError(f"{what} {path} not found{shipped}") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} {path} is a folder, not a file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from exc
    return parse_yaml(data, str(path))


def read_yaml(path: Path | str, what: str = "config file") -> dict[str, Any]:
    """A YAML file holding a mapping. An empty file (or one of comments only) is refused: it is
    more often a mistake (the wrong file, a failed copy) than a wish for every default."""
    path = Path(path)
    raw = read_yaml_file(path, what)
    if raw is None:
        raise ConfigError(
            f"{path}: the file is empty (no settings); for every default write `Train: {{}}`"
            if what == "config file"
            else f"{path}: the file is empty (no settings)"
        )
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: expected a mapping"
            + (" with sections Train and Model" if what == "config file" else "")
            + f", got {shown(raw)}"
        )
    return raw


def load_config(
    path: Path | str | None = None, overrides: Iterable[str] = (), seed: int | None = None
) -> RunConfig:
    """Read, override and validate a run config. ``seed`` (if given) replaces ``Train.seed``."""
    raw = read_yaml(path) if path is not None else {}
    overrides = list(overrides) + ([f"Train.seed={seed}"] if seed is not None else [])
    origin = str(path or "config")
    return config_from_dict(apply_overrides(raw, overrides, origin), origin=origin)
