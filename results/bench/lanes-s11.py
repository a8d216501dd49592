# session 11: the lane kernel against the scalar one on three workloads (one thread), from the repository root:
#   git show 9da88fc:results/wann-swingup-tourn2-seed17/checkpoint.npz > /tmp/seed17-g408.npz
#   .venv/bin/python results/bench/lanes-s11.py /tmp/seed17-g408.npz
# (seed 17's checkpoint after generation 408, shipped in session 10 and replaced by the finished run)
import sys, time, numpy as np, numba
from scratchnn.wann import swingup as su
from scratchnn.wann.packed import pack, shared_weight_instances, instances
from scratchnn.wann.genome import express
from scratchnn.wann.formats import load_genome
from scratchnn.benchmarks.wann import population
numba.set_num_threads(1)
def t(f, n=3):
    best = 1e9
    for _ in range(n):
        t0 = time.perf_counter(); r = f(); best = min(best, time.perf_counter() - t0)
    return best, r
# (a) train-weights: seed 10's champion, 32 candidates x 128 episodes
g = load_genome("results/wann-swingup-tourn2-seed10/best.json", 5, 1)
net = express(g)
packed = pack([net]); ne = packed.n_edges(0)
rng = np.random.default_rng(0)
W = rng.normal(1, 0.3, (32, ne))
inst = instances(packed, np.zeros(32, np.int64), W)
ep_inst = np.repeat(np.arange(32), 128); ep_state = np.tile(np.arange(128), 32)
init = su.reset_states(128, rng)
for eng in ("scalar", "lanes"): su.rollouts(packed, *inst, ep_inst, ep_state, init, 2, engine=eng)
ts, (rs, ss) = t(lambda: su.rollouts(packed, *inst, ep_inst, ep_state, init, return_steps=True, engine="scalar"))
tl, (rl, sl) = t(lambda: su.rollouts(packed, *inst, ep_inst, ep_state, init, return_steps=True, engine="lanes"))
assert np.array_equal(rs, rl)
print(f"train-weights generation (1 net, {ne} conns, 4096 episodes, {ss.sum()} steps): scalar {ts:.3f} s, lanes {tl:.3f} s, x{ts/tl:.2f}")
def search_generation(nets):
    """Both kernels on one search generation of ``nets`` (x 6 weights x 3 reps), returns equal:
    (median conns, steps, scalar s, lanes s)."""
    packed = pack(nets)
    inst = shared_weight_instances(packed, np.array([-2, -1, -.5, .5, 1, 2.]))
    n = len(inst[0]); ep = (np.repeat(np.arange(n), 3), np.tile(np.arange(3), n))
    init = su.reset_states(3, rng)
    ts, (rs, ss) = t(lambda: su.rollouts(packed, *inst, *ep, init, return_steps=True, engine="scalar"), 2)
    tl, (rl, sl) = t(lambda: su.rollouts(packed, *inst, *ep, init, return_steps=True, engine="lanes"), 2)
    assert np.array_equal(rs, rl)
    return np.median(packed.edges_per_net), ss.sum(), ts, tl
# (b) search generation: 192 grown nets x 6 weights x 3 reps
for muts in (10, 60, 150):
    med, steps, ts, tl = search_generation([express(x) for x in population(192, muts, 0)])
    print(f"search generation, 192 nets ({muts} mutations, median {med:.0f} conns), {steps} steps: scalar {ts:.3f} s, lanes {tl:.3f} s, x{ts/tl:.2f}")
# (c) a real search population: seed 17's checkpoint (generation 408)
from scratchnn.wann.search import load_checkpoint
st = load_checkpoint(sys.argv[1])
pop = (st.pop if hasattr(st, "pop") else st[0].pop).genomes()
med, steps, ts, tl = search_generation([express(x) for x in pop])
print(f"seed 17 generation 408, {len(pop)} nets (median {med:.0f} conns), {steps} steps: scalar {ts:.3f} s, lanes {tl:.3f} s, x{ts/tl:.2f}")
