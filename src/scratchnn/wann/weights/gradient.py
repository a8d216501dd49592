"""Individual weights for a classification task (MNIST-256) by gradient descent through the
graph (:class:`~scratchnn.wann.networks.backprop.GenomeNet` with :func:`scratchnn.training.fit`
and Adam), best epoch by validation accuracy on 10,000 held-out training images, the test set
touched once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..networks.genome import Genome

if TYPE_CHECKING:
    from ...training import FitResult


def held_out_splits(
    data: Any,
    seed: int,
    val_size: int,
    features: Callable[[np.ndarray], np.ndarray] = lambda X: X,
):
    """``Splits`` of ``data`` (``X_train``, ``y_train``, ``X_test``, ``y_test``): ``val_size``
    training images (a permutation seeded by ``seed``) held out for validation, the rest to
    train on, the test set as is; ``features`` applied to every ``X``."""
    from ...data.mnist import Split, Splits

    d = data
    perm = np.random.default_rng(seed).permutation(len(d.X_train))
    val, train = perm[:val_size], perm[val_size:]
    return Splits(
        Split(features(d.X_train[train]), d.y_train[train]),
        Split(features(d.X_train[val]), d.y_train[val]),
        Split(features(d.X_test), d.y_test),
    )


def train_classifier_weights(
    task: object,
    genome: Genome,
    w0: float | np.ndarray,
    epochs: int = 30,
    batch_size: int = 128,
    learning_rate: float = 0.02,
    seed: int = 0,
    val_size: int = 10_000,
    refit: bool = False,
    log: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, FitResult, FitResult]:
    """Train ``genome``'s weights on ``task.data`` (MNIST-256) by gradient descent from the
    shared weight ``w0`` (or from ``w0``'s individual weights, packed edge order): Adam with
    a cosine learning-rate schedule, minibatches of ``batch_size``, ``val_size`` training
    images held out (a seeded split) to pick the best epoch ``b``.

    Without ``refit`` the weights are those of epoch ``b``. With ``refit`` the held-out images
    go back in: training restarts from ``w0`` on all training images for ``b`` epochs (its own
    cosine schedule over ``b`` epochs), and the weights are those of its last epoch; nothing
    else is chosen on that run. Either way the test set is touched once, by the returned
    weights. Returns ``(weights, result, selection)``: the ``FitResult`` that produced the
    weights (with the test accuracy) and the one whose validation chose ``b`` (the same
    object without ``refit``)."""
    from ...data.mnist import Split, Splits
    from ...optim import Adam, Schedule
    from ...training import fit
    from ..networks.backprop import GenomeNet

    splits = held_out_splits(task.data, seed, val_size)  # type: ignore[attr-defined]

    def on_epoch(r) -> None:
        if log is not None:
            val = "" if np.isnan(r.val_acc) else f"  val loss {r.val_loss:.4f}  acc {r.val_acc:.4f}"
            log(
                f"epoch {r.epoch:3d}  train loss {r.train_loss:.4f}  acc {r.train_acc:.4f}"
                f"{val}  {r.seconds:.2f} s"
            )

    def train(data: Splits, n_epochs: int) -> tuple[np.ndarray, FitResult]:
        net = GenomeNet(genome, w0)
        result = fit(
            net, data, Adam(learning_rate=learning_rate), epochs=n_epochs,
            batch_size=batch_size, seed=seed, schedule=Schedule("cosine"), on_epoch=on_epoch,
        )  # fmt: skip
        best = result.best_params["w"] if result.best_params else net.params["w"]
        return np.array(best), result

    if not refit:
        w, result = train(splits, epochs)
        return w, result, result
    _, selection = train(Splits(splits.train, splits.val, None), epochs)
    b = selection.best_epoch or epochs
    if log is not None:
        log(f"validation chose epoch {b}: training again on all training images for {b} epochs")
    d = task.data  # type: ignore[attr-defined]
    w, result = train(Splits(Split(d.X_train, d.y_train), None, splits.test), b)
    return w, result, selection
