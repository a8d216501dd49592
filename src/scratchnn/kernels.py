"""A fused minibatch-SGD step for :class:`~scratchnn.models.TwoLayerNet`: same math, fewer passes.

The reference step (``loss_grad`` + :class:`~scratchnn.optim.SGD`) makes about thirty NumPy calls
per batch, forms every gradient as a temporary, and then makes several more passes over ``W1``
(784 x 128) to add ``reg * W`` and subtract ``lr * grad``. At batch 32 the two big GEMMs take
~165 us per step and everything else about as much again. Here:

* the two big products stay in BLAS: ``Z1 = X W1`` (NumPy ``matmul``) and the update of ``W1``,
  which *is* the gradient GEMM: BLAS ``gemm`` computes ``C <- alpha A B + beta C``, so with
  ``alpha = -lr``, ``beta = 1`` it adds ``-lr X^T d1`` to ``W1`` in place without forming the
  gradient. ``W1`` stays C-ordered (the forward GEMM is fastest so); BLAS writes it through its
  transpose, a Fortran-ordered view of the same memory: ``W1^T <- W1^T - lr d1^T X``;
* L2 is one scaling of ``W1`` by ``(1 - lr reg)`` before that GEMM, since
  ``W - lr (g + reg W) = (1 - lr reg) W - lr g`` (OpenBLAS applies ``beta != 1`` in a slower
  separate pass, so the scaling is NumPy's);
* everything else (gathering and scaling the uint8 batch by 1/255, bias + sigmoid, the 128 -> 10
  layer, softmax, loss, the running-accuracy count, ``d2``, ``d1``, the ``W2``/``b2``/``b1``
  updates) is fused into two compiled loops (Numba), with buffers allocated once.

Gradients are taken at the pre-update weights, as in the reference; results agree with the
reference step up to float rounding (tests check gradients, updates and whole epochs).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy.linalg import blas

from .models import TwoLayerNet


@numba.njit(cache=True, nogil=True)
def gather_scale(X: np.ndarray, idx: np.ndarray, out: np.ndarray, c255: float) -> None:
    """``out[i] = X[idx[i]] / 255`` for uint8 rows ``X``; ``out`` (n, D) float."""
    for i in range(idx.shape[0]):
        r = idx[i]
        for j in range(X.shape[1]):
            out[i, j] = X[r, j] / c255


def bias_sigmoid(z: np.ndarray, b: np.ndarray) -> None:
    """In place: ``z <- 1 / (1 + exp(-(z + b)))``; ``z`` (n, H), ``b`` (H,).

    NumPy's SIMD ``exp`` makes five passes over this small array cheaper than one compiled loop
    calling the scalar ``exp``.
    """
    z += b
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)


# reassociation and contraction let LLVM vectorise the reductions; NaN and inf semantics are kept
# (no "nnan"/"ninf"), so a diverging run still shows up as a non-finite loss
FAST = {"reassoc", "contract", "arcp", "nsz"}


@numba.njit(cache=True, nogil=True, fastmath=FAST)
def output_layer_step(
    a1: np.ndarray,
    y: np.ndarray,
    W2T: np.ndarray,
    b2: np.ndarray,
    b1: np.ndarray,
    lr: float,
    decay: float,
    z: np.ndarray,
    d1: np.ndarray,
    g1: np.ndarray,
) -> tuple[float, int]:
    """The H -> C layer, forward and backward, and the small updates, in one compiled pass.

    ``W2T`` is ``W2`` transposed, (C, H), so that every inner loop runs over H contiguously.
    With ``a1`` (n, H) the hidden activations: ``z2 = a1 W2 + b2``; ``p = softmax(z2)``;
    ``loss = mean_i (log sum_c exp(z2_ic - m_i) - (z2_iy - m_i))`` with ``m_i = max_c z2_ic``;
    ``d2 = (p - Y) / n``; ``d1 = (d2 W2^T) * a1 (1 - a1)`` (from the pre-update ``W2``); then
    ``W2 <- decay W2 - lr a1^T d2``, ``b2 <- b2 - lr sum_i d2``, ``b1 <- b1 - lr sum_i d1``.
    Returns (batch mean cross-entropy, number of correct argmax predictions before the update).
    ``z`` (n, C) and ``g1`` (H,) are scratch space; ``d1`` (n, H) receives ``d1``.
    """
    n, H = a1.shape
    C = W2T.shape[0]
    one = a1.dtype.type(1)
    fn = a1.dtype.type(n)
    loss = 0.0
    correct = 0
    for i in range(n):  # forward, softmax, loss, accuracy, d2 (into z)
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
        z[i, yi] -= one / fn
    g1[:] = 0
    for i in range(n):  # d1 = (d2 W2^T) * a1 (1 - a1), and its column sums
        for h in range(H):
            d1[i, h] = 0
        for c in range(C):
            g = z[i, c]
            for h in range(H):
                d1[i, h] += g * W2T[c, h]
        for h in range(H):
            a = a1[i, h]
            d1[i, h] *= a * (one - a)
            g1[h] += d1[i, h]
    for c in range(C):  # W2 <- decay W2 - lr a1^T d2;  b2 <- b2 - lr sum_i d2
        acc = z.dtype.type(0)
        for h in range(H):
            W2T[c, h] *= decay
        for i in range(n):
            g = lr * z[i, c]
            acc += z[i, c]
            for h in range(H):
                W2T[c, h] -= g * a1[i, h]
        b2[c] -= lr * acc
    for h in range(H):  # b1 <- b1 - lr sum_i d1
        b1[h] -= lr * g1[h]
    return loss / n, correct


class FusedTwoLayerSGD:
    """Buffers and the fused SGD step for one model, batch size, learning rate and reg."""

    def __init__(
        self, model: TwoLayerNet, batch_size: int, learning_rate: float, reg: float
    ) -> None:
        P = model.params
        if not P["W1"].flags.c_contiguous:
            P["W1"] = np.ascontiguousarray(P["W1"])
        if not P["W2"].flags.f_contiguous:  # so that W2.T is C-contiguous for the loops
            P["W2"] = np.asfortranarray(P["W2"])
        self.model = model
        dt = model.dtype
        D, H = P["W1"].shape
        C = P["W2"].shape[1]
        self.gemm = blas.sgemm if dt == np.float32 else blas.dgemm
        self.lr = float(learning_rate)
        with np.errstate(over="ignore"):  # a huge lr may overflow float32: the run then diverges
            self.lr_t = dt.type(learning_rate)
            self.decay = dt.type(1.0 - learning_rate * reg)
        self.x = np.empty((batch_size, D), dt)
        self.a1 = np.empty((batch_size, H), dt)
        self.d1 = np.empty((batch_size, H), dt)
        self.z = np.empty((batch_size, C), dt)
        self.g1 = np.empty(H, dt)
        self.c255 = dt.type(255)

    def step(self, X_u8: np.ndarray, y_all: np.ndarray, idx: np.ndarray) -> tuple[float, int]:
        """One SGD step on rows ``idx`` of uint8 ``X_u8``; returns (batch mean CE, n correct)."""
        P = self.model.params
        W1 = P["W1"]
        n = len(idx)
        x, a1, d1 = self.x[:n], self.a1[:n], self.d1[:n]
        gather_scale(X_u8, idx, x, self.c255)
        np.matmul(x, W1, out=a1)
        bias_sigmoid(a1, P["b1"])
        loss, correct = output_layer_step(
            a1,
            y_all[idx],
            P["W2"].T,
            P["b2"],
            P["b1"],
            self.lr_t,
            self.decay,
            self.z[:n],
            d1,
            self.g1,
        )
        if self.decay != 1:
            W1 *= self.decay
        self.gemm(-self.lr, d1.T, x.T, beta=1.0, c=W1.T, trans_b=1, overwrite_c=1)
        return loss, correct
