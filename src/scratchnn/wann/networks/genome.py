"""A WANN genome (nodes and connections, no weights) and its expression as a matrix.

Node ids follow the reference's creation order: the bias is 0, inputs are ``1..n_in``, outputs
``n_in+1..n_in+n_out``, hidden nodes are appended as they are created. Every connection carries
the one shared weight, so a connection is only ``(innovation, src, dst, enabled)``.

Expression orders the nodes ``[bias, inputs, hidden in topological order, outputs]`` and builds
``W`` (N, N) with ``W[i, j] = 1`` for each enabled connection ``i -> j`` (rows: sources, columns:
destinations) and the vector of activation ids. Evaluated with shared weight ``w``:
``value(bias) = 1``, inputs given, and for each later node ``j`` in order
``value_j = f_j(w * sum_i value_i W[i, j])``; the outputs are the last ``n_out`` values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...errors import shown
from .activations import ACTIVATIONS_BY_ID, LINEAR, apply

BIAS, INPUT, OUTPUT, HIDDEN = "bias", "input", "output", "hidden"


@dataclass(slots=True)
class Node:
    id: int
    kind: str
    act: int = LINEAR


@dataclass(slots=True)
class Conn:
    innov: int
    src: int
    dst: int
    enabled: bool = True


@dataclass
class Genome:
    n_in: int
    n_out: int
    nodes: list[Node] = field(default_factory=list)
    conns: list[Conn] = field(default_factory=list)

    def copy(self) -> Genome:
        return Genome(
            self.n_in,
            self.n_out,
            [Node(n.id, n.kind, n.act) for n in self.nodes],
            [Conn(c.innov, c.src, c.dst, c.enabled) for c in self.conns],
        )

    @property
    def hidden(self) -> list[Node]:
        return [n for n in self.nodes if n.kind == HIDDEN]

    def node(self, node_id: int) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def next_node_id(self) -> int:
        return max(n.id for n in self.nodes) + 1

    def next_innov(self) -> int:
        return max((c.innov for c in self.conns), default=-1) + 1

    def n_enabled(self) -> int:
        return sum(c.enabled for c in self.conns)

    def to_dict(self) -> dict:
        """Plain JSON-able form: ``{"n_in", "n_out", "nodes": [[id, kind, act]],
        "conns": [[innov, src, dst, enabled]]}``."""
        return {
            "n_in": self.n_in,
            "n_out": self.n_out,
            "nodes": [[n.id, n.kind, n.act] for n in self.nodes],
            "conns": [[c.innov, c.src, c.dst, c.enabled] for c in self.conns],
        }

    @staticmethod
    def from_dict(d: dict) -> Genome:
        """Inverse of :meth:`to_dict`; the result is checked with :func:`express`."""
        try:
            g = Genome(
                int(d["n_in"]),
                int(d["n_out"]),
                [Node(int(i), str(k), int(a)) for i, k, a in d["nodes"]],
                [Conn(int(n), int(s), int(t), bool(e)) for n, s, t, e in d["conns"]],
            )
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise GenomeError(f"malformed genome: {shown(str(exc))}") from exc
        validate(g)
        return g


def initial_genome(n_in: int, n_out: int, p_enable: float, rng: np.random.Generator) -> Genome:
    """No hidden nodes; every bias/input -> output connection exists (source-major order),
    enabled with ``p_enable`` (one uniform per connection; if none is enabled, one drawn at
    random is)."""
    nodes = [Node(0, BIAS)] + [Node(i, INPUT) for i in range(1, n_in + 1)]
    nodes += [Node(n_in + k, OUTPUT) for k in range(1, n_out + 1)]
    on = initial_enabled((n_in + 1) * n_out, p_enable, rng)
    pairs = [(src, n_in + k) for src in range(n_in + 1) for k in range(1, n_out + 1)]
    conns = [Conn(i, s, d, bool(e)) for i, ((s, d), e) in enumerate(zip(pairs, on, strict=True))]
    return Genome(n_in, n_out, nodes, conns)


def initial_enabled(m: int, p_enable: float, rng: np.random.Generator) -> np.ndarray:
    """(m,) enabled flags of a new genome's connections: ``u < p_enable`` for ``m`` uniforms; if
    none is enabled, one (drawn uniformly) is."""
    on = rng.random(m) < p_enable
    if not on.any():
        on[int(rng.integers(m))] = True
    return on


class GenomeError(ValueError):
    """A genome that is not a valid feed-forward network."""


def check_layout(g: Genome) -> None:
    """Node kinds and counts (one bias, ``n_in`` inputs, ``n_out`` outputs, any hidden), unique
    node ids and innovation numbers; :class:`GenomeError` naming what is wrong."""
    kinds = [n.kind for n in g.nodes]
    unknown = [k for k in kinds if k not in (BIAS, INPUT, OUTPUT, HIDDEN)]
    if unknown:  # the kind as read from the file: quoted cut short, whatever its size
        raise GenomeError(
            f"unknown node kind {shown(unknown[0])}; kinds: bias, input, output, hidden"
        )
    for kind, want in ((BIAS, 1), (INPUT, g.n_in), (OUTPUT, g.n_out)):
        if kinds.count(kind) != want:
            raise GenomeError(f"the genome has {kinds.count(kind)} {kind} node(s), needs {want}")
    ids = [n.id for n in g.nodes]
    if len(set(ids)) != len(ids):
        raise GenomeError("duplicate node ids")
    innovs = [c.innov for c in g.conns]
    if len(set(innovs)) != len(innovs):
        raise GenomeError("duplicate connection innovation numbers")


def validate(g: Genome) -> None:
    """Everything :func:`express` checks, without building the (N, N) matrix: node kinds and
    counts, unique ids, known activations, edges that fit, no cycle."""
    check_layout(g)
    for n in g.nodes:
        if n.act not in ACTIVATIONS_BY_ID:
            raise GenomeError(f"node {n.id} has unknown activation id {n.act}")
    layers(g)


def layers(g: Genome) -> dict[int, int]:
    """Longest-path depth of each node over *all* connection genes (disabled ones too, so that
    re-enabling a gene can never close a cycle): bias and inputs 0, hidden nodes one more than
    their deepest source, outputs above every hidden node."""
    kinds = {n.id: n.kind for n in g.nodes}
    preds: dict[int, list[int]] = {n.id: [] for n in g.nodes}
    for c in g.conns:
        if kinds.get(c.src) is None or kinds.get(c.dst) is None:
            raise GenomeError(f"connection {c.src} -> {c.dst} names a node that does not exist")
        if kinds[c.dst] in (BIAS, INPUT):
            raise GenomeError(f"connection {c.src} -> {c.dst} ends at a {kinds[c.dst]} node")
        if kinds[c.src] == OUTPUT:
            raise GenomeError(f"connection {c.src} -> {c.dst} starts at an output node")
        preds[c.dst].append(c.src)
    # Kahn's order (no recursion: a chain of thousands of nodes is fine)
    succs: dict[int, list[int]] = {v: [] for v in preds}
    for v, ps in preds.items():
        for u in ps:
            succs[u].append(v)
    waiting = {v: len(ps) for v, ps in preds.items()}
    depth = {n.id: 0 if n.kind in (BIAS, INPUT) else 1 for n in g.nodes}
    ready = [v for v, k in waiting.items() if k == 0]
    done = 0
    while ready:
        u = ready.pop()
        done += 1
        for v in succs[u]:
            if kinds[v] == HIDDEN:
                depth[v] = max(depth[v], depth[u] + 1)
            waiting[v] -= 1
            if waiting[v] == 0:
                ready.append(v)
    if done < len(preds):
        v = next(v for v, k in waiting.items() if k > 0 and kinds[v] == HIDDEN)
        raise GenomeError(f"the connections form a cycle through node {v}")
    hidden = [n.id for n in g.nodes if n.kind == HIDDEN]
    top = 1 + max((depth[v] for v in hidden), default=0)
    for n in g.nodes:
        if n.kind == OUTPUT:
            depth[n.id] = top
    return depth


@dataclass(frozen=True)
class Expressed:
    order: tuple[int, ...]  # node ids: bias, inputs, hidden (topological), outputs
    W: np.ndarray  # (N, N), 1 where an enabled connection runs order[i] -> order[j]
    act: np.ndarray  # (N,) activation ids
    n_in: int
    n_out: int


def express(g: Genome) -> Expressed:
    """The matrix form of ``g`` (see the module docstring)."""
    depth = layers(g)
    for n in g.nodes:
        if n.act not in ACTIVATIONS_BY_ID:
            raise GenomeError(f"node {n.id} has unknown activation id {n.act}")
    fixed = [n.id for n in g.nodes if n.kind in (BIAS, INPUT)]
    hidden = sorted((n.id for n in g.nodes if n.kind == HIDDEN), key=lambda v: (depth[v], v))
    outputs = [n.id for n in g.nodes if n.kind == OUTPUT]
    order = tuple(sorted(fixed) + hidden + outputs)
    index = {v: i for i, v in enumerate(order)}
    W = np.zeros((len(order), len(order)))
    for c in g.conns:
        if c.enabled:
            W[index[c.src], index[c.dst]] = 1.0
    acts = {n.id: n.act for n in g.nodes}
    act = np.array([acts[v] for v in order])
    return Expressed(order, W, act, g.n_in, g.n_out)


def express_disabled_hidden(g: Genome) -> Genome:
    """A copy of ``g`` with every disabled connection between two hidden nodes enabled.

    This is what WANNRelease evaluates: its ``getNodeOrder`` writes the disabled genes as NaN
    into the weight matrix and then sets every non-zero entry of the hidden-to-hidden block to
    1 through a view of that matrix, so a disabled hidden -> hidden gene is expressed (and
    counted in its connection objective). Insert-node on such a gene therefore keeps it. The
    paper describes no such rule; the search applies it only with ``disabled_hidden:
    reference``."""
    kinds = {n.id: n.kind for n in g.nodes}
    out = g.copy()
    for c in out.conns:
        if kinds[c.src] == HIDDEN and kinds[c.dst] == HIDDEN:
            c.enabled = True
    return out


def forward(e: Expressed, X: np.ndarray, w: float | np.ndarray) -> np.ndarray:
    """Outputs (B, n_out) for inputs ``X`` (B, n_in) with shared weight ``w`` (scalar or (B,))."""
    B = X.shape[0]
    w = np.broadcast_to(np.asarray(w, dtype=np.float64), (B,))
    values = np.zeros((B, len(e.order)))
    values[:, 0] = 1.0
    values[:, 1 : 1 + e.n_in] = X
    for j in range(1 + e.n_in, len(e.order)):
        values[:, j] = apply(int(e.act[j]), (values[:, :j] @ e.W[:j, j]) * w)
    return values[:, -e.n_out :]
