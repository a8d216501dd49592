"""MNIST-256, the WANN paper's MNIST: images resized to 16x16 and deskewed (NumPy, no OpenCV).

Pipeline of the reference, per image: pixels / 255; bilinear resize 28x28 -> 16x16 (pixel centres
aligned: source coordinate ``(d + 0.5) * 28 / 16 - 0.5``, clamped at the border); deskew with image
moments; flatten to 256. :class:`Mnist256Task`, at the end, is the WANN task
(``--task mnist256``) on those images.

Deskew: with ``x`` the column and ``y`` the row, ``mu11 = sum (x - xbar)(y - ybar) I`` and
``mu02 = sum (y - ybar)^2 I``; ``skew = mu11 / mu02`` (images with ``|mu02| < 0.01`` are left as
they are). The output pixel ``(y, x)`` takes the input at ``(y, x + skew * (y - H / 2))``, linearly
interpolated along the row, 0 outside the image: a shear that makes the ink's principal axis
vertical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from ...data.mnist import load_mnist
from ...validation import integer, real
from ..checks import check_optional_path
from ..networks.activations import NO_STEP
from ..networks.packed import Packed, forward_batch, shared_weight_cross_entropy
from .base import INVALID_SCORE, refuse_options

SIZE = 16


def _linear_taps(n_src: int, n_dst: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower/upper source index and upper weight of each destination pixel (centres aligned)."""
    src = (np.arange(n_dst) + 0.5) * (n_src / n_dst) - 0.5
    src = np.clip(src, 0, n_src - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n_src - 1)
    return lo, hi, src - lo


def resize(images: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Bilinear resize of (N, H, W) images to (N, size, size)."""
    images = np.asarray(images, dtype=np.float64)
    lo, hi, f = _linear_taps(images.shape[1], size)
    rows = images[:, lo, :] * (1 - f)[None, :, None] + images[:, hi, :] * f[None, :, None]
    lo, hi, f = _linear_taps(images.shape[2], size)
    return rows[:, :, lo] * (1 - f) + rows[:, :, hi] * f


def skew(images: np.ndarray) -> np.ndarray:
    """``mu11 / mu02`` of each (N, H, W) image; NaN where ``|mu02| < 0.01``."""
    H, W = images.shape[1:]
    y = np.arange(H, dtype=np.float64)[None, :, None]
    x = np.arange(W, dtype=np.float64)[None, None, :]
    m00 = images.sum(axis=(1, 2))
    safe = np.where(m00 > 0, m00, 1.0)
    xbar = (images * x).sum(axis=(1, 2)) / safe
    ybar = (images * y).sum(axis=(1, 2)) / safe
    dx = x - xbar[:, None, None]
    dy = y - ybar[:, None, None]
    mu11 = (images * dx * dy).sum(axis=(1, 2))
    mu02 = (images * dy * dy).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(mu02) < 1e-2, np.nan, mu11 / mu02)


def deskew(images: np.ndarray) -> np.ndarray:
    """Shear each (N, H, W) image so that its ``mu11`` becomes ~0 (see the module docstring)."""
    images = np.asarray(images, dtype=np.float64)
    N, H, W = images.shape
    k = np.nan_to_num(skew(images), nan=0.0)
    sx = np.arange(W)[None, None, :] + k[:, None, None] * (np.arange(H)[None, :, None] - H / 2)
    x0 = np.floor(sx).astype(int)
    f = sx - x0
    padded = np.pad(images, ((0, 0), (0, 0), (1, 1)))  # zero border: index -1 and W map to 0
    n_idx = np.arange(N)[:, None, None]
    r_idx = np.arange(H)[None, :, None]

    def tap(ix: np.ndarray) -> np.ndarray:
        inside = (ix >= -1) & (ix <= W)
        return np.where(inside, padded[n_idx, r_idx, np.clip(ix, -1, W) + 1], 0.0)

    return tap(x0) * (1 - f) + tap(x0 + 1) * f


def preprocess(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 -> (N, 256) float64: /255, resize to 16x16, deskew, flatten."""
    out = np.empty((len(images), SIZE * SIZE))
    for start in range(0, len(images), 10_000):  # bounded memory
        chunk = deskew(resize(np.asarray(images[start : start + 10_000]) / 255.0))
        out[start : start + len(chunk)] = chunk.reshape(len(chunk), -1)
    return out


@dataclass(frozen=True)
class Mnist256:
    X_train: np.ndarray  # (60000, 256)
    y_train: np.ndarray
    X_test: np.ndarray  # (10000, 256)
    y_test: np.ndarray


def load_mnist256(data_dir: Path | str | None = None) -> Mnist256:
    """All 60,000 training and 10,000 test images, preprocessed (fetched first if needed)."""
    data = load_mnist(data_dir)
    return Mnist256(
        preprocess(data.train_images),
        data.train_labels.astype(np.int64),
        preprocess(data.test_images),
        data.test_labels.astype(np.int64),
    )


@dataclass(frozen=True)
class Mnist256Task:
    """MNIST-256 (the preprocessing above): ten linear outputs, softmax.

    Score = minus the mean cross-entropy on a batch of ``batch`` training images, a fresh random
    batch per rollout, the same for every network and weight. ``accuracy`` uses the test set.
    """

    name: str = "mnist256"
    n_in: int = 256
    n_out: int = 10
    p_init: float = 0.05
    activations: tuple[int, ...] = NO_STEP
    input_names: tuple[str, ...] = tuple(f"p{r},{c}" for r in range(16) for c in range(16))
    output_names: tuple[str, ...] = tuple(str(d) for d in range(10))
    batch: int = 1000
    data_dir: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        """Checks: ``batch`` in [1, 60,000] (the training images), ``p_init`` in (0, 1],
        ``data_dir`` a path or None."""
        integer(self.batch, "batch", low=1, high=60_000)
        real(self.p_init, "p_init", low=0.0, high=1.0, low_open=True)
        check_optional_path("data_dir", self.data_dir)

    def with_options(self, **options: object) -> Mnist256Task:
        """This task; a search config's task keys are for other tasks (a ConfigError)."""
        refuse_options(self.name, options)
        return self

    @cached_property
    def data(self):
        return load_mnist256(self.data_dir)

    def logits(
        self, packed: Packed, instances: tuple[np.ndarray, ...], X: np.ndarray, chunk: int = 256
    ) -> np.ndarray:
        """(n_instances, B, 10) outputs, computed ``chunk`` instances at a time."""
        inst_net, inst_wstart, wflat = instances
        parts = []
        for a in range(0, len(inst_net), chunk):
            b = min(a + chunk, len(inst_net))
            lo, hi = inst_wstart[a], inst_wstart[b]
            parts.append(
                forward_batch(packed, inst_net[a:b], inst_wstart[a : b + 1] - lo, wflat[lo:hi], X)
            )
        return np.concatenate(parts)

    def evaluate(
        self,
        packed: Packed,
        weights: np.ndarray,
        rng: np.random.Generator,
        reps: int = 1,
    ) -> np.ndarray:
        """Minus the mean cross-entropy (one compiled pass over networks x weights x images,
        :func:`~scratchnn.wann.networks.packed.shared_weight_cross_entropy`), averaged over ``reps``
        batches."""
        X, y = self.data.X_train, self.data.y_train
        scores = np.zeros((packed.n_nets, len(weights)))
        for _ in range(reps):
            idx = rng.choice(len(X), size=self.batch, replace=False)
            scores -= shared_weight_cross_entropy(packed, weights, X[idx], y[idx]) / reps
        return np.nan_to_num(scores, nan=INVALID_SCORE, neginf=INVALID_SCORE, posinf=INVALID_SCORE)
