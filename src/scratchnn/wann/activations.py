"""The ten WANN activations, by the reference's ids (1-10).

1 linear ``x``; 2 step ``1[x > 0]``; 3 ``sin(pi x)``; 4 gaussian ``exp(-x^2 / 2)``; 5 ``tanh``;
6 sigmoid ``(tanh(x / 2) + 1) / 2``; 7 inverse ``-x``; 8 ``abs``; 9 relu ``max(0, x)``;
10 ``cos(pi x)``.

Two twins of each formula, side by side here: :data:`ACTIVATIONS_BY_ID` on NumPy arrays (the
plain reference forward pass, :func:`apply`) and :func:`activate` on one float, compiled, for
the kernels. They are tested id by id to give the same values.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

ACTIVATIONS_BY_ID: dict[int, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    1: ("linear", lambda x: x),
    2: ("step", lambda x: (x > 0).astype(x.dtype)),
    3: ("sin", lambda x: np.sin(np.pi * x)),
    4: ("gaussian", lambda x: np.exp(-(x * x) / 2)),
    5: ("tanh", np.tanh),
    6: ("sigmoid", lambda x: (np.tanh(x / 2) + 1) / 2),
    7: ("inverse", lambda x: -x),
    8: ("abs", np.abs),
    9: ("relu", lambda x: np.maximum(0, x)),
    10: ("cos", lambda x: np.cos(np.pi * x)),
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


@numba.njit(cache=True, nogil=True)
def activate(a: int, x: float) -> float:
    """Activation ``a`` (ids 1-10, see the module docstring) of one float; the compiled twin
    of :func:`apply`."""
    if a == 1:
        return x
    if a == 2:
        return 1.0 if x > 0.0 else 0.0
    if a == 3:
        return np.sin(np.pi * x)
    if a == 4:
        return np.exp(-(x * x) / 2.0)
    if a == 5:
        return np.tanh(x)
    if a == 6:
        return (np.tanh(x / 2.0) + 1.0) / 2.0
    if a == 7:
        return -x
    if a == 8:
        return abs(x)
    if a == 9:
        return x if x > 0.0 or x != x else 0.0  # NaN stays NaN, as np.maximum
    return np.cos(np.pi * x)
