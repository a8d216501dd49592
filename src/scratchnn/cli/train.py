"""``scratchnn train``: one model from a YAML config, with the assignment's semantics."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_data_dir, add_mlflow, command, eprint, tracked


def add_parser(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser(
        "train",
        help="train one model from a YAML config",
        description="Train SoftmaxRegression or TwoLayerNet on MNIST with minibatch SGD + L2, "
        "with the assignment's semantics. Writes config.yaml, history.csv, metrics.json, "
        "model.npz, loss.png and accuracy.png to the run directory.",
    )
    t.add_argument(
        "--config",
        required=True,
        type=Path,
        help="YAML file (Train/Model sections), or the name of a config shipped with scratchnn "
        "(config_exp, config_softmax, best, best_128, best_softmax)",
    )
    t.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set learning_rate=0.5 or --set Model.hidden_size=256"
        " (repeatable)",
    )
    t.add_argument("--seed", type=int, help="shuffle seed (overrides Train.seed; default 0)")
    t.add_argument("--out", type=Path, help="run directory (default runs/<config>-<time>)")
    add_data_dir(t, progress=True)
    add_mlflow(t)
    command(
        t,
        run,
        default_out=Path("runs"),  # the default run folder's parent
        interrupted="interrupted while loading the data or writing the run: the run is not "
        "(completely) saved; run the command again",
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0 when training finished, 3 when it diverged, 130 when Ctrl-C stopped it (the run
    so far is saved)."""
    from ..config import load_config
    from ..runs import run_training, summary_line

    cfg = load_config(args.config, args.set, seed=args.seed)  # checked before the tracker opens
    with tracked(args, f"train {Path(args.config).stem}", cfg.to_dict()) as tracker:
        job = run_training(
            args.config,
            args.set,
            seed=args.seed,
            out=args.out,
            data_dir=args.data_dir,
            progress=not args.no_progress,
            log=eprint,
            on_epoch=tracker.on_epoch if tracker else None,
        )
        if tracker:
            tracker.log_result(job.result, job.out)
            tracker.end(job.result.status)
    if job.result.status == "interrupted":
        done = len(job.result.history)
        eprint(
            f"interrupted after {done} finished epoch(s) of {job.config.train.epochs}: the run "
            f"so far is saved in {job.out} (status interrupted in metrics.json"
            + (f"; model.npz holds epoch {job.result.best_epoch}, the best so far" if done else "")
            + "); training does not resume: run the command again to train from the start"
        )
        print(summary_line(job.result))
        return 130
    if job.result.status != "ok":
        eprint(f"diverged: {job.result.message}; history so far saved in {job.out}")
    print(f"run saved in {job.out}")
    print(summary_line(job.result))
    return 0 if job.result.status == "ok" else 3
