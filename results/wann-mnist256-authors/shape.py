"""Shape statistics of a champion CSV (reference format): hidden nodes, edges, depth, fan-in,
edges by kind, and 'triangles': hidden h with in-edge a and out-edge b (a, b hidden) where a -> b
also exists (what splitting an edge leaves behind when the old edge stays expressed)."""
import sys
from collections import Counter

import numpy as np

for path in sys.argv[1:]:
    M = np.loadtxt(path, delimiter=",")
    N = M.shape[0]
    W = np.nan_to_num(M[:, :N]) != 0
    act = M[:, N].astype(int)
    n_in, n_out = 256, 10
    H = list(range(n_in + 1, N - n_out))
    src, dst = np.nonzero(W)
    kind = lambda i: "b" if i == 0 else "i" if i <= n_in else "o" if i >= N - n_out else "h"
    kinds = Counter(kind(s) + kind(d) for s, d in zip(src, dst))
    depth = np.zeros(N, int)
    for j in range(n_in + 1, N):  # rows are in topological order
        p = np.nonzero(W[:j, j])[0]
        depth[j] = 1 + depth[p].max() if len(p) else 0
    tri = 0
    for h in H:
        ins = [a for a in np.nonzero(W[:, h])[0] if a in set(H)]
        outs = [b for b in np.nonzero(W[h])[0] if n_in < b < N - n_out]
        tri += any(W[a, b] for a in ins for b in outs)
    used_inputs = int(W[1 : n_in + 1].any(axis=1).sum())
    print(f"{path}: hidden {len(H)}, edges {W.sum()}, by kind {dict(kinds)}, inputs used {used_inputs}, "
          f"max depth {depth.max()}, mean fan-in of hidden {W[:, H].sum() / max(len(H), 1):.2f}, "
          f"triangles {tri}, acts {dict(sorted(Counter(act[H]).items()))}")
