"""MNIST as the assignment uses it: the data set, the faithful split, and pixel scaling.

This module is the one home of the assignment's data semantics:

* :func:`load_mnist` returns the genuine data set as uint8 (images ``(N, 28, 28)``,
  labels ``(N,)``),
  in the original order (the training set starts with labels 5, 0, 4, 1, 9).
* :func:`faithful_split`: the **first 80%** of the training set (48,000 images) trains, the **last
  20%** (12,000) validates, no shuffle before the split; test is the 10,000 test images. Images
  are flattened to ``(N, 784)`` and stay uint8 (4x less memory than float32), to be scaled batch by
  batch.
* :func:`scale_pixels`: ``x / 255`` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .formats import N_PIXELS, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, parse_idx
from .sources import Log, fetch_mnist, from_cache, mnist_dir

TRAIN_FRACTION = 0.8


@dataclass(frozen=True)
class MNIST:
    """The genuine data set, uint8, original order."""

    train_images: np.ndarray  # (60000, 28, 28) uint8
    train_labels: np.ndarray  # (60000,) uint8
    test_images: np.ndarray  # (10000, 28, 28) uint8
    test_labels: np.ndarray  # (10000,) uint8


@dataclass(frozen=True)
class Split:
    """One split: flattened uint8 images ``X`` (N, 784) and labels ``y`` (N,)."""

    X: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Splits:
    train: Split
    val: Split
    test: Split | None  # None: the test set is not touched (tuning)


def load_mnist(
    data_dir: Path | str | None = None, fetch: bool = True, log: Log | None = None
) -> MNIST:
    """Load the verified MNIST from the cache, fetching it first if needed (and allowed)."""
    cache = mnist_dir(data_dir)
    try:
        files = from_cache(cache)
    except Exception:
        if not fetch:
            raise
        fetch_mnist(data_dir, log=log)
        files = from_cache(cache)
    arrays = {name: parse_idx(blob, name) for name, blob in files.items()}
    return MNIST(
        train_images=arrays[TRAIN_IMAGES.name],
        train_labels=arrays[TRAIN_LABELS.name],
        test_images=arrays[TEST_IMAGES.name],
        test_labels=arrays[TEST_LABELS.name],
    )


def faithful_split(data: MNIST, train_fraction: float = TRAIN_FRACTION) -> Splits:
    """The assignment's split: first ``train_fraction`` of training trains, the rest validates."""
    X = data.train_images.reshape(len(data.train_images), N_PIXELS)
    n_train = round(len(X) * train_fraction)
    return Splits(
        train=Split(X[:n_train], data.train_labels[:n_train]),
        val=Split(X[n_train:], data.train_labels[n_train:]),
        test=Split(data.test_images.reshape(len(data.test_images), N_PIXELS), data.test_labels),
    )


def scale_pixels(X: np.ndarray, dtype: np.dtype | type = np.float64) -> np.ndarray:
    """Faithful scaling: ``X / 255`` in ``dtype`` (uint8 0..255 -> [0, 1])."""
    dtype = np.dtype(dtype)
    return X.astype(dtype) / dtype.type(255)
