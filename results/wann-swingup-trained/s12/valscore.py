"""Score trained networks on N selection episodes from their own stream (default_rng([99, 2])),
apart from training, validation and wann eval's states.

`valscore.py N FILES...`; with STREAM=K the states come from default_rng([99, K]) instead, and
with BLOCK=B it also splits the N episodes into N // B disjoint sets of B (a remainder is left
out) and prints the spread of their means and the share of sets whose mean reaches TARGET (932,
the paper's number): how much a B-episode evaluation such as the paper's 100 moves with the states.
"""
import os
import sys
from pathlib import Path
import numpy as np
from scratchnn.wann.formats import load_network
from scratchnn.wann.population import Population, pack
from scratchnn.wann.packed import instances
from scratchnn.wann.tasks import make_task
task = make_task("swingup")
N = int(sys.argv[1])
B = int(os.environ.get("BLOCK", "0"))
TARGET = float(os.environ.get("TARGET", "932"))
if B and not 0 < B <= N:
    sys.exit(f"BLOCK must be between 1 and N = {N}, got {B}")
states = task.episode_states(N, np.random.default_rng([99, int(os.environ.get("STREAM", "2"))]))
for f in sys.argv[2:]:
    g, w = load_network(Path(f), 5, 1)
    p = pack(Population.from_genomes([g]))
    inst = instances(p, np.zeros(N, np.int64), np.tile(np.asarray(w), N))
    s = task.episode_scores(p, inst, states)
    print(f"{s.mean():8.2f} ± {s.std():6.2f}  below 900: {(s < 900).sum():3d}  median {np.median(s):.2f}  {f}", flush=True)
    if B:
        m = s[: N // B * B].reshape(-1, B).mean(axis=1)
        q = np.percentile(m, [5, 25, 50, 75, 95])
        print(f"    {len(m)} sets of {B}: mean of a set 5/25/50/75/95 %: " + " / ".join(f"{v:.2f}" for v in q)
              + f"; sets >= {TARGET:g}: {(m >= TARGET).mean() * 100:.1f} %", flush=True)
