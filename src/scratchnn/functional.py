"""The small pure functions the models are built from. Shapes: ``N`` samples, ``C`` classes."""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))``, elementwise."""
    with np.errstate(over="ignore"):  # exp(-z) -> inf gives the right limit, 0
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_grad_from_output(a: np.ndarray) -> np.ndarray:
    """``sigmoid'(z) = s (1 - s)``, given ``a = sigmoid(z)``."""
    return a * (1.0 - a)


def relu(z: np.ndarray) -> np.ndarray:
    """``max(z, 0)``, elementwise."""
    return np.maximum(z, 0)


# hidden activations: name -> (f(z), f'(z) expressed through a = f(z))
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad_from_output),  # f' = a (1 - a)
    "tanh": (np.tanh, lambda a: 1.0 - a * a),  # f' = 1 - a^2
    "relu": (relu, lambda a: (a > 0).astype(a.dtype)),  # f' = 1[z > 0] = 1[a > 0]
}


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``log softmax(z)_k = z_k - max(z) - log sum_j exp(z_j - max(z))``; (N, C) -> (N, C).

    Shifting by the row maximum changes nothing mathematically and keeps ``exp`` from overflowing.
    """
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``softmax(z)_k = exp(z_k) / sum_j exp(z_j)``; (N, C) -> (N, C), rows sum to 1."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy ``-(1/N) sum_i log p[i, y_i]`` (natural log) of (N, C) probabilities."""
    return float(-np.mean(np.log(probs[np.arange(len(y)), y])))


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """Share of rows whose ``argmax`` equals the label (``scores``: probabilities or logits)."""
    return float(np.mean(np.argmax(scores, axis=1) == y))
