"""EnvPool backend for the Gymnasium tasks: the same episodes, stepped in C++.

`EnvPool <https://envpool.readthedocs.io>`_ implements ``BipedalWalker-v3``, ``LunarLander``,
``CartPole`` and the other classic-control environments in C++ (Box2D 2.3.10 for the Box2D ones),
checked step for step against Gymnasium by its own tests. Install it with
``pip install 'scratchnn[envpool]'`` and choose it with ``--backend envpool`` (or the config key
``backend``); the default stays ``gymnasium``, whatever is installed.

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

**The reference reward on EnvPool.** EnvPool does not expose BipedalWalker's shaping state, so
the reference reward's falling step is estimated from the observations and the action
(:mod:`~scratchnn.wann.tasks.biped_reward`, which gives the formula and its error).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import numpy as np

from ..._optional import MissingExtraError, install_hint
from ...errors import ScratchnnError
from . import biped_reward

#: the most environments one pool holds; larger calls run in consecutive pools
MAX_POOL = 4096


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
        raise MissingExtraError(
            f"backend 'envpool' needs envpool: {install_hint('envpool')}", name="envpool"
        )
    if not supports(env_id):
        raise ScratchnnError(
            f"backend 'envpool' does not implement {env_id}; use --backend gymnasium"
        )


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
    reward (:func:`~scratchnn.wann.tasks.biped_reward.fall_step_reward`) in place of
    BipedalWalker's -100 on a falling step.
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
                fell = biped_reward.falls(r, np.asarray(terminated)[order])
                if fell.any():
                    a = np.asarray(actions).reshape(len(live), -1)
                    pos = np.searchsorted(live, ids[fell])
                    r[fell] = biped_reward.fall_step_reward(obs[ids[fell]], o[fell], a[pos])
            obs[ids] = o
            total[ids] += r
            n_steps[ids] += 1
            live = ids[~done]
    finally:
        env.close()
    return total, n_steps
