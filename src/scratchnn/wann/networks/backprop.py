"""Gradient descent on a WANN topology's individual weights: the network as a scratchnn model.

The search finds a topology for one shared weight; the paper's fourth condition then trains one
weight per connection. :class:`GenomeNet` is a found topology with a weight vector ``w`` (E,),
one per enabled connection, in the packed edge order (by destination, then source, in expression
order). Forward, for a batch ``X`` (B, n_in), node ``j`` in expression order:

    pre_j = sum_{e: src(e) -> j} w_e v_src(e),   v_j = f_j(pre_j),

``v_0 = 1`` (bias), ``v_1..n_in = X``; logits ``z`` = the last ``n_out`` values. Loss: mean
cross-entropy of ``softmax(z)``. Backward (reverse expression order), with ``dz = (p - Y) / B``:

    d pre_j = f_j'(pre_j) d v_j,   dL/dw_e = sum_b d pre_dst(e) v_src(e),
    d v_src(e) += w_e d pre_dst(e).

It has the interface of :class:`scratchnn.models.SoftmaxRegression` (``params``,
``weight_names``, ``log_probs``, ``loss_grad``), so :func:`scratchnn.training.fit` trains it with
any scratchnn optimizer, keeps the best epoch by validation accuracy and touches the test set
once.
"""

from __future__ import annotations

import numba
import numpy as np

from ...functional import cross_entropy, cross_entropy_grad, log_softmax
from ...models import LossGrad
from . import activations as table
from .genome import Genome, express
from .packed import Packed, pack_networks


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _forward(act, edge_ptr, edge_src, w, XT):
    """Pre-activations and values (N, B) of every node; rows ``0..n_in`` hold bias and inputs."""
    n_in, B = XT.shape
    N = len(act)
    pre = np.zeros((N, B))
    val = np.empty((N, B))
    val[0, :] = 1.0
    val[1 : 1 + n_in] = XT
    pre[: 1 + n_in] = val[: 1 + n_in]
    for j in range(1 + n_in, N):
        p = pre[j]
        for e in range(edge_ptr[j], edge_ptr[j + 1]):
            v, we = val[edge_src[e]], w[e]
            for b in range(B):
                p[b] += we * v[b]
        a = act[j]
        for b in range(B):
            val[j, b] = table.activate(a, p[b])
    return pre, val


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _backward(act, edge_ptr, edge_src, w, pre, val, dout, n_in):
    """dL/dw (E,) given dL/dz ``dout`` (n_out, B) and the forward pass's ``pre``, ``val``."""
    N, B = val.shape
    n_out = dout.shape[0]
    first = 1 + n_in
    dval = np.zeros((N, B))
    dval[N - n_out :] = dout
    grad = np.zeros(len(w))
    dpre = np.empty(B)
    for j in range(N - 1, first - 1, -1):
        a = act[j]
        for b in range(B):
            dpre[b] = table.derivative(a, pre[j, b], val[j, b]) * dval[j, b]
        for e in range(edge_ptr[j], edge_ptr[j + 1]):
            s = edge_src[e]
            v = val[s]
            acc = 0.0
            for b in range(B):
                acc += dpre[b] * v[b]
            grad[e] = acc
            if s >= first:
                ds, we = dval[s], w[e]
                for b in range(B):
                    ds[b] += we * dpre[b]
    return grad


class GenomeNet:
    """A topology with trainable individual weights (see the module docstring).

    ``params["w"]`` (E,): one weight per enabled connection, in :attr:`packed` edge order;
    initialised to ``w0`` everywhere (the tuned shared weight: training starts where the
    shared-weight network is), or to ``w0`` itself when it is a vector of ``E`` weights (to go
    on from trained ones). No L2 (``weight_names`` is empty)."""

    weight_names: tuple[str, ...] = ()
    dtype = np.dtype(np.float64)

    def __init__(self, genome: Genome, w0: float | np.ndarray = 1.0) -> None:
        self.genome = genome
        self.packed: Packed = pack_networks([express(genome)])
        n = self.packed.n_edges(0)
        w = np.array(np.broadcast_to(np.asarray(w0, dtype=np.float64), (n,)))
        self.params: dict[str, np.ndarray] = {"w": w}

    def _run(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = self.packed
        XT = np.ascontiguousarray(np.asarray(X, np.float64).T)
        return _forward(p.act, p.edge_ptr, p.edge_src, self.params["w"], XT)

    def logits(self, X: np.ndarray) -> np.ndarray:
        """(B, n_out) outputs for ``X`` (B, n_in)."""
        return self._run(X)[1][-self.packed.n_out :].T

    def log_probs(self, X: np.ndarray) -> np.ndarray:
        return log_softmax(self.logits(X))

    def loss_grad(self, X: np.ndarray, y: np.ndarray) -> LossGrad:
        p = self.packed
        pre, val = self._run(X)
        logp = log_softmax(val[-p.n_out :].T)
        probs = np.exp(logp)
        dz = cross_entropy_grad(probs, y)  # (B, n_out): (p - Y) / B
        grad = _backward(
            p.act, p.edge_ptr, p.edge_src, self.params["w"], pre, val,
            np.ascontiguousarray(dz.T), p.n_in,
        )  # fmt: skip
        return LossGrad(cross_entropy(logp, y), {"w": grad}, probs)
