"""The paper's fixed-topology baselines: a dense one-hidden-layer network on the same weight
trainers (:func:`dense_genome`) and, for MNIST-256, logistic regression
(:func:`logistic_regression`)."""

from __future__ import annotations

import numpy as np

from ...errors import ScratchnnError
from ..networks.genome import Genome
from .gradient import held_out_splits


def dense_genome(n_in: int, n_out: int, hidden: int, act: int = 5) -> Genome:
    """A fully connected network with one hidden layer of ``hidden`` nodes of activation
    ``act`` (tanh by default): bias and inputs -> every hidden node -> every output (linear),
    ``(n_in + 1) hidden + (hidden + 1) n_out`` connections. The paper's fixed-topology
    baseline, evaluated and trained with the same code as a found topology."""
    from ..networks.genome import BIAS, HIDDEN, INPUT, OUTPUT, Conn, Node

    if hidden < 1:
        raise ScratchnnError(f"--hidden must be >= 1, got {hidden}")
    nodes = [Node(0, BIAS), *(Node(i, INPUT) for i in range(1, n_in + 1))]
    nodes += [Node(n_in + k, OUTPUT) for k in range(1, n_out + 1)]
    first_hidden = n_in + n_out + 1
    nodes += [Node(first_hidden + h, HIDDEN, act) for h in range(hidden)]
    pairs = [(s, first_hidden + h) for h in range(hidden) for s in range(n_in + 1)]
    pairs += [
        (s, n_in + k)
        for k in range(1, n_out + 1)
        for s in [0, *range(first_hidden, first_hidden + hidden)]
    ]
    return Genome(n_in, n_out, nodes, [Conn(i, s, d) for i, (s, d) in enumerate(pairs)])


def logistic_regression(
    task: object, epochs: int = 30, learning_rate: float = 0.01, seed: int = 0,
    val_size: int = 10_000,
):  # fmt: skip
    """The paper's linear baseline for MNIST-256: multinomial logistic regression
    ``p = softmax([x, 1] W)`` on the 256 features plus a bias, scratchnn's own
    :class:`~scratchnn.models.SoftmaxRegression` (``activation="linear"``) trained by
    :func:`~scratchnn.training.fit` with Adam and a cosine schedule, the best epoch by
    validation accuracy on ``val_size`` held-out training images. Returns the ``FitResult``."""
    from ...models import SoftmaxRegression
    from ...optim import Adam, Schedule
    from ...training import fit

    d = task.data  # type: ignore[attr-defined]

    def with_bias(X: np.ndarray) -> np.ndarray:
        return np.concatenate([X, np.ones((len(X), 1))], axis=1)

    splits = held_out_splits(d, seed, val_size, with_bias)
    model = SoftmaxRegression(d.X_train.shape[1] + 1, 10, activation="linear", seed=seed)
    return fit(
        model, splits, Adam(learning_rate=learning_rate), epochs=epochs, batch_size=128,
        seed=seed, schedule=Schedule("cosine"),
    )  # fmt: skip
