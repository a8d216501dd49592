"""The network drawing of a champion page: nodes placed by layer, as JSON-able data.

Columns are the layers of :func:`~scratchnn.wann.networks.genome.layers`: bias and inputs at depth
0, each hidden node one more than its deepest source, the outputs after the deepest hidden node.
Within a hidden column the nodes are ordered by the mean height of their sources (a barycentre
pass, column by column, which removes most edge crossings); outputs keep their order.

MNIST-256's 256 inputs are drawn as the 16x16 image they are (row ``r``, column ``c`` is input
``16 r + c + 1``), so the picture shows which pixels the network reads.

Coordinates are SVG user units: ``x`` in ``[0, width]``, ``y`` in ``[0, height]`` (down).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..networks.activations import ACTIVATIONS_BY_ID
from ..networks.genome import BIAS, HIDDEN, INPUT, OUTPUT, Genome, layers

#: vertical room per node in a column (SVG units), and the drawing's bounds
ROW = 16.0
MIN_HEIGHT, MAX_HEIGHT = 260.0, 900.0
WIDTH = 900.0
MARGIN = 40.0  # the least room left and right of the columns (more for long names)
PIXEL = 9.0  # side of one MNIST input pixel


def _image_inputs(g: Genome) -> bool:
    """True for MNIST-256-shaped networks (256 inputs, drawn as a 16x16 image)."""
    return g.n_in == 256


def network_layout(
    g: Genome, input_names: Sequence[str] = (), output_names: Sequence[str] = ()
) -> dict:
    """The drawing of ``g``'s enabled connections: ``{"width", "height", "image_inputs",
    "nodes": [{"id", "kind", "act", "act_name", "depth", "x", "y", "label"}], "edges":
    [[source index, destination index], ...]}``, indices into ``nodes``; one edge per enabled
    connection, in the genome's order."""
    depth = layers(g)
    used = {c.src for c in g.conns if c.enabled} | {c.dst for c in g.conns if c.enabled}
    image = _image_inputs(g)
    top = max(depth.values())
    columns: dict[int, list[int]] = {}
    kinds = {n.id: n.kind for n in g.nodes}
    for n in g.nodes:
        if n.kind == INPUT and g.n_in > 16 and not image and n.id not in used:
            continue  # many inputs, drawn in a column: only those that are read
        columns.setdefault(depth[n.id], []).append(n.id)
    preds: dict[int, list[int]] = {}
    for c in g.conns:
        if c.enabled:
            preds.setdefault(c.dst, []).append(c.src)
    tallest = max(len(ids) for d, ids in columns.items() if not (image and d == 0))
    height = min(MAX_HEIGHT, max(MIN_HEIGHT, ROW * (tallest + 1)))
    if image:
        height = max(height, 16 * PIXEL + 4 * ROW)
    names = [*input_names[: g.n_in], "bias"] if not image else ["bias"]
    margin = max(MARGIN, 16 + 6.5 * max(len(x) for x in names))  # room for the input names
    right = max(MARGIN, 16 + 6.5 * max((len(x) for x in output_names), default=0))
    left = margin + (16 * PIXEL if image else 0)
    step = (WIDTH - right - left) / max(top, 1)
    pos: dict[int, tuple[float, float]] = {}

    def spread(ids: list[int], x: float) -> None:
        gap = height / (len(ids) + 1)
        for i, v in enumerate(ids):
            pos[v] = (x, gap * (i + 1))

    for d in sorted(columns):
        ids = columns[d]
        x = left + d * step
        if d == 0 and image:
            y0 = (height - 16 * PIXEL) / 2
            for v in ids:
                if kinds[v] == BIAS:
                    pos[v] = (margin + 8 * PIXEL, y0 - 2 * ROW)
                else:
                    r, c = divmod(v - 1, 16)
                    pos[v] = (margin + (c + 0.5) * PIXEL, y0 + (r + 0.5) * PIXEL)
            continue
        if d not in (0, top):  # hidden: by the mean height of the sources already placed

            def key(v: int) -> tuple[float, int]:
                ys = [pos[u][1] for u in preds.get(v, []) if u in pos]
                return (sum(ys) / len(ys) if ys else height / 2, v)

            ids = sorted(ids, key=key)
        spread(ids, x)
    order = [v for d in sorted(columns) for v in columns[d]]
    index = {v: i for i, v in enumerate(order)}
    acts = {n.id: n.act for n in g.nodes}
    nodes = []
    for v in order:
        kind = kinds[v]
        x, y = pos[v]
        label = ""
        if kind == BIAS:
            label = "bias"
        elif kind == INPUT:
            label = input_names[v - 1] if v - 1 < len(input_names) else f"in{v - 1}"
        elif kind == OUTPUT:
            k = v - 1 - g.n_in
            label = output_names[k] if k < len(output_names) else f"out{k}"
        act = acts[v] if kind in (HIDDEN, OUTPUT) else None
        nodes.append(
            {
                "id": v,
                "kind": kind,
                "act": act,
                "act_name": ACTIVATIONS_BY_ID[act].name if act is not None else "",
                "depth": depth[v],
                "x": round(x, 1),
                "y": round(y, 1),
                "label": label,
                "used": v in used,
            }
        )
    edges = [[index[c.src], index[c.dst]] for c in g.conns if c.enabled]
    return {
        "width": WIDTH,
        "height": round(height, 1),
        "image_inputs": image,
        "nodes": nodes,
        "edges": edges,
    }
