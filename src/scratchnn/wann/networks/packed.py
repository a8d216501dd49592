"""Many WANN networks packed into flat arrays, evaluated together by compiled (Numba) kernels.

The reference evaluates each node with its own NumPy dot product in a Python loop, one network at
a time. Here a whole generation is one call: :func:`pack_networks` concatenates the expressed
networks, and an *instance* is a network with one weight per connection (the shared weight ``w``
repeated, or individual weights). Per instance, node ``j`` (in expression order) computes

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

from . import activations as table
from .activations import EVEN, NO_PARITY, ODD
from .elementary import exp_nonpos
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


def pack_networks(nets: Sequence[Expressed]) -> Packed:
    """Concatenate expressed networks (all with the same ``n_in``/``n_out``) into flat arrays."""
    if not nets:
        raise ValueError("pack_networks needs at least one network")
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


@numba.njit(cache=True, nogil=True, error_model="numpy")
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
        vals[j] = table.activate(act[g], acc)


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
            if act[g] != table.LINEAR:
                table.activate_row(act[g], 1.0, row, B)  # 1.0 * x == x exactly
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
def _value_parity(pre_parity, a):
    """Parity of ``f_a(pre)`` given the parity of ``pre``: an odd activation keeps an odd
    pre-activation odd, an even one makes it even (the symmetries in the activation table)."""
    if pre_parity == EVEN:
        return EVEN
    if pre_parity == ODD:
        return table.parity(a)
    return NO_PARITY


#: images per block of the cross-entropy kernel: a network's values for one block stay in cache
IMAGE_BLOCK = 128


@numba.njit(cache=True, nogil=True, parallel=True)
def _shared_ce(node_start, act, edge_ptr, edge_src, weights, partner, XT, y, n_out, n_chunks):
    K = len(node_start) - 1
    n_w = len(weights)
    n_in, B = XT.shape
    first = 1 + n_in
    out = np.empty((K, n_w))
    max_nodes = 0
    for k in range(K):
        max_nodes = max(max_nodes, node_start[k + 1] - node_start[k])
    # networks in strided chunks, each chunk with one set of buffers (none per network)
    n_chunks = max(1, min(K, n_chunks))
    for c in numba.prange(n_chunks):
        vals = np.empty((max(max_nodes - first, 1), n_w, IMAGE_BLOCK))  # node, weight, image
        mode = np.zeros(max_nodes, np.int64)
        xs = np.empty(IMAGE_BLOCK)
        lse_buf = np.empty(IMAGE_BLOCK)
        totals = np.empty(n_w)
        for k in range(c, K, n_chunks):
            _shared_ce_one(
                k, node_start, act, edge_ptr, edge_src, weights, partner, XT, y, n_out, vals,
                mode, xs, lse_buf, totals,
            )  # fmt: skip
            out[k] = totals / B
    return out


#: how a node is computed over the weights: all of them; the weights ``w`` only, ``-w`` copied
#: (even) or negated (odd); an activation with a ``pair`` function (sigmoid) of an odd
#: pre-activation, ``f(w x)`` and ``f(-w x)`` from one evaluation
ALL, COPY, NEGATE, PAIR = 0, 1, 2, 3


@numba.njit(cache=True, nogil=True)
def _node_modes(s, n_nodes, first, act, edge_ptr, edge_src, mode):
    """``mode[j]`` of every computed node of the network at offset ``s``, from the parities of
    its sources (bias and inputs are even: the same at every weight)."""
    parity = np.zeros(n_nodes, np.int64)
    for j in range(first, n_nodes):
        g = s + j
        all_even, all_odd = True, True
        for e in range(edge_ptr[g], edge_ptr[g + 1]):
            src = edge_src[e]
            all_even = all_even and parity[src] == EVEN
            all_odd = all_odd and parity[src] == ODD
        pre = ODD if all_even else (EVEN if all_odd else NO_PARITY)
        parity[j] = _value_parity(pre, act[g])
        if parity[j] == EVEN:
            mode[j] = COPY
        elif parity[j] == ODD:
            mode[j] = NEGATE
        elif pre == ODD and table.has_pair(act[g]):
            mode[j] = PAIR
        else:
            mode[j] = ALL


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _shared_ce_one(
    k,
    node_start,
    act,
    edge_ptr,
    edge_src,
    weights,
    partner,
    XT,
    y,
    n_out,
    buf,
    mode,
    xs,
    lse_buf,
    totals,
):
    """Summed cross-entropy of network ``k`` at every weight into ``totals`` (n_w,), image block
    by image block (the images in order, so the sums are the same as unblocked)."""
    n_w = len(weights)
    n_in, B = XT.shape
    first = 1 + n_in
    s = node_start[k]
    n_nodes = node_start[k + 1] - s
    _node_modes(s, n_nodes, first, act, edge_ptr, edge_src, mode)
    totals[:] = 0.0
    for b0 in range(0, B, IMAGE_BLOCK):
        nb = min(IMAGE_BLOCK, B - b0)
        # whole rows of the C-contiguous buffer, indexed up to nb: unit-stride loops vectorise,
        # a sliced view (strided type) would not
        for j in range(first, n_nodes):
            g = s + j
            row = buf[j - first]
            half = mode[j] != ALL  # compute the weights w only, not -w
            for b in range(nb):
                xs[b] = 0.0
            for i in range(n_w):
                if not (half and partner[i] < i):
                    r = row[i]
                    for b in range(nb):
                        r[b] = 0.0
            for e in range(edge_ptr[g], edge_ptr[g + 1]):
                src = edge_src[e]
                if src == 0:
                    for b in range(nb):
                        xs[b] += 1.0
                elif src < first:
                    x = XT[src - 1]
                    for b in range(nb):
                        xs[b] += x[b0 + b]
                else:
                    v = buf[src - first]
                    for i in range(n_w):
                        if half and partner[i] < i:
                            continue
                        r, vi = row[i], v[i]
                        for b in range(nb):
                            r[b] += vi[b]
            a = act[g]
            for i in range(n_w):
                if half and partner[i] < i:
                    continue
                r = row[i]
                for b in range(nb):
                    r[b] += xs[b]
                if mode[j] == PAIR and i < partner[i] < n_w:
                    # the weight -w from the same evaluation: f(-w x), exactly
                    table.pair_row(a, weights[i], r, row[partner[i]], nb)
                else:
                    table.activate_row(a, weights[i], r, nb)
            if mode[j] == COPY or mode[j] == NEGATE:  # the weights -w from the weights w
                for i in range(n_w):
                    if partner[i] < i:
                        r, q = row[i], row[partner[i]]
                        if mode[j] == COPY:
                            for b in range(nb):
                                r[b] = q[b]
                        else:
                            for b in range(nb):
                                r[b] = -q[b]
        o0 = n_nodes - first - n_out
        m, lse = xs, lse_buf  # (nb,) each: max output (NaN wins) and sum of exp(z - max)
        for i in range(n_w):
            z = buf[o0, i]
            for b in range(nb):
                m[b] = z[b]
            for o in range(1, n_out):
                z = buf[o0 + o, i]
                for b in range(nb):
                    m[b] = z[b] if z[b] > m[b] or z[b] != z[b] else m[b]
            for b in range(nb):
                lse[b] = 0.0
            for o in range(n_out):
                z = buf[o0 + o, i]
                for b in range(nb):
                    lse[b] += exp_nonpos(z[b] - m[b])
            total = totals[i]
            for b in range(nb):
                total += m[b] + np.log(lse[b]) - buf[o0 + y[b0 + b], i, b]
            totals[i] = total


def weight_partners(weights: np.ndarray) -> np.ndarray:
    """(n_w,) for each weight the index of the first weight equal to its negative (``n_w``, an
    index no weight has, when there is none), so that ``partner[i] < i`` marks the weights
    computed from their partner."""
    weights = np.asarray(weights, np.float64)
    partner = np.full(len(weights), len(weights), np.int64)
    for i, w in enumerate(weights):
        match = np.flatnonzero(weights == -w)
        if len(match):
            partner[i] = match[0]
    return partner


def shared_weight_cross_entropy(
    packed: Packed, weights: np.ndarray, X: np.ndarray, y: np.ndarray, use_parity: bool = True
) -> np.ndarray:
    """(K, n_w) mean cross-entropy of every network at every shared weight on ``X`` (B, n_in)
    with labels ``y`` (B,), softmax over the ``n_out`` outputs:

        CE[k, i] = mean_b ( logsumexp_o z[k, i, b, o] - z[k, i, b, y_b] )

    where ``z`` are the outputs with every connection set to ``weights[i]``. Because all
    connections share the weight, node ``j`` computes ``f_j(w * sum_src value_src)``: the sum
    over bias and input sources is the same for all weights and is done once per network.
    And where the weight set holds ``-w`` beside ``w`` (the paper's does), a node whose value
    is even or odd in ``w`` (bias and inputs are even; ``w * sum`` of even values is odd, of
    odd values even; odd activations keep parity, even ones make it even) is computed at ``w``
    only and negated or copied for ``-w``: exact in IEEE arithmetic, so the result is
    bit-identical to computing every weight (tested). NaN where an output is NaN or
    infinite."""
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
        weight_partners(weights) if use_parity else np.full(len(weights), len(weights)),
        np.ascontiguousarray(X.T),
        np.asarray(y, np.int64),
        packed.n_out,
        4 * numba.get_num_threads(),
    )


def forward_shared(packed: Packed, X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Outputs (K, n_w, B, n_out) of every network at every shared weight on ``X`` (B, n_in)."""
    inst = shared_weight_instances(packed, weights)
    out = forward_batch(packed, *inst, X)
    return out.reshape(packed.n_nets, len(weights), *out.shape[1:])


@numba.njit(cache=True, nogil=True)
def _forward_rows(
    node_start, act, edge_ptr, edge_src, inst_net, inst_wstart, wflat, rows, X, n_out
):
    n, n_in = X.shape
    out = np.empty((n, n_out))
    for r in range(n):  # serial: cheap next to an env step; processes give the parallelism
        i = rows[r]
        k = inst_net[i]
        s = node_start[k]
        n_nodes = node_start[k + 1] - s
        vals = np.zeros(n_nodes)
        for c in range(n_in):
            vals[1 + c] = X[r, c]
        eval_scalar(vals, s, n_nodes, n_in, act, edge_ptr, edge_src, wflat, inst_wstart[i])
        for o in range(n_out):
            out[r, o] = vals[n_nodes - n_out + o]
    return out


def forward_rows(
    packed: Packed,
    inst_net: np.ndarray,
    inst_wstart: np.ndarray,
    wflat: np.ndarray,
    rows: np.ndarray,
    X: np.ndarray,
) -> np.ndarray:
    """Outputs (n, n_out): row ``r`` is instance ``rows[r]`` on its own input ``X[r]``
    (X: (n, n_in)). One step of many episodes, each with its own network, in one call."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != packed.n_in or len(X) != len(rows):
        raise ValueError(f"X must have shape ({len(rows)}, {packed.n_in}), got {X.shape}")
    return _forward_rows(
        *kernel_args(packed, inst_net, inst_wstart, wflat),
        np.asarray(rows, np.int64),
        X,
        packed.n_out,
    )
