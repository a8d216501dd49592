"""Score trained networks on N selection episodes from their own stream (default_rng([99, 2])),
apart from training, validation and wann eval's states."""
import sys
from pathlib import Path
import numpy as np
from scratchnn.wann.formats import load_network
from scratchnn.wann.population import Population, pack
from scratchnn.wann.packed import instances
from scratchnn.wann.tasks import make_task
task = make_task("swingup")
N = int(sys.argv[1])
states = task.episode_states(N, np.random.default_rng([99, 2]))
for f in sys.argv[2:]:
    g, w = load_network(Path(f), 5, 1)
    p = pack(Population.from_genomes([g]))
    inst = instances(p, np.zeros(N, np.int64), np.tile(np.asarray(w), N))
    s = task.episode_scores(p, inst, states)
    print(f"{s.mean():8.2f} ± {s.std():6.2f}  below 900: {(s < 900).sum():3d}  median {np.median(s):.2f}  {f}", flush=True)
