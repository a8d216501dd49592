"""Convert the drawn MNIST champion of the reference repository (WANNRelease/WANN/graphs/mnist,
text as its show_network.py writes from a champion's N x N matrix: node i = matrix row i, edge
where W != 0) into the reference champion CSV (N rows, N + 1 columns) that `scratchnn wann eval`
reads.

Row order of the reference matrix: bias (0), inputs (1..256), hidden, outputs (last 10).
show_network.py labels row 256 'bias' and rows 0..255 '1'..'256' (its label list puts bias after
the inputs); the labels are not the rows' roles (README.md: the other reading scores 64 %).
usage: python dot2csv.py mnist.dot out.csv
"""
import re
import sys

import numpy as np

ACT = {"Linear": 1, "Unsigned Step Function": 2, "Sin": 3, "Gausian": 4, "tanh": 5,
       "Sigmoid unsigned": 6, "Inverse": 7, "Absolute Value": 8, "Relu": 9, "Cosine": 10,
       "Squared": 11}
text = open(sys.argv[1]).read()
nodes = {}
for m in re.finditer(r'^\t+(\d+) \[label=("([^"]*)"|(\S+?)) (.*)\]$', text, re.M):
    nodes[int(m.group(1))] = (m.group(3) or m.group(4), m.group(5))
edges = [(int(a), int(b)) for a, b in re.findall(r"^\t(\d+) -> (\d+)$", text, re.M)]
N = max(nodes) + 1
assert sorted(nodes) == list(range(N)), "node ids are not 0..N-1"
n_in, n_out = 256, 10
hidden = range(n_in + 1, N - n_out)
acts = np.ones(N)
for i in hidden:
    acts[i] = ACT[nodes[i][0]]
W = np.zeros((N, N))
for a, b in edges:
    W[a, b] = 1.0
print(f"N={N} hidden={len(hidden)} edges={len(edges)} forward={all(a < b for a, b in edges)}")
print("into inputs/bias:", sum(b <= n_in for a, b in edges),
      "from outputs:", sum(a >= N - n_out for a, b in edges))
print("output labels:", [nodes[i][0] for i in range(N - n_out, N)])
np.savetxt(sys.argv[2], np.concatenate([W, acts[:, None]], axis=1), delimiter=",", fmt="%g")
