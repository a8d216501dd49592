"""Learning-curve figures (matplotlib, headless)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def plot_curves(
    epochs: Sequence[int],
    train: Sequence[float],
    val: Sequence[float],
    ylabel: str,
    title: str,
    path: Path | str,
) -> None:
    """One figure: training and validation ``ylabel`` against epochs, saved as PNG."""
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.plot(epochs, train, marker="o", label="training")
    ax.plot(epochs, val, marker="s", label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
