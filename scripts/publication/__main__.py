"""``python scripts/publication [--root DIR] [--check]`` (``make results``, ``make
results-check``): regenerate every results table of this repository from its run records."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: the repository this script belongs to
REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    """Write docs/results/_generated/*.md, the zoo cards and README.md's headline block from
    the records; ``--check``: write nothing, exit 1 when a committed file differs."""
    from publication import README_BLOCK, ResultsError, render, write_all

    parser = argparse.ArgumentParser(
        prog="python scripts/publication",
        description="Regenerate the results tables (docs/results/_generated/*.md, the model "
        "zoo's zoo.json and MODEL_CARD.md, README.md's headline block) from the run records "
        "results/**/run.json.",
    )
    parser.add_argument(
        "--root", type=Path, default=REPO, help="repository root (the one holding this script)"
    )
    parser.add_argument(
        "--check", action="store_true", help="compare only; exit 1 if a file differs"
    )
    args = parser.parse_args(argv)
    try:
        _, new_readme = render(args.root)
        lines = write_all(args.root, check=args.check)
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    if new_readme is None:
        print(
            f"README.md: no '<!-- BEGIN generated: {README_BLOCK} -->' / "
            f"'<!-- END generated: {README_BLOCK} -->' markers; README left alone"
        )
    if args.check:
        print("results tables: " + ("out of date" if lines else "up to date"))
        return 1 if lines else 0
    print(
        f"results tables: {len(lines)} file(s) written" if lines else "results tables: up to date"
    )
    return 0


if __name__ == "__main__":
    if not __package__:  # run as a folder: its parent, not the folder, makes it importable
        sys.path[0] = str(REPO / "scripts")
    raise SystemExit(main())
