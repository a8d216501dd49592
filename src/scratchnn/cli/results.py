"""``scratchnn results``: regenerate the results tables and the model cards from the records."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import command


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "results",
        help="regenerate the results tables from the run records",
        description="Read every run record (results/**/run.json) and write the tables they give: "
        "docs/results/_generated/*.md, the model zoo's zoo.json and MODEL_CARD.md, and "
        "README.md's headline block (between its '<!-- BEGIN generated: headline -->' and "
        "'<!-- END generated: headline -->' lines). The same as python -m scratchnn.results. "
        "--check writes nothing and exits 1 when a file differs from what the records give.",
    )
    p.add_argument("--root", type=Path, default=Path("."), help="repository root (.)")
    p.add_argument("--check", action="store_true", help="compare only; exit 1 if a file differs")
    command(p, run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when written (or, with --check, up to date), 1 when --check finds a difference."""
    from ..results.__main__ import main

    return main(["--root", str(args.root), *(["--check"] if args.check else [])])
