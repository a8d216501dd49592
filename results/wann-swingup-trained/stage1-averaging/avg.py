"""Replay a CMA-ES weight-training checkpoint; score on the run's VALIDATION states (never the
test episodes) the mean at generation g and the average of the means over the last K generations."""
import sys
import numpy as np
from pathlib import Path
from scratchnn.wann.tasks import make_task
from scratchnn.wann.formats import load_network
from scratchnn.wann.packed import pack
from scratchnn.wann.genome import express
from scratchnn.wann.weights import episode_returns, CMAState, _read_header, _config, validation_rng
ck, net = Path(sys.argv[1]), Path(sys.argv[2])
task = make_task("swingup")
g, _ = load_network(net, task.n_in, task.n_out)
p = pack([express(g)])
h, z = _read_header(ck)
cfg = _config(h)
st = CMAState(cfg, z["x0"])
means = []
for raw in z["scores"]:
    st._tell(np.asarray(st.es.ask()), np.asarray(raw, float))
    means.append(np.array(st.es.mean, float))
means = np.array(means)
val = task.episode_states(cfg.validation_episodes, validation_rng(cfg.seed))
V = lambda w: float(episode_returns(task, p, w[None], val).mean())
G = len(means)
print("generations", G)
for gg in list(range(250, G + 1, 250)) + [G]:
    row = [f"g {gg:5d}  mean {V(means[gg-1]):7.2f}"]
    for K in (50, 200, 500, 1000):
        if gg >= K:
            row.append(f"avg{K} {V(means[gg-K:gg].mean(0)):7.2f}")
    print("  ".join(row), flush=True)
