"""Experiment: pycma CMA-ES (the authors' WANNTool recommendation: popsize 32, sigma0 0.5) on a
swingup topology, common random initial states per generation (as our PGPE). Not the product."""
import sys, time, json
from pathlib import Path
import numpy as np, cma
from scratchnn.wann.tasks import make_task
from scratchnn.wann.formats import load_network
from scratchnn.wann.genome import express
from scratchnn.wann.packed import pack
from scratchnn.wann.weights import episode_returns, save_network

src, w0, out, tlimit = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4])
popsize = int(sys.argv[5]) if len(sys.argv) > 5 else 32
episodes = int(sys.argv[6]) if len(sys.argv) > 6 else 16
sigma0 = float(sys.argv[7]) if len(sys.argv) > 7 else 0.5
out.mkdir(parents=True, exist_ok=True)
task = make_task("swingup")
g, _ = load_network(Path(src), task.n_in, task.n_out)
packed = pack([express(g)])
E = packed.n_edges(0)
rng = np.random.default_rng(0)
es = cma.CMAEvolutionStrategy(np.full(E, w0), sigma0, {"popsize": popsize, "seed": 1, "verbose": -9})
t0 = time.perf_counter(); gen = 0
print(f"{src}: {E} weights, w0 {w0}, popsize {popsize}, episodes {episodes}, sigma0 {sigma0}", flush=True)
while time.perf_counter() - t0 < tlimit:
    X = np.array(es.ask())
    st = task.episode_states(episodes, rng)
    f = episode_returns(task, packed, X, st).mean(axis=1)
    es.tell(list(X), list(-f)); gen += 1
    if gen % 20 == 0:
        print(f"gen {gen:5d} mean {f.mean():8.2f} best {f.max():8.2f} sigma {es.sigma:.4f} {time.perf_counter()-t0:7.1f} s", flush=True)
save_network(g, np.asarray(es.result.xfavorite), out / "trained.json",
             {"training": {"method": "cma (experiment)", "popsize": popsize, "episodes": episodes,
                           "sigma0": sigma0, "generations": gen}})
print("written", out / "trained.json", gen, "generations", flush=True)
