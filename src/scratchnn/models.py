"""The assignment's two models, in NumPy, with their hand-derived gradients.

Both expose the same small interface, the :class:`Model` protocol that :func:`scratchnn.fit`
drives (a model of your own plugs in by having it too):

* ``params``: a dict of named arrays (``W`` for :class:`SoftmaxRegression`; ``W1``, ``b1``, ``W2``,
  ``b2`` for :class:`TwoLayerNet`), updated in place by the optimizer;
* ``weight_names``: the parameters that L2 regularisation applies to (weights, never biases);
* ``log_probs(X)``: (N, D) -> (N, C) log class probabilities;
* ``loss_grad(X, y)``: the batch's mean cross-entropy, the gradient of every parameter, and the
  probabilities (so the caller can count correct predictions made *before* the update).

Initialisation is the reference's: biases zero; ``W1 = 0.001 * randn`` from a generator seeded
with 1024, then re-seeded with 1024 for ``W2``, so ``W2`` (row-major) equals the first
``hidden * classes`` values of ``W1``'s stream.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

from . import validation as check
from .errors import ConfigError
from .functional import HIDDEN_ACTIVATIONS, cross_entropy, cross_entropy_grad, log_softmax

INIT_SEED = 1024
INIT_SCALE = 0.001
MAX_SEED = 2**32 - 1  # NumPy's RandomState takes seeds in [0, 2**32)
MAX_PARAMETERS = 2**28  # 2 GiB of float64 weights: far beyond any network trained in NumPy


def _check_sizes(**sizes: int) -> None:
    """Each size an integer >= 1 (num_classes >= 2: a classifier needs two classes), and the
    weight matrices of consecutive sizes at most :data:`MAX_PARAMETERS` entries in all."""
    values = [
        check.integer(value, name, low=2 if name == "num_classes" else 1)
        for name, value in sizes.items()
    ]
    n = sum(a * b for a, b in itertools.pairwise(values))
    if n > MAX_PARAMETERS:
        raise ConfigError(
            f"{' x '.join(f'{k}={v}' for k, v in sizes.items())} makes {n:,} weights, more than "
            f"{MAX_PARAMETERS:,}; choose smaller sizes"
        )


def _check_init(seed: int, init_scale: float) -> None:
    check.integer(seed, "seed", low=0, high=MAX_SEED)
    check.real(init_scale, "init_scale", low=0, low_open=True)


class LossGrad(NamedTuple):
    loss: float  # mean cross-entropy of the batch (no L2 term)
    grads: dict[str, np.ndarray]  # d loss / d param, same names and shapes as ``params``
    probs: np.ndarray  # (N, C) softmax probabilities


def faithful_normal(
    shape: tuple[int, ...], dtype: np.dtype, seed: int = INIT_SEED, scale: float = INIT_SCALE
) -> np.ndarray:
    """``scale * randn(*shape)`` after seeding NumPy's legacy generator with ``seed``.

    The defaults (seed 1024, scale 0.001) are the reference's; other values are for experiments
    beyond it (e.g. training XOR from several random starts).

    Uses a private ``RandomState`` (the same stream as ``np.random.seed(seed); np.random.randn``)
    so that the global generator is left alone.
    """
    draws = np.random.RandomState(seed).standard_normal(shape)
    return (scale * draws).astype(dtype)


class DenseShapes:
    """``n_features`` and ``n_classes`` of a model whose first weight matrix (``weight_names[0]``)
    takes the ``D`` inputs and whose last (``weight_names[-1]``) gives the ``C`` classes."""

    params: dict[str, np.ndarray]
    weight_names: tuple[str, ...]

    @property
    def n_features(self) -> int:
        """``D``, the inputs per sample."""
        return self.params[self.weight_names[0]].shape[0]

    @property
    def n_classes(self) -> int:
        """``C``, the classes."""
        return self.params[self.weight_names[-1]].shape[1]


class SoftmaxRegression(DenseShapes):
    """``p = softmax(relu(X W))``: 784 -> 10, no bias, a ReLU before the softmax (as the reference).

    Shapes: ``X`` (N, D), ``W`` (D, C), ``p`` (N, C). With ``z = X W``, ``Y = onehot(y)``:
    ``loss = -(1/N) sum_i log p[i, y_i]``, ``dz = (p - Y) / N * 1[z > 0]``, ``dW = X^T dz``.

    ``activation="linear"`` drops the ReLU (``p = softmax(X W)``, ``dz = (p - Y) / N``): textbook
    softmax regression, in which no class can die (with the ReLU, a class whose ``z`` is <= 0 for
    every input gets no gradient again).
    """

    weight_names: tuple[str, ...] = ("W",)

    def __init__(
        self,
        input_size: int = 784,
        num_classes: int = 10,
        *,
        dtype: np.dtype | type = np.float64,
        seed: int = INIT_SEED,
        init_scale: float = INIT_SCALE,
        activation: str = "relu",
    ) -> None:
        _check_sizes(input_size=input_size, num_classes=num_classes)
        _check_init(seed, init_scale)
        self.dtype = check.float_dtype(dtype)
        check.choice(activation, "activation", ("relu", "linear"))
        self.activation = activation
        self.params: dict[str, np.ndarray] = {
            "W": faithful_normal((input_size, num_classes), self.dtype, seed, init_scale)
        }

    def _logits(self, z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0) if self.activation == "relu" else z

    def log_probs(self, X: np.ndarray) -> np.ndarray:
        return log_softmax(self._logits(X @ self.params["W"]))

    def loss_grad(self, X: np.ndarray, y: np.ndarray) -> LossGrad:
        z = X @ self.params["W"]
        logp = log_softmax(self._logits(z))
        p = np.exp(logp)
        loss = cross_entropy(logp, y)
        dz = cross_entropy_grad(p, y)
        if self.activation == "relu":
            dz *= z > 0
        return LossGrad(loss, {"W": X.T @ dz}, p)


INITS = ("faithful", "xavier", "he")


def init_weight(
    shape: tuple[int, int], init: str, dtype: np.dtype, seed: int, scale: float
) -> np.ndarray:
    """Initial weights of a ``(fan_in, fan_out)`` matrix.

    ``faithful``: ``scale * N(0, 1)`` from ``RandomState(seed)`` (the reference: 0.001, seed 1024);
    ``xavier`` (Glorot): ``N(0, 2 / (fan_in + fan_out))``; ``he``: ``N(0, 2 / fan_in)``.
    """
    if init == "faithful":
        return faithful_normal(shape, dtype, seed, scale)
    fan_in, fan_out = shape
    std = np.sqrt(2.0 / (fan_in + fan_out)) if init == "xavier" else np.sqrt(2.0 / fan_in)
    return (std * np.random.RandomState(seed).standard_normal(shape)).astype(dtype)


class TwoLayerNet(DenseShapes):
    """``p = softmax(f(X W1 + b1) W2 + b2)``: 784 -> hidden -> 10, biases on both layers.

    ``f`` is the sigmoid (the reference), ``tanh`` or ``relu``. Shapes: ``X`` (N, D), ``W1`` (D, H),
    ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,).
    Forward: ``z1 = X W1 + b1``, ``a1 = f(z1)``, ``z2 = a1 W2 + b2``, ``p = softmax(z2)``.
    Backward, with ``Y = onehot(y)``:
    ``d2 = (p - Y) / N``; ``dW2 = a1^T d2``; ``db2 = sum_rows d2``;
    ``d1 = (d2 W2^T) * f'(z1)`` (sigmoid: ``a1 (1 - a1)``); ``dW1 = X^T d1``; ``db1 = sum_rows d1``.

    Dropout (``dropout = q > 0``, training only): ``a1`` is multiplied by a mask ``m / (1 - q)``
    with ``m ~ Bernoulli(1 - q)`` (inverted dropout, so evaluation needs no rescaling), and the
    same mask multiplies ``d2 W2^T`` on the way back.
    """

    weight_names: tuple[str, ...] = ("W1", "W2")

    def __init__(
        self,
        input_size: int = 784,
        hidden_size: int = 128,
        num_classes: int = 10,
        *,
        dtype: np.dtype | type = np.float64,
        seed: int = INIT_SEED,
        init_scale: float = INIT_SCALE,
        activation: str = "sigmoid",
        init: str = "faithful",
        dropout: float = 0.0,
    ) -> None:
        _check_sizes(input_size=input_size, hidden_size=hidden_size, num_classes=num_classes)
        _check_init(seed, init_scale)
        self.dtype = check.float_dtype(dtype)
        check.choice(activation, "activation", HIDDEN_ACTIVATIONS)
        check.choice(init, "init", INITS)
        dropout = check.real(dropout, "dropout", low=0, high=1, high_open=True)
        self.activation, self.init, self.dropout = activation, init, dropout
        self.act, self.act_grad = HIDDEN_ACTIVATIONS[activation]
        self.dropout_rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {
            "W1": init_weight((input_size, hidden_size), init, self.dtype, seed, init_scale),
            "b1": np.zeros(hidden_size, self.dtype),
            "W2": init_weight((hidden_size, num_classes), init, self.dtype, seed, init_scale),
            "b2": np.zeros(num_classes, self.dtype),
        }

    @property
    def is_reference(self) -> bool:
        """The reference's architecture: sigmoid hidden layer, no dropout."""
        return self.activation == "sigmoid" and self.dropout == 0.0

    def log_probs(self, X: np.ndarray) -> np.ndarray:
        P = self.params
        return log_softmax(self.act(X @ P["W1"] + P["b1"]) @ P["W2"] + P["b2"])

    def loss_grad(self, X: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None) -> LossGrad:
        """Batch loss and gradients. With dropout, ``mask`` (N, H) of 0/1 may be given (for
        gradient checks); otherwise one is drawn from the model's dropout generator."""
        P = self.params
        a1 = self.act(X @ P["W1"] + P["b1"])
        keep = None
        if self.dropout > 0:
            if mask is None:
                mask = self.dropout_rng.random(a1.shape) >= self.dropout
            keep = mask.astype(self.dtype) / self.dtype.type(1.0 - self.dropout)
            h = a1 * keep
        else:
            h = a1
        logp = log_softmax(h @ P["W2"] + P["b2"])
        p = np.exp(logp)
        loss = cross_entropy(logp, y)
        d2 = cross_entropy_grad(p, y)
        dh = d2 @ P["W2"].T
        if keep is not None:
            dh *= keep
        d1 = dh * self.act_grad(a1)
        grads = {"W1": X.T @ d1, "b1": d1.sum(axis=0), "W2": h.T @ d2, "b2": d2.sum(axis=0)}
        return LossGrad(loss, grads, p)


@runtime_checkable
class Model(Protocol):
    """What :func:`scratchnn.fit` needs of a model: :class:`TwoLayerNet`,
    :class:`SoftmaxRegression`, :class:`scratchnn.cnn.SmallCNN` or your own.

    ``params`` (named arrays the optimizer updates in place), ``weight_names`` (those L2
    applies to), ``dtype`` (float32 or float64), ``log_probs(X)`` ((N, D) -> (N, C)) and
    ``loss_grad(X, y)`` (a :class:`LossGrad`: the batch's mean cross-entropy, the gradient of
    every parameter, the probabilities before the update). ``n_features`` (``D``) and
    ``n_classes`` (``C``), where a model has them, let :func:`~scratchnn.fit` check the data's
    width and labels before training.
    """

    params: dict[str, np.ndarray]
    weight_names: tuple[str, ...]
    dtype: np.dtype

    def log_probs(self, X: np.ndarray) -> np.ndarray: ...

    def loss_grad(self, X: np.ndarray, y: np.ndarray) -> LossGrad: ...


def model_shape(model: Any, name: str = "model") -> tuple[int | None, int | None]:
    """``(n_features, n_classes)`` of a model (``None`` where a user model does not say); a
    :class:`~scratchnn.errors.ConfigTypeError` if ``model`` lacks a member of :class:`Model`."""
    check.conforming(model, Model, name, "a scratchnn model (TwoLayerNet, SoftmaxRegression, ...)")
    return getattr(model, "n_features", None), getattr(model, "n_classes", None)


def n_parameters(model: Any) -> int:
    """Trainable numbers of a model: the total size of its ``params``."""
    return sum(int(p.size) for p in model.params.values())


def mlp_hidden_for(n_params: int, n_in: int = 256, n_out: int = 10) -> int:
    """The hidden width ``H >= 1`` of a :class:`TwoLayerNet` ``n_in -> H -> n_out`` whose
    parameter count ``(n_in + 1) H + (H + 1) n_out`` is nearest ``n_params`` (the smaller ``H``
    on a tie): for matched-size comparisons with other models."""
    n_params = check.integer(n_params, "n_params", low=1)
    n_in = check.integer(n_in, "n_in", low=1)
    n_out = check.integer(n_out, "n_out", low=1)
    per_unit = n_in + 1 + n_out
    low = max(1, (n_params - n_out) // per_unit)
    return min((low, low + 1), key=lambda h: (abs(h * per_unit + n_out - n_params), h))
