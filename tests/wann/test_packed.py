"""Packed evaluation against the node-by-node forward pass."""

import numpy as np
import pytest

from scratchnn.wann.networks.genome import (
    express,
    forward,
)
from scratchnn.wann.networks.packed import forward_shared, pack_networks

from .helpers import WEIGHTS, random_nets


def test_packed_forward_equals_the_node_by_node_forward():
    nets = [express(g) for g in random_nets(5, 3, 30)]
    X = np.random.default_rng(1).normal(size=(50, 5))
    out = forward_shared(pack_networks(nets), X, WEIGHTS)
    assert out.shape == (30, 6, 50, 3)
    with np.errstate(all="ignore"):
        for k, e in enumerate(nets):
            for i, w in enumerate(WEIGHTS):
                np.testing.assert_allclose(out[k, i], forward(e, X, w), rtol=1e-10, atol=1e-10)


def test_shared_weight_cross_entropy_equals_the_plain_forward():
    from scratchnn.wann.networks.activations import NO_STEP
    from scratchnn.wann.networks.packed import shared_weight_cross_entropy

    rng = np.random.default_rng(2)
    nets = [express(g) for g in random_nets(6, 4, 25, seed=5, max_mutations=60, acts=NO_STEP)]
    X, y = rng.random((40, 6)), rng.integers(0, 4, 40)
    ce = shared_weight_cross_entropy(pack_networks(nets), WEIGHTS, X, y)
    assert ce.shape == (25, 6)
    with np.errstate(all="ignore"):
        for k, e in enumerate(nets):
            for i, w in enumerate(WEIGHTS):
                z = forward(e, X, w)
                m = z.max(axis=1, keepdims=True)
                lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
                expected = (lse - z[np.arange(40), y]).mean()
                np.testing.assert_allclose(ce[k, i], expected, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.3"):
        shared_weight_cross_entropy(pack_networks(nets), WEIGHTS, X, y + 4)


def test_parity_shortcut_is_bit_identical_to_computing_every_weight():
    from scratchnn.wann.networks.activations import ALL_IDS, NO_STEP
    from scratchnn.wann.networks.packed import shared_weight_cross_entropy, weight_partners

    assert weight_partners(WEIGHTS).tolist() == [5, 4, 3, 2, 1, 0]
    assert weight_partners(np.array([1.0, 2.0, -1.0])).tolist() == [2, 3, 0]
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(64, 8)), rng.integers(0, 3, 64)
    for acts, seed in [(NO_STEP, 1), (ALL_IDS, 2), ((1, 3, 4, 5, 7, 8, 10), 3)]:
        packed = pack_networks([express(g) for g in random_nets(8, 3, 40, seed, 120, acts)])
        for weights in (WEIGHTS, np.array([-1.5, 0.25, 1.5, 3.0])):
            fast = shared_weight_cross_entropy(packed, weights, X, y)
            slow = shared_weight_cross_entropy(packed, weights, X, y, use_parity=False)
            assert np.array_equal(fast, slow, equal_nan=True)


def test_forward_rows_gives_each_row_its_own_instance_and_input():
    from scratchnn.wann.networks.genome import express, forward
    from scratchnn.wann.networks.packed import forward_rows, shared_weight_instances

    nets = [express(g) for g in random_nets(3, 2, 5, seed=7)]
    packed = pack_networks(nets)
    inst = shared_weight_instances(packed, WEIGHTS)  # instance k * 6 + i: net k at WEIGHTS[i]
    rng = np.random.default_rng(0)
    rows = rng.integers(0, len(inst[0]), size=40)
    X = rng.normal(size=(40, 3))
    y = forward_rows(packed, *inst, rows, X)
    for r, i in enumerate(rows):
        k, w = divmod(int(i), len(WEIGHTS))
        expected = forward(nets[k], X[r : r + 1], WEIGHTS[w])[0]
        assert np.allclose(y[r], expected, rtol=1e-12, atol=1e-12, equal_nan=True)
