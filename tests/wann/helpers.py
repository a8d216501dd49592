"""Shared helpers of the WANN tests: random genomes, a hand-made network, fake data."""

import numpy as np

from scratchnn.wann.networks.activations import ALL_IDS
from scratchnn.wann.networks.genome import HIDDEN, Conn, Node, initial_genome
from scratchnn.wann.search.mutations import mutate

WEIGHTS = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])


def random_nets(n_in, n_out, count, seed=0, max_mutations=40, acts=ALL_IDS):
    """``count`` genomes, each grown by up to ``max_mutations`` random mutations."""
    rng = np.random.default_rng(seed)
    genomes = []
    for _ in range(count):
        g = initial_genome(n_in, n_out, 0.5, rng)
        for _ in range(int(rng.integers(0, max_mutations))):
            g, _ = mutate(g, rng.random(3), acts)
        genomes.append(g)
    return genomes


def hidden_links(genomes):
    """The enabled flags of every hidden -> hidden connection gene of ``genomes``."""
    return [
        c.enabled
        for g in genomes
        for c in g.conns
        if g.node(c.src).kind == g.node(c.dst).kind == HIDDEN
    ]


def hidden_net():
    """bias, x1, x2 -> h (tanh) -> out, plus x2 -> out."""
    g = initial_genome(2, 1, 0.0, np.random.default_rng(0))
    for c in g.conns:
        c.enabled = False
    g.nodes.append(Node(4, HIDDEN, 5))
    g.conns += [Conn(10, 0, 4), Conn(11, 1, 4), Conn(12, 4, 3), Conn(13, 2, 3)]
    return g


def fake_mnist256(n_train=300, n_test=200, seed=0):
    from scratchnn.wann.tasks.mnist256 import Mnist256

    rng = np.random.default_rng(seed)
    return Mnist256(
        rng.random((n_train, 256)),
        rng.integers(0, 10, n_train),
        rng.random((n_test, 256)),
        rng.integers(0, 10, n_test),
    )
