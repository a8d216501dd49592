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

Inputs: uint8 images are scaled by ``1 / 255`` batch by batch (the assignment's scaling); float
features are used as given; any other dtype is refused (:func:`scratchnn.data.to_features`).

Two implementations of the SGD step share one interface (:class:`TrainStep`): the reference step
(:class:`ReferenceStep`: the model's ``loss_grad`` then ``optimizer.step``, for every model,
optimizer and schedule) and the fused step (:class:`scratchnn.kernels.FusedTwoLayerSGD`, the
reference setup only, same numbers up to float rounding, several times faster).
:meth:`FusedTwoLayerSGD.why_not <scratchnn.kernels.FusedTwoLayerSGD.why_not>` alone decides
whether the fused step applies; ``fit(path=...)`` picks, and the result records the path taken.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from . import validation as check
from ._blas import blas_single_threaded
from .data.mnist import Split, Splits, to_features
from .errors import ConfigError, caused_by_interrupt
from .functional import n_correct, nll
from .kernels import FusedTwoLayerSGD
from .models import Model, model_shape
from .optim import Optimizer, Schedule

EVAL_CHUNK = 1024  # rows per forward pass when evaluating; batch statistics are unchanged
PATHS = ("auto", "fused", "reference")
StepPath = Literal["auto", "fused", "reference"]


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
    status: str = "ok"  # "ok", "diverged" or "interrupted" (``stop_on_interrupt``)
    message: str = ""
    best_epoch: int | None = None
    best_params: dict[str, np.ndarray] | None = None
    test_loss: float | None = None
    test_acc: float | None = None
    seconds: float = 0.0
    path: str = ""  # the step implementation that ran: "fused" or "reference"

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
            "path": self.path,
        }

    def history_rows(self) -> list[dict[str, float]]:
        return [asdict(r) for r in self.history]


def progress_bar(items: Sequence[slice], **kwargs: Any) -> Any:
    """``tqdm(items, **kwargs)`` (a progress bar over the batches); tqdm is imported here, on
    first use, not with the package."""
    from tqdm import tqdm

    return tqdm(items, **kwargs)


def batch_slices(n: int, batch_size: int) -> list[slice]:
    """Consecutive slices of ``batch_size`` covering ``range(n)``; the last may be shorter."""
    return [slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


@blas_single_threaded
def evaluate(model: Model, split: Split, batch_size: int) -> tuple[float, float]:
    """``(loss, accuracy)`` of ``model`` on ``split`` batched in order with ``batch_size``.

    loss = plain mean over batches of the batch mean cross-entropy; accuracy = correct / N.
    The forward pass runs in chunks of :data:`EVAL_CHUNK` rows for speed; per-sample losses are
    then grouped into the same batches, so the numbers are those of batch-by-batch evaluation.
    ``split.X`` (N, D) and ``split.y`` (N,) are checked first (:mod:`scratchnn.validation`).
    """
    n_features, n_classes = model_shape(model)
    check.split(split, "split", n_features=n_features, n_classes=n_classes)
    return evaluate_checked(model, split, check.integer(batch_size, "batch_size", low=1))


def evaluate_checked(model: Model, split: Split, batch_size: int) -> tuple[float, float]:
    """:func:`evaluate` without the checks, for inputs already checked (by :func:`fit`)."""
    n = len(split)
    per_sample = np.empty(n, dtype=np.float64)
    correct = 0
    for s in batch_slices(n, EVAL_CHUNK):
        logp = model.log_probs(to_features(split.X[s], model.dtype))
        y = split.y[s]
        per_sample[s] = nll(logp, y)
        correct += n_correct(logp, y)
    starts = np.arange(0, n, batch_size)
    batch_means = np.add.reduceat(per_sample, starts) / np.diff(np.append(starts, n))
    return float(batch_means.mean()), correct / n


class TrainStep(Protocol):
    """One SGD step implementation, driven by :func:`fit` epoch by epoch.

    ``start_epoch(order, batches)``: the epoch's permutation of the training rows and its batches
    (slices of ``order``); ``step(b)``: one update on batch ``b``, returning ``(batch mean
    cross-entropy, predictions correct before the update)``; ``end_epoch()``: the model's
    ``params`` hold the trained values again.
    """

    path: str

    def start_epoch(self, order: np.ndarray, batches: Sequence[slice]) -> None: ...

    def step(self, b: int) -> tuple[float, int]: ...

    def end_epoch(self) -> None: ...


class ReferenceStep:
    """The reference step: ``loss_grad`` on the batch, then ``optimizer.step``; any model,
    optimizer and schedule. ``schedule`` sets ``optimizer.learning_rate`` before each step to
    ``base_lr * schedule.factor(t, steps_per_epoch, total_steps)``, ``t`` counting steps from 0.
    """

    path = "reference"

    def __init__(
        self,
        model: Model,
        optimizer: Optimizer,
        train: Split,
        schedule: Schedule,
        steps_per_epoch: int,
        epochs: int,
    ) -> None:
        self.model, self.optimizer, self.train, self.schedule = model, optimizer, train, schedule
        self.base_lr = optimizer.learning_rate
        self.steps_per_epoch, self.total_steps = steps_per_epoch, epochs * steps_per_epoch
        self.t = 0
        self.order = np.arange(0)
        self.batches: Sequence[slice] = ()

    def start_epoch(self, order: np.ndarray, batches: Sequence[slice]) -> None:
        self.order, self.batches = order, batches

    def step(self, b: int) -> tuple[float, int]:
        if not self.schedule.is_constant:
            self.optimizer.learning_rate = self.base_lr * self.schedule.factor(
                self.t, self.steps_per_epoch, self.total_steps
            )
        self.t += 1
        idx = self.order[self.batches[b]]
        y = self.train.y[idx]
        model = self.model
        out = model.loss_grad(to_features(self.train.X[idx], model.dtype), y)
        if np.isfinite(out.loss):
            self.optimizer.step(model.params, out.grads, model.weight_names)
        return out.loss, n_correct(out.probs, y)

    def end_epoch(self) -> None:
        pass


def make_step(
    path: str,
    model: Model,
    optimizer: Optimizer,
    train: Split,
    batch_size: int,
    schedule: Schedule,
    epochs: int,
) -> TrainStep:
    """The step implementation for ``path``: ``"fused"`` (an error naming why, if it does not
    apply), ``"reference"``, or ``"auto"`` (fused where it applies, else reference)."""
    check.choice(path, "path", PATHS)
    reason = FusedTwoLayerSGD.why_not(model, optimizer, schedule, train.X)
    if path == "fused" and reason is not None:
        raise ConfigError(f"path='fused' does not apply: {reason}")
    if path != "reference" and reason is None:  # its buffers hold one batch: at most every row
        return FusedTwoLayerSGD(model, optimizer, train.X, train.y, min(batch_size, len(train)))
    steps = len(batch_slices(len(train), batch_size))
    return ReferenceStep(model, optimizer, train, schedule, steps, epochs)


@blas_single_threaded
def predict(model: Model, X: np.ndarray) -> np.ndarray:
    """Predicted classes ``argmax_k p(k | x)`` for inputs ``X`` (N, D) -> (N,).

    ``X``: uint8 pixels (scaled by ``1 / 255``) or float features (used as given).
    """
    n_features, _ = model_shape(model)
    check.features(X, "X", n_features=n_features)
    return np.concatenate(
        [
            model.log_probs(to_features(X[s], model.dtype)).argmax(axis=1)
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
    path: StepPath = "auto",
    schedule: Schedule | None = None,
    patience: int = 0,
    stop_on_interrupt: bool = False,
) -> FitResult:
    """Train ``model`` in place and return its history and best-model metrics.

    ``seed`` drives the per-epoch shuffle (``numpy.random.default_rng(seed).permutation`` each
    epoch). ``on_epoch`` is called after each epoch with its :class:`EpochRecord` (it may raise
    to stop the run, e.g. to prune a tuning trial). ``schedule`` scales the learning rate per
    step; ``patience > 0`` stops early after that many epochs without a strictly better
    validation accuracy. ``data.test`` may be ``None``: then the test set is not touched.
    ``data.val`` may be ``None`` too: then no validation pass runs, the records' ``val_loss`` and
    ``val_acc`` are NaN, the best epoch is the last one, and ``patience`` must be 0.

    Inputs (``data.*.X``): uint8 pixels, scaled by ``1 / 255`` batch by batch, or finite float
    features, used as given; labels (``data.*.y``): integers in ``[0, C)``. Every argument is
    checked before training (:mod:`scratchnn.validation`): a bad one raises a
    :class:`~scratchnn.errors.DataError` or :class:`~scratchnn.errors.ConfigError` (both
    ``ValueError``) naming it.

    ``path`` picks the step implementation: ``"auto"`` (the default) takes the fused step of
    :mod:`scratchnn.kernels` where :meth:`FusedTwoLayerSGD.why_not
    <scratchnn.kernels.FusedTwoLayerSGD.why_not>` finds nothing against it (the reference setup:
    :class:`~scratchnn.models.TwoLayerNet` with a sigmoid and no dropout, plain
    :class:`~scratchnn.optim.SGD`, constant learning rate, uint8 images), else the reference step;
    ``"reference"`` always runs the reference step (``loss_grad`` then ``optimizer.step``);
    ``"fused"`` insists on the fused step and raises a :class:`~scratchnn.errors.ConfigError`
    naming the reason where it does not apply. Both give the same metrics up to float rounding;
    ``FitResult.path`` records the one taken. Either way the model's ``params`` are the same array
    objects after ``fit``, holding the last epoch's parameters (the best epoch's are in
    ``FitResult.best_params``).

    ``stop_on_interrupt``: Ctrl-C (``KeyboardInterrupt``) ends training like early stopping, with
    ``status`` ``"interrupted"`` and the finished epochs kept, so that ``scratchnn train`` can
    save what it has; by default it propagates (a sweep must stop, not skip to its next run).
    """
    n_features, n_classes = model_shape(model)
    check.conforming(optimizer, Optimizer, "optimizer", "a scratchnn optimizer (SGD, Adam, ...)")
    epochs = check.integer(epochs, "epochs", low=1)
    batch_size = check.integer(batch_size, "batch_size", low=1)
    seed = check.integer(seed, "seed", low=0)
    patience = check.integer(patience, "patience", low=0)
    if schedule is not None:
        check.instance(schedule, "schedule", Schedule, "a scratchnn.Schedule or None")
    check.splits(data, "data", n_features=n_features, n_classes=n_classes)
    if data.val is None and patience:
        raise ConfigError("early stopping (patience > 0) needs a validation split (data.val)")
    rng = np.random.default_rng(seed)
    schedule = schedule or Schedule()
    train = data.train
    slices = batch_slices(len(train), batch_size)
    base_lr = optimizer.learning_rate
    stepper = make_step(path, model, optimizer, train, batch_size, schedule, epochs)
    result = FitResult(path=stepper.path)
    best_acc = -1.0
    t_start = time.perf_counter()
    try:
        for epoch in range(1, epochs + 1):
            t0 = time.perf_counter()
            order = rng.permutation(len(train))
            stepper.start_epoch(order, slices)
            loss_sum, correct = 0.0, 0
            bar = progress_bar(
                slices,
                desc=f"epoch {epoch}/{epochs}",
                disable=not progress,
                leave=False,
                unit="batch",
                mininterval=0.5,
            )
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for b, s in enumerate(bar, start=1):
                    loss, right = stepper.step(b - 1)
                    if not np.isfinite(loss):
                        result.status = "diverged"
                        result.message = (
                            f"loss became {loss} at epoch {epoch}, batch {b} of {len(slices)}: "
                            "the learning rate is probably too large"
                        )
                        break
                    loss_sum += loss
                    correct += right
                    if progress and b % 50 == 0:
                        bar.set_postfix(
                            loss=f"{loss_sum / b:.4f}", acc=f"{correct / s.stop:.4f}", refresh=False
                        )
                bar.close()
                stepper.end_epoch()
                if result.status == "diverged":
                    break
                t_train = time.perf_counter() - t0
                if data.val is not None:
                    val_loss, val_acc = evaluate_checked(model, data.val, batch_size)
                else:  # no validation split: nothing to select on, the last epoch is the best
                    val_loss = val_acc = float("nan")
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
            if data.val is not None and not np.isfinite(val_loss):
                result.status = "diverged"
                result.message = f"validation loss became {val_loss} after epoch {epoch}"
                break
            if data.val is None or val_acc > best_acc:
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
    except (KeyboardInterrupt, SystemError) as exc:
        # Ctrl-C inside a compiled kernel surfaces as a SystemError whose context is the
        # KeyboardInterrupt
        if not (caused_by_interrupt(exc) and stop_on_interrupt):
            raise
        result.status = "interrupted"
        result.message = (
            f"interrupted by the user during epoch {len(result.history) + 1} of {epochs}"
        )
    optimizer.learning_rate = base_lr
    if result.best_params is not None and data.test is not None:
        final = model.params
        model.params = result.best_params
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result.test_loss, result.test_acc = evaluate_checked(model, data.test, batch_size)
        model.params = final
    result.seconds = time.perf_counter() - t_start
    return result
