"""The ten WANN activations, by the reference's ids (1-10).

1 linear ``x``; 2 step ``1[x > 0]``; 3 ``sin(pi x)``; 4 gaussian ``exp(-x^2 / 2)``; 5 ``tanh``;
6 sigmoid ``(tanh(x / 2) + 1) / 2``; 7 inverse ``-x``; 8 ``abs``; 9 relu ``max(0, x)``;
10 ``cos(pi x)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ACTIVATIONS: dict[int, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
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
ALL_IDS: tuple[int, ...] = tuple(ACTIVATIONS)
NO_STEP: tuple[int, ...] = tuple(i for i in ACTIVATIONS if i != 2)  # MNIST excludes step


def apply(act_id: int, x: np.ndarray) -> np.ndarray:
    """Activation ``act_id`` applied elementwise."""
    try:
        return ACTIVATIONS[act_id][1](x)
    except KeyError:
        raise ValueError(f"unknown activation id {act_id}; valid ids are 1-10") from None
