"""A whole WANN population in flat arrays, bred, layered and packed by compiled kernels.

The per-genome objects of :mod:`~scratchnn.wann.networks.genome` and
:mod:`~scratchnn.wann.search.mutations` are the readable reference; at the paper's scale (960 MNIST
genomes of 2,570+ connection genes) copying, layering and expressing them one object at a time
costs seconds per generation. Here the population is one set of arrays and every generation's
bookkeeping is three compiled passes:
:func:`depths` (layers), :func:`breed` (copy + one mutation per child) and :func:`pack_population`
(expression into the evaluation layout of :mod:`~scratchnn.wann.networks.packed`). Given the same
uniforms they produce exactly the children the per-genome reference produces (tested gene for
gene).

Layout (``P`` genomes; genome ``k``'s nodes are ``node_ptr[k]:node_ptr[k+1]``, its connection
genes ``conn_ptr[k]:conn_ptr[k+1]``). Genomes are kept in *canonical* form: a node's id is its
position in the genome (bias 0, inputs ``1..n_in``, outputs, then hidden nodes in creation
order) and a gene's innovation number is its position, which is what the search's mutations
produce (``next id = max + 1``). So a gene is ``(src, dst, enabled)`` with local node ids.

- ``node_kind`` (int8): 0 bias, 1 input, 2 output, 3 hidden; ``node_act`` (int8): activation id;
- ``conn_src``, ``conn_dst`` (int32): local node ids; ``conn_on`` (bool): enabled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numba
import numpy as np

from ...errors import shown
from ..networks.activations import ACTIVATIONS_BY_ID, id_range
from ..networks.genome import (
    BIAS,
    HIDDEN,
    INPUT,
    OUTPUT,
    Conn,
    Genome,
    GenomeError,
    Node,
    initial_enabled,
)
from ..networks.packed import Packed

KIND_CODES = {BIAS: 0, INPUT: 1, OUTPUT: 2, HIDDEN: 3}
KIND_NAMES = {v: k for k, v in KIND_CODES.items()}
K_BIAS, K_INPUT, K_OUTPUT, K_HIDDEN = 0, 1, 2, 3
#: mutation codes of :func:`breed` (the order of ``mutations.MUTATION_NAMES``); -1: plain copy
M_COPY, M_ADD_CONN, M_INSERT_NODE, M_REENABLE, M_CHANGE_ACT = -1, 0, 1, 2, 3


@dataclass(frozen=True)
class Population:
    """``P`` genomes with ``n_in`` inputs and ``n_out`` outputs (layout: module docstring)."""

    n_in: int
    n_out: int
    node_ptr: np.ndarray
    node_kind: np.ndarray
    node_act: np.ndarray
    conn_ptr: np.ndarray
    conn_src: np.ndarray
    conn_dst: np.ndarray
    conn_on: np.ndarray

    @property
    def size(self) -> int:
        return len(self.node_ptr) - 1

    def __len__(self) -> int:
        return self.size

    def n_enabled(self) -> np.ndarray:
        """(P,) enabled connections of each genome."""
        cs = np.concatenate([[0], np.cumsum(self.conn_on, dtype=np.int64)])
        return cs[self.conn_ptr[1:]] - cs[self.conn_ptr[:-1]]

    def express_disabled_hidden(self) -> Population:
        """The population with every disabled hidden -> hidden gene enabled (the arrays of
        :func:`~scratchnn.wann.networks.genome.express_disabled_hidden` for each genome)."""
        owner = np.repeat(np.arange(self.size), np.diff(self.conn_ptr))
        base = self.node_ptr[owner]
        hidden = (self.node_kind[base + self.conn_src] == K_HIDDEN) & (
            self.node_kind[base + self.conn_dst] == K_HIDDEN
        )
        return replace(self, conn_on=self.conn_on | hidden)

    def genome(self, k: int) -> Genome:
        """Genome ``k`` as a per-genome object (ids and innovations = positions)."""
        a, b = self.node_ptr[k], self.node_ptr[k + 1]
        nodes = [
            Node(i, KIND_NAMES[int(kind)], int(act))
            for i, (kind, act) in enumerate(
                zip(self.node_kind[a:b], self.node_act[a:b], strict=True)
            )
        ]
        c, d = self.conn_ptr[k], self.conn_ptr[k + 1]
        conns = [
            Conn(i, int(s), int(t), bool(on))
            for i, (s, t, on) in enumerate(
                zip(self.conn_src[c:d], self.conn_dst[c:d], self.conn_on[c:d], strict=True)
            )
        ]
        return Genome(self.n_in, self.n_out, nodes, conns)

    def genomes(self) -> list[Genome]:
        return [self.genome(k) for k in range(self.size)]

    @staticmethod
    def from_genomes(genomes: Sequence[Genome]) -> Population:
        """Pack per-genome objects (all with the same ``n_in``/``n_out``). Nodes are renumbered
        to canonical positions (bias, inputs by id, outputs in list order, hidden by id) and genes
        ordered by innovation number; a search's genomes are already in that form."""
        if not genomes:
            raise ValueError("a population needs at least one genome")
        n_in, n_out = genomes[0].n_in, genomes[0].n_out
        kinds, acts, srcs, dsts, ons, n_nodes, n_conns = [], [], [], [], [], [], []
        for g in genomes:
            if (g.n_in, g.n_out) != (n_in, n_out):
                raise ValueError("all genomes of a population need the same inputs and outputs")
            # canonical positions: bias, inputs by id, outputs in list order (as express reads
            # them), hidden by id
            place = {n.id: i for i, n in enumerate(g.nodes)}
            nodes = sorted(
                g.nodes,
                key=lambda n: (
                    KIND_CODES.get(n.kind, 4),
                    place[n.id] if n.kind == OUTPUT else n.id,
                ),
            )
            index = {n.id: i for i, n in enumerate(nodes)}
            conns = sorted(g.conns, key=lambda c: c.innov)
            try:
                kinds += [KIND_CODES[n.kind] for n in nodes]
                srcs += [index[c.src] for c in conns]
                dsts += [index[c.dst] for c in conns]
            except KeyError as exc:
                raise GenomeError(f"unknown node kind or node id {shown(exc.args[0])}") from None
            acts += [n.act for n in nodes]
            ons += [c.enabled for c in conns]
            n_nodes.append(len(nodes))
            n_conns.append(len(conns))
        return Population(
            n_in,
            n_out,
            np.concatenate([[0], np.cumsum(n_nodes)]).astype(np.int64),
            np.array(kinds, np.int8),
            np.array(acts, np.int8),
            np.concatenate([[0], np.cumsum(n_conns)]).astype(np.int64),
            np.array(srcs, np.int32),
            np.array(dsts, np.int32),
            np.array(ons, bool),
        )

    @staticmethod
    def initial(
        size: int, n_in: int, n_out: int, p_enable: float, rng: np.random.Generator
    ) -> Population:
        """``size`` genomes of :func:`~scratchnn.wann.networks.genome.initial_genome`, drawn from
        ``rng`` in the same order (so equal to ``from_genomes([initial_genome(...) for ...])``)."""
        n = 1 + n_in + n_out
        m = (n_in + 1) * n_out
        kind = np.array([K_BIAS] + [K_INPUT] * n_in + [K_OUTPUT] * n_out, np.int8)
        src = np.repeat(np.arange(n_in + 1, dtype=np.int32), n_out)
        dst = np.tile(np.arange(n_in + 1, n, dtype=np.int32), n_in + 1)
        on = np.concatenate([initial_enabled(m, p_enable, rng) for _ in range(size)])
        return Population(
            n_in,
            n_out,
            np.arange(size + 1, dtype=np.int64) * n,
            np.tile(kind, size),
            np.ones(size * n, np.int8),
            np.arange(size + 1, dtype=np.int64) * m,
            np.tile(src, size),
            np.tile(dst, size),
            on,
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays by field name (for checkpoints)."""
        return {f: getattr(self, f) for f in ARRAY_FIELDS}

    def fields(self) -> tuple[np.ndarray, ...]:
        """The arrays in ``ARRAY_FIELDS`` order, as the kernels take them."""
        return tuple(getattr(self, f) for f in ARRAY_FIELDS)

    @staticmethod
    def from_arrays(n_in: int, n_out: int, arrays: dict[str, np.ndarray]) -> Population:
        """Inverse of :meth:`arrays`, with every array checked (a damaged file raises
        :class:`GenomeError` naming the problem)."""
        a = {f: np.asarray(arrays[f]) for f in ARRAY_FIELDS}
        pop = Population(
            int(n_in),
            int(n_out),
            a["node_ptr"].astype(np.int64),
            a["node_kind"].astype(np.int8),
            a["node_act"].astype(np.int8),
            a["conn_ptr"].astype(np.int64),
            a["conn_src"].astype(np.int32),
            a["conn_dst"].astype(np.int32),
            a["conn_on"].astype(bool),
        )
        pop.check()
        return pop

    def check(self) -> None:
        """Raise :class:`GenomeError` unless the arrays describe valid feed-forward genomes."""
        for name in ("node_ptr", "conn_ptr"):
            ptr = getattr(self, name)
            if ptr.ndim != 1 or len(ptr) < 2 or ptr[0] != 0 or np.any(np.diff(ptr) < 0):
                raise GenomeError(f"{name} is not a list of offsets")
        if len(self.node_ptr) != len(self.conn_ptr):
            raise GenomeError("node_ptr and conn_ptr disagree on the number of genomes")
        if not len(self.node_kind) == len(self.node_act) == self.node_ptr[-1]:
            raise GenomeError("node arrays disagree with node_ptr")
        if not len(self.conn_src) == len(self.conn_dst) == len(self.conn_on) == self.conn_ptr[-1]:
            raise GenomeError("connection arrays disagree with conn_ptr")
        if not np.isin(self.node_act, list(ACTIVATIONS_BY_ID)).all():
            raise GenomeError(f"an activation id is outside {id_range(ACTIVATIONS_BY_ID)}")
        _, ok = depths(self)
        if not ok.all():
            k = int(np.argmin(ok))
            raise GenomeError(
                f"genome {k} is not a valid feed-forward network with {self.n_in} inputs and "
                f"{self.n_out} outputs (layout, unknown node, edge into an input or out of an "
                "output, or a cycle)"
            )


ARRAY_FIELDS = (
    "node_ptr",
    "node_kind",
    "node_act",
    "conn_ptr",
    "conn_src",
    "conn_dst",
    "conn_on",
)


# --- layers ------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _genome_depth(kind, src, dst, n_in, n_out, depth):
    """Longest-path depth of one genome's nodes over all its genes (disabled ones too), written
    into ``depth``; bias and inputs 0, hidden 1 + deepest source, outputs above every hidden
    node. Returns False if the genome is not a valid feed-forward layout."""
    n = len(kind)
    m = len(src)
    if n < 1 + n_in + n_out or kind[0] != K_BIAS:
        return False
    for i in range(n):
        expected = K_INPUT if i <= n_in else (K_OUTPUT if i <= n_in + n_out else K_HIDDEN)
        if i > 0 and kind[i] != expected:
            return False
    indeg = np.zeros(n, np.int64)
    optr = np.zeros(n + 1, np.int64)
    for e in range(m):
        s, d = src[e], dst[e]
        if s < 0 or s >= n or d < 0 or d >= n:
            return False
        if kind[d] == K_BIAS or kind[d] == K_INPUT or kind[s] == K_OUTPUT:
            return False
        indeg[d] += 1
        optr[s + 1] += 1
    for i in range(n):
        optr[i + 1] += optr[i]
    fill = optr[:-1].copy()
    olist = np.empty(m, np.int64)
    for e in range(m):
        olist[fill[src[e]]] = dst[e]
        fill[src[e]] += 1
    queue = np.empty(n, np.int64)
    head = 0
    tail = 0
    for i in range(n):
        depth[i] = 1 if kind[i] == K_HIDDEN else 0
        if indeg[i] == 0:
            queue[tail] = i
            tail += 1
    while head < tail:
        v = queue[head]
        head += 1
        for q in range(optr[v], optr[v + 1]):
            d = olist[q]
            if kind[d] == K_HIDDEN and depth[v] + 1 > depth[d]:
                depth[d] = depth[v] + 1
            indeg[d] -= 1
            if indeg[d] == 0:
                queue[tail] = d
                tail += 1
    if tail < n:
        return False  # a cycle
    top = 0
    for i in range(n):
        if kind[i] == K_HIDDEN and depth[i] > top:
            top = depth[i]
    for i in range(n):
        if kind[i] == K_OUTPUT:
            depth[i] = top + 1
    return True


@numba.njit(cache=True, nogil=True, parallel=True)
def _depths(node_ptr, node_kind, conn_ptr, conn_src, conn_dst, n_in, n_out):
    P = len(node_ptr) - 1
    depth = np.zeros(node_ptr[-1], np.int64)
    ok = np.zeros(P, np.bool_)
    for k in numba.prange(P):
        a, b = node_ptr[k], node_ptr[k + 1]
        c, d = conn_ptr[k], conn_ptr[k + 1]
        ok[k] = _genome_depth(node_kind[a:b], conn_src[c:d], conn_dst[c:d], n_in, n_out, depth[a:b])
    return depth, ok


def checked_depths(pop: Population) -> np.ndarray:
    """:func:`depths`, raising :class:`GenomeError` if a genome is invalid."""
    depth, ok = depths(pop)
    if not ok.all():
        raise GenomeError(f"genome {int(np.argmin(ok))} of the population is invalid")
    return depth


def depths(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """Layer of every node (longest path, as :func:`~scratchnn.wann.networks.genome.layers`), and a
    (P,) flag: genome valid."""
    return _depths(
        pop.node_ptr,
        pop.node_kind,
        pop.conn_ptr,
        pop.conn_src,
        pop.conn_dst,
        pop.n_in,
        pop.n_out,
    )


# --- breeding ----------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _pick(u, n):
    i = int(u * n)
    return i if i < n else n - 1


@numba.njit(cache=True, nogil=True)
def _pick_true(mask, u):
    """Index of the ``pick(u, n)``-th True of ``mask`` (n = its number of Trues), or -1 if none:
    a uniform choice among the items ``mask`` marks, in order."""
    n = 0
    for m in mask:
        if m:
            n += 1
    if n == 0:
        return -1
    target = _pick(u, n)
    for i in range(len(mask)):
        if mask[i]:
            if target == 0:
                return i
            target -= 1
    return -1


@numba.njit(cache=True, nogil=True)
def _plan_one(kind, act, src, dst, on, depth, mut, u1, u2, acts):
    """The outcome of mutation ``mut`` on one parent: (code, a, b) where code is the applied
    mutation (M_COPY if none applied) and a, b its choices (see ``mutations``)."""
    n = len(kind)
    if mut == M_ADD_CONN:
        # a source is eligible when some hidden/output node deeper than it has no gene from it;
        # every gene from s ends deeper than s, so that is (deeper dests) - (genes from s)
        dest = (kind == K_HIDDEN) | (kind == K_OUTPUT)
        genes_from = np.zeros(n, np.int64)
        for e in range(len(src)):
            genes_from[src[e]] += 1
        eligible = np.zeros(n, np.bool_)
        for s in range(n):
            if kind[s] != K_OUTPUT:
                deeper = 0
                for d in range(n):
                    deeper += dest[d] and depth[d] > depth[s]
                eligible[s] = deeper > genes_from[s]
        s = _pick_true(eligible, u1)
        if s < 0:
            return M_COPY, 0, 0
        free = dest & (depth > depth[s])
        for e in range(len(src)):
            if src[e] == s:
                free[dst[e]] = False
        return M_ADD_CONN, s, _pick_true(free, u2)
    if mut == M_INSERT_NODE:
        e = _pick_true(on, u1)
        return (M_COPY, 0, 0) if e < 0 else (M_INSERT_NODE, e, acts[_pick(u2, len(acts))])
    if mut == M_REENABLE:
        e = _pick_true(~on, u1)
        return (M_COPY, 0, 0) if e < 0 else (M_REENABLE, e, 0)
    if mut == M_CHANGE_ACT:
        node = _pick_true(kind == K_HIDDEN, u1)
        if node < 0:
            return M_COPY, 0, 0
        i = _pick_true(acts != act[node], u2)
        return (M_COPY, 0, 0) if i < 0 else (M_CHANGE_ACT, node, acts[i])
    return M_COPY, 0, 0


@numba.njit(cache=True, nogil=True, parallel=True)
def _breed(
    node_ptr, node_kind, node_act, conn_ptr, conn_src, conn_dst, conn_on, depth,
    parent, mut, u, acts,
):  # fmt: skip
    C = len(parent)
    code = np.empty(C, np.int64)
    arg = np.empty((C, 2), np.int64)
    for c in numba.prange(C):
        p = parent[c]
        a, b = node_ptr[p], node_ptr[p + 1]
        e0, e1 = conn_ptr[p], conn_ptr[p + 1]
        if mut[c] == M_COPY:
            code[c], arg[c, 0], arg[c, 1] = M_COPY, 0, 0
        else:
            r = _plan_one(
                node_kind[a:b], node_act[a:b], conn_src[e0:e1], conn_dst[e0:e1],
                conn_on[e0:e1], depth[a:b], mut[c], u[c, 1], u[c, 2], acts,
            )  # fmt: skip
            code[c], arg[c, 0], arg[c, 1] = r[0], r[1], r[2]
    new_ptr = np.zeros(C + 1, np.int64)
    new_cptr = np.zeros(C + 1, np.int64)
    for c in range(C):
        p = parent[c]
        extra_nodes = 1 if code[c] == M_INSERT_NODE else 0
        extra_conns = 1 if code[c] == M_ADD_CONN else (2 if code[c] == M_INSERT_NODE else 0)
        new_ptr[c + 1] = new_ptr[c] + node_ptr[p + 1] - node_ptr[p] + extra_nodes
        new_cptr[c + 1] = new_cptr[c] + conn_ptr[p + 1] - conn_ptr[p] + extra_conns
    kind = np.empty(new_ptr[-1], np.int8)
    act = np.empty(new_ptr[-1], np.int8)
    src = np.empty(new_cptr[-1], np.int32)
    dst = np.empty(new_cptr[-1], np.int32)
    on = np.empty(new_cptr[-1], np.bool_)
    for c in numba.prange(C):
        p = parent[c]
        a, n = node_ptr[p], node_ptr[p + 1] - node_ptr[p]
        e0, m = conn_ptr[p], conn_ptr[p + 1] - conn_ptr[p]
        na, ne = new_ptr[c], new_cptr[c]
        kind[na : na + n] = node_kind[a : a + n]
        act[na : na + n] = node_act[a : a + n]
        src[ne : ne + m] = conn_src[e0 : e0 + m]
        dst[ne : ne + m] = conn_dst[e0 : e0 + m]
        on[ne : ne + m] = conn_on[e0 : e0 + m]
        if code[c] == M_ADD_CONN:
            src[ne + m], dst[ne + m], on[ne + m] = arg[c, 0], arg[c, 1], True
        elif code[c] == M_INSERT_NODE:
            g = ne + arg[c, 0]
            on[g] = False
            kind[na + n], act[na + n] = K_HIDDEN, arg[c, 1]
            src[ne + m], dst[ne + m], on[ne + m] = src[g], n, True
            src[ne + m + 1], dst[ne + m + 1], on[ne + m + 1] = n, dst[g], True
        elif code[c] == M_REENABLE:
            on[ne + arg[c, 0]] = True
        elif code[c] == M_CHANGE_ACT:
            act[na + arg[c, 0]] = arg[c, 1]
    return new_ptr, kind, act, new_cptr, src, dst, on, code


def breed(
    pop: Population,
    parent: np.ndarray,
    mutation: np.ndarray,
    u: np.ndarray,
    acts: Sequence[int],
    depth: np.ndarray | None = None,
) -> tuple[Population, np.ndarray]:
    """Children ``c`` = a copy of ``pop[parent[c]]`` with mutation ``mutation[c]`` (M_* codes;
    M_COPY: none) making the choices of ``u[c, 1:]`` (see :mod:`~scratchnn.wann.search.mutations`).

    Returns the children and (C,) the mutation each one actually got (M_COPY where the drawn
    one could not apply: the child is an unchanged copy, as in the reference)."""
    out = _breed(
        *pop.fields(),
        checked_depths(pop) if depth is None else depth,
        np.asarray(parent, np.int64),
        np.asarray(mutation, np.int64),
        np.ascontiguousarray(u, dtype=np.float64),
        np.asarray(acts, np.int64),
    )
    return Population(pop.n_in, pop.n_out, *out[:7]), out[7]


# --- expression ----------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, parallel=True)
def _pack(node_ptr, node_kind, node_act, conn_ptr, conn_src, conn_dst, conn_on, depth, eptr0):
    P = len(node_ptr) - 1
    act = np.empty(node_ptr[-1], np.int64)
    edge_ptr = np.zeros(node_ptr[-1] + 1, np.int64)
    edge_src = np.empty(eptr0[-1], np.int64)
    for k in numba.prange(P):
        a, n = node_ptr[k], node_ptr[k + 1] - node_ptr[k]
        e0, m = conn_ptr[k], conn_ptr[k + 1] - conn_ptr[k]
        kind = node_kind[a : a + n]
        dep = depth[a : a + n]
        # expression order: bias and inputs, hidden by (depth, id), outputs
        n_fixed = 0
        n_hidden = 0
        for i in range(n):
            if kind[i] == K_BIAS or kind[i] == K_INPUT:
                n_fixed += 1
            elif kind[i] == K_HIDDEN:
                n_hidden += 1
        hidden = np.empty(n_hidden, np.int64)
        hd = np.empty(n_hidden, np.int64)
        h = 0
        for i in range(n):
            if kind[i] == K_HIDDEN:
                hidden[h] = i
                hd[h] = dep[i]
                h += 1
        hidden = hidden[np.argsort(hd, kind="mergesort")]
        order = np.empty(n, np.int64)
        pos = np.empty(n, np.int64)
        j = 0
        for i in range(n):
            if kind[i] == K_BIAS or kind[i] == K_INPUT:
                order[j] = i
                j += 1
        for i in range(n_hidden):
            order[j] = hidden[i]
            j += 1
        for i in range(n):
            if kind[i] == K_OUTPUT:
                order[j] = i
                j += 1
        for j in range(n):
            pos[order[j]] = j
            act[a + j] = node_act[a + order[j]]
        # enabled edges sorted by (destination, source) in expression positions
        n_on = eptr0[k + 1] - eptr0[k]
        keys = np.empty(n_on, np.int64)
        q = 0
        for e in range(e0, e0 + m):
            if conn_on[e]:
                keys[q] = pos[conn_dst[e]] * n + pos[conn_src[e]]
                q += 1
        keys.sort()
        base = eptr0[k]
        for q in range(n_on):
            edge_src[base + q] = keys[q] % n
            edge_ptr[a + keys[q] // n + 1] += 1
    # the global edge_ptr: prefix sums of the incoming counts, network after network
    for g in range(node_ptr[-1]):
        edge_ptr[g + 1] += edge_ptr[g]
    return act, edge_ptr, edge_src


def pack_population(pop: Population, depth: np.ndarray | None = None) -> Packed:
    """Every genome expressed (order ``[bias, inputs, hidden by (layer, id), outputs]``, enabled
    connections only) in the evaluation layout; equal, array for array, to
    ``pack_networks([express(g) for g in pop.genomes()])``."""
    eptr0 = np.concatenate([[0], np.cumsum(pop.n_enabled())]).astype(np.int64)
    act, edge_ptr, edge_src = _pack(
        *pop.fields(), checked_depths(pop) if depth is None else depth, eptr0
    )
    return Packed(pop.n_in, pop.n_out, pop.node_ptr.copy(), act, edge_ptr, edge_src)
