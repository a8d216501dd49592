"""The training loop, with exactly the reference's semantics.

Per epoch: the training set is reshuffled (a generator seeded once per run, so the same seed gives
the same run bit for bit), cut into consecutive batches (the last may be smaller), and for each
batch the model's accuracy is counted *before* its SGD update. Then the model is evaluated on the
validation split, batched in order with the training batch size.

* training loss = plain mean over batches of each batch's mean cross-entropy;
* training accuracy = running accuracy, correct predictions / samples over the epoch;
* validation loss / accuracy: the same two definitions on the validation batches;
* the best model is the one after the epoch with the highest validation accuracy (strict ``>``),
  and the test accuracy reported is that model's, measured once after training.

A batch whose loss is NaN or infinite stops the run at once with status ``diverged``.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
from tqdm import tqdm

from ._blas import blas_single_threaded
from .data.mnist import Split, Splits, scale_pixels
from .kernels import FusedTwoLayerSGD
from .models import Model, TwoLayerNet
from .optim import SGD, Optimizer, Schedule

EVAL_CHUNK = 1024  # rows per forward pass when evaluating; batch statistics are unchanged


@dataclass
class EpochRecord:
    epoch: int  # 1-based
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    seconds: float  # wall time of the epoch, training and validation
    train_seconds: float  # wall time of the training pass alone


@dataclass
class FitResult:
    history: list[EpochRecord] = field(default_factory=list)
    status: str = "ok"  # "ok" or "diverged"
    message: str = ""
    best_epoch: int | None = None
    best_params: dict[str, np.ndarray] | None = None
    test_loss: float | None = None
    test_acc: float | None = None
    seconds: float = 0.0

    def metrics(self) -> dict[str, float | int | str | None]:
        """The headline numbers (the writeup's table columns and more)."""
        last = self.history[-1] if self.history else None
        best = self.history[self.best_epoch - 1] if self.best_epoch else None
        return {
            "status": self.status,
            "epochs_run": len(self.history),
            "train_loss": last.train_loss if last else None,
            "train_acc": last.train_acc if last else None,
            "val_loss_last": last.val_loss if last else None,
            "val_acc_last": last.val_acc if last else None,
            "val_acc_best": best.val_acc if best else None,
            "best_epoch": self.best_epoch,
            "test_loss": self.test_loss,
            "test_acc": self.test_acc,
            "seconds": self.seconds,
            "message": self.message,
        }

    def history_rows(self) -> list[dict[str, float]]:
        return [asdict(r) for r in self.history]


def batch_slices(n: int, batch_size: int) -> list[slice]:
    """Consecutive slices of ``batch_size`` covering ``range(n)``; the last may be shorter."""
    return [slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


@blas_single_threaded
def evaluate(model: Model, split: Split, batch_size: int) -> tuple[float, float]:
    """``(loss, accuracy)`` of ``model`` on ``split`` batched in order with ``batch_size``.

    loss = plain mean over batches of the batch mean cross-entropy; accuracy = correct / N.
    The forward pass runs in chunks of :data:`EVAL_CHUNK` rows for speed; per-sample losses are
    then grouped into the same batches, so the numbers are those of batch-by-batch evaluation.
    """
    n = len(split)
    per_sample = np.empty(n, dtype=np.float64)
    correct = 0
    for s in batch_slices(n, EVAL_CHUNK):
        logp = model.log_probs(scale_pixels(split.X[s], model.dtype))
        y = split.y[s]
        per_sample[s] = -logp[np.arange(len(y)), y]
        correct += int(np.count_nonzero(logp.argmax(axis=1) == y))
    starts = np.arange(0, n, batch_size)
    batch_means = np.add.reduceat(per_sample, starts) / np.diff(np.append(starts, n))
    return float(batch_means.mean()), correct / n


def _reference_step(
    model: Model, optimizer: Optimizer, train: Split, idx: np.ndarray
) -> tuple[float, int]:
    """One SGD step as the reference does it; returns (batch mean CE, correct before update)."""
    y = train.y[idx]
    out = model.loss_grad(scale_pixels(train.X[idx], model.dtype), y)
    if np.isfinite(out.loss):
        optimizer.step(model.params, out.grads, model.weight_names)
    return out.loss, int(np.count_nonzero(out.probs.argmax(axis=1) == y))


@blas_single_threaded
def predict(model: Model, X: np.ndarray) -> np.ndarray:
    """Predicted classes ``argmax_k p(k | x)`` for uint8 images ``X`` (N, D) -> (N,)."""
    return np.concatenate(
        [
            model.log_probs(scale_pixels(X[s], model.dtype)).argmax(axis=1)
            for s in batch_slices(len(X), EVAL_CHUNK)
        ]
    )


@blas_single_threaded
def fit(
    model: Model,
    data: Splits,
    optimizer: Optimizer,
    *,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    progress: bool = False,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    fast: bool = True,
    schedule: Schedule | None = None,
    patience: int = 0,
) -> FitResult:
    """Train ``model`` in place and return its history and best-model metrics.

    ``seed`` drives the per-epoch shuffle (``numpy.random.default_rng(seed).permutation`` each
    epoch). ``on_epoch`` is called after each epoch with its :class:`EpochRecord` (it may raise
    to stop the run, e.g. to prune a tuning trial). ``schedule`` scales the learning rate per
    step; ``patience > 0`` stops early after that many epochs without a strictly better
    validation accuracy. ``data.test`` may be ``None``: then the test set is not touched.

    With ``fast`` (the default), the reference setup (:class:`TwoLayerNet` with a sigmoid and no
    dropout, plain :class:`SGD`, constant learning rate) takes the fused step of
    :mod:`scratchnn.kernels` (same math, same metrics, up to float rounding); anything else, or
    ``fast=False``, runs the reference step (``loss_grad`` then ``optimizer.step``).
    """
    rng = np.random.default_rng(seed)
    schedule = schedule or Schedule()
    fused = (
        FusedTwoLayerSGD(
            model, data.train.X, data.train.y, batch_size, optimizer.learning_rate, optimizer.reg
        )
        if fast
        and isinstance(model, TwoLayerNet)
        and model.is_reference
        and isinstance(optimizer, SGD)
        and optimizer.is_plain
        and schedule.is_constant
        else None
    )
    result = FitResult()
    train = data.train
    slices = batch_slices(len(train), batch_size)
    base_lr = optimizer.learning_rate
    total_steps = epochs * len(slices)
    best_acc = -1.0
    t_start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        order = rng.permutation(len(train))
        if fused is not None:
            fused.start_epoch(order)
        loss_sum, correct = 0.0, 0
        bar = tqdm(
            slices,
            desc=f"epoch {epoch}/{epochs}",
            disable=not progress,
            leave=False,
            unit="batch",
            mininterval=0.5,
        )
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for b, s in enumerate(bar, start=1):
                if fused is not None:
                    loss, n_correct = fused.step(s)
                else:
                    if not schedule.is_constant:
                        step = (epoch - 1) * len(slices) + b - 1
                        optimizer.learning_rate = base_lr * schedule.factor(
                            step, len(slices), total_steps
                        )
                    loss, n_correct = _reference_step(model, optimizer, train, order[s])
                if not np.isfinite(loss):
                    result.status = "diverged"
                    result.message = (
                        f"loss became {loss} at epoch {epoch}, batch {b} of {len(slices)}: "
                        "the learning rate is probably too large"
                    )
                    break
                loss_sum += loss
                correct += n_correct
                if progress and b % 50 == 0:
                    bar.set_postfix(
                        loss=f"{loss_sum / b:.4f}", acc=f"{correct / s.stop:.4f}", refresh=False
                    )
            bar.close()
            if fused is not None:
                fused.end_epoch()
            if result.status == "diverged":
                break
            t_train = time.perf_counter() - t0
            val_loss, val_acc = evaluate(model, data.val, batch_size)
        record = EpochRecord(
            epoch,
            loss_sum / len(slices),
            correct / len(train),
            val_loss,
            val_acc,
            time.perf_counter() - t0,
            t_train,
        )
        result.history.append(record)
        if not np.isfinite(val_loss):
            result.status = "diverged"
            result.message = f"validation loss became {val_loss} after epoch {epoch}"
            break
        if val_acc > best_acc:
            best_acc = val_acc
            result.best_epoch = epoch
            result.best_params = copy.deepcopy(model.params)
        if on_epoch:
            on_epoch(record)
        if patience and epoch - result.best_epoch >= patience:
            result.message = (
                f"early stop after epoch {epoch}: no better validation accuracy for "
                f"{patience} epochs (best {best_acc:.4f} at epoch {result.best_epoch})"
            )
            break
    optimizer.learning_rate = base_lr
    if result.best_params is not None and data.test is not None:
        final = model.params
        model.params = result.best_params
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result.test_loss, result.test_acc = evaluate(model, data.test, batch_size)
        model.params = final
    result.seconds = time.perf_counter() - t_start
    return result
