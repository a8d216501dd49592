"""The compiled (Numba) loops of the fused SGD step in :mod:`scratchnn.kernels`.

Kept apart so that importing :mod:`scratchnn.kernels` (and deciding whether the fused path
applies) does not load Numba; :class:`~scratchnn.kernels.FusedTwoLayerSGD` imports this module
when it is constructed.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# reassociation and contraction let LLVM vectorise the reductions; NaN and inf semantics are kept
# (no "nnan"/"ninf"), so a diverging run still shows up as a non-finite loss
FAST = {"reassoc", "contract", "arcp", "nsz"}


@numba.njit(cache=True, nogil=True)
def pixel_order(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order pixels by how often they are nonzero; return ``(perm, prefix)``.

    ``perm`` (D,): pixel indices, most often nonzero first. ``prefix`` (N,): for each row, one
    past the last position (in ``perm`` order) holding a nonzero, so ``X[r, perm[prefix[r]:]]``
    is all zero. One pass over ``X`` each, no temporaries.
    """
    N, D = X.shape
    counts = np.zeros(D, np.int64)
    for r in range(N):
        for j in range(D):
            if X[r, j] != 0:
                counts[j] += 1
    perm = np.argsort(-counts, kind="mergesort")  # stable
    rank = np.empty(D, np.int64)
    for k in range(D):
        rank[perm[k]] = k
    prefix = np.zeros(N, np.int64)
    for r in range(N):
        last = 0
        for j in range(D):
            if X[r, j] != 0 and rank[j] + 1 > last:
                last = rank[j] + 1
        prefix[r] = last
    return perm, prefix


@numba.njit(cache=True, nogil=True)
def gather(X: np.ndarray, rows: np.ndarray, cols: np.ndarray, out: np.ndarray) -> None:
    """``out[i, k] = X[rows[i], cols[k]]``."""
    for i in range(rows.shape[0]):
        r = rows[i]
        for k in range(cols.shape[0]):
            out[i, k] = X[r, cols[k]]


@numba.njit(cache=True, nogil=True, fastmath=FAST)
def output_forward(
    a1: np.ndarray, y: np.ndarray, W2T: np.ndarray, b2: np.ndarray, z: np.ndarray
) -> tuple[float, int]:
    """``z2 = a1 W2 + b2``, ``p = softmax(z2)``, and ``d2 = (p - Y) / n`` written into ``z``.

    ``W2T`` is ``W2`` transposed, (C, H). Returns (sum over the batch of
    ``log sum_c exp(z2_ic - m_i) - (z2_iy - m_i)`` with ``m_i = max_c z2_ic``, i.e. ``n`` times
    the batch mean cross-entropy; the number of rows whose ``argmax`` is the label).
    """
    n, H = a1.shape
    C = W2T.shape[0]
    fn = a1.dtype.type(n)
    loss = 0.0
    correct = 0
    for i in range(n):
        for c in range(C):
            acc = b2[c]
            for h in range(H):
                acc += a1[i, h] * W2T[c, h]
            z[i, c] = acc
        m = z[i, 0]
        best = 0
        for c in range(1, C):
            if z[i, c] > m:
                m = z[i, c]
                best = c
        yi = y[i]
        shifted_y = z[i, yi] - m
        s = z.dtype.type(0)
        for c in range(C):
            z[i, c] = np.exp(z[i, c] - m)
            s += z[i, c]
        loss += math.log(s) - shifted_y
        if best == yi:
            correct += 1
        for c in range(C):
            z[i, c] = z[i, c] / s / fn
        z[i, yi] -= 1 / fn
    return loss, correct


@numba.njit(cache=True, nogil=True, fastmath=FAST)
def hidden_backward(
    d1: np.ndarray,
    a1: np.ndarray,
    d2: np.ndarray,
    W2T: np.ndarray,
    b1: np.ndarray,
    b2: np.ndarray,
    lr: float,
    decay: float,
) -> None:
    """``d1 *= a1 (1 - a1)`` (``d1`` holds ``d2 W2^T``); ``b1 -= lr sum_i d1``;
    ``b2 -= lr sum_i d2``; ``W2 *= decay`` (its gradient step follows in BLAS)."""
    n, H = a1.shape
    C = d2.shape[1]
    one = a1.dtype.type(1)
    for h in range(H):
        acc = a1.dtype.type(0)
        for i in range(n):
            a = a1[i, h]
            d1[i, h] *= a * (one - a)
            acc += d1[i, h]
        b1[h] -= lr * acc
    for c in range(C):
        acc = a1.dtype.type(0)
        for i in range(n):
            acc += d2[i, c]
        b2[c] -= lr * acc
        for h in range(H):
            W2T[c, h] *= decay
