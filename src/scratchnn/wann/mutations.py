"""The four WANN mutations; each child gets exactly one.

Probabilities (the reference's): add connection 0.20, insert node 0.25, re-enable a disabled
connection 0.05, change activation 0.50. A mutation that cannot apply (no hidden node to change,
no disabled gene, no free feed-forward pair) is redrawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .genome import HIDDEN, OUTPUT, Conn, Genome, Node, layers

PROBS = {"add_connection": 0.20, "insert_node": 0.25, "reenable": 0.05, "change_activation": 0.50}


def add_connection(g: Genome, rng: np.random.Generator, acts: Sequence[int]) -> bool:
    """Connect a random ``src -> dst`` pair with ``layer(src) < layer(dst)`` that has no gene yet
    (a disabled gene counts as present). Feed-forward by construction."""
    depth = layers(g)
    present = {(c.src, c.dst) for c in g.conns}
    sources = [n.id for n in g.nodes if n.kind != OUTPUT]
    dests = [n.id for n in g.nodes if n.kind in (HIDDEN, OUTPUT)]
    pairs = [
        (s, d) for s in sources for d in dests if depth[s] < depth[d] and (s, d) not in present
    ]
    if not pairs:
        return False
    s, d = pairs[int(rng.integers(len(pairs)))]
    g.conns.append(Conn(g.next_innov(), s, d, True))
    return True


def insert_node(g: Genome, rng: np.random.Generator, acts: Sequence[int]) -> bool:
    """Split a random enabled connection ``a -> b``: disable it, add hidden node ``h`` with a
    random activation, and connections ``a -> h`` and ``h -> b``."""
    enabled = [c for c in g.conns if c.enabled]
    if not enabled:
        return False
    c = enabled[int(rng.integers(len(enabled)))]
    c.enabled = False
    h = g.next_node_id()
    g.nodes.append(Node(h, HIDDEN, int(rng.choice(acts))))
    innov = g.next_innov()
    g.conns += [Conn(innov, c.src, h, True), Conn(innov + 1, h, c.dst, True)]
    return True


def reenable(g: Genome, rng: np.random.Generator, acts: Sequence[int]) -> bool:
    """Enable a random disabled connection."""
    disabled = [c for c in g.conns if not c.enabled]
    if not disabled:
        return False
    disabled[int(rng.integers(len(disabled)))].enabled = True
    return True


def change_activation(g: Genome, rng: np.random.Generator, acts: Sequence[int]) -> bool:
    """Give a random hidden node a different random activation."""
    hidden = g.hidden
    if not hidden or len(acts) < 2:
        return False
    n = hidden[int(rng.integers(len(hidden)))]
    n.act = int(rng.choice([a for a in acts if a != n.act]))
    return True


MUTATIONS = {
    "add_connection": add_connection,
    "insert_node": insert_node,
    "reenable": reenable,
    "change_activation": change_activation,
}


def mutate(
    g: Genome,
    rng: np.random.Generator,
    acts: Sequence[int],
    probs: dict[str, float] = PROBS,
    tries: int = 20,
) -> tuple[Genome, str]:
    """A mutated copy of ``g`` (one mutation) and the mutation's name ("none" if none applied)."""
    child = g.copy()
    names = list(probs)
    p = np.array([probs[k] for k in names], dtype=float)
    p /= p.sum()
    for _ in range(tries):
        name = names[int(rng.choice(len(names), p=p))]
        if MUTATIONS[name](child, rng, acts):
            return child, name
    return child, "none"
