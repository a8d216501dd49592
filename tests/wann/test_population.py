"""The array population: the same genomes, layers, expression and children as the per-genome
reference, gene for gene."""

import numpy as np
import pytest

from scratchnn.wann.networks.activations import ALL_IDS, NO_STEP
from scratchnn.wann.networks.genome import (
    GenomeError,
    express,
    express_disabled_hidden,
    initial_genome,
    layers,
)
from scratchnn.wann.networks.packed import pack_networks
from scratchnn.wann.search.mutations import MUTATION_NAMES, PROBS, mutate, roulette
from scratchnn.wann.search.population import (
    M_ADD_CONN,
    M_CHANGE_ACT,
    M_COPY,
    M_INSERT_NODE,
    M_REENABLE,
    Population,
    breed,
    depths,
    pack_population,
)

from .helpers import random_nets


def dicts(genomes):
    return [g.to_dict() for g in genomes]


def test_mutation_codes_follow_the_roulette_order():
    assert MUTATION_NAMES == ("add_connection", "insert_node", "reenable", "change_activation")
    assert (M_ADD_CONN, M_INSERT_NODE, M_REENABLE, M_CHANGE_ACT) == (0, 1, 2, 3)


def test_round_trip_layers_and_expression_equal_the_reference():
    genomes = random_nets(4, 3, 40, seed=1, max_mutations=80)
    pop = Population.from_genomes(genomes)
    assert dicts(pop.genomes()) == dicts(genomes) and len(pop) == 40
    assert pop.n_enabled().tolist() == [g.n_enabled() for g in genomes]
    depth, ok = depths(pop)
    assert ok.all()
    for k, g in enumerate(genomes):
        ref = layers(g)
        mine = depth[pop.node_ptr[k] : pop.node_ptr[k + 1]]
        assert mine.tolist() == [ref[n.id] for n in g.nodes]
    a, b = pack_population(pop), pack_networks([express(g) for g in genomes])
    for f in ("node_start", "act", "edge_ptr", "edge_src"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f


def test_disabled_hidden_genes_expressed_like_the_per_genome_reference():
    genomes = random_nets(4, 3, 40, seed=4, max_mutations=80)
    pop = Population.from_genomes(genomes).express_disabled_hidden()
    ref = [express_disabled_hidden(g) for g in genomes]
    assert dicts(pop.genomes()) == dicts(ref)
    assert sum(r.n_enabled() - g.n_enabled() for r, g in zip(ref, genomes, strict=True)) > 0
    a, b = pack_population(pop), pack_networks([express(g) for g in ref])
    for f in ("node_start", "act", "edge_ptr", "edge_src"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f


def test_initial_population_draws_like_initial_genome():
    a = Population.initial(30, 6, 2, 0.1, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    b = [initial_genome(6, 2, 0.1, rng) for _ in range(30)]
    assert dicts(a.genomes()) == dicts(b)
    assert (a.n_enabled() >= 1).all()  # never an empty network


@pytest.mark.parametrize("acts", [ALL_IDS, NO_STEP, (5,)])
def test_breed_makes_the_reference_children(acts):
    genomes = random_nets(3, 2, 30, seed=2, max_mutations=60)
    genomes += [initial_genome(3, 2, 1.0, np.random.default_rng(0))]  # nothing to add/enable
    pop = Population.from_genomes(genomes)
    rng = np.random.default_rng(3)
    C = 400
    parent = rng.integers(0, len(genomes), C)
    u = rng.random((C, 3))
    drawn = np.array([roulette(x, [PROBS[k] for k in MUTATION_NAMES]) for x in u[:, 0]])
    drawn[:20] = M_COPY
    kids, applied = breed(pop, parent, drawn, u, acts)
    expected, names = [], []
    for c in range(C):
        if drawn[c] == M_COPY:
            expected.append(genomes[parent[c]].copy())
            names.append("copy")
        else:
            child, name = mutate(genomes[parent[c]], u[c], acts)
            expected.append(child)
            names.append(name)
    assert dicts(kids.genomes()) == dicts(expected)
    for c in range(C):
        if names[c] in ("none", "copy"):
            assert applied[c] == M_COPY
        else:
            assert MUTATION_NAMES[applied[c]] == names[c]
    assert {"none", "add_connection", "insert_node", "reenable"} <= set(names)
    # the parents are untouched
    assert dicts(pop.genomes()) == dicts(genomes)


def test_damaged_arrays_are_refused():
    pop = Population.from_genomes(random_nets(2, 1, 3, seed=4))
    arrays = pop.arrays()
    bad = dict(arrays, conn_dst=np.where(arrays["conn_dst"] == 3, 1, arrays["conn_dst"]))
    with pytest.raises(GenomeError, match="not a valid feed-forward network"):
        Population.from_arrays(2, 1, bad)  # an edge into an input
    with pytest.raises(GenomeError, match="disagree"):
        Population.from_arrays(2, 1, dict(arrays, conn_on=arrays["conn_on"][:-1]))
    with pytest.raises(GenomeError, match="activation id"):
        Population.from_arrays(2, 1, dict(arrays, node_act=arrays["node_act"] * 0 + 11))
    with pytest.raises(GenomeError, match="not a valid"):
        Population.from_arrays(3, 1, arrays)  # wrong input count: node kinds do not fit
