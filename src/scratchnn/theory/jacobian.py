"""The softmax Jacobian (the writeup's Q1), computed and checked.

For ``s = softmax(z)``, ``s_i = exp(z_i) / sum_k exp(z_k)``. By the quotient rule:

* ``i = j``: ``ds_i/dz_i = (exp(z_i) S - exp(z_i)^2) / S^2 = s_i - s_i^2 = s_i (1 - s_i)``;
* ``i != j``: ``ds_i/dz_j = (0 * S - exp(z_i) exp(z_j)) / S^2 = -s_i s_j``;

with ``S = sum_k exp(z_k)``. Together: ``J = diag(s) - s s^T`` (symmetric; each row sums to 0
because ``sum_i s_i = 1`` is constant; unchanged when a constant is added to every ``z_i``).

Chained with cross-entropy ``L = -log s_y``, whose gradient is ``dL/ds = -onehot(y) / s``:
``dL/dz = J^T dL/ds = s - onehot(y)``, the fused formula the models use.
"""

from __future__ import annotations

import numpy as np

from ..functional import softmax


def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    """``J = diag(s) - s s^T`` of ``s = softmax(z)``: (C,) -> (C, C), or (N, C) -> (N, C, C)."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim == 1:
        return softmax_jacobian(z[None])[0]
    s = softmax(z)
    return np.einsum("ni,ij->nij", s, np.eye(z.shape[1])) - s[:, :, None] * s[:, None, :]


def finite_difference_jacobian(z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences ``(softmax(z + h e_j) - softmax(z - h e_j)) / 2h``, column ``j``."""
    z = np.asarray(z, dtype=np.float64)
    C = len(z)
    J = np.empty((C, C))
    for j in range(C):
        e = np.zeros(C)
        e[j] = h
        J[:, j] = (softmax((z + e)[None])[0] - softmax((z - e)[None])[0]) / (2 * h)
    return J


def cross_entropy_grad_via_jacobian(z: np.ndarray, y: int) -> np.ndarray:
    """``dL/dz = J^T dL/ds`` for ``L = -log softmax(z)_y``, by the chain rule, (C,) -> (C,)."""
    s = softmax(np.asarray(z, dtype=np.float64)[None])[0]
    dL_ds = np.zeros_like(s)
    dL_ds[y] = -1.0 / s[y]
    return softmax_jacobian(z).T @ dL_ds


def cross_entropy_grad_fused(z: np.ndarray, y: int) -> np.ndarray:
    """The fused form ``s - onehot(y)`` (what the models' backward pass uses)."""
    s = softmax(np.asarray(z, dtype=np.float64)[None])[0]
    s[y] -= 1.0
    return s
