"""Claim 4: topology search struggles to find a CNN's structure, and on images a WANN may fall
short of a CNN.

(a) Accuracy at matched size on MNIST-256 (16 x 16 deskewed digits, test set): the zoo
champion with its tuned shared weight (one parameter) and with its trained individual weights
(one per connection, from the zoo's evaluations), against networks of about as many parameters
as the champion has connections, trained from scratch over seeds with Adam: a two-layer MLP
(:func:`scratchnn.cnn.train_mlp_mnist256`) and a one-layer CNN (:func:`scratchnn.cnn.
train_mnist256`, the channel count whose parameter count is nearest).

(b) Whether the search found CNN-like locality: for each hidden node that draws on two or more
pixels directly, the mean distance between those pixels on the 16 x 16 grid; the statistic is
its mean over such nodes. The null keeps the graph and relabels the pixels it uses at random
(a permutation of the used pixels, so the digits' centre bias is kept); the p-value is the
share of relabellings at least as local as the champion, counting the champion's own.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from . import verdict
from .common import (
    Scale,
    champion,
    evaluation,
    first_images,
    fmt_pm,
    n_edges,
    plural,
    rng,
    spread,
    task,
)

CLAIM = (
    "topology search will hardly find a CNN's structure, and on images a WANN may fall short "
    "of a CNN"
)
SIDE = 16  # MNIST-256 images are SIDE x SIDE


def cnn_channels_for(n_params: int) -> int:
    """The channel count of :class:`scratchnn.cnn.SmallCNN` (16 x 16, 3 x 3 kernels, same
    padding, 10 classes) whose parameter count is nearest ``n_params``: ``650 C + 10``."""
    per_channel = 9 + 1 + (SIDE // 2) ** 2 * 10
    return max(1, round((n_params - 10) / per_channel))


def node_pixels(genome: Any) -> list[list[int]]:
    """Per hidden node drawing on two or more pixels: the pixel indices (0..255) of its
    direct input connections."""
    from ..wann.networks.formats import edge_pairs
    from ..wann.networks.genome import HIDDEN

    hidden = {n.id for n in genome.nodes if n.kind == HIDDEN}
    by_node: dict[int, set[int]] = {}
    for src, dst in edge_pairs(genome):
        if dst in hidden and 1 <= src <= genome.n_in:
            by_node.setdefault(dst, set()).add(src - 1)
    return [sorted(p) for _, p in sorted(by_node.items()) if len(p) >= 2]


def locality_test(nodes: list[list[int]], permutations: int, seed: int) -> dict[str, Any]:
    """The permutation test of (b): ``{"nodes", "observed", "null_mean", "p_value", ...}``
    (``p_value`` 1 when no hidden node draws on two pixels)."""
    if not nodes:
        return {"nodes": 0, "observed": None, "null_mean": None, "p_value": 1.0,
                "permutations": permutations}  # fmt: skip
    used = sorted({p for ps in nodes for p in ps})
    pos = {p: i for i, p in enumerate(used)}
    coords = np.array([divmod(p, SIDE) for p in used], float)
    a, b, wt = [], [], []
    for ps in nodes:
        pairs = list(combinations(ps, 2))
        for i, j in pairs:
            a.append(pos[i])
            b.append(pos[j])
            wt.append(1.0 / (len(pairs) * len(nodes)))
    a, b, wt = np.array(a), np.array(b), np.array(wt)

    def stat(perm: np.ndarray) -> np.ndarray:
        """(P,) the statistic under each relabelling (rows of ``perm``)."""
        d = np.linalg.norm(coords[perm[:, a]] - coords[perm[:, b]], axis=2)
        return d @ wt

    observed = float(stat(np.arange(len(used))[None])[0])
    r = rng(seed, 8)
    null = stat(np.argsort(r.random((permutations, len(used))), axis=1))
    p = (1 + int(np.sum(null <= observed))) / (1 + permutations)
    return {"nodes": len(nodes), "pixels": len(used), "observed": observed,
            "null_mean": float(null.mean()), "null_sd": float(null.std()), "p_value": p,
            "permutations": permutations}  # fmt: skip


def matched_size(scale: Scale, seed: int, n_params: int, data_dir: str | None) -> dict:
    """(a): the MLP and the CNN of about ``n_params`` parameters, ``scale.seeds`` seeds each."""
    from ..cnn import train_mlp_mnist256, train_mnist256

    data = first_images(task("mnist256", data_dir).data, scale.train_images)
    channels = cnn_channels_for(n_params)
    runs: dict[str, list[dict]] = {"mlp": [], "cnn": []}
    for s in range(scale.seeds):
        s_ = seed * 1000 + s
        runs["mlp"].append(train_mlp_mnist256(n_params, epochs=scale.epochs, seed=s_, data=data))
        runs["cnn"].append(train_mnist256(channels, epochs=scale.epochs, seed=s_, data=data))
    out = {}
    for k, rs in runs.items():
        out[k] = {"model": rs[0]["model"], "n_parameters": rs[0]["n_parameters"],
                  "test_acc": spread([r["test_acc"] for r in rs]),
                  "seconds": float(sum(r["seconds"] for r in rs))}  # fmt: skip
    return out


def run(scale: Scale, seed: int, data_dir: str | None = None) -> dict[str, Any]:
    """Claim 4's evidence and verdict (:func:`~scratchnn.review.verdict.claim4`)."""
    champ, trained = champion("mnist256"), champion("mnist256:trained")
    E = n_edges(champ.genome)
    ev = evaluation(champ)
    wann = {
        "tuned": {"test_acc": float(ev.row("tuned_shared").mean), "n_parameters": 1,
                  "tuned_weight": float(ev.tuned_weight)},
        "trained": {"test_acc": float(evaluation(trained).row("trained").mean),
                    "n_parameters": E},
    }  # fmt: skip
    nets = matched_size(scale, seed, E, data_dir)
    best = max(w["test_acc"] for w in wann.values())
    c = nets["cnn"]["test_acc"]
    cnn = verdict.cnn_part(c["mean"], c["sd"], c["n"], best)
    loc = locality_test(node_pixels(champ.genome), scale.permutations, seed)
    v = verdict.claim4(cnn, loc["p_value"])
    return {"claim": 4, "text": CLAIM, "wann": wann, "matched": nets, "connections": E,
            "epochs": scale.epochs, "train_images": scale.train_images or 60_000,
            "cnn_beats_wann": cnn, "locality": loc, "verdict": v,
            "rule": verdict.rule_text(verdict.claim4)}  # fmt: skip


def evidence_line(result: dict[str, Any]) -> str:
    """One line: the accuracies at matched size and the locality test."""
    w, m, loc = result["wann"], result["matched"], result["locality"]
    acc = (f"MNIST-256 test accuracy: WANN tuned shared {100 * w['tuned']['test_acc']:.1f} %, "
           f"trained {100 * w['trained']['test_acc']:.1f} % ({result['connections']} weights); "
           f"MLP {fmt_pm(m['mlp']['test_acc'], pct=True)} ({m['mlp']['n_parameters']} params), "
           f"CNN {fmt_pm(m['cnn']['test_acc'], pct=True)} ({m['cnn']['n_parameters']} params), "
           f"{plural(m['cnn']['test_acc']['n'], 'seed')}")  # fmt: skip
    if loc["observed"] is None:
        return f"{acc}; locality: no hidden node draws on two pixels"
    return (f"{acc}; locality: {loc['nodes']} hidden nodes' pixels {loc['observed']:.2f} apart "
            f"vs {loc['null_mean']:.2f} ± {loc['null_sd']:.2f} relabelled, "
            f"p = {loc['p_value']:.2g}")  # fmt: skip
