"""A fused minibatch-SGD epoch for :class:`~scratchnn.models.TwoLayerNet`: same math, less work.

The reference step (``loss_grad`` + :class:`~scratchnn.optim.SGD`) makes about thirty NumPy calls
per batch, forms every gradient as a temporary, then makes several more passes over ``W1``
(784 x 128) to add ``reg * W`` and subtract ``lr * grad``. Here, with buffers allocated once:

* **Update inside the gradient GEMM.** BLAS ``gemm`` computes ``C <- alpha A B + beta C``; with
  ``alpha = -lr`` and ``beta = 1`` it adds ``-lr X^T d1`` to ``W1`` in place and the gradient is
  never formed. The weights are C-ordered (the forward GEMM is fastest so) and BLAS writes them
  through their transpose, a Fortran-ordered view of the same memory.
* **L2 as a lazy scale.** ``W - lr (g + reg W) = (1 - lr reg) W - lr g``. Instead of a pass over
  ``W1`` per step, ``W1 = sc * V`` is kept with a scalar ``sc``: each step ``sc *= (1 - lr reg)``
  and ``V <- V - (lr / sc) g``; the forward pass applies ``sc`` inside the sigmoid pass. The true
  ``W1`` is written back at the end of every epoch (:meth:`FusedTwoLayerSGD.end_epoch`).
* **Skip the pixels that are zero in the whole batch.** A zero input contributes exactly nothing
  to ``X W1`` and gets exactly zero gradient in ``X^T d1``. Pixels are reordered once, most often
  nonzero first; then every batch's nonzeros lie within a prefix of ``K`` columns (at batch 32 on
  MNIST, ``K`` is 589 of 784 on average), and both GEMMs run on ``X[:, :K]`` and ``W1[:K]``,
  contiguous blocks, with no gather or scatter.
* **Shuffle once per epoch.** Gathering 32 random rows of the uint8 images costs ~25 us per batch
  in cache misses; copying them in the epoch's order once (37 MB, ~13 ms) makes every batch a
  contiguous slice. Images stay uint8; each batch is converted to float exactly (0..255) and the
  ``1 / 255`` joins the lazy scale.
* **The 128 -> 10 layer in two compiled loops** (Numba: forward, softmax, loss, accuracy count,
  ``d2``; then the sigmoid derivative and the bias updates), with its two small products in BLAS.

Gradients are taken at the pre-update weights, as in the reference; results agree with the
reference step up to float rounding (tests check updates and whole epochs, on dense and on
sparse MNIST-like data).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy.linalg import blas

from .models import TwoLayerNet

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


def scaled_bias_sigmoid(z: np.ndarray, scale: float, b: np.ndarray) -> None:
    """In place: ``z <- 1 / (1 + exp(-(scale z + b)))``; ``z`` (n, H), ``b`` (H,).

    Five passes with NumPy's SIMD ``exp`` beat one compiled loop calling the scalar ``exp``.
    """
    np.multiply(z, -scale, out=z)
    z -= b
    np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)


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


class FusedTwoLayerSGD:
    """The fused SGD epoch for one model, training set, batch size, learning rate and reg.

    Use: ``start_epoch(order)``, then ``step(slice)`` for each batch of the permuted data, then
    ``end_epoch()``, which writes the true weights back into ``model.params``.
    """

    def __init__(
        self,
        model: TwoLayerNet,
        X_u8: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        learning_rate: float,
        reg: float,
    ) -> None:
        P = model.params
        if not P["W2"].flags.f_contiguous:  # so that W2.T is C-contiguous, (C, H)
            P["W2"] = np.asfortranarray(P["W2"])
        self.model = model
        dt = model.dtype
        D, H = P["W1"].shape
        C = P["W2"].shape[1]
        # pixels ordered by how often they are nonzero: a batch's nonzeros then fit in a prefix
        self.perm, self.prefix = pixel_order(X_u8)
        # the images with pixels permuted, once (a per-epoch column gather costs ~26 ms; with
        # this copy an epoch's shuffle is a row gather, ~13 ms)
        self.X = np.empty_like(X_u8)
        gather(X_u8, np.arange(len(X_u8)), self.perm, self.X)
        self.y = y
        self.batch_size = batch_size
        self.Xs = np.empty_like(X_u8)  # this epoch's rows in order
        self.ys = np.empty_like(y)
        self.prefix_s = np.empty_like(self.prefix)
        self.V = np.empty((D, H), dt)  # W1 with rows permuted, scaled by 1 / sc
        self.gemm = blas.sgemm if dt == np.float32 else blas.dgemm
        self.lr = float(learning_rate)
        with np.errstate(over="ignore"):  # a huge lr may overflow float32: the run then diverges
            self.lr_t = dt.type(learning_rate)
            self.decay = dt.type(1.0 - learning_rate * reg)
        self.sc = 1.0
        self.u = np.empty(batch_size * D, dt)  # the batch as float pixel values, (n, K) views
        self.a1 = np.empty((batch_size, H), dt)
        self.d1 = np.empty((batch_size, H), dt)
        self.z = np.empty((batch_size, C), dt)

    def start_epoch(self, order: np.ndarray) -> None:
        np.take(self.X, order, axis=0, out=self.Xs)
        np.take(self.y, order, out=self.ys)
        np.take(self.prefix, order, out=self.prefix_s)
        starts = np.arange(0, len(order), self.batch_size)
        # K of each batch: pixels past it are zero in every row of the batch
        self.K = np.maximum(np.maximum.reduceat(self.prefix_s, starts), 1).tolist()
        np.take(self.model.params["W1"], self.perm, axis=0, out=self.V)
        self.sc = 1.0

    def end_epoch(self) -> None:
        """Write ``W1 = sc * V`` (rows back in pixel order) into the model."""
        if self.sc != 1.0:
            self.V *= self.model.dtype.type(self.sc)
            self.sc = 1.0
        self.model.params["W1"][self.perm] = self.V

    def step(self, s: slice) -> tuple[float, int]:
        """One SGD step on rows ``s`` of the permuted data: (batch mean CE, n correct)."""
        P = self.model.params
        W2, b1, b2 = P["W2"], P["b1"], P["b2"]
        ys = self.ys[s]
        n = len(ys)
        K = self.K[s.start // self.batch_size]
        u = self.u[: n * K].reshape(n, K)
        a1, d1, z = self.a1[:n], self.d1[:n], self.z[:n]
        V = self.V[:K]
        np.copyto(u, self.Xs[s, :K])  # uint8 -> float, exact
        np.matmul(u, V, out=a1)  # a1 = U V, so X W1 = (sc / 255) a1
        scaled_bias_sigmoid(a1, self.sc / 255.0, b1)
        loss, correct = output_forward(a1, ys, W2.T, b2, z)
        np.matmul(z, W2.T, out=d1)
        hidden_backward(d1, a1, z, W2.T, b1, b2, self.lr_t, self.decay)
        self.gemm(-self.lr, a1.T, z.T, beta=1.0, c=W2, trans_b=1, overwrite_c=1)
        self.sc *= float(self.decay)
        # V^T <- V^T - (lr / (sc 255)) d1^T U: W1 <- W1 - lr X^T d1 for W1 = sc V
        alpha = -self.lr / (self.sc * 255.0)
        self.gemm(alpha, d1.T, u.T, beta=1.0, c=V.T, trans_b=1, overwrite_c=1)
        return loss / n, correct
