"""WANNTool parameters -> a reference champion CSV holding them as its weights.

usage: python convert.py PARAMS.json OUT.csv swing.out

WANNTool (WANNRelease/WANNTool: model.py, config.py) trains ``len(wKey)`` parameters, one per
nonzero entry of the champion's flattened weight matrix (row-major), and sets each weight to
``param + weight_bias`` with ``weight_bias = -1.5`` for cartpole_swingup. This writes the
champion's matrix with those weights, which ``scratchnn wann eval OUT.csv --task swingup``
evaluates as individual weights.
"""

import json
import sys
from pathlib import Path

import numpy as np

WEIGHT_BIAS = -1.5  # WANNTool config.py, cartpole_swingup

params_file, out_file, champion = sys.argv[1:4]
ind = np.loadtxt(champion, delimiter=",")
w, act = ind[:, :-1], ind[:, -1]
flat = np.nan_to_num(w.flatten())
key = np.flatnonzero(flat)
params = np.array(json.loads(Path(params_file).read_text()), float)
assert len(params) == len(key), (len(params), len(key))
flat[key] = params + WEIGHT_BIAS
np.savetxt(out_file, np.c_[flat.reshape(w.shape), act], delimiter=",", fmt="%.6e")
