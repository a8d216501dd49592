"""Perceptrons, the two-input Boolean functions, and why XOR needs a hidden layer (Q2, Q3).

A perceptron outputs ``y = 1[w . x + b >= 0]``. A Boolean function f of two inputs is *linearly
separable* when some ``(w, b)`` satisfies, over the four inputs ``x``:
``w . x + b >= 0`` where ``f(x) = 1`` and ``w . x + b < 0`` where ``f(x) = 0``.
The strict inequalities become ``w . x + b <= -1`` (any solution can be scaled to have margin 1),
which makes this a linear feasibility problem ``A v <= c`` in ``v = (w1, w2, b)``.

By Farkas' lemma, ``A v <= c`` has no solution exactly when some ``y >= 0`` has ``y^T A = 0`` and
``y^T c < 0``: adding the inequalities with weights ``y`` yields ``0 <= y^T c < 0``. For XOR,
``y = (1, 1, 1, 1)`` does it: the writeup's proof (add the two ``>= 0`` rows; the other two
contradict the sum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)

# the 16 functions, by their outputs on INPUTS (0,0), (0,1), (1,0), (1,1)
NAMES = {
    (0, 0, 0, 0): "FALSE",
    (0, 0, 0, 1): "AND",
    (0, 0, 1, 0): "A AND NOT B",
    (0, 0, 1, 1): "A",
    (0, 1, 0, 0): "NOT A AND B",
    (0, 1, 0, 1): "B",
    (0, 1, 1, 0): "XOR",
    (0, 1, 1, 1): "OR",
    (1, 0, 0, 0): "NOR",
    (1, 0, 0, 1): "XNOR",
    (1, 0, 1, 0): "NOT B",
    (1, 0, 1, 1): "A OR NOT B",
    (1, 1, 0, 0): "NOT A",
    (1, 1, 0, 1): "NOT A OR B",
    (1, 1, 1, 0): "NAND",
    (1, 1, 1, 1): "TRUE",
}
TABLES = {name: np.array(t) for t, name in NAMES.items()}

# the writeup's hand-set gates
WRITEUP_AND = (np.array([1.0, 1.0]), -2.0)
WRITEUP_OR = (np.array([2.0, 2.0]), -1.0)


def perceptron(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """``1[X w + b >= 0]``: (N, 2) -> (N,) of 0/1."""
    return (X @ w + b >= 0).astype(int)


def perceptron_learn(
    targets: np.ndarray, max_epochs: int = 100
) -> tuple[np.ndarray, float, int] | None:
    """Rosenblatt's rule from zero weights: on a mistake, ``w += (t - y) x``, ``b += (t - y)``.

    Returns ``(w, b, number of updates)``, or ``None`` if an epoch without mistakes never comes.
    """
    w, b, updates = np.zeros(2), 0.0, 0
    for _ in range(max_epochs):
        mistakes = 0
        for x, t in zip(INPUTS, targets, strict=True):
            y = int(x @ w + b >= 0)
            if y != t:
                w += (t - y) * x
                b += t - y
                updates += 1
                mistakes += 1
        if mistakes == 0:
            return w, b, updates
    return None


def constraints(targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A v <= c`` for ``v = (w1, w2, b)``: row ``-(x, 1)``, ``c = 0`` where the target is 1;
    row ``(x, 1)``, ``c = -1`` where it is 0."""
    rows, rhs = [], []
    for x, t in zip(INPUTS, targets, strict=True):
        a = np.array([x[0], x[1], 1.0])
        rows.append(-a if t else a)
        rhs.append(0.0 if t else -1.0)
    return np.array(rows), np.array(rhs)


@dataclass
class Separability:
    name: str
    targets: np.ndarray
    separable: bool
    solution: np.ndarray | None  # (w1, w2, b) when separable
    certificate: np.ndarray | None  # Farkas multipliers y when not

    def explain(self) -> str:
        if self.separable:
            w1, w2, b = self.solution
            return f"separable: w = [{w1:g}, {w2:g}], b = {b:g}"
        A, c = constraints(self.targets)
        y = self.certificate
        terms = [f"{y[i]:g}*({_row_text(A[i])} <= {c[i]:g})" for i in range(len(y)) if y[i] > 1e-9]
        return (
            "not separable: LP infeasible; Farkas: "
            + " + ".join(terms)
            + f" sums to 0 <= {float(y @ c):g}, a contradiction"
        )


def _row_text(a: np.ndarray) -> str:
    names = ("w1", "w2", "b")
    parts = [
        f"{'-' if v < 0 else '+'}{'' if abs(v) == 1 else f'{abs(v):g}'}{n}"
        for v, n in zip(a, names, strict=True)
        if v != 0
    ]
    return " ".join(parts).lstrip("+")


def separability(name: str, targets: np.ndarray) -> Separability:
    """Decide linear separability with an LP; give a solution or a Farkas certificate."""
    A, c = constraints(targets)
    res = linprog(np.zeros(3), A_ub=A, b_ub=c, bounds=[(None, None)] * 3, method="highs")
    if res.status == 0:
        return Separability(name, targets, True, np.round(res.x, 9) + 0.0, None)
    # certificate: min c^T y  s.t.  A^T y = 0, sum y = 1, y >= 0  (optimum < 0 proves infeasible)
    A_eq = np.vstack([A.T, np.ones(len(c))])
    b_eq = np.append(np.zeros(3), 1.0)
    cert = linprog(c, A_eq=A_eq, b_eq=b_eq, bounds=[(0, None)] * len(c), method="highs")
    y = cert.x / cert.x[cert.x > 1e-9].min()  # smallest nonzero multiplier -> 1
    return Separability(name, targets, False, None, y)


def all_separability() -> list[Separability]:
    return [separability(name, t) for name, t in TABLES.items()]


def xor_hand_set(X: np.ndarray) -> np.ndarray:
    """XOR as AND(OR(x), NAND(x)): two perceptrons feeding a third."""
    h_or = perceptron(np.array([2.0, 2.0]), -1.0, X)
    h_nand = perceptron(np.array([-2.0, -2.0]), 3.0, X)
    return perceptron(np.array([1.0, 1.0]), -2.0, np.stack([h_or, h_nand], axis=1))


def train_xor(
    seed: int, hidden: int = 4, steps: int = 3000, lr: float = 2.0
) -> tuple[bool, object]:
    """Train scratchnn's :class:`~scratchnn.models.TwoLayerNet` (2 -> hidden -> 2, sigmoid) on the
    four XOR points with full-batch SGD; init ``N(0, 1)`` from ``seed`` (the faithful 0.001 init
    sits on a symmetric saddle far too long). Returns (all four points correct?, model)."""
    from ..models import TwoLayerNet
    from ..optim import SGD

    model = TwoLayerNet(2, hidden, 2, seed=seed, init_scale=1.0)
    y = TABLES["XOR"]
    opt = SGD(lr)
    for _ in range(steps):
        out = model.loss_grad(INPUTS, y)
        opt.step(model.params, out.grads, model.weight_names)
    ok = bool(np.all(model.log_probs(INPUTS).argmax(axis=1) == y))
    return ok, model
