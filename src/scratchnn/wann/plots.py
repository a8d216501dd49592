"""Figures of a WANN search: fitness per generation and a drawing of a network."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..fileio import save_figure
from ..plots import figure
from .networks.activations import ACTIVATIONS_BY_ID
from .networks.genome import BIAS, HIDDEN, INPUT, OUTPUT, Genome, layers


def plot_fitness(stats: Sequence, path: Path, title: str = "") -> None:
    """Best mean and best max score per generation, the champion's score, and median size."""
    gen = [s.generation for s in stats]
    fig = figure(figsize=(8, 4.5))
    ax = fig.subplots()
    ax.plot(gen, [s.best_max for s in stats], lw=1, alpha=0.7, label="best single weight")
    ax.plot(gen, [s.best_mean for s in stats], lw=1.2, label="best mean over the 6 weights")
    ax.plot(gen, [s.champion_mean for s in stats], lw=2, color="k", label="champion (mean)")
    ax.set_xlabel("generation")
    ax.set_ylabel("score")
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(gen, [s.median_conns for s in stats], color="tab:gray", ls=":", label="median conns")
    ax2.set_ylabel("median connections")
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(lines, [h.get_label() for h in lines], loc="lower right", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def node_positions(g: Genome) -> dict[int, tuple[float, float]]:
    """x = layer (inputs/bias 0, hidden by longest path, outputs last), y spread per layer.
    With more than 16 inputs (MNIST) inputs without an enabled connection are left out."""
    depth = layers(g)
    used = {c.src for c in g.conns if c.enabled}
    by_layer: dict[int, list[int]] = {}
    for n in g.nodes:
        if g.n_in > 16 and n.kind == INPUT and n.id not in used:
            continue
        by_layer.setdefault(depth[n.id], []).append(n.id)
    pos = {}
    for x, ids in by_layer.items():
        ys = np.linspace(0, 1, len(ids) + 2)[1:-1]
        for y, v in zip(ys, ids, strict=False):
            pos[v] = (float(x), float(1 - y))
    return pos


def node_label(
    g: Genome, node_id: int, kind: str, input_names: Sequence[str], output_names: Sequence[str]
) -> tuple[str | None, str]:
    """The name written beside a node and the text's alignment: bias and inputs on the left
    (``"right"``-aligned), outputs on the right; hidden nodes and unnamed ones get none."""
    if kind == BIAS:
        return "bias", "right"
    if kind == INPUT and node_id - 1 < len(input_names):
        return input_names[node_id - 1], "right"
    if kind == OUTPUT and node_id - 1 - g.n_in < len(output_names):
        return output_names[node_id - 1 - g.n_in], "left"
    return None, "left"


def draw_network(
    g: Genome,
    path: Path,
    input_names: Sequence[str] = (),
    output_names: Sequence[str] = (),
    title: str = "",
) -> None:
    """Nodes in layers, coloured by activation; inputs, bias and outputs named; enabled
    connections only."""
    from matplotlib import colormaps

    pos = node_positions(g)
    n_layers = 1 + max(x for x, _ in pos.values())
    fig = figure(figsize=(min(30, 2 + 1.6 * n_layers), min(24, 1 + 0.35 * max(len(pos) ** 0.8, 8))))
    ax = fig.subplots()
    for c in g.conns:
        if c.enabled:
            (x0, y0), (x1, y1) = pos[c.src], pos[c.dst]
            ax.plot([x0, x1], [y0, y1], color="0.55", lw=0.6, alpha=0.6, zorder=1)
    cmap = colormaps["tab10"]
    used = set()
    for n in g.nodes:
        if n.id not in pos:
            continue
        x, y = pos[n.id]
        if n.kind in (BIAS, INPUT):
            color, label = "white", None
        else:
            color, label = cmap((n.act - 1) % 10), ACTIVATIONS_BY_ID[n.act].name
        ax.scatter(
            [x],
            [y],
            s=90,
            color=color,
            edgecolors="k",
            zorder=2,
            label=label if label not in used else None,
        )
        used.add(label)
        name, side = node_label(g, n.id, n.kind, input_names, output_names)
        if name:
            ax.annotate(
                name,
                (x, y),
                xytext=(-6 if side == "right" else 6, 0),
                textcoords="offset points",
                ha=side,
                va="center",
                fontsize=7,
            )
    n_hidden = sum(n.kind == HIDDEN for n in g.nodes)
    ax.set_title(title or f"{n_hidden} hidden nodes, {g.n_enabled()} connections", fontsize=9)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=5, fontsize=7, frameon=False)
    ax.set_xlim(-0.8, n_layers - 0.2)
    ax.axis("off")
    fig.tight_layout()
    save_figure(fig, path, dpi=120 if fig.get_figwidth() * fig.get_figheight() <= 120 else 80)
