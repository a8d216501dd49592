"""Figures: the network drawing."""

from scratchnn.wann.networks.genome import (
    layers,
)

from .helpers import hidden_net, random_nets


def test_network_drawing_lays_out_layers_and_hides_unused_mnist_inputs(tmp_path):
    from scratchnn.wann.plots import draw_network, node_positions

    g = hidden_net()
    pos = node_positions(g)
    depth = layers(g)
    assert all(pos[v][0] == depth[v] for v in pos) and len(pos) == len(g.nodes)
    big = random_nets(256, 10, 1, seed=1, max_mutations=5)[0]
    used = {c.src for c in big.conns if c.enabled}
    shown = {v for v in node_positions(big) if 1 <= v <= 256}
    assert shown == used & set(range(1, 257))
    draw_network(big, tmp_path / "n.png", [f"p{i}" for i in range(256)], list("0123456789"))
    assert (tmp_path / "n.png").stat().st_size > 1000
