"""Genomes: expression order, the plain forward pass, malformed genomes, JSON."""

import numpy as np
import pytest

from scratchnn.wann.networks.activations import ALL_IDS
from scratchnn.wann.networks.genome import (
    HIDDEN,
    Conn,
    Genome,
    GenomeError,
    Node,
    express,
    express_disabled_hidden,
    forward,
    initial_genome,
)
from scratchnn.wann.search.mutations import mutate


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


def test_disabled_hidden_genes_expressed_as_the_reference_does():
    # 1 -> h4 -> h5 -> out; inserting h6 on h4 -> h5 disables that gene
    g = initial_genome(2, 1, 0.0, np.random.default_rng(0))
    for c in g.conns:
        c.enabled = False
    g.nodes += [Node(4, HIDDEN, 5), Node(5, HIDDEN, 9), Node(6, HIDDEN, 8)]
    g.conns += [Conn(10, 1, 4), Conn(11, 4, 5, False), Conn(12, 5, 3), Conn(13, 4, 6),
                Conn(14, 6, 5), Conn(15, 2, 4, False)]  # fmt: skip
    a = express_disabled_hidden(g)
    assert [c.enabled for c in g.conns][-6:] == [True, False, True, True, True, False]  # untouched
    # only the hidden -> hidden gene comes back; the disabled input -> hidden one stays off
    assert [c.enabled for c in a.conns][-6:] == [True, True, True, True, True, False]
    assert a.n_enabled() == g.n_enabled() + 1 and express(a).order == express(g).order
    X = np.array([[0.3, -1.2], [2.0, 0.5]])
    for w in (-1.5, 0.5):
        h4 = np.tanh(w * X[:, 0])
        h6 = np.abs(w * h4)
        assert np.allclose(forward(express(g), X, w)[:, 0], w * np.maximum(0, w * h6))
        assert np.allclose(forward(express(a), X, w)[:, 0], w * np.maximum(0, w * (h6 + h4)))


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


def test_long_chains_and_big_genomes_load_without_recursion_or_a_dense_matrix(tmp_path):
    import json
    import resource

    from scratchnn.wann.networks.formats import load_genome
    from scratchnn.wann.search.population import Population, pack_population

    n = 30_000  # a chain bias -> h1 -> ... -> hn -> out: 30k nodes (a dense W would be 7 GB)
    nodes = [[0, "bias", 1], [1, "input", 1], [2, "output", 1]]
    nodes += [[3 + i, "hidden", 1] for i in range(n)]
    conns = [[0, 0, 3, True]] + [[1 + i, 3 + i, 4 + i, True] for i in range(n - 1)]
    conns.append([n, 2 + n, 2, True])
    path = tmp_path / "chain.json"
    path.write_text(json.dumps({"n_in": 1, "n_out": 1, "nodes": nodes, "conns": conns}))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    g = load_genome(path, 1, 1)
    from scratchnn.wann.networks.genome import layers

    depth = layers(g)
    assert depth[2 + n] == n and depth[2] == n + 1
    packed = pack_population(Population.from_genomes([g]))
    assert packed.n_edges(0) == n + 1
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 500, grown_mb


def test_population_order_matches_express_for_any_node_ids():
    from scratchnn.wann.networks.genome import Genome
    from scratchnn.wann.networks.packed import pack_networks
    from scratchnn.wann.search.population import Population, pack_population

    # ids out of the canonical order: hidden 3 below the outputs 7 and 5 (listed 7 first)
    g = Genome(
        2,
        2,
        [Node(0, "bias"), Node(1, "input"), Node(2, "input"), Node(7, "output"),
         Node(5, "output"), Node(3, "hidden", 5)],
        [Conn(0, 1, 3), Conn(1, 3, 7), Conn(2, 2, 5), Conn(3, 0, 7)],
    )  # fmt: skip
    a, b = pack_population(Population.from_genomes([g])), pack_networks([express(g)])
    for f in ("node_start", "act", "edge_ptr", "edge_src"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f


def test_infinity_and_a_null_header_are_named_errors(tmp_path):
    import json

    from scratchnn.errors import ScratchnnError
    from scratchnn.wann.networks.genome import Genome
    from scratchnn.wann.search.loop import load_checkpoint

    g = initial_genome(2, 1, 1.0, np.random.default_rng(0)).to_dict()
    g["nodes"][0][2] = float("inf")
    with pytest.raises(GenomeError, match="malformed genome"):
        Genome.from_dict(json.loads(json.dumps(g)))  # JSON's Infinity
    path = tmp_path / "checkpoint.npz"
    np.savez(path, header=np.frombuffer(b"null", np.uint8))
    with pytest.raises(ScratchnnError, match="version None is not supported"):
        load_checkpoint(path)


def test_genomes_with_wrong_node_counts_or_duplicate_ids_are_refused():
    from scratchnn.wann.networks.genome import Genome

    good = initial_genome(2, 1, 1.0, np.random.default_rng(0)).to_dict()
    one_input = dict(good, nodes=[n for n in good["nodes"] if n[0] != 2])
    one_input["conns"] = [c for c in good["conns"] if 2 not in c[1:3]]
    with pytest.raises(GenomeError, match="1 input node"):
        Genome.from_dict(one_input)  # n_in 2 but one input node
    with pytest.raises(GenomeError, match="duplicate node ids"):
        Genome.from_dict(dict(good, nodes=[*good["nodes"], [1, "hidden", 1]]))
    with pytest.raises(GenomeError, match="2 output node"):
        Genome.from_dict(dict(good, nodes=[*good["nodes"], [9, "output", 1]]))
    with pytest.raises(GenomeError, match="unknown node kind 'gate'"):
        Genome.from_dict(dict(good, nodes=[*good["nodes"], [9, "gate", 1]]))
