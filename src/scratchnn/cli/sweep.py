"""``scratchnn sweep`` (a grid of settings over seeds) and ``scratchnn reproduce`` (the
writeup's experiments and report): both keep every finished run in ``OUT/results.sqlite`` and
continue where an interrupted command stopped."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from pathlib import Path

from ..experiments import writeup  # the writeup's settings, for help texts (constants only)
from .common import (
    add_data_dir,
    add_mlflow,
    add_parallel,
    command,
    eprint,
    parallel_options,
    short,
)
from .common import tracked as tracked_run


def _finished_runs_kept(args: argparse.Namespace) -> str:
    return (
        f"interrupted: every finished run is saved in {Path(args.out) / 'results.sqlite'}; "
        "run the same command again to continue (finished runs are skipped)"
    )


def _values(values: Sequence[float]) -> str:
    return ", ".join(f"{v:g}" for v in values)


def _tuned_text() -> str:
    """The writeup's tuned configuration in words: ``batch 32, lr 0.5, reg 2e-4, 50 epochs``."""
    t = writeup.TUNED_SETTINGS
    return (
        f"batch {t['batch_size']}, lr {t['learning_rate']:g}, reg {short(t['reg'])}, "
        f"{t['epochs']} epochs"
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    w = sub.add_parser(
        "sweep",
        help="train every combination of a grid, over several seeds",
        description="Run every combination of the --grid values (and --seeds seeds each) on top "
        "of a config; print mean +- std per cell; save run directories, table.txt and a combined "
        "figure. Finished runs are kept in OUT/results.sqlite: re-running the same sweep skips "
        "them and continues an interrupted one.",
    )
    w.add_argument(
        "--config", required=True, type=Path, help="base YAML config (or a shipped config's name)"
    )
    w.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar="KEY=V1,V2,...",
        help="values to sweep, e.g. --grid learning_rate=1,0.1,0.05,0.01 (repeatable: the "
        "product of all grids is run)",
    )
    w.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a base config value (repeatable)",
    )
    w.add_argument("--seeds", type=int, default=1, help="seeds per combination (default 1)")
    w.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    w.add_argument(
        "--out", type=Path, default=Path("runs/sweep"), help="output directory (default runs/sweep)"
    )
    add_data_dir(w, progress=True)
    add_parallel(w)
    add_mlflow(w)
    command(w, run_sweep, interrupted=_finished_runs_kept)

    r = sub.add_parser(
        "reproduce",
        help="the main job: regenerate the writeup's experiments and report",
        description=f"Run the learning-rate sweep ({_values(writeup.LR_VALUES)}), the "
        f"regularisation sweep ({_values(writeup.REG_VALUES)}) and the tuned configuration "
        f"({_tuned_text()}) for N seeds each, in faithful mode, then write report.md, index.html, "
        "figures/ and results.json with our numbers beside the writeup's. Interrupted? Run the "
        "same command again: finished runs are skipped.",
    )
    r.add_argument(
        "--out",
        type=Path,
        default=Path("reports/writeup"),
        help="output directory (default reports/writeup)",
    )
    r.add_argument("--seeds", type=int, default=3, help="shuffle seeds per setting (default 3)")
    r.add_argument(
        "--beyond-seeds",
        type=int,
        default=1,
        help="seeds for the 'Beyond the writeup' section, which trains the tuned configs "
        "shipped with scratchnn (best.yaml, best_128.yaml and best_softmax.yaml, as in the "
        "repository's configs/; whatever ./configs holds is not used) (default 1; 0 skips it)",
    )
    r.add_argument(
        "--quick",
        action="store_true",
        help="small smoke version: 2-3 epochs on a data subset (for tests)",
    )
    add_data_dir(r, progress=True)
    add_parallel(r)
    add_mlflow(r)
    command(r, run_reproduce, interrupted=_finished_runs_kept)


def run_sweep(args: argparse.Namespace) -> int:
    from ..experiments.sweep import run_sweep as sweep

    params = {
        "config": str(args.config),
        "grid": " ".join(args.grid),
        "set": " ".join(args.set),
        "seeds": args.seeds,
        "seed": args.seed,
    }
    with tracked_run(args, "sweep", params) as tracked:
        result = sweep(
            args.config,
            args.grid,
            overrides=args.set,
            seeds=args.seeds,
            first_seed=args.seed,
            out=args.out,
            data_dir=args.data_dir,
            progress=not args.no_progress,
            log=eprint,
            **parallel_options(args, tracked),
        )
        if tracked:
            tracked.log_artifacts(result.out)
    print(result.table)
    print(f"runs, table.txt and sweep.png in {result.out}")
    return 0


def reproduce_command(args: argparse.Namespace) -> str:
    """The ``scratchnn reproduce`` command of this run, its settings spelled out (the record
    keeps it)."""
    words = ["scratchnn", "reproduce", "--out", str(args.out), "--seeds", str(args.seeds),
             "--beyond-seeds", str(args.beyond_seeds)]  # fmt: skip
    words += ["--quick"] if args.quick else []
    return shlex.join(words)


def run_reproduce(args: argparse.Namespace) -> int:
    from ..experiments.reproduce import run_reproduce as reproduce
    from ..experiments.reproduce import summary_lines

    params = {"seeds": args.seeds, "quick": args.quick, "beyond_seeds": args.beyond_seeds}
    with tracked_run(args, "reproduce", params) as tracked:
        results = reproduce(
            args.out,
            seeds=args.seeds,
            quick=args.quick,
            data_dir=args.data_dir,
            progress=not args.no_progress,
            log=eprint,
            beyond_seeds=args.beyond_seeds,
            command=reproduce_command(args),
            **parallel_options(args, tracked),
        )
        if tracked:
            tracked.log_artifacts(args.out)
            tracked.log_artifacts(Path(args.out) / "figures", "figures")
    for line in summary_lines(results):
        print(line)
    print(
        f"report: {Path(args.out) / 'report.md'} and {Path(args.out) / 'index.html'} "
        f"(* = {writeup.FLAG_RULE})"
    )
    return 0
