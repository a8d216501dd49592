"""Many WANN networks packed into flat arrays, evaluated together by compiled (Numba) kernels.

The reference evaluates each node with its own NumPy dot product in a Python loop, one network at
a time. Here a whole generation is one call: ``pack`` concatenates the expressed networks, and an
*instance* is a network with one weight per connection (the shared weight ``w`` repeated, or
individual weights). Per instance, node ``j`` (in expression order) computes

    value_j = f_j( sum_{e: src(e) -> j} weight_e * value_src(e) )

with ``value_0 = 1`` (bias) and ``value_1..n_in`` the inputs; the last ``n_out`` values are the
outputs. Instances are independent, so the kernels run them in parallel (``prange``) and the
result does not depend on the number of threads.

Layout (``K`` networks, node ``j`` of network ``k`` at global index ``g = node_start[k] + j``):

- ``node_start`` (K + 1,): offsets of each network's nodes;
- ``act`` (total nodes,): activation id of every node;
- ``edge_ptr`` (total nodes + 1,): incoming edges of node ``g`` are ``edge_ptr[g]:edge_ptr[g+1]``;
  a network's edges are contiguous, from ``edge_ptr[node_start[k]]``;
- ``edge_src`` (total edges,): the source of each edge, as a local node index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from .genome import Expressed


@dataclass(frozen=True)
class Packed:
    n_in: int
    n_out: int
    node_start: np.ndarray
    act: np.ndarray
    edge_ptr: np.ndarray
    edge_src: np.ndarray

    @property
    def n_nets(self) -> int:
        return len(self.node_start) - 1

    @property
    def edges_per_net(self) -> np.ndarray:
        """(K,) number of (enabled) connections of each network."""
        return self.edge_ptr[self.node_start[1:]] - self.edge_ptr[self.node_start[:-1]]

    def n_edges(self, k: int) -> int:
        """Number of (enabled) connections of network ``k``."""
        return int(self.edges_per_net[k])


def pack(nets: Sequence[Expressed]) -> Packed:
    """Concatenate expressed networks (all with the same ``n_in``/``n_out``) into flat arrays."""
    if not nets:
        raise ValueError("pack needs at least one network")
    n_in, n_out = nets[0].n_in, nets[0].n_out
    sizes = [len(e.order) for e in nets]
    node_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    acts, counts, srcs = [], [], []
    for e in nets:
        if (e.n_in, e.n_out) != (n_in, n_out):
            raise ValueError("all packed networks need the same numbers of inputs and outputs")
        acts.append(e.act)
        src, dst = np.nonzero(e.W)
        by_dst = np.lexsort((src, dst))
        counts.append(np.bincount(dst, minlength=len(e.order)))
        srcs.append(src[by_dst])
    edge_ptr = np.concatenate([[0], np.cumsum(np.concatenate(counts))]).astype(np.int64)
    return Packed(
        n_in,
        n_out,
        node_start,
        np.concatenate(acts).astype(np.int64),
        edge_ptr,
        np.concatenate(srcs).astype(np.int64) if srcs else np.zeros(0, np.int64),
    )


def instances(
    packed: Packed, inst_net: np.ndarray, wflat: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Instances ``i`` = network ``inst_net[i]`` with its own edge weights, taken in order from
    ``wflat`` (each instance as many as its network has connections).

    Returns ``inst_net``, ``inst_wstart`` (n + 1,: where each instance's weights start in
    ``wflat``) and ``wflat``, as the kernels take them.
    """
    inst_net = np.asarray(inst_net, dtype=np.int64)
    inst_wstart = np.concatenate([[0], np.cumsum(packed.edges_per_net[inst_net])]).astype(np.int64)
    wflat = np.ascontiguousarray(wflat, dtype=np.float64).ravel()
    if len(wflat) != inst_wstart[-1]:
        raise ValueError(f"{len(wflat)} edge weights given, the instances need {inst_wstart[-1]}")
    return inst_net, inst_wstart, wflat


def shared_weight_instances(
    packed: Packed, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Instances for every network at every shared weight, network-major: instance
    ``k * n_w + i`` is network ``k`` with every connection set to ``weights[i]``."""
    weights = np.asarray(weights, dtype=np.float64)
    inst_net = np.repeat(np.arange(packed.n_nets, dtype=np.int64), len(weights))
    wflat = np.repeat(np.tile(weights, packed.n_nets), packed.edges_per_net[inst_net])
    return instances(packed, inst_net, wflat)


def kernel_args(
    packed: Packed, inst_net: np.ndarray, inst_wstart: np.ndarray, wflat: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The packed networks and instances as the compiled kernels take them (typed arrays)."""
    return (
        packed.node_start,
        packed.act,
        packed.edge_ptr,
        packed.edge_src,
        np.asarray(inst_net, np.int64),
        np.asarray(inst_wstart, np.int64),
        np.asarray(wflat, np.float64),
    )


@numba.njit(cache=True, nogil=True)
def activate(a: int, x: float) -> float:
    """Activation ``a`` (ids 1-10, see :mod:`~scratchnn.wann.activations`) of a scalar."""
    if a == 1:
        return x
    if a == 2:
        return 1.0 if x > 0.0 else 0.0
    if a == 3:
        return np.sin(np.pi * x)
    if a == 4:
        return np.exp(-(x * x) / 2.0)
    if a == 5:
        return np.tanh(x)
    if a == 6:
        return (np.tanh(x / 2.0) + 1.0) / 2.0
    if a == 7:
        return -x
    if a == 8:
        return abs(x)
    if a == 9:
        return x if x > 0.0 else 0.0
    return np.cos(np.pi * x)


@numba.njit(cache=True, nogil=True)
def eval_scalar(vals, s, n_nodes, n_in, act, edge_ptr, edge_src, wflat, w0):
    """One forward pass of one instance on one input held in ``vals[1 : 1 + n_in]``; fills the
    rest of ``vals`` (length ``n_nodes``). ``s``: the network's node offset, ``w0``: the index in
    ``wflat`` of the instance's first edge weight."""
    e_first = edge_ptr[s]
    vals[0] = 1.0
    for j in range(1 + n_in, n_nodes):
        g = s + j
        acc = 0.0
        for e in range(edge_ptr[g], edge_ptr[g + 1]):
            acc += wflat[w0 + e - e_first] * vals[edge_src[e]]
        vals[j] = activate(act[g], acc)


@numba.njit(cache=True, nogil=True, parallel=True)
def _forward_batch(node_start, act, edge_ptr, edge_src, inst_net, inst_wstart, wflat, XT, n_out):
    n_inst = len(inst_net)
    n_in, B = XT.shape
    out = np.empty((n_inst, B, n_out))
    for i in numba.prange(n_inst):
        k = inst_net[i]
        s = node_start[k]
        n_nodes = node_start[k + 1] - s
        e_first = edge_ptr[s]
        w0 = inst_wstart[i]
        first = 1 + n_in  # only computed nodes get a row; inputs are read from XT
        vals = np.zeros((n_nodes - first, B))
        for j in range(first, n_nodes):
            g = s + j
            row = vals[j - first]
            for e in range(edge_ptr[g], edge_ptr[g + 1]):
                wt = wflat[w0 + e - e_first]
                src = edge_src[e]
                if src == 0:
                    for b in range(B):
                        row[b] += wt
                elif src < first:
                    x = XT[src - 1]
                    for b in range(B):
                        row[b] += wt * x[b]
                else:
                    v = vals[src - first]
                    for b in range(B):
                        row[b] += wt * v[b]
            a = act[g]
            if a != 1:
                for b in range(B):
                    row[b] = activate(a, row[b])
        for o in range(n_out):
            out[i, :, o] = vals[n_nodes - first - n_out + o]
    return out


def forward_batch(
    packed: Packed, inst_net: np.ndarray, inst_wstart: np.ndarray, wflat: np.ndarray, X: np.ndarray
) -> np.ndarray:
    """Outputs (n_instances, B, n_out) of every instance on inputs ``X`` (B, n_in)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != packed.n_in:
        raise ValueError(f"X must have shape (B, {packed.n_in}), got {X.shape}")
    return _forward_batch(
        *kernel_args(packed, inst_net, inst_wstart, wflat), np.ascontiguousarray(X.T), packed.n_out
    )


@numba.njit(cache=True, nogil=True)
def _activate_row(a, w, pre, out):
    """``out[b] = f_a(w * pre[b])`` for every ``b``; one branch per row, not per element."""
    B = len(pre)
    if a == 1:
        for b in range(B):
            out[b] = w * pre[b]
    elif a == 9:
        for b in range(B):
            x = w * pre[b]
            out[b] = x if x > 0.0 else 0.0
    elif a == 7:
        for b in range(B):
            out[b] = -(w * pre[b])
    elif a == 8:
        for b in range(B):
            out[b] = abs(w * pre[b])
    else:
        for b in range(B):
            out[b] = activate(a, w * pre[b])


@numba.njit(cache=True, nogil=True, parallel=True)
def _shared_ce(node_start, act, edge_ptr, edge_src, weights, XT, y, n_out):
    K = len(node_start) - 1
    n_w = len(weights)
    n_in, B = XT.shape
    first = 1 + n_in
    out = np.empty((K, n_w))
    for k in numba.prange(K):
        s = node_start[k]
        n_nodes = node_start[k + 1] - s
        vals = np.zeros((n_nodes - first, n_w, B))  # node, weight, image
        xs = np.empty(B)
        for j in range(first, n_nodes):
            g = s + j
            row = vals[j - first]
            xs[:] = 0.0
            for e in range(edge_ptr[g], edge_ptr[g + 1]):
                src = edge_src[e]
                if src == 0:
                    for b in range(B):
                        xs[b] += 1.0
                elif src < first:
                    x = XT[src - 1]
                    for b in range(B):
                        xs[b] += x[b]
                else:
                    v = vals[src - first]
                    for i in range(n_w):
                        for b in range(B):
                            row[i, b] += v[i, b]
            for i in range(n_w):
                r = row[i]
                for b in range(B):
                    r[b] += xs[b]
                _activate_row(act[g], weights[i], r, r)
        o0 = n_nodes - first - n_out
        for i in range(n_w):
            total = 0.0
            for b in range(B):
                m = vals[o0, i, b]
                for o in range(1, n_out):
                    z = vals[o0 + o, i, b]
                    if z > m or z != z:
                        m = z
                lse = 0.0
                for o in range(n_out):
                    lse += np.exp(vals[o0 + o, i, b] - m)
                total += m + np.log(lse) - vals[o0 + y[b], i, b]
            out[k, i] = total / B
    return out


def shared_weight_cross_entropy(
    packed: Packed, weights: np.ndarray, X: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """(K, n_w) mean cross-entropy of every network at every shared weight on ``X`` (B, n_in)
    with labels ``y`` (B,), softmax over the ``n_out`` outputs:

        CE[k, i] = mean_b ( logsumexp_o z[k, i, b, o] - z[k, i, b, y_b] )

    where ``z`` are the outputs with every connection set to ``weights[i]``. Because all
    connections share the weight, node ``j`` computes ``f_j(w * sum_src value_src)``: the sum
    over bias and input sources is the same for all weights and is done once per network. NaN
    where an output is NaN or infinite."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != packed.n_in or len(y) != len(X):
        raise ValueError(f"X must have shape (B, {packed.n_in}) and y shape (B,)")
    if packed.n_out < 1 or np.any((y < 0) | (y >= packed.n_out)):
        raise ValueError(f"labels must be in 0..{packed.n_out - 1}")
    return _shared_ce(
        packed.node_start,
        packed.act,
        packed.edge_ptr,
        packed.edge_src,
        np.asarray(weights, np.float64),
        np.ascontiguousarray(X.T),
        np.asarray(y, np.int64),
        packed.n_out,
    )


def forward_shared(packed: Packed, X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Outputs (K, n_w, B, n_out) of every network at every shared weight on ``X`` (B, n_in)."""
    inst = shared_weight_instances(packed, weights)
    out = forward_batch(packed, *inst, X)
    return out.reshape(packed.n_nets, len(weights), *out.shape[1:])
