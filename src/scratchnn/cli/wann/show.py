"""``scratchnn wann show``: one self-contained HTML page for a champion."""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path

from ...errors import ScratchnnError
from ..common import add_data_dir, add_workers, command


def add_parser(sub: argparse._SubParsersAction) -> None:
    ws = sub.add_parser(
        "show",
        help="write an interactive HTML page of a champion",
        description=(
            "Write one self-contained HTML file (no network access needed to open it) for a "
            "champion: the network drawn by layers (hover or click a node to follow its "
            "paths), a slider over the shared weight -2.5..2.5 (step 0.05) showing the score "
            "at each weight (mean +- sd over the tuning episodes of wann eval; mnist256: test "
            "accuracy, accuracy by digit and a few test images with the prediction) beside the "
            "evaluation's reference lines (random weights, random shared weight, tuned "
            "weight), and, for swingup and Gymnasium tasks, one recorded episode per weight "
            "(swingup: every grid weight; Gymnasium: the six search weights and the tuned one, "
            "as rendered frames), plus the trained individual weights' episode when the "
            "network has them. A zoo name uses the evaluation shipped with it; a file uses "
            "--eval, else runs wann eval's evaluation first."
        ),
    )
    ws.add_argument("champion", help="a zoo name (swingup, mnist256:trained, ...) or a file")
    ws.add_argument(
        "--task",
        help="swingup, mnist256, biped, gym:ENV_ID, xor, ... (default for a zoo name: its task)",
    )
    ws.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    ws.add_argument(
        "--eval",
        type=Path,
        help="the champion's evaluation (wann eval --json) to take the reference lines and "
        "tuned weight from (default: the zoo's, or evaluated now)",
    )
    ws.add_argument(
        "--episodes",
        type=int,
        help="episodes per grid weight (default: the evaluation's tuning episodes; evaluated "
        "now: 100, Gymnasium tasks 20)",
    )
    ws.add_argument("--seed", type=int, default=0, help="seed of the episodes (0, as wann eval)")
    ws.add_argument(
        "--frames",
        type=int,
        default=40,
        help="Gymnasium tasks: frames kept per recorded episode (40)",
    )
    ws.add_argument(
        "--frame-width", type=int, default=320, help="Gymnasium tasks: frame width in pixels (320)"
    )
    ws.add_argument(
        "--backend",
        choices=("gymnasium", "envpool"),
        default="gymnasium",
        help="Gymnasium tasks: the environments behind the slider's scores (gymnasium, the "
        "default, as the recorded episodes; envpool is faster but draws other starts)",
    )
    add_workers(ws)
    add_data_dir(ws, " (mnist256)")
    command(ws, run, out_is_file=True)


def command_line(args: argparse.Namespace) -> str:
    """The command that writes the page again (the options that change it; ``--out`` by its
    file name)."""
    words = ["scratchnn", "wann", "show", args.champion, "--task", args.task]
    words += ["--out", args.out.name]
    if args.eval is not None:
        words += ["--eval", str(args.eval)]
    for option, value, default in (
        ("--episodes", args.episodes, None),
        ("--seed", args.seed, 0),
        ("--frames", args.frames, 40),
        ("--frame-width", args.frame_width, 320),
        ("--backend", args.backend, "gymnasium"),
    ):
        if value != default and (option != "--backend" or args.task.startswith(("gym:", "biped"))):
            words += [option, str(value)]
    return shlex.join(words)


def run(args: argparse.Namespace) -> int:
    from ...wann.show import write_page
    from ...wann.tasks import EnvironmentTask, configure_task, make_task
    from ...wann.zoo import task_for

    for name in ("episodes", "frames", "frame_width"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ScratchnnError(f"--{name.replace('_', '-')} must be >= 1, got {value}")
    if args.eval is not None and not args.eval.is_file():
        raise ScratchnnError(f"--eval {args.eval}: no such file")
    args.task = task_for(args.champion, args.task)
    task = make_task(args.task, data_dir=args.data_dir, workers=args.workers)
    if isinstance(task, EnvironmentTask):
        task = configure_task(task, {"backend": args.backend})
    t0 = time.perf_counter()
    data = write_page(
        args.champion,
        task,
        args.out,
        episodes=args.episodes,
        seed=args.seed,
        frames=args.frames,
        frame_width=args.frame_width,
        eval_file=args.eval,
        command=command_line(args),
    )
    size = args.out.stat().st_size
    print(
        f"{data['title']}: {data['connections']} connections, {data['hidden']} hidden nodes; "
        f"written: {args.out} ({size / 1e6:.2f} MB, {time.perf_counter() - t0:.1f} s)"
    )
    return 0
