"""Exploration: full-batch L-BFGS on a WANN topology's individual weights (MNIST-256)."""
import sys, time, json
import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits
from scratchnn.wann.tasks import make_task
from scratchnn.wann.genome import Genome
from scratchnn.wann.weights import held_out_splits
from scratchnn.wann.backprop import GenomeNet
threadpool_limits(1)
from scratchnn.wann.formats import load_genome
from pathlib import Path
g = load_genome(Path(sys.argv[1]), 256, 10)
w0 = float(sys.argv[2]); iters = int(sys.argv[3])
task = make_task("mnist256")
sp = held_out_splits(task.data, 0, 10_000)
net = GenomeNet(g, w0)
def f(w):
    net.params["w"] = w
    r = net.loss_grad(sp.train.X, sp.train.y)
    return r.loss, r.grads["w"]
def acc(w, s):
    net.params["w"] = w
    return (net.logits(s.X).argmax(1) == s.y).mean()
t0 = time.time(); k = [0]
def cb(w):
    k[0] += 1
    if k[0] % 50 == 0:
        print(f"it {k[0]}  train acc {acc(w, sp.train):.4f}  val acc {acc(w, sp.val):.4f}  {time.time()-t0:.0f}s", flush=True)
r = minimize(f, net.params["w"].copy(), jac=True, method="L-BFGS-B", callback=cb, options={"maxiter": iters, "maxcor": 20})
print(r.message, r.fun, "val", acc(r.x, sp.val))
