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
  and ``V <- V - (lr / sc) g``; the forward pass applies ``sc`` inside the sigmoid pass. When
  ``|sc|`` leaves ``[2^-16, 2^16]`` (strong L2: ``sc = 0.9^t`` at ``lr = 0.1, reg = 1`` would
  underflow float32 within an epoch), or is 0 (``lr reg = 1``), it is folded into the weights
  (``V <- sc V``, ``sc <- 1``): one pass over ``W1`` every hundred steps or more, and ``V`` stays
  within 2^16 of ``W1``, far from overflow. The true ``W1`` is written back at the end of every
  epoch (:meth:`FusedTwoLayerSGD.end_epoch`).
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
  The loops live in :mod:`scratchnn.kernels_jit`, imported when a kernel is built, so that
  ``import scratchnn`` (and :meth:`FusedTwoLayerSGD.why_not`) does not load Numba or SciPy.

Gradients are taken at the pre-update weights, as in the reference, and a batch whose loss is not
finite updates nothing, as in the reference (the run then stops as diverged). Results agree with
the reference step up to float rounding: a property test draws dtype, learning rate, L2 strength,
batch size, row count, epochs and sparse or dense inputs and compares whole runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .models import Model, TwoLayerNet
from .optim import SGD, Optimizer, Schedule

#: ``|sc|`` outside ``[FOLD_LOW, 1 / FOLD_LOW]`` (or 0) is folded into ``V`` (see the module notes)
FOLD_LOW = 2.0**-16


def scaled_bias_sigmoid(z: np.ndarray, scale: float, b: np.ndarray) -> None:
    """In place: ``z <- 1 / (1 + exp(-(scale z + b)))``; ``z`` (n, H), ``b`` (H,).

    Five passes with NumPy's SIMD ``exp`` beat one compiled loop calling the scalar ``exp``.
    """
    np.multiply(z, -scale, out=z)
    z -= b
    np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)


class FusedTwoLayerSGD:
    """The fused SGD epoch of one model and optimizer on one training set and batch size.

    The same step interface as the reference path (:class:`scratchnn.training.ReferenceStep`):
    ``start_epoch(order, batches)`` with the epoch's permutation and its batches (slices of the
    permuted order, as :func:`~scratchnn.training.fit` cuts them), ``step(b)`` for batch ``b``,
    returning ``(batch mean cross-entropy, correct predictions before the update)``, then
    ``end_epoch()``.

    What it does to the caller's model: during an epoch the kernel trains private copies of
    ``W1`` (rows permuted, lazily scaled) and ``W2`` (Fortran-ordered) and updates ``b1``, ``b2``
    in place; ``end_epoch`` writes the trained weights back *into the model's own arrays*, so
    ``model.params`` keeps the same array objects (same shapes, dtypes and memory order) and holds
    the true parameters after every epoch. Learning rate and ``reg`` are read from the optimizer at
    each ``start_epoch`` (the schedule is constant, or the kernel does not apply).
    """

    path = "fused"

    @staticmethod
    def why_not(
        model: Model,
        optimizer: Optimizer,
        schedule: Schedule | None = None,
        X: np.ndarray | None = None,
    ) -> str | None:
        """``None`` if the fused step computes exactly what the reference step would, else why not.

        It applies to the reference setup: a :class:`~scratchnn.models.TwoLayerNet` with a sigmoid
        and no dropout, in float32 or float64; plain :class:`~scratchnn.optim.SGD` (no momentum);
        a constant learning rate (``schedule`` ``None`` or constant); and uint8 images ``X`` (if
        given).
        """
        if not isinstance(model, TwoLayerNet):
            return f"the model is a {type(model).__name__}, not a TwoLayerNet"
        if not model.is_reference:
            return (
                f"the TwoLayerNet has activation {model.activation!r} and dropout "
                f"{model.dropout:g}, not the reference's sigmoid without dropout"
            )
        if model.dtype not in (np.float32, np.float64):
            return f"the model's dtype is {model.dtype}, not float32 or float64"
        if not isinstance(optimizer, SGD):
            return f"the optimizer is {type(optimizer).__name__}, not SGD"
        if not optimizer.is_plain:
            return f"SGD has momentum {optimizer.momentum:g}; the fused step is plain SGD"
        if schedule is not None and not schedule.is_constant:
            return "the learning-rate schedule is not constant"
        if X is not None and X.dtype != np.uint8:
            return f"the training images are {X.dtype}, not uint8 pixels"
        return None

    @classmethod
    def applies(
        cls,
        model: Model,
        optimizer: Optimizer,
        schedule: Schedule | None = None,
        X: np.ndarray | None = None,
    ) -> bool:
        """Whether :meth:`why_not` finds nothing against the fused step."""
        return cls.why_not(model, optimizer, schedule, X) is None

    def __init__(
        self,
        model: TwoLayerNet,
        optimizer: SGD,
        X_u8: np.ndarray,
        y: np.ndarray,
        batch_size: int,
    ) -> None:
        reason = self.why_not(model, optimizer, None, X_u8)
        if reason is not None:
            raise ValueError(f"the fused SGD step does not apply: {reason}")
        from scipy.linalg import blas

        from . import kernels_jit
        from ._blas import blas_loaded

        blas_loaded()  # SciPy's BLAS may load only now: one thread inside fit, like NumPy's

        self.jit = kernels_jit
        self.model = model
        self.optimizer = optimizer
        P = model.params
        dt = model.dtype
        D, H = P["W1"].shape
        C = P["W2"].shape[1]
        # pixels ordered by how often they are nonzero: a batch's nonzeros then fit in a prefix
        self.perm, self.prefix = kernels_jit.pixel_order(X_u8)
        # the images with pixels permuted, once (a per-epoch column gather costs ~26 ms; with
        # this copy an epoch's shuffle is a row gather, ~13 ms)
        self.X = np.empty_like(X_u8)
        kernels_jit.gather(X_u8, np.arange(len(X_u8)), self.perm, self.X)
        self.y = y
        self.batch_size = batch_size
        self.Xs = np.empty_like(X_u8)  # this epoch's rows in order
        self.ys = np.empty_like(y)
        self.prefix_s = np.empty_like(self.prefix)
        self.V = np.empty((D, H), dt)  # W1 with rows permuted, scaled by 1 / sc
        self.W2 = np.empty((H, C), dt, order="F")  # so that W2.T is C-contiguous, (C, H)
        self.gemm = blas.sgemm if dt == np.float32 else blas.dgemm
        self.sc = 1.0
        self.u = np.empty(batch_size * D, dt)  # the batch as float pixel values, (n, K) views
        self.a1 = np.empty((batch_size, H), dt)
        self.d1 = np.empty((batch_size, H), dt)
        self.z = np.empty((batch_size, C), dt)
        self.batches: list[slice] = []
        self.K: list[int] = []

    def start_epoch(self, order: np.ndarray, batches: Sequence[slice]) -> None:
        """Copy the epoch's rows in ``order``; take the weights and lr/reg as they are now."""
        if any(s.stop - s.start > self.batch_size for s in batches):
            raise ValueError(f"a batch is larger than the kernel's batch size {self.batch_size}")
        np.take(self.X, order, axis=0, out=self.Xs)
        np.take(self.y, order, out=self.ys)
        np.take(self.prefix, order, out=self.prefix_s)
        self.batches = list(batches)
        # K of each batch: pixels past it are zero in every row of the batch
        starts = [s.start for s in self.batches]
        if (
            starts
            and starts[0] == 0
            and self.batches[-1].stop == len(order)
            and all(a.stop == b.start for a, b in zip(self.batches, self.batches[1:], strict=False))
        ):  # consecutive batches covering the epoch (as fit cuts them): one reduction
            self.K = np.maximum(np.maximum.reduceat(self.prefix_s, starts), 1).tolist()
        else:
            self.K = [max(int(self.prefix_s[s].max()), 1) for s in self.batches]
        P = self.model.params
        np.take(P["W1"], self.perm, axis=0, out=self.V)
        np.copyto(self.W2, P["W2"])
        self.sc = 1.0
        dt = self.model.dtype
        lr, reg = self.optimizer.learning_rate, self.optimizer.reg
        self.lr = float(lr)
        with np.errstate(over="ignore"):  # a huge lr may overflow float32: the run then diverges
            self.lr_t = dt.type(lr)
            self.decay = dt.type(1.0 - lr * reg)

    def fold(self) -> None:
        """``V <- sc V`` (all rows), ``sc <- 1``: ``W1 = sc V`` unchanged."""
        if self.sc != 1.0:
            self.V *= self.model.dtype.type(self.sc)
            self.sc = 1.0

    def end_epoch(self) -> None:
        """Write ``W1 = sc * V`` (rows back in pixel order) and ``W2`` into the model's arrays."""
        self.fold()
        P = self.model.params
        P["W1"][self.perm] = self.V
        np.copyto(P["W2"], self.W2)

    def step(self, b: int) -> tuple[float, int]:
        """One SGD step on batch ``b`` of the epoch: (batch mean cross-entropy, n correct)."""
        s = self.batches[b]
        P = self.model.params
        W2, b1, b2 = self.W2, P["b1"], P["b2"]
        ys = self.ys[s]
        n = len(ys)
        K = self.K[b]
        u = self.u[: n * K].reshape(n, K)
        a1, d1, z = self.a1[:n], self.d1[:n], self.z[:n]
        V = self.V[:K]
        np.copyto(u, self.Xs[s, :K])  # uint8 -> float, exact
        np.matmul(u, V, out=a1)  # a1 = U V, so X W1 = (sc / 255) a1
        scaled_bias_sigmoid(a1, self.sc / 255.0, b1)
        loss, correct = self.jit.output_forward(a1, ys, W2.T, b2, z)
        if not math.isfinite(loss):  # as the reference: no update from a non-finite loss
            return loss / n, correct
        np.matmul(z, W2.T, out=d1)
        self.jit.hidden_backward(d1, a1, z, W2.T, b1, b2, self.lr_t, self.decay)
        self.gemm(-self.lr, a1.T, z.T, beta=1.0, c=W2, trans_b=1, overwrite_c=1)
        self.sc *= float(self.decay)
        if not FOLD_LOW <= abs(self.sc) <= 1.0 / FOLD_LOW:  # 0 included (lr reg = 1)
            self.fold()
        # V^T <- V^T - (lr / (sc 255)) d1^T U: W1 <- W1 - lr X^T d1 for W1 = sc V
        alpha = -self.lr / (self.sc * 255.0)
        self.gemm(alpha, d1.T, u.T, beta=1.0, c=V.T, trans_b=1, overwrite_c=1)
        return loss / n, correct
