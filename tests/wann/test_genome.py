"""Genomes: expression order, the plain forward pass, malformed genomes, JSON."""

import numpy as np
import pytest

from scratchnn.wann.activations import ALL_IDS
from scratchnn.wann.genome import (
    HIDDEN,
    Conn,
    Genome,
    GenomeError,
    Node,
    express,
    forward,
    initial_genome,
)
from scratchnn.wann.mutations import mutate


def test_initial_genome_and_expression_order():
    g = initial_genome(3, 2, 1.0, np.random.default_rng(0))
    e = express(g)
    assert e.order == (0, 1, 2, 3, 4, 5)  # bias, inputs, outputs
    assert e.W[:4, 4:].all() and not e.W[:, :4].any()
    g2 = initial_genome(3, 2, 0.0, np.random.default_rng(0))
    assert g2.n_enabled() == 1  # never an empty network


def test_forward_of_a_hand_built_network():
    # y = relu(w * (x1 + x2)) -> out = w * y + w * bias
    g = initial_genome(2, 1, 0.0, np.random.default_rng(0))
    for c in g.conns:
        c.enabled = False
    g.nodes.append(Node(4, HIDDEN, 9))
    g.conns += [Conn(10, 1, 4), Conn(11, 2, 4), Conn(12, 4, 3), Conn(13, 0, 3)]
    e = express(g)
    assert e.order == (0, 1, 2, 4, 3)
    X = np.array([[1.0, 2.0], [-3.0, 1.0]])
    for w in (-2.0, 0.5, 2.0):
        hid = np.maximum(0, w * X.sum(axis=1))
        assert np.allclose(forward(e, X, w)[:, 0], w * hid + w)


def test_malformed_genomes_are_named():
    g = initial_genome(2, 1, 1.0, np.random.default_rng(0))
    g.nodes += [Node(4, HIDDEN, 1), Node(5, HIDDEN, 1)]
    g.conns += [Conn(20, 4, 5), Conn(21, 5, 4)]
    with pytest.raises(GenomeError, match="cycle"):
        express(g)
    g = initial_genome(2, 1, 1.0, np.random.default_rng(0))
    g.node(3).act = 42
    with pytest.raises(GenomeError, match="unknown activation id 42"):
        express(g)
    g = initial_genome(2, 1, 1.0, np.random.default_rng(0))
    g.conns.append(Conn(30, 3, 1))
    with pytest.raises(GenomeError, match="ends at a input node"):
        express(g)


def test_genome_json_round_trip_and_malformed_files():

    rng = np.random.default_rng(4)
    g = initial_genome(3, 2, 0.5, rng)
    for _ in range(20):
        g, _ = mutate(g, rng.random(3), ALL_IDS)
    back = Genome.from_dict(g.to_dict())
    assert back.to_dict() == g.to_dict()
    X = rng.standard_normal((5, 3))
    assert np.array_equal(forward(express(back), X, 0.5), forward(express(g), X, 0.5))
    d = g.to_dict()
    d["nodes"][-1][2] = 99
    with pytest.raises(GenomeError, match="unknown activation id 99"):
        Genome.from_dict(d)
    with pytest.raises(GenomeError, match="malformed genome"):
        Genome.from_dict({"n_in": 2})
