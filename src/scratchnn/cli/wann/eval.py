"""``scratchnn wann eval``: a network evaluated as the paper reports WANNs."""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from ...errors import ScratchnnError
from ...fileio import atomic_write_text
from ..common import add_backend, add_data_dir, add_json, add_workers, command, write_json


def add_parser(sub: argparse._SubParsersAction) -> None:
    we = sub.add_parser(
        "eval",
        help="evaluate a network as the paper reports WANNs",
        description=(
            "Load a network (our best.json or trained.json, the reference's champion CSV, or its "
            "Graphviz drawing of one) and report mean +- std over --episodes episodes for random "
            "individual weights U(-2,2), a random shared weight U(-2,2), each of the six search "
            "weights, the best shared weight of the grid -2..2 step 0.05 (chosen on separate "
            "episodes), and, when the file carries individual weights (trained.json, or a CSV "
            "whose values are not all 1), those. mnist256: test accuracy at --episodes random "
            "shared weights U(-2,2) (mean +- std), per weight of the six, their mean +- std, the "
            "ensemble vote, the tuned weight and the individual weights."
        ),
    )
    we.add_argument(
        "file",
        type=Path,
        help="best.json, a reference champion .csv, the reference's Graphviz drawing of one "
        "(show_network.py's text, e.g. WANNRelease/WANN/graphs/mnist), or a zoo name "
        "(swingup, mnist256, cartpole; NAME:trained for its trained individual weights)",
    )
    we.add_argument(
        "--task",
        help="swingup, mnist256, biped, gym:ENV_ID, xor, ... (default for a zoo name: its task)",
    )
    we.add_argument(
        "--episodes",
        type=int,
        default=100,
        help="episodes per condition (100); mnist256: random shared weights drawn",
    )
    we.add_argument(
        "--tune-episodes",
        type=int,
        help="episodes per weight of the tuning grid and the sweep (default --episodes; the "
        "sweep has 100 weights, so long episodes such as biped's may need fewer)",
    )
    we.add_argument(
        "--reward",
        choices=["standard", "reference"],
        help="Gymnasium tasks: the environment's standard reward, or the WANN reference's "
        "BipedalWalker reward without the -100 fall penalty (the default of biped)",
    )
    we.add_argument(
        "--action",
        choices=["clip", "tanh", "argmax"],
        help="Gymnasium tasks: how outputs become actions (default: biped clip, other Box "
        "actions tanh, Discrete argmax)",
    )
    we.add_argument("--episode-steps", type=int, help="Gymnasium tasks: steps per episode")
    add_workers(we)
    add_backend(we)
    we.add_argument("--seed", type=int, default=0, help="seed of the initial states (0)")
    we.add_argument(
        "--figure",
        type=Path,
        help="PNG of the score against the shared weight -2.5..2.5 (mnist256: test accuracy of "
        "each digit against the shared weight)",
    )
    we.add_argument(
        "--markdown",
        type=Path,
        help="also write the paper's table layout (ours beside the paper's numbers) as Markdown",
    )
    add_json(we)
    add_data_dir(we, " (mnist256)")
    command(we, run)


def run(args: argparse.Namespace) -> int:
    from ...wann.evaluate import evaluate, paper_table, plot_weight_sweep, report_lines
    from ...wann.networks.formats import load_network
    from ...wann.tasks import EnvironmentTask, configure_task, make_task

    if args.episodes < 1:
        raise ScratchnnError(f"--episodes must be >= 1, got {args.episodes}")
    if args.tune_episodes is not None and args.tune_episodes < 1:
        raise ScratchnnError(f"--tune-episodes must be >= 1, got {args.tune_episodes}")
    from ...wann.zoo import resolve, task_for

    args.task = task_for(args.file, args.task)
    task = make_task(args.task, data_dir=args.data_dir, workers=args.workers)
    options = {
        "steps": args.episode_steps,
        "action": args.action,
        "reward": args.reward,
        "backend": args.backend,
    }
    task = configure_task(task, {k: v for k, v in options.items() if v})
    g, weights = load_network(resolve(args.file), task.n_in, task.n_out)
    print(
        f"{args.file}: {g.n_enabled()} connections, {len(g.hidden)} hidden nodes; task {task.name}"
        + ("" if weights is None else "; with individual weights")
    )
    if isinstance(task, EnvironmentTask):
        print(f"{task.spec.env_id}, {task.spec.steps} steps per episode, action {task.spec.action}")
    t0 = time.perf_counter()
    result = evaluate(
        task,
        g,
        episodes=args.episodes,
        seed=args.seed,
        weights=weights,
        tune_episodes=args.tune_episodes,
    )
    if isinstance(task, EnvironmentTask):
        result = dataclasses.replace(result, reward=task.reward_text)
    for line in report_lines(result, args.episodes):
        print(line)
    print(f"({time.perf_counter() - t0:.1f} s)")
    write_json(args, result.to_dict())
    if args.markdown:
        atomic_write_text(args.markdown, paper_table(task.name, result))
        print(f"written: {args.markdown}")
    if args.figure:
        plot_weight_sweep(result, args.figure, f"{task.name}: {args.file}")
        print(f"written: {args.figure}")
    return 0
