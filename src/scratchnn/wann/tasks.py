"""WANN tasks. A task scores many networks at many shared weights in one call.

``evaluate(nets, weights, rng) -> (n_nets, n_weights)`` scores (higher is better); every network
and weight sees the same random draws (common random numbers). So far: the two-input Boolean
functions (the writeup's XOR among them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..theory.boolean import INPUTS, TABLES
from .activations import ALL_IDS
from .genome import Expressed, forward


@dataclass(frozen=True)
class BooleanTask:
    """A two-input Boolean function; one linear output, read as true when it is > 0.

    Score per weight: the mean over the four inputs of ``clip((2 t - 1) * y, -1, 1)`` for target
    ``t`` and output ``y``: positive margins on every input mean the function is computed.
    """

    function: str = "XOR"
    n_in: int = 2
    n_out: int = 1
    p_init: float = 0.5
    activations: tuple[int, ...] = ALL_IDS

    @property
    def name(self) -> str:
        return self.function.lower()

    def margins(self, net: Expressed, weights: np.ndarray) -> np.ndarray:
        """(n_weights, 4) signed margins ``(2 t - 1) * y``."""
        t = 2.0 * TABLES[self.function] - 1.0
        X = np.tile(INPUTS, (len(weights), 1))
        w = np.repeat(weights, len(INPUTS))
        y = forward(net, X, w)[:, 0].reshape(len(weights), len(INPUTS))
        return np.nan_to_num(t * y, nan=-1.0, posinf=1.0, neginf=-1.0)

    def evaluate(
        self, nets: list[Expressed], weights: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.array([np.clip(self.margins(n, weights), -1, 1).mean(axis=1) for n in nets])

    def solved(self, net: Expressed, weights: np.ndarray) -> bool:
        """True when the network computes the function at every weight."""
        with np.errstate(all="ignore"):
            return bool((self.margins(net, weights) > 0).all())
