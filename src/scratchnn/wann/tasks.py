"""WANN tasks. A task scores many networks at many shared weights in one call.

Every task has ``name``, ``n_in``, ``n_out``, ``p_init`` (initial connection probability),
``activations`` (ids hidden nodes may take), ``input_names`` / ``output_names`` and

    evaluate(packed, weights, rng, reps) -> scores (n_nets, n_weights)

for the networks of ``packed`` (:mod:`~scratchnn.wann.packed`); higher is better; the score at
one weight is the mean over ``reps`` rollouts. Every network and weight sees the same random
draws (common random numbers), taken from ``rng``. Evaluation is batched, so the search never
loops over networks itself.

Tasks: the two-input Boolean functions (the writeup's XOR among them), ``swingup``
(CartPoleSwingUp), ``mnist256``, ``biped`` (BipedalWalker) and ``gym:ENV_ID`` (any Gymnasium
environment with Box observations and Box or Discrete actions, :mod:`~scratchnn.wann.gym_task`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import ScratchnnError
from ..theory.boolean import INPUTS, TABLES
from . import swingup as su
from .activations import ALL_IDS, NO_STEP
from .genome import Expressed
from .packed import (
    Packed,
    forward_batch,
    forward_shared,
    pack,
    shared_weight_cross_entropy,
    shared_weight_instances,
)

#: score given to a network whose output is NaN or infinite at some weight
INVALID_SCORE = -1e6


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


@dataclass(frozen=True)
class BooleanTask:
    """A two-input Boolean function; one linear output, read as true when it is > 0.

    Score per weight: the mean over the four inputs of ``clip((2 t - 1) * y, -1, 1)`` for target
    ``t`` and output ``y``: positive margins on every input mean the function is computed.
    """

    function: str = "XOR"
    n_in: int = 2
    n_out: int = 1
    p_init: float = 0.5
    activations: tuple[int, ...] = ALL_IDS
    input_names: tuple[str, ...] = ("a", "b")
    output_names: tuple[str, ...] = ("out",)

    @property
    def name(self) -> str:
        return self.function.lower()

    def margins(self, packed: Packed, weights: np.ndarray) -> np.ndarray:
        """(n_nets, n_weights, 4) signed margins ``(2 t - 1) * y``."""
        t = 2.0 * TABLES[self.function] - 1.0
        with np.errstate(all="ignore"):
            y = forward_shared(packed, INPUTS, np.asarray(weights, float))[..., 0]
            return np.nan_to_num(t * y, nan=-1.0, posinf=1.0, neginf=-1.0)

    def evaluate(
        self,
        packed: Packed,
        weights: np.ndarray,
        rng: np.random.Generator,
        reps: int = 1,
    ) -> np.ndarray:
        return np.clip(self.margins(packed, weights), -1, 1).mean(axis=2)

    def solved(self, net: Expressed, weights: np.ndarray) -> bool:
        """True when the network computes the function at every weight."""
        return bool((self.margins(pack([net]), weights) > 0).all())

    def episode_states(self, n: int, rng: np.random.Generator) -> None:
        """No initial states: every episode runs the four inputs."""
        return None

    def episode_scores(
        self, packed: Packed, instances: tuple[np.ndarray, ...], states: None = None
    ) -> np.ndarray:
        """Fraction of the four inputs instance ``i`` answers right (one episode per instance)."""
        y = forward_batch(packed, *instances, INPUTS)[..., 0]
        return ((y > 0) == TABLES[self.function].astype(bool)).mean(axis=1)


def episode_pairs(n_inst: int, n_states: int) -> tuple[np.ndarray, np.ndarray]:
    """Every instance from every initial state: (instance, state) index arrays of length
    ``n_inst * n_states``, instance-major (episode ``k`` = instance ``k // n_states``, state
    ``k % n_states``), so that scores reshape to (instances, states)."""
    return (
        np.repeat(np.arange(n_inst), n_states),
        np.tile(np.arange(n_states), n_inst),
    )


@dataclass(frozen=True)
class SwingUpTask:
    """CartPoleSwingUp (:mod:`~scratchnn.wann.swingup`): score = total reward of an episode of at
    most 1000 steps, averaged over ``reps`` initial states shared by all networks and weights."""

    name: str = "swingup"
    n_in: int = su.N_OBS
    n_out: int = su.N_ACT
    p_init: float = 0.5
    activations: tuple[int, ...] = ALL_IDS
    input_names: tuple[str, ...] = ("x", "x_dot", "cos(th)", "sin(th)", "th_dot")
    output_names: tuple[str, ...] = ("force",)
    steps: int = su.T_LIMIT

    def evaluate(
        self,
        packed: Packed,
        weights: np.ndarray,
        rng: np.random.Generator,
        reps: int = 1,
    ) -> np.ndarray:
        inst = shared_weight_instances(packed, weights)
        init = su.reset_states(reps, rng)
        ret = su.rollouts(packed, *inst, *episode_pairs(len(inst[0]), reps), init, self.steps)
        return ret.reshape(packed.n_nets, len(weights), reps).mean(axis=2)

    def episode_states(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """(n, 4) initial states, one per episode."""
        return su.reset_states(n, rng)

    def episode_scores(
        self, packed: Packed, instances: tuple[np.ndarray, ...], states: np.ndarray
    ) -> np.ndarray:
        """Return of instance ``i`` from initial state ``states[i]`` (one episode per instance)."""
        n = len(instances[0])
        return su.rollouts(packed, *instances, np.arange(n), np.arange(n), states, self.steps)


@dataclass(frozen=True)
class Mnist256Task:
    """MNIST-256 (:mod:`~scratchnn.wann.mnist256`): ten linear outputs, softmax.

    Score = minus the mean cross-entropy on a batch of ``batch`` training images, a fresh random
    batch per rollout, the same for every network and weight. ``accuracy`` uses the test set.
    """

    name: str = "mnist256"
    n_in: int = 256
    n_out: int = 10
    p_init: float = 0.05
    activations: tuple[int, ...] = NO_STEP
    input_names: tuple[str, ...] = tuple(f"p{r},{c}" for r in range(16) for c in range(16))
    output_names: tuple[str, ...] = tuple(str(d) for d in range(10))
    batch: int = 1000
    data_dir: Path | None = field(default=None, compare=False)

    @cached_property
    def data(self):
        from .mnist256 import load_mnist256

        return load_mnist256(self.data_dir)

    def logits(
        self, packed: Packed, instances: tuple[np.ndarray, ...], X: np.ndarray, chunk: int = 256
    ) -> np.ndarray:
        """(n_instances, B, 10) outputs, computed ``chunk`` instances at a time."""
        inst_net, inst_wstart, wflat = instances
        parts = []
        for a in range(0, len(inst_net), chunk):
            b = min(a + chunk, len(inst_net))
            lo, hi = inst_wstart[a], inst_wstart[b]
            parts.append(
                forward_batch(packed, inst_net[a:b], inst_wstart[a : b + 1] - lo, wflat[lo:hi], X)
            )
        return np.concatenate(parts)

    def evaluate(
        self,
        packed: Packed,
        weights: np.ndarray,
        rng: np.random.Generator,
        reps: int = 1,
    ) -> np.ndarray:
        """Minus the mean cross-entropy (one compiled pass over networks x weights x images,
        :func:`~scratchnn.wann.packed.shared_weight_cross_entropy`), averaged over ``reps``
        batches."""
        X, y = self.data.X_train, self.data.y_train
        scores = np.zeros((packed.n_nets, len(weights)))
        for _ in range(reps):
            idx = rng.choice(len(X), size=self.batch, replace=False)
            scores -= shared_weight_cross_entropy(packed, weights, X[idx], y[idx]) / reps
        return np.nan_to_num(scores, nan=INVALID_SCORE, neginf=INVALID_SCORE, posinf=INVALID_SCORE)


def boolean_task_names() -> dict[str, str]:
    """``{"xor": "XOR", "and": "AND", ...}``: CLI names of the Boolean functions."""
    return {name.lower().replace(" ", "_"): name for name in TABLES}


TASK_NAMES: tuple[str, ...] = ("swingup", "mnist256", "biped", "gym:ENV_ID", *boolean_task_names())


def make_task(
    name: str,
    data_dir: Path | None = None,
    p_init: float | None = None,
    workers: int | None = None,
) -> Task:
    """The task called ``name`` (see ``TASK_NAMES``); ``p_init`` overrides its default;
    ``workers``: processes for the episodes of Gymnasium tasks (default: the usable cores)."""
    boolean = boolean_task_names()
    if name == "swingup":
        task = SwingUpTask()
    elif name == "biped":
        from .gym_task import biped_task

        task = biped_task(workers=workers)
    elif name.startswith("gym:"):
        from .gym_task import gym_task

        if not name[4:]:
            raise ScratchnnError("--task gym:ENV_ID needs an environment id, e.g. gym:CartPole-v1")
        task = gym_task(name[4:], workers=workers)
    elif name == "mnist256":
        task = Mnist256Task(data_dir=data_dir)
    elif name in boolean:
        task = BooleanTask(boolean[name])
    else:
        raise ScratchnnError(f"unknown task {name!r}; tasks: {', '.join(TASK_NAMES)}")
    if p_init is not None:
        from dataclasses import replace

        task = replace(task, p_init=p_init)
    return task


def configure_task(task: Task, options: dict) -> Task:
    """``task`` with the task keys of a search config (``SearchConfig.task_options``: steps,
    action, reward, labels); a key the task has no use for is a :class:`ConfigError`."""
    if not options:
        return task
    from dataclasses import replace

    from ..errors import ConfigError

    if hasattr(task, "with_options"):
        return task.with_options(**options)
    if isinstance(task, SwingUpTask) and set(options) == {"steps"}:
        return replace(task, steps=int(options["steps"]))
    keys = {"steps": "episode_steps"}
    names = ", ".join(keys.get(k, k) for k in options)
    raise ConfigError(f"{names}: only for Gymnasium tasks (biped, gym:ENV_ID), not {task.name}")
