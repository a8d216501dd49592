"""The ten WANN activations, by the reference's ids (1-10).

1 linear ``x``; 2 step ``1[x > 0]``; 3 ``sin(pi x)``; 4 gaussian ``exp(-x^2 / 2)``; 5 ``tanh``;
6 sigmoid ``(tanh(x / 2) + 1) / 2``; 7 inverse ``-x``; 8 ``abs``; 9 relu ``max(0, x)``;
10 ``cos(pi x)``.

Two twins of each formula, side by side here: :data:`ACTIVATIONS_BY_ID` on NumPy arrays (the
plain reference forward pass, :func:`apply`) and :func:`activate` on one float, compiled, for
the kernels. The compiled twin computes exp, tanh, sin and cos with
:mod:`scratchnn.wann.networks.elementary` (vectorisable, within 3 ulp of the C library's); both
twins reduce the argument of sin and cos of ``pi x`` exactly (so ``sin(pi k) = 0`` for every integer
``k``). They are tested id by id to agree within 3 ulp.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from .elementary import cospi, exp_nonpos, sinpi, tanh


def _sinpi(x: np.ndarray) -> np.ndarray:
    """``sin(pi x)`` with the argument reduced exactly: ``x = n + r``, ``|r| <= 1/2``,
    ``sin(pi x) = (-1)^n sin(pi r)`` (``np.sin(np.pi * x)`` rounds ``pi x`` first: 1.2e-16 at
    ``x = 1``, 3.5e-10 at ``x = 1e6``)."""
    n = np.rint(x)
    return np.where(np.fmod(n, 2) == 0, 1.0, -1.0) * np.sin(np.pi * (x - n))


def _cospi(x: np.ndarray) -> np.ndarray:
    """``cos(pi x) = (-1)^n sin(pi (1/2 - |r|))``, reduced exactly as :func:`_sinpi`."""
    n = np.rint(x)
    return np.where(np.fmod(n, 2) == 0, 1.0, -1.0) * np.sin(np.pi * (0.5 - np.abs(x - n)))


ACTIVATIONS_BY_ID: dict[int, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    1: ("linear", lambda x: x),
    2: ("step", lambda x: (x > 0).astype(x.dtype)),
    3: ("sin", _sinpi),
    4: ("gaussian", lambda x: np.exp(-(x * x) / 2)),
    5: ("tanh", np.tanh),
    6: ("sigmoid", lambda x: (np.tanh(x / 2) + 1) / 2),
    7: ("inverse", lambda x: -x),
    8: ("abs", np.abs),
    9: ("relu", lambda x: np.maximum(0, x)),
    10: ("cos", _cospi),
}
LINEAR = 1
ALL_IDS: tuple[int, ...] = tuple(ACTIVATIONS_BY_ID)
NO_STEP: tuple[int, ...] = tuple(i for i in ACTIVATIONS_BY_ID if i != 2)  # MNIST excludes step


def apply(act_id: int, x: np.ndarray) -> np.ndarray:
    """Activation ``act_id`` applied elementwise."""
    try:
        return ACTIVATIONS_BY_ID[act_id][1](x)
    except KeyError:
        raise ValueError(f"unknown activation id {act_id}; valid ids are 1-10") from None


@numba.njit(cache=True, nogil=True, inline="always", error_model="numpy")
def activate(a: int, x: float) -> float:
    """Activation ``a`` (ids 1-10, see the module docstring) of one float; the compiled twin
    of :func:`apply`."""
    if a == 1:
        return x
    if a == 2:
        return 1.0 if x > 0.0 else 0.0
    if a == 3:
        return sinpi(x)
    if a == 4:
        return exp_nonpos(-(x * x) / 2.0)
    if a == 5:
        return tanh(x)
    if a == 6:
        return (tanh(x / 2.0) + 1.0) / 2.0
    if a == 7:
        return -x
    if a == 8:
        return abs(x)
    if a == 9:
        return x if x > 0.0 or x != x else 0.0  # NaN stays NaN, as np.maximum
    return cospi(x)


@numba.njit(cache=True, nogil=True, inline="always", error_model="numpy")
def derivative(a: int, x: float, v: float) -> float:
    """``f_a'(x)`` given the pre-activation ``x`` and the value ``v = f_a(x)`` (for training a
    network's individual weights):

    linear 1; step 0 (almost everywhere); sin ``pi cos(pi x)``; gaussian ``-x v``; tanh
    ``1 - v^2``; sigmoid ``v (1 - v)``; inverse -1; abs ``sign(x)`` (0 at 0); relu ``1[x > 0]``;
    cos ``-pi sin(pi x)``.
    """
    if a == 1:
        return 1.0
    if a == 2:
        return 0.0
    if a == 3:
        return np.pi * cospi(x)
    if a == 4:
        return -x * v
    if a == 5:
        return 1.0 - v * v
    if a == 6:
        return v * (1.0 - v)
    if a == 7:
        return -1.0
    if a == 8:
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)
    if a == 9:
        return 1.0 if x > 0.0 else 0.0
    return -np.pi * sinpi(x)
