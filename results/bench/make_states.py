"""Write the bench's starting populations (generation 0 of the paper presets, fresh and grown by
200 random mutations per genome, seed 0) as genome JSON, so the code before this change can
time a generation from the same networks."""
import json, sys
import numpy as np
from scratchnn.benchmarks.wann import grow
from scratchnn.wann.config import load_preset
from scratchnn.wann.search import initial_state
from scratchnn.wann.tasks import make_task
for task_name in ("swingup", "mnist256"):
    for grown in (0, 200):
        task = make_task(task_name)
        st = initial_state(task, load_preset(task_name, "paper"))
        grow(st, grown, task.activations, 0)
        with open(f"/work/runs/bench/{task_name}-grown{grown}.json", "w") as fh:
            json.dump([g.to_dict() for g in st.pop.genomes()], fh)
        print(task_name, grown, np.median(st.pop.n_enabled()))
