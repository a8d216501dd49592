"""Exploration: score every network of a final MNIST-256 population on 10,000 training images
(the six weights: mean, ensemble vote; top few: tuned grid). Prints validation numbers only."""
import sys, time
import numpy as np
from threadpoolctl import threadpool_limits
from scratchnn.wann.search import load_checkpoint, WEIGHTS
from scratchnn.wann.tasks import make_task
from scratchnn.wann.population import Population, pack, checked_depths
from scratchnn.wann.packed import instances
from scratchnn.wann.evaluate import TUNE_GRID

threadpool_limits(1)
ck = sys.argv[1]
st = load_checkpoint(ck)
task = make_task("mnist256")
d = task.data
rng = np.random.default_rng(12345)
idx = rng.choice(len(d.X_train), size=10_000, replace=False)
X, y = d.X_train[idx], d.y_train[idx]
pop = st.pop
if st.config.disabled_hidden == "reference":
    pop = pop.express_disabled_hidden()
packed = pack(pop, checked_depths(st.pop))
n = packed.n_nets
t0 = time.time()
res = []
for a in range(0, n, 16):
    nets = np.arange(a, min(a + 16, n))
    inst_net = np.repeat(nets, len(WEIGHTS))
    E = np.array([packed.n_edges(k) for k in inst_net])
    W = np.concatenate([np.full(e, w) for e, w in zip(E, np.tile(WEIGHTS, len(nets)))])
    inst = instances(packed, inst_net, W)
    z = task.logits(packed, inst, X).reshape(len(nets), len(WEIGHTS), len(X), 10)
    pred = z.argmax(3)
    acc = (pred == y).mean(2)
    for j, k in enumerate(nets):
        votes = np.stack([(pred[j] == c).sum(0) for c in range(10)], 1)
        zz = z[j] - z[j].max(2, keepdims=True); p = np.exp(zz); p /= p.sum(2, keepdims=True)
        ens = (votes + np.nan_to_num(p.sum(0)) / 7).argmax(1)
        res.append((int(k), acc[j].mean(), (ens == y).mean(), acc[j].max(), int(packed.n_edges(k))))
print(f"scored {n} in {time.time()-t0:.0f}s", flush=True)
res = np.array(res)
np.save(ck.replace(".npz", "") + "-val.npy", res)
o = np.argsort(-res[:, 2])
print("best by ensemble (k, mean, ens, max-of-six, edges):")
for r in res[o[:15]]:
    print("  %4d %.4f %.4f %.4f %4d" % tuple(r))
print("net 0 (first elite):", res[0])
