"""MNIST as the assignment uses it: the data set, the faithful split, and pixel scaling.

This module is the one home of the assignment's data semantics:

* :func:`load_mnist` returns the genuine data set as uint8 (images ``(N, 28, 28)``,
  labels ``(N,)``),
  in the original order (the training set starts with labels 5, 0, 4, 1, 9).
* :func:`faithful_split`: the **first 80%** of the training set (48,000 images) trains, the **last
  20%** (12,000) validates, no shuffle before the split; test is the 10,000 test images. Images
  are flattened to ``(N, 784)`` and stay uint8 (4x less memory than float32), to be scaled batch by
  batch.
* :func:`scale_pixels`: ``x / 255`` and nothing else; :func:`to_features`, the model input the
  training loop uses: uint8 pixels scaled by ``1 / 255``, float features as given, anything else
  refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..validation import feature_dtype
from .formats import (
    IDX_FILES,
    N_PIXELS,
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    IdxFile,
    parse_idx,
)
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
    """One split: inputs ``X`` (N, D) and labels ``y`` (N,).

    ``X`` is uint8 pixels for MNIST (flattened images, D = 784), scaled by ``1 / 255`` batch by
    batch; float features are used as given (see :func:`to_features`).
    """

    X: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Splits:
    train: Split
    val: Split | None  # None: no validation pass (e.g. a scikit-learn estimator's partial_fit)
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


@dataclass(frozen=True)
class MnistInfo:
    """What ``scratchnn data info`` shows: the cache folder, its four files (MD5s verified when
    loaded), the faithful split and the test set's label counts."""

    path: Path
    files: tuple[IdxFile, ...]
    splits: Splits
    test_label_counts: tuple[int, ...]


def mnist_info(data_dir: Path | str | None = None) -> MnistInfo:
    """Describe the cached MNIST; never fetches (a :class:`DataError` says what is missing)."""
    data = load_mnist(data_dir, fetch=False)
    s = faithful_split(data)
    counts = tuple(int(c) for c in np.bincount(s.test.y, minlength=10))
    return MnistInfo(mnist_dir(data_dir), IDX_FILES, s, counts)


def to_features(X: np.ndarray, dtype: np.dtype | type = np.float64) -> np.ndarray:
    """The model input for ``X`` (N, D), in ``dtype``.

    * uint8 pixels (0..255): ``X / 255``, exactly :func:`scale_pixels` (the assignment's scaling);
    * float features: used as given, cast to ``dtype`` (already scaled, e.g. pixels in [0, 1]);
    * anything else (integers other than uint8, bool, ...): a :class:`DataError`, because whether
      it needs scaling cannot be told from the data (so is anything but an array).
    """
    feature_dtype(X)
    if X.dtype == np.uint8:
        return scale_pixels(X, dtype)
    return X.astype(dtype, copy=False)
