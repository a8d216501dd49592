"""WANN search hyper-parameters: a plain dataclass, read from plain YAML presets.

Presets live in ``scratchnn/wann/search/presets/<task>.yaml`` (``boolean.yaml`` for xor, and,
..., ``gym.yaml`` for every ``gym:ENV_ID``; another task name has none), each with a ``laptop``
and a ``paper`` section; a user's own file (``--config``) is one flat mapping of the same keys.
Every key is checked: an unknown key, a wrong type or a value out of range is an error that
names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ...config import coerce_value, read_yaml_file
from ...errors import ConfigError, ConfigTypeError, shown
from ...validation import instance, integer, real
from .. import PAPER_WEIGHTS
from ..checks import check_names
from ..tasks.base import ACTIONS, BACKENDS, DEFAULT_BACKEND, REWARDS
from ..tasks.boolean import boolean_task_names
from .mutations import PROBS
from .nsga import CROWDING

PRESETS = ("laptop", "paper")
#: values of ``disabled_hidden``
DISABLED_HIDDEN = ("off", "reference")


#: a file key whose task option has another name (:data:`~scratchnn.wann.tasks.base.TASK_OPTIONS`)
_TASK_KEY = {"episode_steps": "steps"}


@dataclass(frozen=True)
class TaskOptions:
    """The keys of a search config that configure the task rather than the search; empty / 0
    keeps the task's own setting. :func:`~scratchnn.wann.search.run.configure` applies them
    (:func:`~scratchnn.wann.tasks.configure_task`)."""

    episode_steps: int = 0  # steps per episode (Gymnasium tasks and swingup)
    action: str = ""  # clip or tanh (Box actions), argmax (Discrete)
    reward: str = ""  # standard, or reference (biped: no -100 fall penalty)
    #: gymnasium or envpool (empty: gymnasium, whether or not EnvPool is installed; a search
    #: records the backend it ran on, so its checkpoint resumes on the same one)
    backend: str = ""

    def as_options(self) -> dict[str, Any]:
        """The keys set, as :func:`~scratchnn.wann.tasks.configure_task` takes them (a task's
        ``steps`` is the file's ``episode_steps``)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {_TASK_KEY.get(k, k): v for k, v in values.items() if v}


@dataclass(frozen=True)
class Drawing:
    """How the champion is drawn: names only, no effect on the search or its scores."""

    labels: tuple[str, ...] = ()  # input then output names for the network drawing

    def as_options(self) -> dict[str, Any]:
        """The keys set, as :func:`~scratchnn.wann.tasks.configure_task` takes them."""
        return {"labels": self.labels} if self.labels else {}


@dataclass(frozen=True)
class SearchConfig:
    """One WANN search: the search's own settings, the task's options (:attr:`task`) and the
    drawing's labels (:attr:`drawing`). ``p_init=None`` takes the task's initial connection
    probability. A file (a preset section, ``--config``, a checkpoint's header) holds all three
    as one flat mapping of keys (:data:`FILE_KEYS`; :func:`config_from_dict`,
    :meth:`to_dict`)."""

    pop: int = 64
    generations: int = 200
    reps: int = 1  # rollouts per shared weight
    tournament: int = 4
    #: tournaments per child: its parent is the best of their winners. The reference draws two
    #: (its parentA and parentB) and, with crossover off, mutates the better one; 1 is a single
    #: tournament (scratchnn's selection before this key; checkpoints without it resume with 1)
    tournaments: int = 2
    elite: float = 0.2  # share of the ranked survivors that pass unchanged
    cull: float = 0.2  # share of the ranked population dropped before selection
    p_init: float | None = None
    p_conn_objective: float = 0.8  # probability of (mean, 1/connections) over (mean, max)
    best_reps: int = 0  # rollouts per weight when re-scoring a generation's best (0: don't)
    #: crowding distance within a front: "nsga2" (normalised by the range) or "reference"
    #: (WANNRelease's ``|1/max - min|`` factor; scratchnn.wann.search.nsga)
    crowding: str = "nsga2"
    #: disabled connection genes between two hidden nodes: "off" (not expressed, as the paper
    #: describes) or "reference" (expressed and counted, as WANNRelease's array alias does;
    #: scratchnn.wann.networks.genome.express_disabled_hidden)
    disabled_hidden: str = "off"
    checkpoint_every: int = 8
    p_add_connection: float = PROBS["add_connection"]
    p_insert_node: float = PROBS["insert_node"]
    p_reenable: float = PROBS["reenable"]
    p_change_activation: float = PROBS["change_activation"]
    #: the shared weights every network is scored at (the paper's six)
    weights: tuple[float, ...] = PAPER_WEIGHTS
    seed: int = 0
    #: the task's options (:class:`TaskOptions`; in a file, its keys sit beside these)
    task: TaskOptions = TaskOptions()
    #: the drawing's labels (:class:`Drawing`; in a file, ``labels`` sits beside these)
    drawing: Drawing = Drawing()

    @property
    def mutation_probs(self) -> dict[str, float]:
        return {
            "add_connection": self.p_add_connection,
            "insert_node": self.p_insert_node,
            "reenable": self.p_reenable,
            "change_activation": self.p_change_activation,
        }

    def replace(self, **overrides: Any) -> SearchConfig:
        """This config with the non-None ``overrides`` (file keys, :data:`FILE_KEYS`) applied,
        range-checked."""
        return with_overrides(self, **overrides)

    def to_dict(self) -> dict[str, Any]:
        """The flat mapping of :data:`FILE_KEYS` a file holds (JSON-able: lists for tuples)."""
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _PARTS}
        for part in _PARTS:
            d.update(asdict(getattr(self, part)))
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


#: the parts of a :class:`SearchConfig` whose keys a file holds flat, beside the search's own
_PARTS = {"task": TaskOptions, "drawing": Drawing}
#: the keys of a search config file: the search's own, then each part's
FILE_KEYS: dict[str, str | None] = {
    **{f.name: None for f in fields(SearchConfig) if f.name not in _PARTS},
    **{f.name: part for part, cls in _PARTS.items() for f in fields(cls)},
}


def _part(value: Any, name: str) -> Any:
    """``value`` if it is the part ``name`` of a config (a :class:`TaskOptions` for ``task``,
    a :class:`Drawing` for ``drawing``), else a :class:`~scratchnn.errors.ConfigTypeError`."""
    if not isinstance(value, _PARTS[name]):
        raise ConfigTypeError(f"cfg.{name} must be a {_PARTS[name].__name__}, got {shown(value)}")
    return value


def _kinds() -> dict[str, str]:
    """Every file key's declared type, as text (``"int"``, ``"tuple[str, ...]"``...)."""
    classes = [SearchConfig, *_PARTS.values()]
    return {f.name: str(f.type) for c in classes for f in fields(c) if f.name not in _PARTS}


def from_file_keys(values: Mapping[str, Any], base: SearchConfig | None = None) -> SearchConfig:
    """``base`` (default: the defaults) with the flat file keys ``values`` routed to their part
    (:data:`FILE_KEYS`); unchecked. An unknown key is a :class:`ConfigError`."""
    base = SearchConfig() if base is None else base
    own: dict[str, Any] = {}
    parts: dict[str, dict[str, Any]] = {part: {} for part in _PARTS}
    for key, v in values.items():
        if key not in FILE_KEYS:
            raise ConfigError(f"unknown key {key!r}; valid keys: {', '.join(FILE_KEYS)}")
        part = FILE_KEYS[key]
        (own if part is None else parts[part])[key] = v
    for part, changed in parts.items():
        if changed:
            own[part] = replace(_part(getattr(base, part), part), **changed)
    return replace(base, **own)


_KINDS = {
    "int": int,
    "float": float,
    "str": str,
    "float | None": float,
    "tuple[float, ...]": tuple,
    "tuple[str, ...]": tuple,
}


def config_from_dict(raw: Mapping[str, Any], origin: str = "config") -> SearchConfig:
    """Validate a flat mapping of file keys (:data:`FILE_KEYS`; missing keys keep defaults)."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin}: expected a mapping of search keys")
    kinds = {key: _KINDS[kind] for key, kind in _kinds().items()}
    values = {}
    for key, v in raw.items():
        if key not in kinds:
            raise ConfigError(f"{origin}: unknown key {key!r}; valid keys: {', '.join(kinds)}")
        if key == "weights":
            values[key] = _weights(origin, v)
        elif key == "labels":
            if not isinstance(v, list | tuple):
                raise ConfigError(f"{origin}: labels must be a list of names, got {shown(v)}")
            values[key] = tuple(coerce_value(origin, "labels", x, str) for x in v)
        else:
            values[key] = (
                None
                if (key == "p_init" and v is None)
                else coerce_value(origin, key, v, kinds[key])
            )
    return check(from_file_keys(values))


def _weights(origin: str, v: Any) -> tuple[float, ...]:
    """A list of shared weights (numbers), as a tuple of floats."""
    if not isinstance(v, list | tuple) or not v:
        raise ConfigError(f"{origin}: weights must be a non-empty list of numbers, got {shown(v)}")
    return tuple(float(coerce_value(origin, "weights", x, float)) for x in v)


#: the largest sizes a search accepts (beyond them memory or time runs out long before a result)
LIMITS = {
    "pop": 100_000,
    "generations": 10**9,
    "reps": 100_000,
    "best_reps": 100_000,
    "entrants": 1_000,  # tournament x tournaments
    "episode_steps": 10**8,
    "weights": 1_000,
}


def _typed_fields(obj: Any) -> Any:
    """The dataclass ``obj`` with every field of the right type (NumPy numbers and lists
    accepted, returned as plain ints, floats and tuples), or a
    :class:`~scratchnn.errors.ConfigTypeError` (a :class:`ConfigError`) naming the key."""
    values: dict[str, Any] = {}
    for f in fields(obj):
        v, kind, name = getattr(obj, f.name), str(f.type), f.name
        if name in _PARTS:
            values[name] = _typed_fields(_part(v, name))
        elif kind == "int":
            values[name] = integer(v, name)
        elif kind == "float" or (kind == "float | None" and v is not None):
            values[name] = real(v, name)
        elif kind == "str":
            values[name] = instance(v, name, str, "a string")
        elif kind == "tuple[float, ...]":
            items = instance(v, name, (list, tuple), "a list of numbers")
            values[name] = tuple(real(x, name) for x in items)
        elif kind == "tuple[str, ...]":
            values[name] = check_names(name, v)
    return replace(obj, **values)


def check(cfg: SearchConfig) -> SearchConfig:
    """Type and range checks; returns ``cfg`` (its numbers as plain Python ones) or raises
    :class:`ConfigError` naming the bad key."""
    if not isinstance(cfg, SearchConfig):
        raise ConfigError(
            f"cfg must be a SearchConfig (scratchnn.wann.search.config.load_preset(task) gives "
            f"one), got {shown(cfg)}"
        )
    cfg = _typed_fields(cfg)
    opts = cfg.task
    probs = cfg.mutation_probs.values()
    entrants = cfg.tournament * cfg.tournaments
    rules = [
        (cfg.pop >= 4, f"pop must be >= 4, got {cfg.pop}"),
        (cfg.generations >= 1, f"generations must be >= 1, got {cfg.generations}"),
        (cfg.reps >= 1, f"reps must be >= 1, got {cfg.reps}"),
        (cfg.tournament >= 1, f"tournament must be >= 1, got {cfg.tournament}"),
        (cfg.tournaments >= 1, f"tournaments must be >= 1, got {cfg.tournaments}"),
        (0 <= cfg.elite < 1, f"elite must be in [0, 1), got {cfg.elite}"),
        (0 <= cfg.cull < 1, f"cull must be in [0, 1), got {cfg.cull}"),
        (
            cfg.p_init is None or 0 < cfg.p_init <= 1,
            f"p_init must be in (0, 1], got {cfg.p_init}",
        ),
        (
            0 <= cfg.p_conn_objective <= 1,
            f"p_conn_objective must be in [0, 1], got {cfg.p_conn_objective}",
        ),
        (cfg.best_reps >= 0, f"best_reps must be >= 0, got {cfg.best_reps}"),
        (
            cfg.crowding in CROWDING,
            f"crowding must be one of {', '.join(CROWDING)}, got {cfg.crowding!r}",
        ),
        (
            cfg.disabled_hidden in DISABLED_HIDDEN,
            f"disabled_hidden must be one of {', '.join(DISABLED_HIDDEN)}, "
            f"got {cfg.disabled_hidden!r}",
        ),
        (cfg.checkpoint_every >= 1, f"checkpoint_every must be >= 1, got {cfg.checkpoint_every}"),
        (cfg.seed >= 0, f"seed must be >= 0, got {cfg.seed}"),
        (opts.episode_steps >= 0, f"episode_steps must be >= 0, got {opts.episode_steps}"),
        (
            len(cfg.weights) >= 1 and all(np.isfinite(w) and w != 0 for w in cfg.weights),
            f"weights must be finite and non-zero, got {shown(list(cfg.weights))}",
        ),
        (
            all(np.isfinite(p) and p >= 0 for p in probs) and sum(probs) > 0,
            "the mutation probabilities (p_add_connection, p_insert_node, p_reenable, "
            "p_change_activation) must be finite, >= 0 and not all 0",
        ),
        *(
            (
                getattr(part, key) <= LIMITS[key],
                f"{key} must be <= {LIMITS[key]:,}, got {shown(getattr(part, key))}",
            )
            for part, keys in (
                (cfg, ("pop", "generations", "reps", "best_reps")),
                (opts, ("episode_steps",)),
            )
            for key in keys
        ),
        (
            entrants <= LIMITS["entrants"],
            f"tournament x tournaments must be <= {LIMITS['entrants']:,}, got {entrants:,}",
        ),
        (
            len(cfg.weights) <= LIMITS["weights"],
            f"weights: at most {LIMITS['weights']:,} shared weights, got {len(cfg.weights):,}",
        ),
        (
            opts.action in ("", *ACTIONS),
            f"action must be one of {', '.join(ACTIONS)} (or empty), got {shown(opts.action)}",
        ),
        (
            opts.reward in ("", *REWARDS),
            f"reward must be one of {', '.join(REWARDS)} (or empty), got {shown(opts.reward)}",
        ),
        (
            opts.backend in ("", *BACKENDS),
            f"backend must be one of {', '.join(BACKENDS)} (or empty: {DEFAULT_BACKEND}), got "
            f"{shown(opts.backend)}",
        ),
    ]
    for ok, message in rules:
        if not ok:
            raise ConfigError(message)
    return cfg


#: the tasks with a preset file of their own (the Boolean functions share ``boolean.yaml``,
#: every ``gym:ENV_ID`` shares ``gym.yaml``)
OWN_PRESETS = ("swingup", "mnist256", "biped")


def _boolean_names() -> set[str]:
    """The Boolean tasks' names: the command line's (``a_and_not_b``) and the task's own
    (``BooleanTask.name``: ``a and not b``)."""
    cli = boolean_task_names()
    return set(cli) | {function.lower() for function in cli.values()}


def preset_file(task: str) -> str:
    """Name of the preset file for the task called ``task`` (``gym.yaml`` for any
    ``gym:ENV_ID``, ``boolean.yaml`` for the Boolean functions); a :class:`ConfigError` naming
    the known tasks for any other name."""
    if isinstance(task, str) and task.startswith("gym:"):
        return "gym.yaml"
    if task in OWN_PRESETS:
        return f"{task}.yaml"
    if isinstance(task, str) and task in _boolean_names():
        return "boolean.yaml"
    known = ", ".join((*OWN_PRESETS, "gym:ENV_ID", *boolean_task_names()))
    raise ConfigError(
        f"no preset for task {shown(task)}; presets exist for: {known} (a task of your own: "
        "build a SearchConfig, or start from another task's preset)"
    )


def load_preset(task: str, preset: str = "laptop") -> SearchConfig:
    """The ``preset`` section of the task's preset file."""
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset {preset!r}; presets: {', '.join(PRESETS)}")
    name = preset_file(task)
    text = resources.files(__package__).joinpath("presets", name).read_text()
    return config_from_dict(yaml.safe_load(text)[preset], f"presets/{name}:{preset}")


def load_config_file(path: Path) -> SearchConfig:
    """A user's flat YAML mapping of search keys."""
    raw = read_yaml_file(path, "WANN config")
    if raw is None:
        raise ConfigError(f"{path}: the file is empty (no search keys)")
    return config_from_dict(raw, str(path))


def with_overrides(cfg: SearchConfig, **overrides: Any) -> SearchConfig:
    """``cfg`` with the non-None ``overrides`` (file keys, :data:`FILE_KEYS`) applied, checked."""
    return check(from_file_keys({k: v for k, v in overrides.items() if v is not None}, cfg))
