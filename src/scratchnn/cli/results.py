"""``scratchnn results [DIR]``: a table of every run record in a folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_json, command, write_json


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "results",
        help="tabulate a folder of run records (run.json)",
        description="Read every run record under DIR (DIR/**/run.json, schema scratchnn.run/1) "
        "and print a Markdown table with one row per run: its folder, kind, seed, commit, "
        "whether the tree had uncommitted changes, and its summary metrics (the shallowest "
        "first; a mean with its sd as 'mean ± sd'). --json FILE also writes every row with all "
        "its metrics as JSON.",
    )
    p.add_argument(
        "dir", nargs="?", type=Path, default=Path("results"), metavar="DIR",
        help="folder of run records, searched recursively (default: results)",
    )  # fmt: skip
    p.add_argument(
        "--metrics", type=int, default=12, metavar="N",
        help="metrics shown per row (default 12; 0: all)",
    )  # fmt: skip
    add_json(p)
    command(p, run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 with the table printed; a missing folder, a folder without records or a malformed
    record is one error line (exit 2)."""
    from ..results import load_records, summary_rows, tabulate

    records = load_records(args.dir)
    print(tabulate(records, max_metrics=args.metrics), end="")
    write_json(args, summary_rows(records))
    return 0
