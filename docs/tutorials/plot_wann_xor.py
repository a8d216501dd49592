"""
A weight agnostic network for XOR
=================================

Weight Agnostic Neural Networks (Gaier & Ha, 2019) search only the topology and the
activation functions; every connection shares **one** weight *w*. A network is scored by its
mean over the shared weights *w* = -2, -1, -0.5, 0.5, 1 and 2, so the search favours networks
that solve the task whatever the weight. XOR is the smallest task that needs a hidden node.
This tutorial runs the search, draws the champion and evaluates it by the paper's protocol.
"""

# %%
# The search
# ----------
# :func:`scratchnn.wann.search.run.search` is what ``scratchnn wann search --task xor`` runs. The
# ``laptop`` preset of the Boolean tasks is a population of 64 for up to 500 generations; an
# unsolved search restarts with the next seed. Seed 3 solves XOR in about a hundred
# generations, a few seconds.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from scratchnn.wann.evaluate import evaluate
from scratchnn.wann.search.config import load_preset
from scratchnn.wann.search.run import search
from scratchnn.wann.tasks import make_task

task = make_task("xor")
cfg = load_preset("xor", "laptop").replace(seed=3)
out = Path(tempfile.mkdtemp()) / "wann-xor"
run = search(task, out, cfg, log=lambda line: None)
g = run.state.champion
print(f"{run.state.generation} generations in {run.seconds:.1f} s; solved: {run.solved}")
print(f"champion: {len(g.hidden)} hidden nodes, {g.n_enabled()} connections")
print(sorted(p.name for p in out.iterdir()))

# %%
# The score per generation
# ------------------------
# ``stats.csv`` holds one row per generation: the best mean over the six weights, the best
# single weight, the champion's score and the median size. A network that computes XOR at all
# six weights scores 1.
stats = run.state.stats
gen = [s.generation for s in stats]
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.plot(gen, [s.best_max for s in stats], lw=1, label="best single weight")
ax.plot(gen, [s.best_mean for s in stats], lw=1.2, label="best mean")
ax.plot(gen, [s.champion_mean for s in stats], "k", lw=2, label="champion")
ax.set(xlabel="generation", ylabel="score")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()

# %%
# The champion
# ------------
# ``network.png`` draws it in layers: white nodes are the bias and the inputs, the colours are
# the activation functions.
image = plt.imread(out / "network.png")
fig = plt.figure(figsize=(image.shape[1] / 100, image.shape[0] / 100))
ax = fig.add_axes((0, 0, 1, 1))
ax.imshow(image)
ax.set_axis_off()

# %%
# The paper's evaluation
# ----------------------
# :func:`scratchnn.wann.evaluate.evaluate` scores the network in the paper's conditions:
# random individual weights U(-2, 2) on every connection, one random shared weight,
# each of the six search weights, and the best shared weight of a grid, chosen on separate
# episodes. For a Boolean function an "episode" is one draw of the weights, scored on the four
# input pairs. The result is an :class:`~scratchnn.wann.evaluation.Evaluation`: one row per
# condition, each with a label to show and a key to find it by (``result.row("tuned_shared")``);
# ``result.to_dict()`` is the JSON that ``wann eval --json`` writes.
result = evaluate(task, g, episodes=100, seed=0)
for row in result.rows:
    print(f"{row.condition:32s} {row.mean:6.2f} ± {row.std:.2f}")
tuned = result.row("tuned_shared")
print(f"tuned shared weight w = {result.tuned_weight:g}: {tuned.mean:.2f} right on average")

# %%
# From the command line: ``scratchnn wann search --task xor --seed 3 --out runs/xor`` and
# ``scratchnn wann eval runs/xor/best.json --task xor``.
