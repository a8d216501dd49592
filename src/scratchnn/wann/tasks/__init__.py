"""WANN tasks: what the search scores networks on, one module per task.

- :mod:`~scratchnn.wann.tasks.base`: the ``Task`` protocol every task follows, and the
  capabilities a task may add: ``ConfigurableTask`` (``with_options``, every task of the
  package), ``EnvironmentTask`` (the Gymnasium tasks), ``ViewableTask``, ``EpisodeTask``,
  ``ClassificationTask``, ``SolvableTask``;
- :mod:`~scratchnn.wann.tasks.boolean`: the two-input Boolean functions (``xor``, ``and``, ...);
- :mod:`~scratchnn.wann.tasks.swingup`: CartPoleSwingUp, its physics and its task;
  :mod:`~scratchnn.wann.tasks.swingup_gym`: the same physics registered with Gymnasium;
- :mod:`~scratchnn.wann.tasks.mnist256`: MNIST resized to 16x16 and deskewed, and its task;
- :mod:`~scratchnn.wann.tasks.gym`: any Gymnasium environment (``gym:ENV_ID``), the episode
  runner and its worker processes; :mod:`~scratchnn.wann.tasks.biped`: the paper's BipedalWalker
  on it; :mod:`~scratchnn.wann.tasks.envpool`: the EnvPool (C++) backend of those episodes.

:func:`make_task` builds a task by its command-line name (``TASK_NAMES``) and
:func:`configure_task` applies a search config's task keys. The Gymnasium modules are imported
only when a Gymnasium task is made.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ...errors import ConfigError, ScratchnnError, shown
from ...validation import real
from ..checks import check_optional_int, check_optional_path
from .base import (
    INVALID_SCORE,
    MAX_WORKERS,
    TASK_OPTIONS,
    ClassificationTask,
    ConfigurableTask,
    EnvironmentTask,
    EpisodeTask,
    SolvableTask,
    Task,
    ViewableTask,
    episode_pairs,
    refuse_options,
)
from .boolean import BooleanTask, boolean_task_names
from .mnist256 import Mnist256Task
from .swingup import SwingUpTask

__all__ = [
    "INVALID_SCORE",
    "TASK_NAMES",
    "BooleanTask",
    "ClassificationTask",
    "ConfigurableTask",
    "EnvironmentTask",
    "EpisodeTask",
    "Mnist256Task",
    "SolvableTask",
    "SwingUpTask",
    "Task",
    "ViewableTask",
    "boolean_task_names",
    "configure_task",
    "episode_pairs",
    "make_task",
]

TASK_NAMES: tuple[str, ...] = ("swingup", "mnist256", "biped", "gym:ENV_ID", *boolean_task_names())


def make_task(
    name: str,
    data_dir: Path | None = None,
    p_init: float | None = None,
    workers: int | None = None,
) -> Task:
    """The task called ``name`` (see ``TASK_NAMES``); ``p_init`` overrides its default;
    ``workers``: processes for the episodes of Gymnasium tasks (default: the usable cores).
    Every argument is checked first (a :class:`~scratchnn.errors.ConfigError` naming it)."""
    if not isinstance(name, str):
        raise ConfigError(
            f"task name must be a string ({', '.join(TASK_NAMES)}), got {shown(name)}"
        )
    data_dir = check_optional_path("data_dir", data_dir)
    p_init = None if p_init is None else real(p_init, "p_init", low=0.0, high=1.0, low_open=True)
    workers = check_optional_int("workers", workers, 1, MAX_WORKERS)
    boolean = boolean_task_names()
    if name == "swingup":
        task = SwingUpTask()
    elif name == "biped":
        from .biped import biped_task

        task = biped_task(workers=workers)
    elif name.startswith("gym:"):
        from .gym import gym_task

        if not name[4:]:
            raise ScratchnnError("--task gym:ENV_ID needs an environment id, e.g. gym:CartPole-v1")
        task = gym_task(name[4:], workers=workers)
    elif name == "mnist256":
        task = Mnist256Task(data_dir=data_dir)
    elif name in boolean:
        task = BooleanTask(boolean[name])
    else:
        raise ConfigError(f"unknown task {shown(name)}; tasks: {', '.join(TASK_NAMES)}")
    if p_init is not None:
        task = replace(task, p_init=p_init)
    return task


def configure_task(task: Task, options: dict) -> Task:
    """``task`` with the task keys of a search config (``SearchConfig.task`` and
    ``.drawing``: steps, action, reward, labels, backend), applied by its ``with_options``; a
    key the task has no use for (or a task without ``with_options``) is a
    :class:`ConfigError`."""
    if not isinstance(options, dict) or not all(k in TASK_OPTIONS for k in options):
        raise ConfigError(
            f"options must be a dict with keys among {', '.join(TASK_OPTIONS)}, got "
            f"{shown(options)}"
        )
    if not options:
        return task
    if isinstance(task, ConfigurableTask):
        return task.with_options(**options)
    refuse_options(task.name, options)
    return task
