"""One training run from a config, and its run directory (what ``scratchnn train`` does).

A run directory holds: ``config.yaml`` (the resolved config), ``history.csv`` (epoch, train_loss,
train_acc, val_loss, val_acc, seconds, train_seconds), ``metrics.json`` (the headline numbers
and ``path``, the training step that ran: ``fused`` or ``reference``), ``model.npz`` (the
best-validation parameters, plain arrays, no pickle), ``loss.png`` and ``accuracy.png``.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import RunConfig, load_config
from .data import Splits, faithful_split, load_mnist
from .errors import DataError
from .fileio import atomic_file, atomic_write_text, dumps_json, read_npz
from .models import Model, SoftmaxRegression, TwoLayerNet
from .optim import Optimizer, Schedule, make_optimizer
from .plots import plot_curves
from .training import EpochRecord, FitResult, fit

HISTORY_FIELDS = (
    "epoch",
    "train_loss",
    "train_acc",
    "val_loss",
    "val_acc",
    "seconds",
    "train_seconds",
)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def config_notes(cfg: RunConfig) -> list[str]:
    """What a config says that the run will not do, one line each (e.g. the assignment's
    ``momentum: 0.9``, which its plain SGD never uses)."""
    t = cfg.train
    notes = []
    if t.optimizer == "sgd" and t.momentum:
        notes.append(
            f"note: Train.momentum = {t.momentum:g} is not used: Train.optimizer sgd is the "
            "assignment's plain SGD (set Train.optimizer to momentum or nesterov to use it)"
        )
    return notes


_NOTED: set[str] = set()  # notes already shown by this process


def note_once(cfg: RunConfig, log: Callable[[str], None] = _stderr) -> None:
    """Show each of :func:`config_notes` once per process (a sweep does not repeat them)."""
    for note in config_notes(cfg):
        if note not in _NOTED:
            _NOTED.add(note)
            log(note)


NUM_CLASSES = 10  # the digits: every model a run config builds has ten outputs


def build_model(cfg: RunConfig, input_size: int = 784, num_classes: int = NUM_CLASSES) -> Model:
    dtype = np.dtype(cfg.train.dtype)
    m = cfg.model
    if m.type == "SoftmaxRegression":
        return SoftmaxRegression(input_size, num_classes, dtype=dtype, activation=m.activation)
    return TwoLayerNet(
        input_size,
        m.hidden_size,
        num_classes,
        dtype=dtype,
        activation=m.activation,
        init=m.init,
        dropout=m.dropout,
    )


def build_optimizer(cfg: RunConfig) -> Optimizer:
    t = cfg.train
    return make_optimizer(t.optimizer, t.learning_rate, t.reg, t.momentum)


def build_schedule(cfg: RunConfig) -> Schedule:
    t = cfg.train
    return Schedule(t.schedule, t.warmup_epochs, t.step_size, t.gamma)


def train_from_config(
    cfg: RunConfig,
    data: Splits | None = None,
    progress: bool = False,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    log: Callable[[str], None] = _stderr,
    stop_on_interrupt: bool = False,
) -> FitResult:
    """Build the model and optimizer that ``cfg`` describes and fit them on ``data`` (MNIST).

    Notes about the config (:func:`config_notes`) go to ``log`` (stderr), once per process.
    ``stop_on_interrupt``: see :func:`~scratchnn.training.fit`.
    """
    note_once(cfg, log)
    if data is None:
        data = faithful_split(load_mnist())
    model = build_model(cfg, data.train.X.shape[1])
    return fit(
        model,
        data,
        build_optimizer(cfg),
        epochs=cfg.train.epochs,
        batch_size=cfg.train.batch_size,
        seed=cfg.train.seed,
        progress=progress,
        on_epoch=on_epoch,
        schedule=build_schedule(cfg),
        patience=cfg.train.early_stopping,
        stop_on_interrupt=stop_on_interrupt,
    )


def save_params(path: Path | str, params: dict[str, np.ndarray]) -> None:
    """Write ``params`` as a plain ``.npz`` (no pickle), atomically."""
    with atomic_file(path, fsync=False) as fh:
        np.savez(fh, **params)


def load_params(path: Path | str) -> dict[str, np.ndarray]:
    """The arrays :func:`save_params` wrote; a damaged file is a ``DataError`` naming it."""
    try:
        return read_npz(path)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from exc


def write_run(out: Path | str, cfg: RunConfig, result: FitResult) -> Path:
    """Write the run directory for ``result`` and return its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "config.yaml", cfg.to_yaml(), fsync=False)
    history = io.StringIO(newline="")
    writer = csv.DictWriter(history, fieldnames=HISTORY_FIELDS)
    writer.writeheader()
    writer.writerows(result.history_rows())
    atomic_write_text(out / "history.csv", history.getvalue(), fsync=False)
    atomic_write_text(out / "metrics.json", dumps_json(result.metrics(), indent=2), fsync=False)
    if result.best_params is not None:
        save_params(out / "model.npz", result.best_params)
    if result.history:
        ep = [r.epoch for r in result.history]
        title = f"{cfg.model.type}, lr {cfg.train.learning_rate:g}, reg {cfg.train.reg:g}"
        for what, label, file in (
            ("loss", "loss (cross-entropy)", "loss.png"),
            ("acc", "accuracy", "accuracy.png"),
        ):
            train = [getattr(r, f"train_{what}") for r in result.history]
            val = [getattr(r, f"val_{what}") for r in result.history]
            plot_curves(ep, train, val, label, title, out / file)
    return out


def summary_line(result: FitResult) -> str:
    """One line with the headline numbers of a run."""
    m = result.metrics()

    def f(key: str) -> str:
        return "n/a" if m[key] is None else f"{m[key]:.4f}"

    return (
        f"status={m['status']} train_acc={f('train_acc')} val_acc_last={f('val_acc_last')} "
        f"val_acc_best={f('val_acc_best')} best_epoch={m['best_epoch']} "
        f"test_acc={f('test_acc')} seconds={m['seconds']:.1f}"
    )


def epoch_line(r: EpochRecord) -> str:
    """One line per epoch, as ``Train.debug: true`` prints it."""
    return (
        f"epoch {r.epoch:3d}: train loss {r.train_loss:.4f} acc {r.train_acc:.4f} | "
        f"val loss {r.val_loss:.4f} acc {r.val_acc:.4f} | {r.seconds:.1f}s"
    )


@dataclass
class TrainingRun:
    """A finished ``scratchnn train``: where it was written, its resolved config, its result."""

    out: Path
    config: RunConfig
    result: FitResult


def run_training(
    config: Path | str,
    overrides: Iterable[str] = (),
    *,
    seed: int | None = None,
    out: Path | str | None = None,
    data_dir: Path | str | None = None,
    progress: bool = False,
    log: Callable[[str], None] = _stderr,
    on_epoch: Callable[[EpochRecord], None] | None = None,
) -> TrainingRun:
    """Train one model on MNIST from a YAML config and write its run directory.

    The config is read, overridden (``key=value`` items) and validated before any work;
    ``seed`` replaces ``Train.seed``; ``out`` defaults to ``runs/<config name>-<time>``. With
    ``Train.debug``, one line per epoch goes to ``log``. Ctrl-C during training stops it and
    writes the run so far, ``status`` ``"interrupted"`` (the caller reports it). ``on_epoch``
    is called after each epoch too (e.g. experiment tracking).
    """
    cfg = load_config(config, overrides, seed=seed)
    run_dir = (
        Path(out) if out else Path("runs") / f"{Path(config).stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    )
    data = faithful_split(load_mnist(data_dir, log=log))

    def each_epoch(r: EpochRecord) -> None:
        if cfg.train.debug:
            log(epoch_line(r))
        if on_epoch is not None:
            on_epoch(r)

    result = train_from_config(
        cfg, data, progress=progress, on_epoch=each_epoch, log=log, stop_on_interrupt=True
    )
    write_run(run_dir, cfg, result)
    return TrainingRun(run_dir, cfg, result)
