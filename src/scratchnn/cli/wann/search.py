"""``scratchnn wann search``: topology search with one shared weight."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from ...errors import ScratchnnError, caused_by_interrupt
from ..common import add_backend, add_data_dir, add_parallel, add_workers, command, eprint


def _weights_text() -> str:
    """The default shared weights as the help shows them: ``(-2, -1, -0.5, 0.5, 1, 2)``."""
    from ...wann import PAPER_WEIGHTS

    return "(" + ", ".join(f"{w:g}" for w in PAPER_WEIGHTS) + ")"


def add_parser(sub: argparse._SubParsersAction) -> None:
    ws = sub.add_parser(
        "search",
        help="topology search with one shared weight",
        description="Search network topologies whose every connection shares one weight, scored "
        f"at w in {_weights_text()}, ranked by NSGA-II on (mean score, 1/connections) or "
        "(mean, max), with the reference's mutations. Tasks: swingup (CartPoleSwingUp), "
        "mnist256, biped (BipedalWalker-v3, needs the box2d extra), gym:ENV_ID (any Gymnasium "
        "environment with a Box observation space and a Box or Discrete action space; task keys "
        "episode_steps, action, reward, labels in --config), and the two-input Boolean "
        "functions (xor, and, or, nand, ...; output true "
        "when > 0; the search stops when the champion computes the function at all six weights "
        "and restarts with the next seed after --generations, until --time-limit). Writes "
        "stats.csv, best.json, best.csv (reference champion format), fitness.png, network.png "
        "and checkpoint.npz (every checkpoint_every generations) into --out.",
    )
    ws.add_argument(
        "--task",
        default="xor",
        help="swingup, mnist256, biped, gym:ENV_ID, xor, and, ... (default xor)",
    )
    ws.add_argument(
        "--preset",
        default="laptop",
        choices=["laptop", "paper"],
        help="hyper-parameter preset of the task (default laptop)",
    )
    ws.add_argument("--config", type=Path, help="a YAML file of search keys instead of a preset")
    ws.add_argument("--pop", type=int, help="population (default: the preset's)")
    ws.add_argument("--generations", type=int, help="generations (default: the preset's)")
    ws.add_argument("--seed", type=int, help="search seed (default 0)")
    ws.add_argument(
        "--time-limit",
        type=float,
        help="stop (checkpointed, --resume continues) after the generation that ends past this "
        "many seconds; Boolean tasks also start no new restart after it (default 110), other "
        "tasks have no limit by default",
    )
    ws.add_argument("--out", type=Path, help="output directory (default runs/wann-TASK)")
    ws.add_argument("--resume", action="store_true", help="continue the search saved in --out")
    ws.add_argument(
        "--require-solved",
        action="store_true",
        help="Boolean tasks: exit 1 when the champion does not compute the function at every "
        "weight (default: exit 0 after the 'not solved' line; everything is written either way)",
    )
    add_workers(ws)
    add_backend(ws)
    add_data_dir(ws, " (mnist256)")
    add_parallel(ws, jobs=None)
    command(
        ws,
        run,
        default_out=Path("runs"),  # the default run folder's parent
        interrupted="interrupted before the search started: nothing was saved",
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the search ran to its end (solved or not: a Boolean task prints ``solved`` or
    ``not solved``), 1 with ``--require-solved`` when it did not solve its task, 130 on Ctrl-C
    (the last checkpoint is kept)."""
    from ...wann import weights_word
    from ...wann.search.config import load_config_file, load_preset
    from ...wann.search.loop import CHECKPOINT, evaluate_here
    from ...wann.search.run import OUTPUT_FILES, describe, search
    from ...wann.tasks import make_task

    task = make_task(args.task, data_dir=args.data_dir, workers=args.workers)
    out = Path(args.out or f"runs/wann-{task.name.replace(':', '-').replace('/', '-')}")
    cfg = None
    if args.resume:
        fixed = [
            f"--{k}" for k in ("pop", "seed", "config", "backend") if getattr(args, k) is not None
        ]
        if fixed or args.preset != "laptop":
            raise ScratchnnError(
                "--resume continues with the checkpoint's settings; only --generations may be "
                f"given (got {', '.join(fixed or ['--preset'])})"
            )
    else:
        cfg = load_config_file(args.config) if args.config else load_preset(task.name, args.preset)
        cfg = cfg.replace(pop=args.pop, seed=args.seed, backend=args.backend)
    origin = "checkpoint" if args.resume else (str(args.config) if args.config else args.preset)

    def log(line: str) -> None:
        print(line, flush=True)

    def announce(state) -> None:
        if args.resume:
            print(f"resuming {out / CHECKPOINT} after generation {state.generation}")
        print(f"{task.name} ({origin}): {describe(state.config)} in {out / CHECKPOINT}")

    try:
        with contextlib.ExitStack() as stack:
            evaluate = evaluate_here
            if args.executor == "ray":
                from ...parallel import RayExecutor, ray_session
                from ...wann.search.distributed import chunked_evaluator

                evaluate = chunked_evaluator(
                    RayExecutor(stack.enter_context(ray_session(args.address)))
                )
            found = search(
                task,
                out,
                cfg,
                resume=args.resume,
                generations=args.generations,
                time_limit=args.time_limit,
                log=log,
                on_start=announce,
                evaluate=evaluate,
            )
    except (KeyboardInterrupt, SystemError) as exc:
        if not caused_by_interrupt(exc):
            raise
        eprint(
            f"interrupted: the last checkpoint is in {out / CHECKPOINT}; run the same command "
            "with --resume to continue"
        )
        return 130
    state, g = found.state, found.state.champion
    print(
        f"{task.name}: champion mean score {state.champion_mean:.4f} over w = "
        f"{list(state.config.weights)}; {g.n_enabled()} connections, {len(g.hidden)} hidden "
        f"nodes; seed {state.config.seed}; {state.generation} generations, "
        f"{found.seconds_per_generation:.3f} s per generation; {found.seconds:.1f} s this run"
    )
    print(f"written: {out}/{' '.join(OUTPUT_FILES)}")
    if found.solved is not None:
        n = weights_word(len(state.config.weights))
        print(
            f"{'solved' if found.solved else 'not solved'}: the champion computes "
            f"{task.function} at {'all' if found.solved else 'not all'} {n} weights"
        )
        return 1 if args.require_solved and not found.solved else 0
    return 0
