"""
Checking gradients: the softmax Jacobian and the backward pass
===============================================================

A hand-written backward pass is only as good as its check. This tutorial verifies two things
against central finite differences: the softmax Jacobian
:math:`J = \\operatorname{diag}(s) - s s^\\top`, and every parameter gradient of the two-layer
network. No data set is needed: the inputs are random.
"""

# %%
# The softmax Jacobian
# --------------------
# For :math:`s = \operatorname{softmax}(z)`, :math:`\partial s_i / \partial z_j = s_i
# (\delta_{ij} - s_j)`. With the cross-entropy :math:`L = -\log s_y` the chain rule
# :math:`J^\top \partial L / \partial s` collapses to :math:`s - \operatorname{onehot}(y)`,
# the fused gradient the training code uses.
import matplotlib.pyplot as plt
import numpy as np

from scratchnn import TwoLayerNet
from scratchnn.theory.jacobian import (
    cross_entropy_grad_fused,
    cross_entropy_grad_via_jacobian,
    finite_difference_jacobian,
    softmax_jacobian,
)

rng = np.random.default_rng(0)
z = rng.normal(size=6)
J = softmax_jacobian(z)
print(f"max |J - J_fd|       = {np.abs(J - finite_difference_jacobian(z)).max():.1e}")
print(f"max |J - J^T|        = {np.abs(J - J.T).max():.1e} (symmetric)")
print(f"max |row sums|       = {np.abs(J.sum(axis=1)).max():.1e} (shift-invariant)")
fused = cross_entropy_grad_fused(z, 2)
print(
    f"max |J^T dL/ds - (s - onehot)| = "
    f"{np.abs(cross_entropy_grad_via_jacobian(z, 2) - fused).max():.1e}"
)

# %%
# The backward pass of the two-layer network
# ------------------------------------------
# Central differences :math:`(L(\theta + h) - L(\theta - h)) / 2h` have an error of order
# :math:`h^2` from truncation and of order :math:`\epsilon / h` from rounding, so in float64 the
# relative error is smallest near :math:`h \approx 10^{-5}`. We compare a few entries of every
# parameter on a random batch of 16 "images".
model = TwoLayerNet(input_size=784, hidden_size=32, dtype=np.float64, seed=1, init="xavier")
X = rng.random((16, 784))
y = rng.integers(0, 10, 16)
analytic = model.loss_grad(X, y).grads


def relative_error(name: str, idx: tuple[int, ...], h: float) -> float:
    p = model.params[name]
    old = p[idx]
    p[idx] = old + h
    up = model.loss_grad(X, y).loss
    p[idx] = old - h
    down = model.loss_grad(X, y).loss
    p[idx] = old
    num = (up - down) / (2 * h)
    ana = analytic[name][idx]
    return abs(num - ana) / max(1e-12, abs(num) + abs(ana))


for name, p in model.params.items():
    picks = list(zip(*(rng.integers(0, n, 5) for n in p.shape), strict=True))
    worst = max(relative_error(name, idx, 1e-5) for idx in picks)
    print(f"{name:3s} {p.shape!s:10s} max relative error {worst:.1e}")

# %%
# The step size
# -------------
# The error against :math:`h` for one entry of :math:`W_1`: the V shape of truncation against
# rounding error.
steps = np.logspace(-10, -1, 28)
idx = np.unravel_index(int(np.argmax(np.abs(analytic["W1"]))), analytic["W1"].shape)
errors = [relative_error("W1", tuple(int(i) for i in idx), h) for h in steps]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.loglog(steps, errors, "o-")
ax.set(xlabel="step h", ylabel="relative error", title="finite difference vs backward pass")
ax.grid(alpha=0.3)
fig.tight_layout()

# %%
# ``scratchnn theory`` runs these checks and the writeup's other theory results (perceptron
# gates, the linear program showing that no linear model computes XOR) as pass/fail lines.
