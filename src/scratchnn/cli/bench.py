"""``scratchnn bench``: training speed side by side (scratchnn, plain NumPy, PyTorch,
scikit-learn)."""

from __future__ import annotations

import argparse
import shlex

from ..experiments import writeup  # the writeup's settings, for help texts (constants only)
from .common import add_json, command, eprint, short, write_json


def add_parser(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser(
        "bench",
        help="training speed side by side: scratchnn, plain NumPy, PyTorch, scikit-learn",
        description="Train the writeup's tuned setup (784-128-10 sigmoid, SGD + L2) with each "
        "contender, one after another, each in a fresh process with one BLAS thread: "
        "scratchnn's fused path (float32, float64), the plain NumPy reference step (float32, "
        "float64), PyTorch CPU and scikit-learn MLPClassifier (skipped when not installed; "
        "pip install '.[bench]'). Measures the one-thread SGEMM ceiling in the same run and "
        "prints seconds per epoch (median), samples/s, the ratio to scratchnn, GFLOP/s and the "
        "fraction of the ceiling, validation accuracy, and peak RSS. --only CNN times the small "
        "CNN from scratch (scratchnn.cnn, float32 and float64) against the same network in "
        "PyTorch instead.",
    )
    b.add_argument("--epochs", type=int, default=3, help="epochs per contender (default 3)")
    tuned = writeup.TUNED_SETTINGS
    b.add_argument(
        "--batch-size",
        type=int,
        default=tuned["batch_size"],
        help=f"batch size (default {tuned['batch_size']})",
    )
    b.add_argument(
        "--learning-rate",
        type=float,
        default=tuned["learning_rate"],
        help=f"default {tuned['learning_rate']:g}",
    )
    b.add_argument(
        "--reg",
        type=float,
        default=tuned["reg"],
        help=f"L2 strength (default {short(tuned['reg'])})",
    )
    b.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only contenders whose name contains NAME (repeatable); CNN: the CNN rows, "
        "which run only when asked for",
    )
    add_json(b)
    command(b, run)


def command_line(args: argparse.Namespace) -> str:
    """The ``scratchnn bench`` command that repeats this run, every setting spelled out."""
    words = ["scratchnn", "bench", "--epochs", str(args.epochs), "--batch-size",
             str(args.batch_size), "--learning-rate", str(args.learning_rate), "--reg",
             str(args.reg)]  # fmt: skip
    for name in args.only or []:
        words += ["--only", name]
    if args.json:
        words += ["--json", str(args.json)]
    return shlex.join(words)


def run(args: argparse.Namespace) -> int:
    from ..benchmarks.runner import format_table, run_benchmark

    summary = run_benchmark(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.learning_rate,
        reg=args.reg,
        only=args.only,
        log=eprint,
    )
    summary["command"] = command_line(args)
    print(format_table(summary))
    write_json(args, summary, indent=2)
    return 0
