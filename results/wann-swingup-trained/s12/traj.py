import sys
from pathlib import Path
import numpy as np
from scratchnn.wann.formats import load_network
from scratchnn.wann.population import Population, pack
from scratchnn.wann.packed import instances, forward_batch
from scratchnn.wann.swingup import SwingUpEnv
for f in sys.argv[1:]:
    g, w = load_network(Path(f), 5, 1)
    p = pack(Population.from_genomes([g]))
    inst = instances(p, np.zeros(1, np.int64), np.asarray(w)[None])
    n = 200
    env = SwingUpEnv(n); obs = env.reset(np.random.default_rng(7))
    R = np.zeros((1000, n)); X = np.zeros((1000, n)); TH = np.zeros((1000, n))
    for t in range(1000):
        a = np.clip(forward_batch(p, *inst, obs)[0, :, 0], -1, 1) * 10 / 10
        obs, r, d = env.step(a)
        R[t] = r; X[t] = env.state[:, 0]; TH[t] = np.cos(env.state[:, 2])
    tot = R.sum(0)
    up = np.argmax(TH > 0.95, axis=0)
    print(f"{f}\n  return {tot.mean():.2f} ± {tot.std():.2f}  min {tot.min():.1f}")
    print(f"  reward lost first 300 steps {300 - R[:300].sum(0).mean():.2f}, steps 300-1000 {700 - R[300:].sum(0).mean():.2f}")
    print(f"  first step cos>0.95: mean {up.mean():.1f}  ;  mean x over 300-1000: {X[300:].mean():.3f}, mean |x| {np.abs(X[300:]).mean():.3f}; mean cos th {TH[300:].mean():.5f}")
