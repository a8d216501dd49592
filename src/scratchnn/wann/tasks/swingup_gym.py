"""CartPoleSwingUp as a Gymnasium environment, ``scratchnn/CartPoleSwingUp-v0``.

Importing this module registers the id (Gymnasium 1.x has no plugin discovery), so either::

    import scratchnn.wann.tasks.swingup_gym  # noqa: F401
    env = gymnasium.make("scratchnn/CartPoleSwingUp-v0")

or, in one string,
``gymnasium.make("scratchnn.wann.tasks.swingup_gym:scratchnn/CartPoleSwingUp-v0")``. Physics,
reward and reset are those of :mod:`~scratchnn.wann.tasks.swingup` (the same code the search uses).
``terminated`` when ``|x| > 2.4``; ``truncated`` after 1000 steps (Gymnasium's TimeLimit).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from . import swingup as su

ENV_ID = "scratchnn/CartPoleSwingUp-v0"


class CartPoleSwingUpEnv(gym.Env):
    """One CartPoleSwingUp; observation ``[x, x_dot, cos th, sin th, th_dot]``, action in
    ``[-1, 1]`` (times force 10)."""

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012

    def __init__(self) -> None:
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(su.N_OBS,), dtype=np.float64)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(su.N_ACT,), dtype=np.float32)
        self._env = su.SwingUpEnv(1)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        obs = self._env.reset(self.np_random)
        return obs[0], {}

    def step(self, action):
        obs, reward, _ = self._env.step(np.asarray(action, dtype=float).reshape(1))
        terminated = bool(su.off_track(self._env.state[0, 0]))
        return obs[0], float(reward[0]), terminated, False, {}


if ENV_ID not in gym.registry:
    gym.register(
        id=ENV_ID,
        entry_point=CartPoleSwingUpEnv,
        max_episode_steps=su.T_LIMIT,
    )
