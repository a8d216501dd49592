"""Shape statistics of a champion CSV (reference format): hidden nodes, edges, depth, fan-in,
edges by kind, and 'triangles': hidden h with in-edge a and out-edge b (a, b hidden) where a -> b
also exists (what splitting an edge leaves behind when the old edge stays expressed)."""
import sys
from collections import Counter

import numpy as np

N_IN, N_OUT = 256, 10


def kind(i: int, N: int) -> str:
    """b(ias), i(nput), h(idden) or o(utput) for row i of an N-row MNIST-256 matrix."""
    return "b" if i == 0 else "i" if i <= N_IN else "o" if i >= N - N_OUT else "h"


for path in sys.argv[1:]:
    M = np.loadtxt(path, delimiter=",")
    N = M.shape[0]
    W = np.nan_to_num(M[:, :N]) != 0
    act = M[:, N].astype(int)
    H = list(range(N_IN + 1, N - N_OUT))
    src, dst = np.nonzero(W)
    kinds = Counter(kind(s, N) + kind(d, N) for s, d in zip(src, dst, strict=True))
    depth = np.zeros(N, int)
    for j in range(N_IN + 1, N):  # rows are in topological order
        p = np.nonzero(W[:j, j])[0]
        depth[j] = 1 + depth[p].max() if len(p) else 0
    tri = 0
    hidden = set(H)
    for h in H:
        ins = [a for a in np.nonzero(W[:, h])[0] if a in hidden]
        outs = [b for b in np.nonzero(W[h])[0] if N_IN < b < N - N_OUT]
        tri += any(W[a, b] for a in ins for b in outs)
    used_inputs = int(W[1 : N_IN + 1].any(axis=1).sum())
    print(f"{path}: hidden {len(H)}, edges {W.sum()}, by kind {dict(kinds)}, "
          f"inputs used {used_inputs}, max depth {depth.max()}, "
          f"mean fan-in of hidden {W[:, H].sum() / max(len(H), 1):.2f}, "
          f"triangles {tri}, acts {dict(sorted((int(a), n) for a, n in Counter(act[H]).items()))}")
