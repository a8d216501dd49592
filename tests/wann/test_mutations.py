"""The four mutations on genome objects (the reference implementation)."""

import numpy as np

from scratchnn.wann.networks.activations import ALL_IDS
from scratchnn.wann.networks.genome import (
    express,
    forward,
    initial_genome,
    layers,
)
from scratchnn.wann.search.mutations import insert_node, mutate


def _feed_forward(g) -> bool:
    e = express(g)
    index = {v: i for i, v in enumerate(e.order)}
    return all(index[c.src] < index[c.dst] for c in g.conns)


def test_thousands_of_random_mutations_stay_feed_forward():
    rng = np.random.default_rng(1)
    counts = {}
    for _ in range(40):
        g = initial_genome(4, 2, 0.5, rng)
        for _ in range(60):
            g, name = mutate(g, rng.random(3), ALL_IDS)
            counts[name] = counts.get(name, 0) + 1
            assert _feed_forward(g)  # every gene, disabled ones included, goes forward
            depth = layers(g)
            assert all(depth[c.src] < depth[c.dst] for c in g.conns)
    assert sum(counts.values()) == 2400
    for name in ("add_connection", "insert_node", "reenable", "change_activation"):
        assert counts.get(name, 0) > 50, counts


def test_mutation_frequencies_follow_the_reference_probabilities():
    rng = np.random.default_rng(2)
    g = initial_genome(4, 2, 0.5, rng)
    for _ in range(30):  # grow a network on which every mutation applies
        g, _ = mutate(g, rng.random(3), ALL_IDS)
    counts = {}
    for _ in range(4000):
        _, name = mutate(g, rng.random(3), ALL_IDS)
        counts[name] = counts.get(name, 0) + 1
    assert abs(counts["change_activation"] / 4000 - 0.50) < 0.03
    assert abs(counts["insert_node"] / 4000 - 0.25) < 0.03
    assert abs(counts["add_connection"] / 4000 - 0.20) < 0.03
    assert abs(counts["reenable"] / 4000 - 0.05) < 0.02


def test_insert_node_between_linear_nodes_keeps_the_function_at_w1():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, 3))
    for seed in range(20):
        r = np.random.default_rng(seed)
        g = initial_genome(3, 2, 0.7, r)
        for _ in range(5):
            insert_node(g, r.random(3), [1])  # linear hidden nodes only
        before = forward(express(g), X, 1.0)
        h = g.copy()
        assert insert_node(h, r.random(3), [1])
        assert np.allclose(forward(express(h), X, 1.0), before)
