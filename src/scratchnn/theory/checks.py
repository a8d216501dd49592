"""Every theory result as a named check with pass/fail, and the gates' decision-boundary figure."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..fileio import save_figure
from .boolean import (
    INPUTS,
    TABLES,
    WRITEUP_AND,
    WRITEUP_OR,
    all_separability,
    perceptron,
    perceptron_learn,
    train_xor,
    xor_hand_set,
)
from .jacobian import (
    cross_entropy_grad_fused,
    cross_entropy_grad_via_jacobian,
    finite_difference_jacobian,
    softmax_jacobian,
)

XOR_SEEDS = range(10)


@dataclass
class Check:
    section: str
    name: str
    passed: bool
    detail: str


def jacobian_checks(seed: int = 0) -> list[Check]:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(6) * 3
    J = softmax_jacobian(z)
    err = float(np.max(np.abs(J - finite_difference_jacobian(z))))
    y = 2
    g_err = float(
        np.max(np.abs(cross_entropy_grad_via_jacobian(z, y) - cross_entropy_grad_fused(z, y)))
    )
    big = softmax_jacobian(np.array([1000.0, 0.0, -1000.0]))
    return [
        Check(
            "softmax Jacobian",
            "J = diag(s) - s s^T matches central differences",
            err < 1e-8,
            f"max |J - J_fd| = {err:.1e} on a random z in R^6",
        ),
        Check(
            "softmax Jacobian",
            "J^T dL/ds equals the fused gradient s - onehot(y)",
            g_err < 1e-12,
            f"max difference {g_err:.1e}",
        ),
        Check(
            "softmax Jacobian",
            "symmetric, rows sum to 0, shift-invariant",
            bool(
                np.allclose(J, J.T)
                and np.allclose(J.sum(axis=1), 0)
                and np.allclose(softmax_jacobian(z + 7.5), J)
            ),
            f"max |J - J^T| = {np.max(np.abs(J - J.T)):.1e}, max |row sum| = "
            f"{np.max(np.abs(J.sum(axis=1))):.1e}",
        ),
        Check(
            "softmax Jacobian",
            "stable at z = (1000, 0, -1000)",
            bool(np.all(np.isfinite(big))),
            "all entries finite",
        ),
    ]


def gate_checks() -> list[Check]:
    out = []
    for name, (w, b) in (("AND", WRITEUP_AND), ("OR", WRITEUP_OR)):
        got = perceptron(w, b, INPUTS)
        out.append(
            Check(
                "perceptron gates",
                f"writeup's {name}: w = {w.tolist()}, b = {b:g}",
                bool(np.array_equal(got, TABLES[name])),
                f"outputs {got.tolist()} on 00 01 10 11",
            )
        )
    for name in ("AND", "OR", "NAND", "NOR"):
        learned = perceptron_learn(TABLES[name])
        ok = learned is not None and np.array_equal(
            perceptron(learned[0], learned[1], INPUTS), TABLES[name]
        )
        detail = (
            f"w = {learned[0].tolist()}, b = {learned[1]:g} after {learned[2]} updates"
            if learned
            else "did not converge"
        )
        out.append(
            Check("perceptron gates", f"perceptron rule learns {name} from zero", ok, detail)
        )
    return out


def xor_checks() -> list[Check]:
    table = all_separability()
    separable = [s.name for s in table if s.separable]
    not_sep = [s.name for s in table if not s.separable]
    out = []
    for f in table:
        # a claimed solution must really compute f; an infeasible one needs XOR or XNOR
        ok = (
            f.separable
            and np.array_equal(perceptron(f.solution[:2], f.solution[2], INPUTS), f.targets)
        ) or (not f.separable and f.name in ("XOR", "XNOR") and f.certificate is not None)
        label = "is linearly separable" if f.separable else "is NOT linearly separable"
        outputs = "".join(str(int(v)) for v in f.targets)
        # each row names its own function (FALSE, AND, ..., XOR, ...), not the section's XOR
        out.append(
            Check(
                "Boolean functions",
                f"{f.name} {label} (outputs {outputs} on 00 01 10 11)",
                bool(ok),
                f.explain(),
            )
        )
    out.append(
        Check(
            "XOR",
            "14 of 16 functions separable; XOR and XNOR not",
            len(separable) == 14 and sorted(not_sep) == ["XNOR", "XOR"],
            f"{len(separable)} separable; not: {', '.join(not_sep)}",
        )
    )
    hand = xor_hand_set(INPUTS)
    out.append(
        Check(
            "XOR",
            "hand-set two layers: AND(OR, NAND) computes XOR",
            bool(np.array_equal(hand, TABLES["XOR"])),
            f"outputs {hand.tolist()}",
        )
    )
    wins = [s for s in XOR_SEEDS if train_xor(s)[0]]
    out.append(
        Check(
            "XOR",
            "TwoLayerNet (2-4-2 sigmoid) trained on XOR",
            len(wins) > 0,
            f"all four points correct for seeds {wins} of {list(XOR_SEEDS)} "
            "(N(0,1) init, full-batch SGD lr 2, 3000 steps)",
        )
    )
    return out


def run_checks() -> list[Check]:
    return jacobian_checks() + gate_checks() + xor_checks()


def plot_gates(path: Path | str) -> None:
    """Decision regions of AND, OR, NAND, NOR (perceptrons) and XOR (hand-set and trained)."""
    from ..plots import figure

    xs = np.linspace(-0.5, 1.5, 201)
    gx, gy = np.meshgrid(xs, xs)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    panels = []
    for name in ("AND", "OR", "NAND", "NOR"):
        w, b, _ = perceptron_learn(TABLES[name])
        panels.append((f"{name} (perceptron)", perceptron(w, b, grid), TABLES[name]))
    panels.append(("XOR: AND(OR, NAND), hand-set", xor_hand_set(grid), TABLES["XOR"]))
    seed = next(s for s in XOR_SEEDS if train_xor(s)[0])
    model = train_xor(seed)[1]
    panels.append(
        (
            f"XOR: trained TwoLayerNet (seed {seed})",
            model.log_probs(grid).argmax(axis=1),
            TABLES["XOR"],
        )
    )
    fig = figure(figsize=(10, 6.5), dpi=100)
    axes = fig.subplots(2, 3)
    for ax, (title, region, targets) in zip(axes.ravel(), panels, strict=True):
        ax.contourf(
            gx, gy, region.reshape(gx.shape), levels=[-0.5, 0.5, 1.5], colors=["#dde6f5", "#f7dcc8"]
        )
        for t, marker, color in ((0, "o", "C0"), (1, "s", "C1")):
            pts = INPUTS[targets == t]
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                marker=marker,
                s=90,
                color=color,
                edgecolor="k",
                label=f"target {t}",
            )
        ax.set_title(title, fontsize=10)
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(-0.5, 1.5)
        ax.set_aspect("equal")
    axes[0, 0].legend(fontsize=8, loc="center left")
    fig.tight_layout()
    save_figure(fig, path)
