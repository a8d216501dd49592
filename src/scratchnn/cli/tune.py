"""``scratchnn tune``: an Optuna study (TPE + pruning) on validation accuracy."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_data_dir, add_mlflow, add_parallel, command, eprint, parallel_options
from .common import tracked as tracked_run


def _interrupted(args: argparse.Namespace) -> str:
    from ..experiments.tune import storage_spec

    where = storage_spec(args.storage, Path(args.out))
    return (
        f"interrupted: every finished trial is saved in the study ({where}); run the same "
        "command again to continue it (it runs --trials more trials, then writes best.yaml "
        "and summary.md)"
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    tu = sub.add_parser(
        "tune",
        help="hyper-parameter study (Optuna TPE + pruning) on validation accuracy",
        description="Run an Optuna study over a YAML search space (see scratchnn/experiments/"
        "tune.py and configs/tune_*.yaml). Trials are selected on validation accuracy and pruned "
        "on it epoch by epoch (one line per finished trial: number, state, value, seconds, "
        "parameters); the test set is touched once, by the final model trained on the "
        "best config. Writes best.yaml, trials.csv, optimization_history.png, "
        "param_importances.png, intermediate_values.png, final/ and summary.md. Re-running with "
        "the same --storage and --study continues the study.",
    )
    tu.add_argument(
        "--space",
        required=True,
        type=Path,
        help="search-space YAML, or a shipped one's name (tune_128, tune_onehidden, tune_softmax)",
    )
    tu.add_argument("--trials", type=int, default=20, help="trials to run now (default 20)")
    tu.add_argument("--timeout", type=float, help="stop starting trials after this many seconds")
    tu.add_argument(
        "--storage",
        help="Optuna storage: a journal file path, or a database URL (sqlite:///..., "
        "postgresql://...) (default OUT/study.journal, or the OUT/study.db an earlier version "
        "wrote)",
    )
    tu.add_argument("--study", default="scratchnn", help="study name (default scratchnn)")
    tu.add_argument(
        "--pruner",
        default="median",
        choices=["median", "asha", "none"],
        help="pruner (default median)",
    )
    tu.add_argument("--seed", type=int, default=0, help="sampler seed (default 0)")
    tu.add_argument(
        "--out", type=Path, default=Path("runs/tune"), help="output directory (default runs/tune)"
    )
    add_data_dir(tu)
    add_parallel(tu, "trials")
    add_mlflow(tu)
    command(tu, run, interrupted=_interrupted)


def run(args: argparse.Namespace) -> int:
    from .._optional import require
    from ..experiments.tune import run_tune

    require("optuna", "tune", "scratchnn tune")  # one line before any work when it is missing
    out = Path(args.out)
    params = {
        "space": str(args.space),
        "trials": args.trials,
        "timeout": args.timeout,
        "study": args.study,
        "pruner": args.pruner,
        "seed": args.seed,
    }
    with tracked_run(args, "tune", params) as tracked:
        summary = run_tune(
            args.space,
            out,
            trials=args.trials,
            timeout=args.timeout,
            storage=args.storage,
            study_name=args.study,
            pruner=args.pruner,
            seed=args.seed,
            data_dir=args.data_dir,
            log=eprint,
            **parallel_options(args, tracked),
        )
        if tracked:
            final = summary["final"] or {}
            tracked.log_metrics(
                {"best_val_acc": summary["best_val_acc"], "final_test_acc": final.get("test_acc")}
            )
            tracked.log_artifacts(out)
    print(
        f"best trial {summary['best_trial']}: val {summary['best_val_acc']:.4f} "
        f"{summary['best_params']}"
    )
    if summary["final"]:
        print(f"final model test accuracy {summary['final']['test_acc']:.4f}")
    print(f"best config: {out / 'best.yaml'}; summary: {out / 'summary.md'}")
    return 0
