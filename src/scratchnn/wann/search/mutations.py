"""The four WANN mutations, on one genome at a time (the plain, readable reference).

Each child gets exactly one mutation, drawn with the reference's probabilities: add connection
0.20, insert node 0.25, re-enable a disabled connection 0.05, change activation 0.50. As in the
reference (WANNRelease ``topoMutate``), a drawn mutation that cannot apply (no free feed-forward
pair, no disabled gene, no hidden node) leaves the child an unchanged copy: nothing is redrawn.

Randomness comes as four uniforms ``u`` in [0, 1) per child, drawn by the search in one array:
``u[0]`` picks the mutation (roulette over the cumulative probabilities), ``u[1]``, ``u[2]`` its
choices, each as ``pick(u, n) = floor(u n)``, an index into a list in genome order. The array
engine (:mod:`~scratchnn.wann.search.population`) makes the same choices from the same uniforms, so
both give the same children, gene for gene.

- add connection: among the non-output nodes ``s`` that have a free destination (a hidden or
  output node ``d`` with ``layer(s) < layer(d)`` and no gene ``s -> d`` yet, a disabled gene
  counting as present), ``s = pick(u[1])``; ``d = pick(u[2])`` among its free destinations.
  Feed-forward by construction; uniform over sources first, as the reference's random source
  permutation is.
- insert node: the enabled gene ``a -> b = pick(u[1])`` is disabled; a hidden node ``h`` with
  activation ``acts[pick(u[2])]`` and genes ``a -> h``, ``h -> b`` are added.
- re-enable: the disabled gene ``pick(u[1])`` is enabled.
- change activation: hidden node ``pick(u[1])`` takes activation ``pick(u[2])`` of the allowed
  ones other than its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..networks.genome import HIDDEN, OUTPUT, Conn, Genome, Node, layers

#: mutation names in roulette order, and the reference's probabilities
PROBS = {"add_connection": 0.20, "insert_node": 0.25, "reenable": 0.05, "change_activation": 0.50}
MUTATION_NAMES: tuple[str, ...] = tuple(PROBS)
N_UNIFORMS = 3  # uniforms per child: the roulette and two choices


def pick(u: float, n: int) -> int:
    """``floor(u n)`` for ``u`` in [0, 1), clipped to ``n - 1``: a uniform index into n items."""
    return min(int(u * n), n - 1)


def roulette(u: float, probs: Sequence[float]) -> int:
    """Index of the slot of the cumulative ``probs`` (normalised) that ``u`` in [0, 1) falls in."""
    total = float(sum(probs))
    acc = 0.0
    for k, p in enumerate(probs):
        acc += p
        if u * total < acc:
            return k
    return len(probs) - 1


def free_destinations(g: Genome, depth: dict[int, int]) -> list[tuple[int, list[int]]]:
    """``[(s, [d, ...])]``: each non-output node (genome order) with its free destinations
    (genome order), for the nodes that have at least one."""
    present = {(c.src, c.dst) for c in g.conns}
    dests = [n.id for n in g.nodes if n.kind in (HIDDEN, OUTPUT)]
    out = []
    for n in g.nodes:
        if n.kind == OUTPUT:
            continue
        free = [d for d in dests if depth[n.id] < depth[d] and (n.id, d) not in present]
        if free:
            out.append((n.id, free))
    return out


def add_connection(g: Genome, u: Sequence[float], acts: Sequence[int]) -> bool:
    """Connect a free feed-forward pair (see the module docstring)."""
    candidates = free_destinations(g, layers(g))
    if not candidates:
        return False
    s, free = candidates[pick(u[1], len(candidates))]
    g.conns.append(Conn(g.next_innov(), s, free[pick(u[2], len(free))], True))
    return True


def insert_node(g: Genome, u: Sequence[float], acts: Sequence[int]) -> bool:
    """Split an enabled connection ``a -> b``: disable it, add hidden node ``h`` and the
    connections ``a -> h`` and ``h -> b``."""
    enabled = [c for c in g.conns if c.enabled]
    if not enabled:
        return False
    c = enabled[pick(u[1], len(enabled))]
    c.enabled = False
    h = g.next_node_id()
    g.nodes.append(Node(h, HIDDEN, int(acts[pick(u[2], len(acts))])))
    innov = g.next_innov()
    g.conns += [Conn(innov, c.src, h, True), Conn(innov + 1, h, c.dst, True)]
    return True


def reenable(g: Genome, u: Sequence[float], acts: Sequence[int]) -> bool:
    """Enable a disabled connection."""
    disabled = [c for c in g.conns if not c.enabled]
    if not disabled:
        return False
    disabled[pick(u[1], len(disabled))].enabled = True
    return True


def change_activation(g: Genome, u: Sequence[float], acts: Sequence[int]) -> bool:
    """Give a hidden node a different activation."""
    hidden = g.hidden
    if not hidden:
        return False
    n = hidden[pick(u[1], len(hidden))]
    others = [a for a in acts if a != n.act]
    if not others:
        return False
    n.act = int(others[pick(u[2], len(others))])
    return True


MUTATIONS = {
    "add_connection": add_connection,
    "insert_node": insert_node,
    "reenable": reenable,
    "change_activation": change_activation,
}


def mutate(
    g: Genome,
    u: Sequence[float],
    acts: Sequence[int],
    probs: dict[str, float] = PROBS,
) -> tuple[Genome, str]:
    """A copy of ``g`` with the mutation that ``u`` draws (see the module docstring), and its
    name; ``"none"`` when the drawn mutation could not apply (the copy is unchanged)."""
    child = g.copy()
    name = MUTATION_NAMES[roulette(u[0], [probs[k] for k in MUTATION_NAMES])]
    return (child, name) if MUTATIONS[name](child, u, acts) else (child, "none")


def random_uniforms(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, N_UNIFORMS) uniforms for ``n`` children."""
    return rng.random((n, N_UNIFORMS))
