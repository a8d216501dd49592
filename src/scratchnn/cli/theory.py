"""``scratchnn theory``: the writeup's theory checked by computation."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import command


def add_parser(sub: argparse._SubParsersAction) -> None:
    th = sub.add_parser(
        "theory",
        help="check the writeup's theory by computation",
        description="Softmax Jacobian against finite differences and the fused gradient; the "
        "writeup's AND/OR perceptrons and the perceptron rule; linear separability of all 16 "
        "two-input Boolean functions by linear programming, with a Farkas certificate for XOR "
        "and XNOR; XOR by a hand-set and a trained two-layer network. Exits 1 if any check fails.",
    )
    th.add_argument("--figure", type=Path, help="also save the gates' decision boundaries (PNG)")
    command(th, run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every check passes, 1 when one fails."""
    from ..theory import run_checks
    from ..theory.checks import plot_gates

    checks = run_checks()
    section = None
    for c in checks:
        if c.section != section:
            section = c.section
            print(f"\n== {section} ==")
        print(f"[{'PASS' if c.passed else 'FAIL'}] {c.name}: {c.detail}")
    if args.figure:
        plot_gates(args.figure)
        print(f"\ndecision boundaries: {args.figure}")
    failed = [c for c in checks if not c.passed]
    print(f"\n{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0
