"""Convert the drawn MNIST champion of the reference repository (WANNRelease/WANN/graphs/mnist,
text as its show_network.py writes from a champion's N x N matrix: node i = matrix row i, edge
where W != 0) into the reference champion CSV (N rows, N + 1 columns). The parsing is
scratchnn's own (scratchnn.wann.formats.matrix_from_drawing, which `wann eval` also uses on such
a file): row 0 is the bias, rows 1..256 the pixels.

--bias-row 256 writes the other reading instead: the row show_network.py labels 'bias' as the
bias, rows 0..255 as pixels 0..255 (eval-bias256.log: it scores 64 %, so the labels are not the
rows' roles).

usage: python dot2csv.py mnist.dot out.csv [--bias-row 256]
"""

import argparse

import numpy as np

from scratchnn.wann.formats import matrix_from_drawing

N_IN, N_OUT = 256, 10

ap = argparse.ArgumentParser()
ap.add_argument("dot")
ap.add_argument("csv")
ap.add_argument("--bias-row", type=int, default=0)
args = ap.parse_args()
with open(args.dot) as fh:
    M = matrix_from_drawing(fh.read(), N_IN, N_OUT)
N = M.shape[0]
W, act = M[:, :N], M[:, N]
src, dst = np.nonzero(W)
print(f"N={N} hidden={N - 1 - N_IN - N_OUT} edges={len(src)} forward={bool(np.all(src < dst))}")
if args.bias_row:
    b = args.bias_row
    order = [b, *range(b), *range(b + 1, N)]  # row b first, the rows before it follow as inputs
    W, act = W[np.ix_(order, order)], act[order]
np.savetxt(args.csv, np.concatenate([W, act[:, None]], axis=1), delimiter=",", fmt="%g")
