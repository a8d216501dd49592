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
episodes of packed WANN networks in compiled code (used by the search).
"""

from __future__ import annotations

import numba
import numpy as np

from .packed import Packed, eval_scalar, kernel_args

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
    a = np.minimum(np.maximum(action, -1.0), 1.0)
    F = a * FORCE
    s, c = np.sin(th), np.cos(th)
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
    return (np.cos(th) + 1.0) / 2.0 * np.cos(x / X_LIMIT * np.pi / 2.0)


def off_track(x):
    """True past the end of the track, ``|x| > 2.4``: the episode ends (scalars or arrays)."""
    return np.abs(x) > X_LIMIT


_physics_step = numba.njit(cache=True, nogil=True)(physics_step)
_reward = numba.njit(cache=True, nogil=True)(reward)
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
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Total reward of each episode (E,): episode ``e`` runs instance ``ep_inst[e]`` from initial
    state ``init[ep_state[e]]`` (init: (S, 4)) for at most ``steps`` steps. With
    ``return_steps``, also the number of steps each episode ran."""
    if (packed.n_in, packed.n_out) != (N_OBS, N_ACT):
        raise ValueError(f"swingup networks need {N_OBS} inputs and {N_ACT} output")
    total, n_steps = _rollouts(
        *kernel_args(packed, inst_net, inst_wstart, wflat),
        np.asarray(ep_inst, np.int64),
        np.asarray(ep_state, np.int64),
        np.ascontiguousarray(init, dtype=np.float64),
        int(steps),
    )
    return (total, n_steps) if return_steps else total
