"""``scratchnn wann bench``: the cost of WANN evaluation (packed kernels against the
reference's way, a Gymnasium task's steps, search generations, a train-weights generation)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...errors import ScratchnnError
from ..common import add_json, command, write_json


def add_parser(sub: argparse._SubParsersAction) -> None:
    wb = sub.add_parser(
        "bench",
        help="time one swingup generation: packed kernels vs the reference's way",
        description="Evaluate one generation of swingup networks (6 weights x 3 rollouts) with "
        "scratchnn's compiled kernels, and a sample of the same episodes the way the reference "
        "does (one NumPy dot product per node per step, the environment stepped in Python); "
        "reports time per environment step of each and their ratio, one thread.",
    )
    wb.add_argument("--pop", type=int, default=64, help="networks (64)")
    wb.add_argument(
        "--gym",
        metavar="TASK",
        help="instead: the cost of a Gymnasium task (biped, gym:ENV_ID) on each backend "
        "(gymnasium, envpool) side by side: seconds per environment step, network step and "
        "episode step (one core), per generation of its presets, and whole generations on "
        "2 workers (wall clock)",
    )
    wb.add_argument(
        "--agree",
        metavar="NETWORK",
        type=Path,
        help="with --gym: instead, score NETWORK (a file or zoo name) at --weight on --episodes "
        "episodes per backend and check that the two means agree within two standard errors",
    )
    wb.add_argument("--episodes", type=int, default=200, help="--agree: episodes per backend (200)")
    wb.add_argument("--mutations", type=int, default=60, help="mutations grown per network (60)")
    wb.add_argument("--sample", type=int, default=6, help="reference-style episodes timed (6)")
    wb.add_argument("--seed", type=int, default=0)
    wb.add_argument(
        "--search",
        action="store_true",
        help="instead: seconds per search generation (evaluation and bookkeeping) of the array "
        "engine and the per-genome reference, at the paper presets of swingup (pop 192) and "
        "mnist256 (pop 960), at generation 0 and grown by --grown mutations per genome",
    )
    wb.add_argument("--grown", type=int, default=200, help="--search: mutations grown (200)")
    wb.add_argument(
        "--genome",
        type=Path,
        help="a swingup network (best.json, trained.json, .csv): time one train-weights "
        "generation of it (32 candidates x 128 episodes) with the lane and the scalar kernel",
    )
    wb.add_argument(
        "--weight", type=float, default=1.0, help="--genome: the candidates' centre weight (1)"
    )
    wb.add_argument(
        "--generations", type=int, default=2, help="--search: generations timed (median, 2)"
    )
    add_json(wb)
    command(wb, run)


def run(args: argparse.Namespace) -> int:
    from ...benchmarks.wann import bench_search, bench_swingup, format_search_table

    if args.pop < 1 or args.mutations < 0 or args.sample < 1 or args.grown < 0:
        raise ScratchnnError("--pop and --sample must be >= 1, --mutations and --grown >= 0")
    if args.agree:
        return _agree(args)
    if args.gym:
        from ...benchmarks.wann import bench_gym, format_gym_bench

        result = bench_gym(args.gym, pop=args.pop, seed=args.seed)
        print(format_gym_bench(result))
        write_json(args, result)
        return 0
    if args.search:
        rows = []
        for task in ("swingup", "mnist256"):
            for grown in (0, args.grown):
                rows += bench_search(task, grown=grown, generations=args.generations)
        print(format_search_table(rows))
        write_json(args, rows)
        return 0
    if args.genome:
        from ...benchmarks.wann import bench_weights
        from ...wann.networks.formats import load_network
        from ...wann.networks.genome import express
        from ...wann.tasks import swingup as su
        from ...wann.zoo import resolve

        g, _ = load_network(resolve(args.genome), su.N_OBS, su.N_ACT)
        w = args.weight
        r = bench_weights(express(g), w, seed=args.seed)
        print(
            f"a train-weights generation of {args.genome} ({r['connections']} connections, "
            f"w = {w:g}): 32 candidates x 128 episodes, {r['env_steps']:,} environment steps, "
            f"one thread"
        )
        print(
            f"lane kernel {r['lanes_s']:.3f} s, scalar kernel {r['scalar_s']:.3f} s: "
            f"{r['lanes_speedup']:.2f}x (same returns, mean {r['mean_return']:.2f})"
        )
        write_json(args, r)
        return 0
    r = bench_swingup(args.pop, args.mutations, sample=args.sample, seed=args.seed)
    print(
        f"swingup, {r['pop']} networks (median {r['median_conns']:.0f} connections) x 6 weights x "
        f"3 rollouts = {r['episodes']} episodes, {r['env_steps']:,} environment steps, one thread"
    )
    print(
        f"scratchnn packed kernels: {r['scratchnn_s_per_generation']:.3f} s per generation "
        f"({r['scratchnn_us_per_step']:.3f} us per step)"
    )
    print(
        f"the scalar kernel (one episode at a time): {r['scalar_kernel_s_per_generation']:.3f} s "
        f"per generation; the lane kernel is {r['lanes_speedup']:.2f}x faster"
    )
    print(
        f"reference-style (per-node dot products, Python env step; {args.sample} sampled "
        f"episodes): {r['reference_style_us_per_step']:.1f} us per step, "
        f"{r['reference_style_s_per_generation_est']:.0f} s per generation at that rate"
    )
    print(f"speed-up: {r['speedup']:.0f}x")
    write_json(args, r)
    return 0


def _agree(args: argparse.Namespace) -> int:
    """``--gym TASK --agree NETWORK``: exit 0 when the backends agree, 1 when they do not."""
    from ...wann.networks.formats import load_network
    from ...wann.networks.genome import express
    from ...wann.networks.packed import pack_networks
    from ...wann.tasks import EnvironmentTask, make_task
    from ...wann.tasks.envpool import require
    from ...wann.tasks.gym import compare_backends
    from ...wann.zoo import resolve

    if not args.gym:
        raise ScratchnnError("--agree needs --gym TASK (biped, gym:ENV_ID)")
    if args.episodes < 2:
        raise ScratchnnError("--episodes must be >= 2")
    task = make_task(args.gym)
    if not isinstance(task, EnvironmentTask):
        raise ScratchnnError(f"--agree compares Gymnasium backends; {task.name} has none")
    require(task.spec.env_id)
    g, _ = load_network(resolve(args.agree), task.n_in, task.n_out)
    r = compare_backends(task, pack_networks([express(g)]), args.weight, args.episodes, args.seed)
    r.update(task=task.name, network=str(args.agree), weight=args.weight, seed=args.seed)
    r["agree"] = bool(abs(r["difference"]) < 2 * r["se"])
    print(
        f"{task.name}, {args.agree} at w = {args.weight:g}, {args.episodes} episodes per "
        f"backend (seeds from {args.seed}); {task.reward_text.split(';')[0]}"
    )
    print("| backend | episodes | mean | sd | standard error |")
    print("|---|---|---|---|---|")
    for b in ("gymnasium", "envpool"):
        x = r[b]
        print(
            f"| {b} | {x['n']} | {x['mean']:.2f} | {x['std']:.2f} | "
            f"{x['std'] / x['n'] ** 0.5:.2f} |"
        )
    verdict = "agree" if r["agree"] else "DIFFER"
    print(
        f"difference (envpool - gymnasium) {r['difference']:+.2f}, standard error "
        f"{r['se']:.2f}: {abs(r['difference']) / r['se']:.2f} standard errors, the backends "
        f"{verdict} (threshold 2)"
    )
    write_json(args, r)
    return 0 if r["agree"] else 1
