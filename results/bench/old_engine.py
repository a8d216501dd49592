"""Seconds per search generation of the engine before this change (commit 507833f: genome
objects, per-genome mutation with redraws, the logits + NumPy cross-entropy), from the same
starting populations as `scratchnn wann bench --search`. Run with PYTHONPATH=<old src>."""
import json, sys, time
import numpy as np
from scratchnn.wann.config import load_preset
from scratchnn.wann.genome import Genome
from scratchnn.wann.search import SearchState, step
from scratchnn.wann.tasks import make_task
rows = []
for task_name in ("swingup", "mnist256"):
    for grown in (0, 200):
        task = make_task(task_name)
        if task_name == "mnist256":
            task.data
        genomes = [Genome.from_dict(d) for d in json.load(open(f"/work/runs/bench/{task_name}-grown{grown}.json"))]
        cfg = load_preset(task_name, "paper")
        def fresh():
            return SearchState(task.name, cfg, 0, np.random.default_rng(0), [g.copy() for g in genomes])
        step(task, fresh())  # compile outside the timing
        st = fresh()
        secs = []
        for _ in range(2):
            t0 = time.perf_counter(); step(task, st); secs.append(time.perf_counter() - t0)
        conns = np.median([g.n_enabled() for g in genomes])
        rows.append((task_name, grown, conns, float(np.median(secs))))
        print(f"| {task_name} | {len(genomes)} | {grown} | {conns:.0f} | before (507833f) | {np.median(secs):.3f} |", flush=True)
