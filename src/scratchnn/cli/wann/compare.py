"""``scratchnn wann compare``: rank search folders on the search objective and the evaluation."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from ..common import add_data_dir, add_json, command, write_json


def add_parser(sub: argparse._SubParsersAction) -> None:
    wc = sub.add_parser(
        "compare",
        help="rank search folders on the search objective and the tuned score",
        description="Score every folder's champion (FOLDER/best.json) on the search's own "
        "objective with the same random draws for all (the mean over the six search weights of "
        "the task's fitness over --reps draws of --seed: mnist256 minus the mean cross-entropy "
        "on batches of 1,000 training images, control tasks the mean episode reward), print it "
        "beside FOLDER/eval.json's tuned shared weight (mnist256: also the ensemble and the "
        "random shared weight), best objective first, and the Spearman correlation of the "
        "objective and the tuned score.",
    )
    wc.add_argument("folders", type=Path, nargs="+", metavar="FOLDER", help="search folders")
    wc.add_argument("--task", required=True, help="swingup, mnist256, xor, ...")
    wc.add_argument("--reps", type=int, default=20, help="draws of the objective (20)")
    wc.add_argument("--seed", type=int, default=7, help="seed of the common draws (7)")
    add_json(wc)
    add_data_dir(wc, " (mnist256)")
    command(wc, run)


def run(args: argparse.Namespace) -> int:
    """Print the ranking (and write it as JSON with --json); exit 0."""
    from ...wann.compare import format_ranking, rank_searches
    from ...wann.tasks import ClassificationTask, make_task

    task = make_task(args.task, data_dir=args.data_dir)
    rows, rho = rank_searches(args.folders, task, seed=args.seed, reps=args.reps)
    for line in format_ranking(rows, rho, percent=isinstance(task, ClassificationTask)):
        print(line)
    if args.json:
        data = {"task": args.task, "seed": args.seed, "reps": args.reps, "spearman": rho,
                "rows": [asdict(r) for r in rows]}  # fmt: skip
        write_json(args, data)
    return 0
