"""Training a topology's individual weights: the backward pass and fit."""

import numpy as np
import pytest

from scratchnn.wann.networks.backprop import GenomeNet
from scratchnn.wann.networks.genome import BIAS, HIDDEN, INPUT, OUTPUT, Conn, Genome, Node


def _net(act: int) -> Genome:
    """3 inputs, 2 outputs, two hidden nodes of activation ``act`` in a chain, plus skips."""
    nodes = [Node(0, BIAS), *(Node(i, INPUT) for i in (1, 2, 3)), Node(4, OUTPUT), Node(5, OUTPUT)]
    nodes += [Node(6, HIDDEN, act), Node(7, HIDDEN, act)]
    pairs = [(0, 6), (1, 6), (2, 6), (6, 7), (3, 7), (0, 7), (7, 4), (7, 5), (1, 4), (6, 5), (2, 5)]
    return Genome(3, 2, nodes, [Conn(k, s, d) for k, (s, d) in enumerate(pairs)])


@pytest.mark.parametrize("act", range(1, 11))
def test_gradient_matches_finite_differences_for_every_activation(act):
    rng = np.random.default_rng(act)
    net = GenomeNet(_net(act))
    net.params["w"][:] = rng.uniform(-1.5, 1.5, net.params["w"].shape)
    X, y = rng.normal(size=(16, 3)), rng.integers(0, 2, 16)
    grad = net.loss_grad(X, y).grads["w"]
    w, h = net.params["w"], 1e-6
    numeric = np.empty_like(w)
    for e in range(len(w)):
        w0 = w[e]
        w[e] = w0 + h
        up = net.loss_grad(X, y).loss
        w[e] = w0 - h
        down = net.loss_grad(X, y).loss
        w[e] = w0
        numeric[e] = (up - down) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)  # step: zero, and so is FD


def test_forward_equals_the_shared_weight_forward_at_a_constant_weight():
    from scratchnn.wann.networks.genome import express, forward

    g = _net(5)
    X = np.random.default_rng(0).normal(size=(8, 3))
    np.testing.assert_allclose(GenomeNet(g, w0=-0.7).logits(X), forward(express(g), X, -0.7))
