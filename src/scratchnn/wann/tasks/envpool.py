"""EnvPool backend for the Gymnasium tasks: the same episodes, stepped in C++.

`EnvPool <https://envpool.readthedocs.io>`_ implements ``BipedalWalker-v3``, ``LunarLander``,
``CartPole`` and the other classic-control environments in C++ (Box2D 2.3.10 for the Box2D ones),
checked step for step against Gymnasium by its own tests. Install it with
``pip install 'scratchnn[envpool]'``; then it is the default backend of every task it supports
(``--backend gymnasium`` keeps the Python environments).

How episodes run here (:func:`run_episodes`):

- **Lockstep, one pool.** All ``E`` episodes of a call (a generation: networks x weights x
  rollouts) live in one synchronous pool of ``E`` environments (in chunks of at most
  :data:`MAX_POOL` environments). Each step the outputs of every live episode come from one
  compiled forward call, then the pool steps those environments together.
- **Common random numbers.** Episode ``e`` runs in an environment built with
  ``env_seed = ep_seed[e]`` and reset exactly once, so its terrain (or initial state) depends on
  its seed alone: every network and weight given the same seed faces the same terrain.
- **Only live environments step** (``env_id`` subsets). A finished environment is never stepped
  again: EnvPool would auto-reset it and draw new random numbers.
- **Cores.** With ``workers > 1`` the task splits the episodes over worker processes, one pool
  of one thread each (:func:`~scratchnn.wann.tasks.gym.run_episodes_parallel`); ``threads`` sets
  EnvPool's own thread count within a pool. An environment's episode depends only on its seed
  and its actions, so the scores are the same for any number of workers and threads.

The terrains EnvPool draws for a seed differ from Gymnasium's for the same seed (different random
generators), so the two backends agree in distribution, not episode for episode.

**The reference reward on EnvPool.** The WANN reference's BipedalWalker keeps the falling step's
ordinary reward where ``BipedalWalker-v3`` replaces it by -100, and EnvPool does not expose the
shaping state needed to recompute it. :func:`fall_step_reward` estimates it from the observations
before and after the step and the action:

.. math::

    \\hat r = \\frac{130}{30} \\, \\Delta x - 5 \\, (|\\theta_t| - |\\theta_{t-1}|)
              - 0.00035 \\cdot 80 \\sum_j \\operatorname{clip}(|a_j|, 0, 1),
    \\qquad \\Delta x = \\frac{v_t + v_{t-1}}{2} \\cdot \\frac{1}{50},

with the hull angle :math:`\\theta` (observation 0) and the horizontal speed
:math:`v = \\mathrm{obs}_2 / 0.12` (observation 2 is :math:`0.3 \\, v \\cdot 20 / 50`). The
reference return is then the EnvPool return :math:`+ 100 + \\hat r`. On Gymnasium, where the exact
value is known, the estimate's error over falling steps is about 0.03 on average and under 0.15
at most (``tests/wann/test_envpool_backend.py`` checks it), against returns of hundreds.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import numpy as np

from ...errors import ScratchnnError

#: the most environments one pool holds; larger calls run in consecutive pools
MAX_POOL = 4096
#: BipedalWalker's fall reward, which EnvPool (like Gymnasium's v3) puts in place of the step's own
FALL_REWARD = -100.0


def available() -> bool:
    """Whether the ``envpool`` package imports."""
    try:
        import envpool  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def supported_ids() -> frozenset[str]:
    """The Gymnasium ids EnvPool implements (empty when EnvPool is not installed)."""
    if not available():
        return frozenset()
    import envpool

    return frozenset(envpool.list_all_envs())


def supports(env_id: str) -> bool:
    """Whether EnvPool is installed and implements ``env_id``."""
    return env_id in supported_ids()


def require(env_id: str) -> None:
    """Raise a one-line :class:`ScratchnnError` unless EnvPool can run ``env_id``."""
    if not available():
        raise ScratchnnError(
            "backend 'envpool' needs the envpool package: pip install 'scratchnn[envpool]'"
        )
    if not supports(env_id):
        raise ScratchnnError(
            f"backend 'envpool' does not implement {env_id}; use --backend gymnasium"
        )


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


def torque_cost(action: np.ndarray) -> np.ndarray:
    """BipedalWalker's torque cost of actions (..., 4): ``0.00035 * 80 * sum(clip(|a|, 0, 1))``
    over the last axis (80 is the motors' torque); the falling step keeps it in the reference's
    reward (:class:`~scratchnn.wann.tasks.gym.NoFallPenalty`, :func:`fall_step_reward`)."""
    return 0.00035 * 80.0 * np.clip(np.abs(np.asarray(action, np.float64)), 0, 1).sum(axis=-1)


@contextmanager
def _quiet() -> Iterator[None]:
    """EnvPool builds Gymnasium spaces from float64 bounds, which Gymnasium warns about (once
    per pool, at creation and first reset): not ours to fix, and not a user's concern."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*precision lowered by casting", category=UserWarning
        )
        yield


def open_pool(env_id: str, seeds: np.ndarray, steps: int, threads: int = 1) -> tuple:
    """A synchronous pool of ``len(seeds)`` environments, environment ``i`` seeded
    ``seeds[i]``, reset once: returns the pool and the first observations (E, n_obs), row ``i``
    environment ``i``'s. Close the pool when done."""
    import envpool

    with _quiet():
        env = envpool.make_gym(
            env_id,
            num_envs=len(seeds),
            batch_size=len(seeds),
            num_threads=max(1, min(threads, len(seeds))),
            env_seed=[int(s) for s in seeds],
            max_episode_steps=steps,
        )
        obs, info = env.reset()
    obs = np.asarray(obs, np.float64).reshape(len(seeds), -1)[np.argsort(info["env_id"])]
    return env, obs


def run_pool(
    env_id: str,
    steps: int,
    reference_reward: bool,
    act,
    ep_seed: np.ndarray,
    threads: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``len(ep_seed)`` episodes in one pool, in lockstep.

    ``act(idx, obs)`` gives the actions of episodes ``idx`` (k,) for observations ``obs``
    (k, n_obs): (k, n_act) floats or (k,) ints. ``reference_reward``: put the estimated ordinary
    reward (:func:`fall_step_reward`) in place of BipedalWalker's -100 on a falling step.
    Returns the total rewards (E,) and the numbers of steps (E,).
    """
    E = len(ep_seed)
    env, obs = open_pool(env_id, ep_seed, steps, threads)
    try:
        total = np.zeros(E)
        n_steps = np.zeros(E, np.int64)
        live = np.arange(E)
        for _ in range(steps):
            if not len(live):
                break
            actions = act(live, obs[live])
            o, r, terminated, truncated, info = env.step(actions, live.astype(np.int32))
            ids = np.asarray(info["env_id"], np.int64)
            order = np.argsort(ids)  # rows back in the order of `live`
            ids, o = ids[order], np.asarray(o, np.float64).reshape(len(ids), -1)[order]
            r = np.asarray(r, np.float64)[order]
            done = (np.asarray(terminated) | np.asarray(truncated))[order]
            if reference_reward:
                fell = np.asarray(terminated)[order] & (r == FALL_REWARD)
                if fell.any():
                    a = np.asarray(actions).reshape(len(live), -1)
                    pos = np.searchsorted(live, ids[fell])
                    r[fell] = fall_step_reward(obs[ids[fell]], o[fell], a[pos])
            obs[ids] = o
            total[ids] += r
            n_steps[ids] += 1
            live = ids[~done]
    finally:
        env.close()
    return total, n_steps
