"""One training run from a config, and its run directory.

A run directory holds: ``config.yaml`` (the resolved config), ``history.csv`` (epoch, train_loss,
train_acc, val_loss, val_acc, seconds, train_seconds), ``metrics.json``, ``model.npz`` (the
best-validation parameters, plain arrays, no pickle), ``loss.png`` and ``accuracy.png``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .config import RunConfig
from .data import Splits, faithful_split, load_mnist
from .models import Model, SoftmaxRegression, TwoLayerNet
from .optim import SGD, Adam, Optimizer, Schedule
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


def build_model(cfg: RunConfig, input_size: int = 784, num_classes: int = 10) -> Model:
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
    if t.optimizer == "adam":
        return Adam(t.learning_rate, t.reg)
    momentum = t.momentum if t.optimizer in ("momentum", "nesterov") else 0.0
    return SGD(t.learning_rate, t.reg, momentum=momentum, nesterov=t.optimizer == "nesterov")


def build_schedule(cfg: RunConfig) -> Schedule:
    t = cfg.train
    return Schedule(t.schedule, t.warmup_epochs, t.step_size, t.gamma)


def train_from_config(
    cfg: RunConfig,
    data: Splits | None = None,
    progress: bool = False,
    on_epoch: Callable[[EpochRecord], None] | None = None,
) -> FitResult:
    """Build the model and optimizer that ``cfg`` describes and fit them on ``data`` (MNIST)."""
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
    )


def save_params(path: Path | str, params: dict[str, np.ndarray]) -> None:
    np.savez(path, **params)


def load_params(path: Path | str) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def write_run(out: Path | str, cfg: RunConfig, result: FitResult) -> Path:
    """Write the run directory for ``result`` and return its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(cfg.to_yaml())
    with open(out / "history.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HISTORY_FIELDS)
        writer.writeheader()
        writer.writerows(result.history_rows())
    (out / "metrics.json").write_text(json.dumps(result.metrics(), indent=2) + "\n")
    if result.best_params is not None:
        save_params(out / "model.npz", result.best_params)
    if result.history:
        ep = [r.epoch for r in result.history]
        title = f"{cfg.model.type}, lr {cfg.train.learning_rate:g}, reg {cfg.train.reg:g}"
        plot_curves(
            ep,
            [r.train_loss for r in result.history],
            [r.val_loss for r in result.history],
            "loss (cross-entropy)",
            title,
            out / "loss.png",
        )
        plot_curves(
            ep,
            [r.train_acc for r in result.history],
            [r.val_acc for r in result.history],
            "accuracy",
            title,
            out / "accuracy.png",
        )
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
