"""The WANN reference's BipedalWalker reward (``reward="reference"``), in one place.

``BipedalWalker-v3`` replaces the reward of the step where the walker falls (``game_over`` or
``x < 0``) by -100. The WANN reference's biped keeps that step's ordinary reward, progress minus
the head-tilt and torque costs,

.. math::

    r_t = s_t - s_{t-1} - 0.00035 \\cdot 80 \\sum_j \\operatorname{clip}(|a_j|, 0, 1),
    \\qquad s = \\frac{130}{30} x - 5 \\, |\\theta|,

and the episode still ends there. On Gymnasium the shaping :math:`s` is read from the
environment (:func:`exact_fall_reward`, applied by
:class:`~scratchnn.wann.tasks.gym.NoFallPenalty`). EnvPool does not expose it, so
:func:`fall_step_reward` estimates the step's reward from the observations before and after the
step and the action:

.. math::

    \\hat r = \\frac{130}{30} \\, \\Delta x - 5 \\, (|\\theta_t| - |\\theta_{t-1}|)
              - 0.00035 \\cdot 80 \\sum_j \\operatorname{clip}(|a_j|, 0, 1),
    \\qquad \\Delta x = \\frac{v_t + v_{t-1}}{2} \\cdot \\frac{1}{50},

with the hull angle :math:`\\theta` (observation 0) and the horizontal speed
:math:`v = \\mathrm{obs}_2 / 0.12` (observation 2 is :math:`0.3 \\, v \\cdot 20 / 50`), and
it takes the place of the -100 on the steps :func:`falls` finds
(:func:`~scratchnn.wann.tasks.envpool.run_pool`). On Gymnasium, where the exact value is known,
the estimate's error over falling steps is about 0.03 on average and under 0.15 at most
(``tests/wann/test_envpool_backend.py`` checks it), against returns of hundreds.

This module is the reward alone; the task (``--task biped``) is :mod:`~scratchnn.wann.tasks.biped`,
built on the episode runner of :mod:`~scratchnn.wann.tasks.gym`, which applies this reward: the
runner imports this module, so the task module, which imports the runner, cannot hold it
(an import cycle).
"""

from __future__ import annotations

import numpy as np

from ...errors import ConfigError

#: BipedalWalker's fall reward, which Gymnasium's v3 and EnvPool put in place of the step's own
FALL_REWARD = -100.0
#: the environments the reference reward applies to (by id prefix)
REFERENCE_ENVS = "BipedalWalker"


def check_reference(env_id: str) -> None:
    """A :class:`ConfigError` unless the reference reward applies to ``env_id``."""
    if not env_id.startswith(REFERENCE_ENVS):
        raise ConfigError("reward 'reference' (no fall penalty) applies to BipedalWalker only")


def reward_words(env_id: str, reward: str) -> str:
    """Which reward the scores use, in words (``wann eval`` and the search log print it)."""
    if reward == "reference":
        return (
            f"reward: the WANN reference's {env_id} (no -100 fall penalty; a fall ends the episode)"
        )
    return f"reward: {env_id}'s standard reward"


def torque_cost(action: np.ndarray) -> np.ndarray:
    """BipedalWalker's torque cost of actions (..., 4): ``0.00035 * 80 * sum(clip(|a|, 0, 1))``
    over the last axis (80 is the motors' torque); the falling step keeps it."""
    return 0.00035 * 80.0 * np.clip(np.abs(np.asarray(action, np.float64)), 0, 1).sum(axis=-1)


def fell(walker: object) -> bool:
    """Whether Gymnasium's (unwrapped) BipedalWalker ``walker`` has fallen on its last step."""
    return bool(walker.game_over or walker.hull.position[0] < 0)


def exact_fall_reward(before: float | None, after: float, action: np.ndarray) -> float:
    """The falling step's ordinary reward from the shaping ``before`` (None on the first step)
    and ``after`` it, and the step's action (see the module docstring)."""
    torque = float(torque_cost(action))
    return (0.0 if before is None else after - before) - torque


def fall_step_reward(prev_obs: np.ndarray, obs: np.ndarray, action: np.ndarray) -> np.ndarray:
    """Estimated ordinary reward of BipedalWalker steps (see the module docstring).

    prev_obs, obs: (n, 24) observations before and after the steps; action: (n, 4) actions
    (already clipped to [-1, 1]). Returns (n,) estimates.
    """
    prev_obs = np.asarray(prev_obs, np.float64)
    obs = np.asarray(obs, np.float64)
    dx = (obs[:, 2] + prev_obs[:, 2]) / 2.0 / 0.12 / 50.0
    progress = 130.0 / 30.0 * dx
    tilt = 5.0 * (np.abs(obs[:, 0]) - np.abs(prev_obs[:, 0]))
    return progress - tilt - torque_cost(action)


def falls(rewards: np.ndarray, terminated: np.ndarray) -> np.ndarray:
    """(n,) bool: which of ``n`` environments' steps are falls (terminated with the -100 fall
    reward), the steps whose reward :func:`fall_step_reward` replaces on EnvPool."""
    return np.asarray(terminated, bool) & (np.asarray(rewards) == FALL_REWARD)
