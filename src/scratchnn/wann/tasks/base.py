"""What a WANN task is: the protocols the search and ``wann eval`` rely on.

A task scores many networks at many shared weights in one call. Every task has ``name``,
``n_in``, ``n_out``, ``p_init`` (initial connection probability), ``activations`` (ids hidden
nodes may take), ``input_names`` / ``output_names`` and

    evaluate(packed, weights, rng, reps) -> scores (n_nets, n_weights)

for the networks of ``packed`` (:mod:`~scratchnn.wann.networks.packed`); higher is better; the
score at one weight is the mean over ``reps`` rollouts. Every network and weight sees the same
random draws (common random numbers), taken from ``rng``. Evaluation is batched, so the search
never loops over networks itself.

The tasks themselves live beside this module (:mod:`scratchnn.wann.tasks`).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from ...errors import ConfigError, shown
from ..networks.genome import Expressed
from ..networks.packed import Packed

#: score given to a network whose output is NaN or infinite at some weight
INVALID_SCORE = -1e6

#: the task keys of the Gymnasium tasks (:mod:`~scratchnn.wann.tasks.gym`): how outputs become
#: actions, which reward, which environments run the episodes
ACTIONS = ("clip", "tanh", "argmax")
REWARDS = ("standard", "reference")
BACKENDS = ("gymnasium", "envpool")
#: the backend of a Gymnasium task when none is named: always the same, whatever is installed, so
#: that a seed gives the same search on every machine (EnvPool draws other terrains)
DEFAULT_BACKEND = "gymnasium"
#: the task keys a search config may set (its ``task`` options and ``drawing`` labels)
TASK_OPTIONS = ("steps", "action", "reward", "labels", "backend")
#: the longest episode, and the most worker processes, a task accepts
MAX_STEPS = 10**8
MAX_WORKERS = 1024


class Task(Protocol):
    """What the search needs of a task (see the module docstring)."""

    name: str
    n_in: int
    n_out: int
    p_init: float
    activations: tuple[int, ...]
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]

    def evaluate(
        self,
        packed: Packed,
        weights: np.ndarray,
        rng: np.random.Generator,
        reps: int = 1,
    ) -> np.ndarray: ...


@runtime_checkable
class ConfigurableTask(Protocol):
    """A task that takes the task keys of a search config (every task of the package):
    ``with_options(**options)`` returns the task with them applied, or raises a
    :class:`~scratchnn.errors.ConfigError` naming an option it cannot take."""

    def with_options(self, **options: object) -> Task: ...


@runtime_checkable
class EnvironmentTask(ConfigurableTask, Protocol):
    """A task whose episodes run in environments of a backend (the Gymnasium tasks, ``biped``
    and ``gym:ENV_ID``): ``spec`` (the environment, episode length, action mapping, reward and
    backend), ``workers`` (its processes), ``reward_text`` and ``episode_text`` (in words, for
    ``wann eval`` and the search log)."""

    spec: Any  # a scratchnn.wann.tasks.gym.EnvSpec (gym.py builds on this module)
    workers: int

    @property
    def reward_text(self) -> str: ...

    @property
    def episode_text(self) -> str: ...


@runtime_checkable
class ViewableTask(Protocol):
    """A task whose episodes a champion page can replay: ``viewer`` names the player
    (``"gym"``: recorded Gymnasium frames; ``"swingup"``: the cart and pole drawn from the
    states)."""

    @property
    def viewer(self) -> str: ...


def refuse_options(task_name: str, options: dict) -> None:
    """The :class:`ConfigError` of a task that takes none of ``options`` (none when empty)."""
    if options:
        keys = {"steps": "episode_steps"}
        names = ", ".join(keys.get(k, k) for k in options)
        raise ConfigError(f"{names}: only for Gymnasium tasks (biped, gym:ENV_ID), not {task_name}")


@runtime_checkable
class EpisodeTask(Protocol):
    """A task evaluated episode by episode (``wann eval`` of swingup and the Boolean tasks)."""

    def episode_states(self, n: int, rng: np.random.Generator) -> np.ndarray | None:
        """Initial states of ``n`` episodes (None when episodes have no state)."""

    def episode_scores(
        self, packed: Packed, instances: tuple[np.ndarray, ...], states: np.ndarray | None
    ) -> np.ndarray:
        """Score of instance ``i`` in episode ``i`` (from ``states[i]``)."""


@runtime_checkable
class ClassificationTask(Protocol):
    """A task scored by test accuracy (``wann eval`` of mnist256): ``data`` with ``X_train``,
    ``y_train``, ``X_test``, ``y_test``, and the networks' outputs as logits."""

    data: object

    def logits(
        self, packed: Packed, instances: tuple[np.ndarray, ...], X: np.ndarray
    ) -> np.ndarray:
        """(n_instances, B, n_classes) outputs on ``X`` (B, n_in)."""


@runtime_checkable
class SolvableTask(Protocol):
    """A task with a notion of solved (the Boolean functions): the search stops when its best
    network solves it, and restarts with the next seed when it has not within the budget."""

    def solved(self, net: Expressed, weights: np.ndarray) -> bool: ...


def episode_pairs(n_inst: int, n_states: int) -> tuple[np.ndarray, np.ndarray]:
    """Every instance from every initial state: (instance, state) index arrays of length
    ``n_inst * n_states``, instance-major (episode ``k`` = instance ``k // n_states``, state
    ``k % n_states``), so that scores reshape to (instances, states)."""
    return (
        np.repeat(np.arange(n_inst), n_states),
        np.tile(np.arange(n_states), n_inst),
    )


@runtime_checkable
class _Searchable(Protocol):
    """The part of :class:`Task` the search and the evaluation cannot do without."""

    name: str
    n_in: int
    n_out: int
    p_init: float
    activations: tuple[int, ...]

    def evaluate(
        self, packed: Packed, weights: np.ndarray, rng: np.random.Generator, reps: int = 1
    ) -> np.ndarray: ...


def check_task(task: object, name: str = "task") -> Task:
    """``task`` when it has what the search and the evaluation use (``name``, ``n_in``,
    ``n_out``, ``p_init``, ``activations``, ``evaluate``); else a :class:`ConfigError` saying how
    to make one."""
    if isinstance(task, type) or not isinstance(task, _Searchable):
        raise ConfigError(
            f"{name} must be a WANN task (scratchnn.wann.tasks.make_task('xor'), ...), got "
            f"{shown(task)}"
        )
    return task  # type: ignore[return-value]
