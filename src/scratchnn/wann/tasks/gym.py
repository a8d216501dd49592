"""WANN on any Gymnasium environment (``--task gym:ENV_ID``); the paper's BipedalWalker
(``--task biped``, :mod:`~scratchnn.wann.tasks.biped`) is one of them.

Spaces: the observation space must be a ``Box`` (flattened to ``n_in`` inputs); the action space
a ``Box`` (``n_out`` = its size) or a ``Discrete(n)`` (``n_out = n``, the action is the argmax of
the outputs, the first on ties). Box action mappings, for a network output ``y``:

- ``clip``: ``clip(y, low, high)`` (the reference's biped: linear outputs, clipped by the env);
- ``tanh``: ``low + (tanh(y) + 1) / 2 * (high - low)`` (needs finite bounds).

A NaN output counts as 0. The score of an episode is its total reward over at most ``steps``
steps (ended early when the environment terminates or truncates).

Common random numbers: in a generation every network and weight runs the same ``reps`` episode
seeds (``env.reset(seed=s)``). Episodes run step by step in lockstep: each step, the outputs of
all live episodes come from one compiled call
(:func:`~scratchnn.wann.networks.packed.forward_rows`), then every environment steps. With
``workers > 1`` the episodes are split between processes, each owning its environments; an episode
depends only on its seed and its network, so the scores are the same whatever the number of workers.

Backends (``backend``): ``gymnasium`` steps Gymnasium's Python environments, one per episode, in
worker processes; ``envpool`` steps EnvPool's C++ environments in one pool per generation
(:mod:`~scratchnn.wann.tasks.envpool`, several times faster; ``pip install
'scratchnn[envpool]'``). The default is ``gymnasium`` (:data:`DEFAULT_BACKEND`), whether or not
EnvPool is installed: the two draw different terrains for the same seed, so their scores agree in
distribution, not episode for episode, and a seed must give the same search on every machine.
A search records the backend it ran on in its checkpoint and its ``best.json``.

Rewards (``reward``): ``standard`` is the environment's own. ``reference`` (the default of
``biped``) is the WANN reference's BipedalWalker: Gymnasium's reward except that a fall is not
replaced by -100; the falling step keeps its ordinary shaping reward (progress minus the head-tilt
and torque costs) and the episode ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from ..._optional import require
from ...errors import ConfigError, ScratchnnError, shown
from ...parallel import shared_pool, usable_cores
from ...validation import choice, integer, real
from ..checks import check_names, check_optional_int
from ..networks.activations import ALL_IDS
from ..networks.packed import Packed, forward_rows, shared_weight_instances
from . import biped_reward
from . import envpool as ep
from .base import BACKENDS, DEFAULT_BACKEND, MAX_STEPS, MAX_WORKERS, REWARDS, episode_pairs

gym = require("gymnasium", "gym", "a Gymnasium task (gym:ENV_ID, biped)")
spaces = gym.spaces


@dataclass(frozen=True)
class EnvSpec:
    """What a worker needs to build and run one kind of environment."""

    env_id: str
    steps: int
    action: str  # one of ACTIONS
    reward: str  # one of REWARDS
    low: tuple[float, ...] = ()
    high: tuple[float, ...] = ()
    backend: str = "gymnasium"  # one of BACKENDS


def _import_env_module(env_id: str) -> None:
    """Make scratchnn's own ids (``scratchnn/CartPoleSwingUp-v0``) known to Gymnasium."""
    if env_id.startswith("scratchnn/"):
        from . import swingup_gym  # noqa: F401


def make_env(spec: EnvSpec) -> gym.Env:
    """A Gymnasium environment for ``spec`` (its time limit set to ``spec.steps``)."""
    _import_env_module(spec.env_id)
    env = gym.make(spec.env_id, max_episode_steps=spec.steps, disable_env_checker=True)
    if spec.reward == "reference":
        env = NoFallPenalty(env)
    return env


class NoFallPenalty(gym.Wrapper):
    """BipedalWalker with the WANN reference's reward (:mod:`~scratchnn.wann.tasks.biped_reward`):
    the step where the walker falls keeps its ordinary reward, computed from the environment's
    shaping state; the episode still ends there."""

    def step(self, action: np.ndarray) -> tuple:
        base = self.env.unwrapped
        before = base.prev_shaping
        obs, reward, terminated, truncated, info = self.env.step(action)
        if terminated and biped_reward.fell(base):
            reward = biped_reward.exact_fall_reward(before, base.prev_shaping, action)
        return obs, reward, terminated, truncated, info


def to_actions(y: np.ndarray, spec: EnvSpec) -> np.ndarray:
    """Environment actions of network outputs ``y`` (n, n_out): (n, n_out) floats for a Box,
    (n,) ints for a Discrete space (see the module docstring)."""
    y = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0)
    if spec.action == "argmax":
        return y.argmax(axis=1)
    low, high = np.array(spec.low), np.array(spec.high)
    if spec.action == "tanh":
        return low + (np.tanh(y) + 1.0) / 2.0 * (high - low)
    return np.clip(y, low, high)


# --- running episodes ---------------------------------------------------------------------------


def _fresh_envs(spec: EnvSpec, n: int) -> list:
    """``n`` new Gymnasium environments. Not reused between episodes: a Box2D world keeps state
    across ``reset`` (BipedalWalker reuses its world), so a reused env would make an episode
    depend on the episodes run before it in the same process, and the scores on the worker
    count."""
    return [make_env(spec) for _ in range(n)]


def run_episodes(
    spec: EnvSpec,
    packed: Packed,
    inst: tuple[np.ndarray, np.ndarray, np.ndarray],
    ep_inst: np.ndarray,
    ep_seed: np.ndarray,
    threads: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Episode ``e`` runs instance ``ep_inst[e]`` from the environment seeded ``ep_seed[e]``, in
    this process (EnvPool: with ``threads`` threads). Returns the total rewards (E,) and the
    numbers of steps (E,)."""
    ep_inst = np.asarray(ep_inst, np.int64)
    if spec.backend == "envpool":
        return _run_envpool(spec, packed, inst, ep_inst, np.asarray(ep_seed), threads)
    E = len(ep_inst)
    envs = _fresh_envs(spec, E)
    obs = np.stack(
        [np.ravel(env.reset(seed=int(s))[0]) for env, s in zip(envs, ep_seed, strict=False)]
    ).astype(np.float64)
    total = np.zeros(E)
    n_steps = np.zeros(E, np.int64)
    live = np.arange(E)
    for _ in range(spec.steps):
        if not len(live):
            break
        actions = to_actions(forward_rows(packed, *inst, ep_inst[live], obs[live]), spec)
        done = np.zeros(len(live), dtype=bool)
        for j, e in enumerate(live):
            o, r, terminated, truncated, _ = envs[e].step(actions[j])
            obs[e] = np.ravel(o)
            total[e] += r
            done[j] = terminated or truncated
        n_steps[live] += 1
        for e in live[done]:
            envs[e].close()
        live = live[~done]
    for e in live:
        envs[e].close()
    return total, n_steps


def _run_envpool(
    spec: EnvSpec,
    packed: Packed,
    inst: tuple[np.ndarray, np.ndarray, np.ndarray],
    ep_inst: np.ndarray,
    ep_seed: np.ndarray,
    threads: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`run_episodes` on EnvPool: pools of at most ``MAX_POOL`` environments, one after
    the other."""
    totals, steps = [], []
    for a in range(0, len(ep_inst), ep.MAX_POOL):
        chunk = ep_inst[a : a + ep.MAX_POOL]

        def act(idx: np.ndarray, obs: np.ndarray, chunk: np.ndarray = chunk) -> np.ndarray:
            return to_actions(forward_rows(packed, *inst, chunk[idx], obs), spec)

        t, n = ep.run_pool(
            spec.env_id,
            spec.steps,
            spec.reward == "reference",
            act,
            ep_seed[a : a + ep.MAX_POOL],
            threads,
        )
        totals.append(t)
        steps.append(n)
    if not totals:
        return np.zeros(0), np.zeros(0, np.int64)
    return np.concatenate(totals), np.concatenate(steps)


def _run_chunk(args: tuple) -> tuple[np.ndarray, np.ndarray]:
    return run_episodes(*args)


def run_episodes_parallel(
    spec: EnvSpec,
    packed: Packed,
    inst: tuple[np.ndarray, np.ndarray, np.ndarray],
    ep_inst: np.ndarray,
    ep_seed: np.ndarray,
    workers: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`run_episodes` split over ``workers`` processes (the process's reusable pool,
    :func:`~scratchnn.parallel.shared_pool`); the same result for any ``workers``. Gymnasium:
    contiguous chunks, four per worker, for balance. EnvPool: one pool per worker (one thread
    each, no barrier between the cores at every step), episode ``e`` in worker ``e % workers``
    so that every pool gets its share of each network's episodes."""
    E = len(ep_inst)
    if workers <= 1 or E < 2:
        return run_episodes(spec, packed, inst, ep_inst, ep_seed)
    ep_inst, ep_seed = np.asarray(ep_inst), np.asarray(ep_seed)
    if spec.backend == "envpool":
        parts_idx = [np.arange(i, E, workers) for i in range(min(workers, E))]
    else:
        parts_idx = [ix for ix in np.array_split(np.arange(E), min(E, 4 * workers)) if len(ix)]
    jobs = [(spec, packed, inst, ep_inst[ix], ep_seed[ix]) for ix in parts_idx]
    total, n_steps = np.zeros(E), np.zeros(E, np.int64)
    for ix, (t, n) in zip(parts_idx, shared_pool(workers).map(_run_chunk, jobs), strict=True):
        total[ix], n_steps[ix] = t, n
    return total, n_steps


# --- the task -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GymTask:
    """A WANN task on a Gymnasium environment (see the module docstring); build it with
    :func:`gym_task`. ``evaluate`` gives (n_nets, n_weights) mean returns over ``reps`` seeds."""

    name: str
    spec: EnvSpec
    n_in: int
    n_out: int
    p_init: float = 0.5
    activations: tuple[int, ...] = ALL_IDS
    input_names: tuple[str, ...] = ()
    output_names: tuple[str, ...] = ()
    workers: int = field(default=1, compare=False)
    #: the champion page's player: recorded Gymnasium frames
    viewer: ClassVar[str] = "gym"

    def evaluate(
        self,
        packed: Packed,
        weights: np.ndarray,
        rng: np.random.Generator,
        reps: int = 1,
    ) -> np.ndarray:
        inst = shared_weight_instances(packed, weights)
        seeds = self.episode_states(reps, rng)
        ep_inst, ep_state = episode_pairs(len(inst[0]), reps)
        ret, _ = run_episodes_parallel(
            self.spec, packed, inst, ep_inst, seeds[ep_state], self.workers
        )
        return ret.reshape(packed.n_nets, len(weights), reps).mean(axis=2)

    def episode_states(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """(n,) episode seeds (for ``env.reset(seed=...)``)."""
        return rng.integers(0, 2**31 - 1, size=n)

    def episode_scores(
        self, packed: Packed, instances: tuple[np.ndarray, ...], states: np.ndarray
    ) -> np.ndarray:
        """Return of instance ``i`` in the episode seeded ``states[i]``."""
        n = len(instances[0])
        ret, _ = run_episodes_parallel(
            self.spec, packed, instances, np.arange(n), np.asarray(states), self.workers
        )
        return ret

    @property
    def reward_text(self) -> str:
        """Which reward the scores use, in words (``wann eval`` prints it)."""
        text = biped_reward.reward_words(self.spec.env_id, self.spec.reward)
        return f"{text}; {self.backend_text}"

    @property
    def episode_text(self) -> str:
        """The episodes a search runs, in words (the search log's second line)."""
        spec = self.spec
        return (
            f"{spec.env_id}: {spec.steps} steps per episode, action {spec.action}, "
            f"{self.reward_text}; {self.workers} worker processes"
        )

    @property
    def backend_text(self) -> str:
        """Which environments run the episodes, in words (the search log and ``wann eval``)."""
        if self.spec.backend == "envpool":
            return f"backend: envpool {_envpool_version()} (C++ environments)"
        return f"backend: gymnasium {gym.__version__} (Python environments)"

    def with_options(
        self,
        steps: int = 0,
        action: str = "",
        reward: str = "",
        labels: tuple[str, ...] = (),
        workers: int | None = None,
        backend: str = "",
    ) -> GymTask:
        """This task with the given options (empty / 0 / None: unchanged), checked."""
        steps = integer(steps, "episode_steps", low=0, high=MAX_STEPS)
        labels = check_names("labels", labels)
        workers = check_optional_int("workers", workers, 1, MAX_WORKERS)
        spec = self.spec
        if backend:
            spec = replace(spec, backend=_check_backend(backend, spec.env_id))
        if steps:
            spec = replace(spec, steps=steps)
        if action:
            spec = replace(spec, action=_check_action(action, spec))
        if reward:
            spec = replace(spec, reward=_check_reward(reward, spec.env_id))
        task = replace(self, spec=spec)
        if labels:
            if len(labels) != self.n_in + self.n_out:
                raise ConfigError(
                    f"labels: {self.name} needs {self.n_in} input and {self.n_out} output names "
                    f"({self.n_in + self.n_out}), got {len(labels)}"
                )
            task = replace(task, input_names=labels[: self.n_in], output_names=labels[self.n_in :])
        if workers is not None:
            task = replace(task, workers=workers)
        return task


def _check_action(action: str, spec: EnvSpec) -> str:
    discrete = not spec.low
    allowed = ("argmax",) if discrete else ("clip", "tanh")
    if not isinstance(action, str) or action not in allowed:
        raise ConfigError(
            f"action {shown(action)} does not fit {spec.env_id}'s "
            f"{'Discrete' if discrete else 'Box'} action space; use {' or '.join(allowed)}"
        )
    if action == "tanh" and not (np.all(np.isfinite(spec.low)) and np.all(np.isfinite(spec.high))):
        raise ConfigError(f"action 'tanh' needs finite action bounds; {spec.env_id}'s are not")
    return action


def _envpool_version() -> str:
    import envpool

    return str(getattr(envpool, "__version__", "?"))


def legacy_backend(env_id: str) -> str:
    """The backend an unnamed one meant before :data:`DEFAULT_BACKEND` was fixed: ``envpool``
    when it is installed and implements ``env_id``, else ``gymnasium``. Only for resuming a
    checkpoint that does not record its backend (:func:`scratchnn.wann.search.run.search`)."""
    return "envpool" if ep.supports(env_id) else "gymnasium"


def _check_backend(backend: str, env_id: str) -> str:
    choice(backend, "backend", BACKENDS)
    if backend == "envpool":
        ep.require(env_id)
    return backend


def _check_reward(reward: str, env_id: str) -> str:
    choice(reward, "reward", REWARDS)
    if reward == "reference":
        biped_reward.check_reference(env_id)
    return reward


def gym_task(
    env_id: str,
    name: str | None = None,
    steps: int | None = None,
    action: str | None = None,
    reward: str = "standard",
    p_init: float = 0.5,
    labels: tuple[str, ...] = (),
    workers: int | None = None,
    backend: str | None = None,
) -> GymTask:
    """The task for Gymnasium's ``env_id`` (made once here to read its spaces). ``steps``:
    episode length (default: the environment's own time limit, else 1000); ``action``: ``clip``
    or ``tanh`` for a Box action space (default ``tanh``), ``argmax`` for a Discrete one;
    ``backend``: ``gymnasium`` or ``envpool`` (default: :data:`DEFAULT_BACKEND`, ``gymnasium``,
    whatever is installed). Every argument is checked first (a
    :class:`~scratchnn.errors.ConfigError` naming it)."""
    if not isinstance(env_id, str) or not env_id:
        raise ConfigError(f"env_id must be a Gymnasium environment id, got {shown(env_id)}")
    if name is not None and not isinstance(name, str):
        raise ConfigError(f"name must be a string or None, got {shown(name)}")
    steps = check_optional_int("steps", steps, 1, MAX_STEPS)
    p_init = real(p_init, "p_init", low=0.0, high=1.0, low_open=True)
    labels = check_names("labels", labels)
    workers = check_optional_int("workers", workers, 1, MAX_WORKERS)
    if backend is not None:
        choice(backend, "backend", BACKENDS)
    _import_env_module(env_id)
    try:
        env = gym.make(env_id, disable_env_checker=True)
    except gym.error.Error as exc:
        raise ScratchnnError(f"gym:{env_id}: {exc}") from None
    except ModuleNotFoundError as exc:  # e.g. Box2D for BipedalWalker
        raise ScratchnnError(
            f"gym:{env_id} needs the module {exc.name!r}; install it (BipedalWalker, LunarLander: "
            "pip install 'scratchnn[box2d]')"
        ) from None
    obs, act = env.observation_space, env.action_space
    limit = env.spec.max_episode_steps if env.spec else None
    env.close()
    supported = "a Box observation space and a Box or Discrete action space"
    if not isinstance(obs, spaces.Box):
        raise ScratchnnError(
            f"gym:{env_id} has a {type(obs).__name__} observation space; WANN tasks support "
            f"{supported}"
        )
    n_in = int(np.prod(obs.shape))
    if isinstance(act, spaces.Discrete):
        n_out, low, high = int(act.n), (), ()
    elif isinstance(act, spaces.Box):
        n_out = int(np.prod(act.shape))
        low = tuple(float(x) for x in np.ravel(act.low))
        high = tuple(float(x) for x in np.ravel(act.high))
    else:
        raise ScratchnnError(
            f"gym:{env_id} has a {type(act).__name__} action space; WANN tasks support {supported}"
        )
    if action is None:
        action = "argmax" if not low else "tanh"
    spec = EnvSpec(env_id, int(steps or limit or 1000), "clip", "standard", low, high)
    spec = replace(
        spec,
        action=_check_action(action, spec),
        reward=_check_reward(reward, env_id),
        backend=_check_backend(backend or DEFAULT_BACKEND, env_id),
    )
    task = GymTask(
        name=name or f"gym:{env_id}",
        spec=spec,
        n_in=n_in,
        n_out=n_out,
        p_init=p_init,
        input_names=tuple(f"obs{i}" for i in range(n_in)),
        output_names=tuple(f"act{i}" for i in range(n_out)),
        workers=usable_cores() if workers is None else workers,
    )
    return task.with_options(labels=labels)


def compare_backends(task, packed, weight: float, episodes: int, seed: int = 0) -> dict:
    """The first network of ``packed`` at shared weight ``weight`` over ``episodes`` episodes on
    each backend (seeds drawn from ``seed``; the backends' terrains differ per seed, so the
    comparison is of distributions). Returns per backend ``{"n", "mean", "std"}``, the
    difference of the means (envpool minus gymnasium) and its standard error
    :math:`\\sqrt{s_g^2 / n + s_e^2 / n}`."""
    inst = shared_weight_instances(packed, np.array([float(weight)]))
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=episodes)
    out: dict = {}
    for backend in ("gymnasium", "envpool"):
        spec = replace(task.spec, backend=backend)
        ret, _ = run_episodes_parallel(
            spec, packed, inst, np.zeros(episodes, np.int64), seeds, task.workers
        )
        out[backend] = {"n": episodes, "mean": float(ret.mean()), "std": float(ret.std(ddof=1))}
    g, e = out["gymnasium"], out["envpool"]
    out["difference"] = e["mean"] - g["mean"]
    out["se"] = float(np.sqrt(g["std"] ** 2 / g["n"] + e["std"] ** 2 / e["n"]))
    return out
