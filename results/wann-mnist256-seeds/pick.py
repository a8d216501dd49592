"""A one-off check: among the final population of a finished MNIST-256 search (its
checkpoint.npz), which networks have the best tuned shared-weight accuracy on 10,000 training
images (not those `wann eval` tunes on), and how do they score on the test set?

    python results/wann-mnist256-seeds/pick.py results/wann-mnist256-alias-seed0/checkpoint.npz

First all 960 networks at the six search weights on 2,000 of those images, then the 24 best (by
their best weight) over the whole tuning grid on all 10,000, then the 8 best on test.
"""

import sys
import time

import numpy as np

from scratchnn.wann.evaluate import TUNE_GRID
from scratchnn.wann.packed import forward_batch, instances
from scratchnn.wann.population import pack as pack_population
from scratchnn.wann.search import WEIGHTS, load_checkpoint
from scratchnn.wann.tasks import make_task

ck = sys.argv[1]
st = load_checkpoint(ck)
task = make_task("mnist256")
data = task.data
pop = st.pop.express_disabled_hidden() if st.config.disabled_hidden == "reference" else st.pop
packed = pack_population(pop)
rng = np.random.default_rng(12345)
sel = rng.choice(len(data.X_train), size=10_000, replace=False)
Xs, ys = data.X_train[sel], data.y_train[sel]


def acc(nets, ws, X, y):
    """(len(nets), len(ws)) accuracy on X, y of each network in ``nets`` at each shared weight,
    16 networks at a time (their outputs on 10,000 images take 16 x 80 x 10,000 x 10 floats)."""
    out = np.zeros((len(nets), len(ws)))
    for a in range(0, len(nets), 16):
        sub = nets[a : a + 16]
        inst_net = np.repeat(sub, len(ws)).astype(np.int64)
        wflat = np.repeat(np.tile(np.asarray(ws, float), len(sub)), packed.edges_per_net[inst_net])
        z = forward_batch(packed, *instances(packed, inst_net, wflat), X)
        out[a : a + 16] = (z.argmax(axis=2) == y).mean(axis=1).reshape(len(sub), len(ws))
    return out


t = time.time()
n = packed.n_nets
a6 = acc(np.arange(n), WEIGHTS, Xs[:2000], ys[:2000])
print(f"{n} nets, six weights on 2000 selection images: {time.time() - t:.0f} s", flush=True)
top = np.argsort(-a6.max(axis=1))[:24]
print("top by max-of-6:", np.round(a6.max(axis=1)[top], 4))
g = acc(top, TUNE_GRID, Xs, ys)
bi = g.argmax(axis=1)
for r in np.argsort(-g.max(axis=1))[:8]:
    k = top[r]
    w = TUNE_GRID[bi[r]]
    te = acc(np.array([k]), [w], data.X_test, data.y_test)[0, 0]
    print(
        f"net {k:4d}  conns {packed.n_edges(k):4d}  sel-tuned w={w:+.2f} "
        f"train-acc {g[r].max():.4f}  test {te:.4f}",
        flush=True,
    )
print(f"{time.time() - t:.0f} s")
