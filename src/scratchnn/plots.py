"""Learning-curve figures (matplotlib), drawn and saved without pyplot.

matplotlib is imported on first use, not with the package: a training run then reaches its peak
memory without it (~35 MB), and only loads it to draw its figures at the end. The figures here are
plain :class:`matplotlib.figure.Figure` objects saved with ``savefig`` (the Agg renderer for PNG):
they never touch pyplot's state or switch the backend, so calling these from a notebook leaves its
backend as it was. (The ``scratchnn`` command selects Agg through ``MPLBACKEND`` for code that
does use pyplot, e.g. Optuna's plots.)
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Mapping, Sequence
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


def seeds_caption(n: int) -> str:
    """What a curve figure shows: ``"1 seed"`` or ``"3 seeds: mean, min-max band"``."""
    return "1 seed" if n == 1 else f"{n} seeds: mean, min-max band"


def _mark_writeup(ax, marks: Mapping[str, Any] | None, last_epoch: int, small: bool) -> None:
    """Draw the writeup's final-epoch values on an accuracy axis.

    ``marks`` may hold ``train_acc`` and ``val_acc`` (dashed lines, in the colours of our training
    and validation curves), ``test_acc`` (a black star just right of the last epoch), ``ours_test``
    (our best-validation model's test accuracy, an open circle beside it) and ``label`` (how the
    writeup's values are named in the legend, default ``"writeup"``).
    """
    if not marks:
        return
    who = marks.get("label", "writeup")

    def fmt(v: float) -> str:  # small panels share one legend: no per-panel values in it
        return "" if small else f" {v:.4f}"

    for key, color, name in (("train_acc", "C0", "train"), ("val_acc", "C1", "val")):
        if marks.get(key) is not None:
            v = float(marks[key])
            ax.axhline(v, color=color, ls=(0, (4, 3)), lw=1, label=f"{who} {name}{fmt(v)}")
    x = last_epoch + 0.3
    if marks.get("test_acc") is not None:
        v = float(marks["test_acc"])
        ax.plot([x], [v], "k*", ms=9 if not small else 7, label=f"{who} test{fmt(v)}")
    if marks.get("ours_test") is not None:
        v = float(marks["ours_test"])
        ax.plot(
            [x],
            [v],
            "o",
            mfc="none",
            mec="k",
            ms=7 if not small else 6,
            label=f"ours test{fmt(v)}",
        )


def plot_seed_curves(
    curves: dict[str, object],
    title: str,
    path: Path | str,
    marks: Mapping[str, Any] | None = None,
) -> None:
    """Loss and accuracy panels, training and validation, mean over seeds with a min..max band
    (no band for one seed).

    ``curves`` maps ``train_loss``, ``val_loss``, ``train_acc``, ``val_acc`` to (seeds, epochs)
    arrays; ``marks``: the writeup's values drawn on the accuracy panel (see
    :func:`_mark_writeup`).
    """
    from matplotlib.ticker import MaxNLocator

    fig = figure(figsize=(10, 3.8), dpi=100)
    a1, a2 = fig.subplots(1, 2)
    _band(a1, curves["train_loss"], "training", "C0")
    _band(a1, curves["val_loss"], "validation", "C1", "--")
    _band(a2, curves["train_acc"], "training", "C0")
    _band(a2, curves["val_acc"], "validation", "C1", "--")
    _mark_writeup(a2, marks, curves["train_acc"].shape[1], small=False)
    a1.set_ylabel("loss (cross-entropy)")
    a2.set_ylabel("accuracy")
    for ax in (a1, a2):
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)


def plot_small_multiples(
    panels: Mapping[str, dict[str, object]],
    title: str,
    path: Path | str,
    marks: Mapping[str, Mapping[str, Any]] | None = None,
    ncols: int = 5,
) -> None:
    """A compact grid, one small accuracy panel per setting: training and validation accuracy
    (mean over seeds, min..max band) and the writeup's values for that setting.

    ``panels`` maps a setting's label to its curves (as in :func:`plot_seed_curves`); ``marks``
    maps the same labels to the writeup's values (see :func:`_mark_writeup`). Each panel has its
    own y range (a collapsed setting sits near 0.1, the others near 0.9); the x axes are shared.
    """
    from matplotlib.ticker import MaxNLocator

    n = len(panels)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = figure(figsize=(2.6 * ncols + 0.4, 2.3 * nrows + 0.9), dpi=100)
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    for ax, (label, curves) in zip(axes, panels.items(), strict=False):
        _band(ax, curves["train_acc"], "training", "C0")
        _band(ax, curves["val_acc"], "validation", "C1", "--")
        _mark_writeup(ax, (marks or {}).get(label), curves["train_acc"].shape[1], small=True)
        ax.set_title(label, fontsize=10)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    handles: dict[str, Any] = {}  # one legend for the grid, from every panel's entries
    for ax in axes[:n]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(lab, h)
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=len(handles), fontsize=8)
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[-ncols:]:
        ax.set_xlabel("epoch", fontsize=9)
    for ax in axes[::ncols]:
        ax.set_ylabel("accuracy", fontsize=9)
    # a long caption is wrapped to the figure's width (about 9 characters per inch at 11 pt)
    fig.suptitle(textwrap.fill(title, width=int(9 * fig.get_figwidth())), fontsize=11)
    fig.tight_layout(rect=(0, 0.35 / fig.get_figheight(), 1, 1))
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
