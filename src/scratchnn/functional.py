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


def tanh_grad_from_output(a: np.ndarray) -> np.ndarray:
    """``tanh'(z) = 1 - a^2``, given ``a = tanh(z)``."""
    return 1.0 - a * a


def relu_grad_from_output(a: np.ndarray) -> np.ndarray:
    """``relu'(z) = 1[z > 0] = 1[a > 0]``, given ``a = relu(z)``, in ``a``'s dtype."""
    return (a > 0).astype(a.dtype)


# hidden activations: name -> (f(z), f'(z) expressed through a = f(z)). Module-level functions,
# not lambdas, so that a model holding them can be pickled (e.g. inside a scikit-learn estimator).
HIDDEN_ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad_from_output),
    "tanh": (np.tanh, tanh_grad_from_output),
    "relu": (relu, relu_grad_from_output),
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


def nll(log_probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-sample negative log-likelihood ``-log p[i, y_i]``; (N, C) log-probabilities -> (N,)."""
    return -log_probs[np.arange(len(y)), y]


def cross_entropy(log_probs: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy ``-(1/N) sum_i log p[i, y_i]`` (natural log), given (N, C)
    log-probabilities (e.g. :func:`log_softmax` of the logits: no ``log(0)`` for tiny ``p``)."""
    return float(nll(log_probs, y).mean())


def cross_entropy_grad(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gradient of the mean cross-entropy of ``softmax(z)`` with respect to the logits ``z``:
    ``(p - Y) / N`` with ``Y = onehot(y)``; (N, C) probabilities -> (N, C), a new array."""
    d = probs.copy()
    d[np.arange(len(y)), y] -= 1
    d /= len(y)
    return d


def n_correct(scores: np.ndarray, y: np.ndarray) -> int:
    """Rows whose ``argmax`` equals the label (``scores``: probabilities, log-probs or logits)."""
    return int(np.count_nonzero(np.argmax(scores, axis=1) == y))


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """Share of rows whose ``argmax`` equals the label: ``n_correct / N``."""
    return n_correct(scores, y) / len(y)
