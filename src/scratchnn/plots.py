"""Learning-curve figures (matplotlib), drawn and saved without pyplot.

matplotlib is imported on first use, not with the package: a training run then reaches its peak
memory without it (~35 MB), and only loads it to draw its figures at the end. The figures here are
plain :class:`matplotlib.figure.Figure` objects saved with ``savefig`` (the Agg renderer for PNG):
they never touch pyplot's state or switch the backend, so calling these from a notebook leaves its
backend as it was. (The ``scratchnn`` command selects Agg through ``MPLBACKEND`` for code that
does use pyplot, e.g. Optuna's plots.)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .fileio import save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figure(**kwargs: Any) -> Figure:
    """A new :class:`~matplotlib.figure.Figure` outside pyplot (nothing to close afterwards)."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def pyplot() -> ModuleType:
    """``matplotlib.pyplot`` on whatever backend the caller has (the CLI's is Agg).

    For code that needs pyplot itself (Optuna's plot functions); scratchnn's own figures use
    :func:`figure`.
    """
    import matplotlib.pyplot as plt

    return plt


def plot_curves(
    epochs: Sequence[int],
    train: Sequence[float],
    val: Sequence[float],
    ylabel: str,
    title: str,
    path: Path | str,
) -> None:
    """One figure: training and validation ``ylabel`` against epochs, saved as PNG."""
    fig = figure(figsize=(6, 4), dpi=100)
    ax = fig.subplots()
    ax.plot(epochs, train, marker="o", label="training")
    ax.plot(epochs, val, marker="s", label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    save_figure(fig, path)


def _band(ax, arr, label: str, color: str | None = None, style: str = "-") -> None:
    """Mean over rows of ``arr`` (seeds, epochs) with a min..max band."""
    import numpy as np

    epochs = np.arange(1, arr.shape[1] + 1)
    with warnings.catch_warnings():  # an epoch that no seed reached (all diverged)
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, low, high = (f(arr, axis=0) for f in (np.nanmean, np.nanmin, np.nanmax))
    (line,) = ax.plot(epochs, mean, style, color=color, label=label)
    if arr.shape[0] > 1:
        ax.fill_between(
            epochs,
            low,
            high,
            color=line.get_color(),
            alpha=0.2,
            linewidth=0,
        )


def plot_seed_curves(curves: dict[str, object], title: str, path: Path | str) -> None:
    """Loss and accuracy panels, training and validation, mean over seeds with a min..max band.

    ``curves`` maps ``train_loss``, ``val_loss``, ``train_acc``, ``val_acc`` to (seeds, epochs)
    arrays.
    """
    fig = figure(figsize=(10, 3.8), dpi=100)
    a1, a2 = fig.subplots(1, 2)
    _band(a1, curves["train_loss"], "training", "C0")
    _band(a1, curves["val_loss"], "validation", "C1", "--")
    _band(a2, curves["train_acc"], "training", "C0")
    _band(a2, curves["val_acc"], "validation", "C1", "--")
    a1.set_ylabel("loss (cross-entropy)")
    a2.set_ylabel("accuracy")
    for ax in (a1, a2):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)


def plot_overview(series: dict[str, dict[str, object]], title: str, path: Path | str) -> None:
    """One figure per sweep: training loss and validation accuracy of every setting.

    ``series`` maps a setting's label to its curves (as in :func:`plot_seed_curves`).
    """
    fig = figure(figsize=(10, 3.8), dpi=100)
    a1, a2 = fig.subplots(1, 2)
    for i, (label, curves) in enumerate(series.items()):
        _band(a1, curves["train_loss"], label, f"C{i}")
        _band(a2, curves["val_acc"], label, f"C{i}")
    a1.set_ylabel("training loss")
    a2.set_ylabel("validation accuracy")
    for ax in (a1, a2):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)
