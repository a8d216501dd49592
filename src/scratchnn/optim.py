"""Minibatch SGD with L2 regularisation on weights only.

The regularised objective is ``L = CE + (reg / 2) * sum_W ||W||^2`` over the weight matrices (never
the biases), so its gradient adds ``reg * W`` to each weight's gradient. The logged loss stays
the plain cross-entropy, as in the reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .errors import ConfigError


def add_l2(
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    weight_names: Iterable[str],
    reg: float,
) -> dict[str, np.ndarray]:
    """Return new gradients with ``reg * W`` added to each weight named in ``weight_names``."""
    weights = set(weight_names)
    return {k: (g + reg * params[k] if k in weights and reg else g) for k, g in grads.items()}


class SGD:
    """``theta <- theta - lr * (grad + reg * theta [weights only])``, in place."""

    def __init__(self, learning_rate: float, reg: float = 0.0) -> None:
        if not learning_rate > 0:
            raise ConfigError(f"learning_rate must be > 0, got {learning_rate}")
        if not reg >= 0:
            raise ConfigError(f"reg must be >= 0, got {reg}")
        self.learning_rate = learning_rate
        self.reg = reg

    def step(
        self,
        params: dict[str, np.ndarray],
        grads: Mapping[str, np.ndarray],
        weight_names: Iterable[str],
    ) -> None:
        lr = params[next(iter(params))].dtype.type(self.learning_rate)
        for name, g in add_l2(params, grads, weight_names, self.reg).items():
            params[name] -= lr * g
