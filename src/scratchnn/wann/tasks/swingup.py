"""CartPoleSwingUp with the WANN reference's physics, reward and reset.

State ``(x, x_dot, th, th_dot)``; ``th = 0`` is the pole upright, ``th = pi`` hanging down.
Observation ``[x, x_dot, cos th, sin th, th_dot]``; action ``a`` clipped to ``[-1, 1]``, force
``F = 10 a``. With ``M = m_c + m_p``, ``s = sin th``, ``c = cos th``:

    x_acc  = (-2 m_p l th_dot^2 s + 3 m_p g s c + 4 F - 4 b x_dot) / (4 M - 3 m_p c^2)
    th_acc = (-3 m_p l th_dot^2 s c + 6 M g s + 6 (F - b x_dot) c) / (4 l M - 3 m_p l c^2)

Explicit Euler with ``dt = 0.01``: ``x`` and ``th`` advance with the old velocities, then the
velocities with the accelerations. Reward per step, on the new state:
``((cos th + 1) / 2) * cos((x / 2.4) * pi / 2)``. An episode ends after the step where
``|x| > 2.4`` (that step's reward counts) or after 1000 steps.
Reset: ``Normal([0, 0, pi, 0], 0.2)``.

Two implementations of the same equations: :class:`SwingUpEnv` steps many environments at once
with NumPy arrays (used by the Gymnasium wrapper and by tests), and :func:`rollouts` runs whole
episodes of packed WANN networks in compiled code (used by the search). :class:`SwingUpTask`, at
the end, is the WANN task (``--task swingup``) built on them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numba
import numpy as np

from ...validation import integer, real
from ..networks import activations as table
from ..networks.activations import ALL_IDS
from ..networks.packed import (
    Packed,
    eval_scalar,
    kernel_args,
    shared_weight_instances,
)
from .base import MAX_STEPS, episode_pairs, refuse_options

GRAVITY = 9.82
M_CART = 0.5
M_POLE = 0.5
LENGTH = 0.6
FRICTION = 0.1
FORCE = 10.0
DT = 0.01
X_LIMIT = 2.4
T_LIMIT = 1000
RESET_MEAN = np.array([0.0, 0.0, np.pi, 0.0])
RESET_STD = 0.2
N_OBS, N_ACT = 5, 1


def physics_step(x, x_dot, th, th_dot, action):
    """One Euler step for ``action`` (clipped to [-1, 1]); returns the new state. Works on
    scalars and on NumPy arrays alike (compiled for scalars as ``_physics_step``)."""
    return physics_step_sc(x, x_dot, th, th_dot, np.sin(th), np.cos(th), action)


def physics_step_sc(x, x_dot, th, th_dot, s, c, action):
    """:func:`physics_step` given ``s = sin th`` and ``c = cos th`` already computed (the
    observation holds them), so a compiled rollout takes each sine and cosine once."""
    a = np.minimum(np.maximum(action, -1.0), 1.0)
    F = a * FORCE
    M = M_CART + M_POLE
    ml = M_POLE * LENGTH
    x_acc = (
        -2 * ml * th_dot**2 * s + 3 * M_POLE * GRAVITY * s * c + 4 * F - 4 * FRICTION * x_dot
    ) / (4 * M - 3 * M_POLE * c**2)
    th_acc = (
        -3 * ml * th_dot**2 * s * c + 6 * M * GRAVITY * s + 6 * (F - FRICTION * x_dot) * c
    ) / (4 * LENGTH * M - 3 * ml * c**2)
    return x + x_dot * DT, x_dot + x_acc * DT, th + th_dot * DT, th_dot + th_acc * DT


def reward(x, th):
    """``((cos th + 1) / 2) * cos((x / 2.4) * pi / 2)`` (scalars or arrays)."""
    return reward_c(x, np.cos(th))


def reward_c(x, c):
    """:func:`reward` given ``c = cos th``."""
    return (c + 1.0) / 2.0 * np.cos(x / X_LIMIT * np.pi / 2.0)


def off_track(x):
    """True past the end of the track, ``|x| > 2.4``: the episode ends (scalars or arrays)."""
    return np.abs(x) > X_LIMIT


_physics_step_sc = numba.njit(cache=True, nogil=True)(physics_step_sc)
_reward_c = numba.njit(cache=True, nogil=True)(reward_c)


@numba.njit(cache=True, nogil=True)
def _physics_step(x, x_dot, th, th_dot, action):
    return _physics_step_sc(x, x_dot, th, th_dot, np.sin(th), np.cos(th), action)


@numba.njit(cache=True, nogil=True)
def _reward(x, th):
    return _reward_c(x, np.cos(th))


_off_track = numba.njit(cache=True, nogil=True)(off_track)


def reset_states(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 4) initial states drawn from ``Normal([0, 0, pi, 0], 0.2)``."""
    return RESET_MEAN + RESET_STD * rng.standard_normal((n, 4))


def observe(state: np.ndarray) -> np.ndarray:
    """(n, 5) observations ``[x, x_dot, cos th, sin th, th_dot]`` of states (n, 4)."""
    x, x_dot, th, th_dot = state.T
    return np.stack([x, x_dot, np.cos(th), np.sin(th), th_dot], axis=1)


class SwingUpEnv:
    """``n`` CartPoleSwingUp environments stepped together with NumPy arrays.

    ``reset(rng) -> obs (n, 5)``; ``step(actions (n,)) -> (obs, reward, done)``. Finished
    environments keep their last state and give reward 0 until the next reset.
    """

    def __init__(self, n: int = 1) -> None:
        self.n = n
        self.state = np.tile(RESET_MEAN, (n, 1))
        self.t = 0
        self.done = np.zeros(n, dtype=bool)

    def reset(self, rng: np.random.Generator, state: np.ndarray | None = None) -> np.ndarray:
        self.state = reset_states(self.n, rng) if state is None else np.array(state, dtype=float)
        self.t = 0
        self.done = np.zeros(self.n, dtype=bool)
        return observe(self.state)

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        actions = np.nan_to_num(np.asarray(actions, dtype=float).reshape(self.n), nan=0.0)
        x, x_dot, th, th_dot = self.state.T
        new = np.stack(physics_step(x, x_dot, th, th_dot, actions), axis=1)
        live = ~self.done
        self.state = np.where(live[:, None], new, self.state)
        self.t += 1
        r = np.where(live, reward(self.state[:, 0], self.state[:, 2]), 0.0)
        self.done = self.done | off_track(self.state[:, 0]) | (self.t >= T_LIMIT)
        return observe(self.state), r, self.done.copy()


@numba.njit(cache=True, nogil=True, parallel=True)
def _rollouts(
    node_start,
    act,
    edge_ptr,
    edge_src,
    inst_net,
    inst_wstart,
    wflat,
    ep_inst,
    ep_state,
    init,
    steps,
):
    n_ep = len(ep_inst)
    total = np.zeros(n_ep)
    n_steps = np.zeros(n_ep, np.int64)
    for ep in numba.prange(n_ep):
        i = ep_inst[ep]
        k = inst_net[i]
        s = node_start[k]
        n_nodes = node_start[k + 1] - s
        w0 = inst_wstart[i]
        vals = np.zeros(n_nodes)
        x, x_dot, th, th_dot = init[ep_state[ep]]
        acc = 0.0
        t = 0
        while t < steps:
            t += 1
            vals[1] = x
            vals[2] = x_dot
            vals[3] = np.cos(th)
            vals[4] = np.sin(th)
            vals[5] = th_dot
            eval_scalar(vals, s, n_nodes, 5, act, edge_ptr, edge_src, wflat, w0)
            a = vals[n_nodes - 1]
            if a != a:  # NaN output: no force (the reference would turn the state into NaN)
                a = 0.0
            x, x_dot, th, th_dot = _physics_step(x, x_dot, th, th_dot, a)
            acc += _reward(x, th)
            if _off_track(x):
                break
        total[ep] = acc
        n_steps[ep] = t
    return total, n_steps


@numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def _rollouts_lanes(
    node_start,
    act,
    edge_ptr,
    edge_src,
    inst_net,
    inst_wstart,
    wflat,
    ep_inst,
    ep_state,
    init,
    steps,
    blk_ptr,
    blk_ep,
):
    """:func:`_rollouts` with the episodes of one network stepped together ("lanes"): block
    ``b`` holds the episodes ``blk_ep[blk_ptr[b]:blk_ptr[b + 1]]``, all of one network. Each node
    is computed for every lane at once (loops over lanes, which the compiler vectorises, with
    the activations of :mod:`~scratchnn.wann.networks.elementary`), in the same order of operations
    as the scalar kernel, so every episode's return is the same to the last bit. An episode that
    leaves the track is swapped out of the lanes (its last lane moved into its place)."""
    n_ep = len(ep_inst)
    total = np.zeros(n_ep)
    n_steps = np.zeros(n_ep, np.int64)
    for b in numba.prange(len(blk_ptr) - 1):
        lo = blk_ptr[b]
        n_live = blk_ptr[b + 1] - lo
        k = inst_net[ep_inst[blk_ep[lo]]]
        s = node_start[k]
        n_nodes = node_start[k + 1] - s
        e_first = edge_ptr[s]
        n_e = edge_ptr[s + n_nodes] - e_first
        W = np.empty((n_e, n_live))  # W[e, l]: lane l's weight of edge e
        vals = np.zeros((n_nodes, n_live))
        ep = np.empty(n_live, np.int64)
        x = np.empty(n_live)
        x_dot = np.empty(n_live)
        th = np.empty(n_live)
        th_dot = np.empty(n_live)
        c = np.empty(n_live)  # cos th and sin th of the current state
        sn = np.empty(n_live)
        acc = np.zeros(n_live)
        for lane in range(n_live):
            e = blk_ep[lo + lane]
            ep[lane] = e
            w0 = inst_wstart[ep_inst[e]]
            for j in range(n_e):
                W[j, lane] = wflat[w0 + j]
            x[lane], x_dot[lane], th[lane], th_dot[lane] = init[ep_state[e]]
            c[lane] = np.cos(th[lane])
            sn[lane] = np.sin(th[lane])
            vals[0, lane] = 1.0
        t = 0
        while t < steps and n_live > 0:
            t += 1
            L = n_live
            for lane in range(L):
                vals[1, lane] = x[lane]
                vals[2, lane] = x_dot[lane]
                vals[3, lane] = c[lane]
                vals[4, lane] = sn[lane]
                vals[5, lane] = th_dot[lane]
            for j in range(6, n_nodes):
                g = s + j
                row = vals[j]
                for lane in range(L):
                    row[lane] = 0.0
                for e in range(edge_ptr[g], edge_ptr[g + 1]):
                    wr = W[e - e_first]
                    v = vals[edge_src[e]]
                    for lane in range(L):
                        row[lane] += wr[lane] * v[lane]
                if act[g] != table.LINEAR:
                    table.activate_row(act[g], 1.0, row, L)  # 1.0 * x == x exactly
            out = vals[n_nodes - 1]
            lane = 0
            while lane < n_live:
                a = out[lane]
                if a != a:  # NaN output: no force, as in _rollouts
                    a = 0.0
                x[lane], x_dot[lane], th[lane], th_dot[lane] = _physics_step_sc(
                    x[lane], x_dot[lane], th[lane], th_dot[lane], sn[lane], c[lane], a
                )
                c[lane] = np.cos(th[lane])
                sn[lane] = np.sin(th[lane])
                acc[lane] += _reward_c(x[lane], c[lane])
                if _off_track(x[lane]):
                    total[ep[lane]] = acc[lane]
                    n_steps[ep[lane]] = t
                    n_live -= 1  # the last live lane takes this one's place
                    last = n_live
                    if lane < last:
                        ep[lane], acc[lane] = ep[last], acc[last]
                        x[lane], x_dot[lane] = x[last], x_dot[last]
                        th[lane], th_dot[lane] = th[last], th_dot[last]
                        c[lane], sn[lane], out[lane] = c[last], sn[last], out[last]
                        for j in range(n_e):
                            W[j, lane] = W[j, last]
                    continue  # the moved lane (its network already evaluated) steps next
                lane += 1
        for lane in range(n_live):
            total[ep[lane]] = acc[lane]
            n_steps[ep[lane]] = t
    return total, n_steps


def lane_blocks(
    inst_net: np.ndarray, ep_inst: np.ndarray, width: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """Episodes grouped into blocks of at most ``width`` that share a network, for
    :func:`_rollouts_lanes`: ``(blk_ptr (B + 1,), blk_ep (E,))``, block ``b`` being episodes
    ``blk_ep[blk_ptr[b]:blk_ptr[b + 1]]`` (in their order within each network)."""
    net = np.asarray(inst_net, np.int64)[np.asarray(ep_inst, np.int64)]
    order = np.argsort(net, kind="stable")
    if len(order) == 0:
        return np.zeros(1, np.int64), order.astype(np.int64)
    sorted_net = net[order]
    starts = np.flatnonzero(np.r_[True, sorted_net[1:] != sorted_net[:-1]])
    ends = np.r_[starts[1:], len(order)]
    cuts = [np.arange(a, b, width) for a, b in zip(starts, ends, strict=True)]
    blk_ptr = np.r_[np.concatenate(cuts), len(order)].astype(np.int64)
    return blk_ptr, order.astype(np.int64)


def rollouts(
    packed: Packed,
    inst_net: np.ndarray,
    inst_wstart: np.ndarray,
    wflat: np.ndarray,
    ep_inst: np.ndarray,
    ep_state: np.ndarray,
    init: np.ndarray,
    steps: int = T_LIMIT,
    return_steps: bool = False,
    engine: str = "lanes",
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Total reward of each episode (E,): episode ``e`` runs instance ``ep_inst[e]`` from initial
    state ``init[ep_state[e]]`` (init: (S, 4)) for at most ``steps`` steps. With
    ``return_steps``, also the number of steps each episode ran.

    ``engine``: ``"lanes"`` steps the episodes of each network together (vectorised over
    episodes); ``"scalar"`` runs one episode at a time (the plain kernel, kept as the
    reference). Both give the same returns to the last bit."""
    if (packed.n_in, packed.n_out) != (N_OBS, N_ACT):
        raise ValueError(f"swingup networks need {N_OBS} inputs and {N_ACT} output")
    args = (
        *kernel_args(packed, inst_net, inst_wstart, wflat),
        np.asarray(ep_inst, np.int64),
        np.asarray(ep_state, np.int64),
        np.ascontiguousarray(init, dtype=np.float64),
        int(steps),
    )
    if engine == "lanes":
        total, n_steps = _rollouts_lanes(*args, *lane_blocks(inst_net, ep_inst))
    elif engine == "scalar":
        total, n_steps = _rollouts(*args)
    else:
        raise ValueError(f"engine must be 'lanes' or 'scalar', got {engine!r}")
    return (total, n_steps) if return_steps else total


# --- the task ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SwingUpTask:
    """CartPoleSwingUp (the physics above): score = total reward of an episode of at
    most 1000 steps, averaged over ``reps`` initial states shared by all networks and weights."""

    name: str = "swingup"
    n_in: int = N_OBS
    n_out: int = N_ACT
    p_init: float = 0.5
    activations: tuple[int, ...] = ALL_IDS
    input_names: tuple[str, ...] = ("x", "x_dot", "cos(th)", "sin(th)", "th_dot")
    output_names: tuple[str, ...] = ("force",)
    steps: int = T_LIMIT
    #: the champion page's player: the cart and pole drawn from the states
    viewer: ClassVar[str] = "swingup"

    def __post_init__(self) -> None:
        """Checks: ``steps`` a whole number >= 1, ``p_init`` in (0, 1]."""
        integer(self.steps, "steps", low=1, high=MAX_STEPS)
        real(self.p_init, "p_init", low=0.0, high=1.0, low_open=True)

    def evaluate(
        self,
        packed: Packed,
        weights: np.ndarray,
        rng: np.random.Generator,
        reps: int = 1,
    ) -> np.ndarray:
        inst = shared_weight_instances(packed, weights)
        init = reset_states(reps, rng)
        ret = rollouts(packed, *inst, *episode_pairs(len(inst[0]), reps), init, self.steps)
        return ret.reshape(packed.n_nets, len(weights), reps).mean(axis=2)

    def with_options(self, **options: object) -> SwingUpTask:
        """This task with a search config's ``steps`` (``episode_steps``, checked); any other
        task key is for the Gymnasium tasks (a ConfigError)."""
        if set(options) - {"steps"}:
            refuse_options(self.name, options)
        if "steps" not in options:
            return self
        return replace(
            self, steps=integer(options["steps"], "episode_steps", low=1, high=MAX_STEPS)
        )

    def episode_states(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """(n, 4) initial states, one per episode."""
        return reset_states(n, rng)

    def episode_scores(
        self, packed: Packed, instances: tuple[np.ndarray, ...], states: np.ndarray
    ) -> np.ndarray:
        """Return of instance ``i`` from initial state ``states[i]`` (one episode per instance)."""
        n = len(instances[0])
        return rollouts(packed, *instances, np.arange(n), np.arange(n), states, self.steps)
