"""``scratchnn wann train-weights`` (a found topology's individual weights, trained: the paper's
fourth condition) and ``scratchnn wann baseline`` (the paper's fixed-topology baselines)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ...errors import ScratchnnError
from ...fileio import atomic_write_text, dumps_json
from ..common import add_backend, add_data_dir, add_workers, command


def _interrupted(args: argparse.Namespace) -> str:
    return (
        "interrupted: a control task's training is checkpointed every 10 generations in "
        f"{Path(args.out) / 'checkpoint.npz'}; run the same command with --resume to "
        "continue (MNIST weight training keeps nothing: run it again)"
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    wt = sub.add_parser(
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
    add_workers(wt)
    add_backend(wt)
    add_data_dir(wt, " (mnist256)")
    command(
        wt,
        run_train_weights,
        interrupted=_interrupted,
    )

    wl = sub.add_parser(
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
    add_data_dir(wl, " (mnist256)")
    command(wl, run_baseline, out_is_file=True)  # the one --out that names a file


def run_train_weights(args: argparse.Namespace) -> int:
    import numpy as np

    from ...wann.evaluate import evaluate
    from ...wann.networks.formats import load_network, save_network, save_reference_csv
    from ...wann.tasks import ClassificationTask, configure_task, make_task
    from ...wann.weights import (
        ESConfig,
        train_classifier_weights,
        train_episode_weights,
        trained_weights,
    )
    from ...wann.zoo import resolve

    task = make_task(args.task, data_dir=args.data_dir, workers=args.workers)
    if args.backend:
        task = configure_task(task, {"backend": args.backend})
    g, stored = load_network(resolve(args.file), task.n_in, task.n_out)
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
            w0 = evaluate(task, g, episodes=100, seed=0).tuned_weight
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


def run_baseline(args: argparse.Namespace) -> int:
    from ...wann.tasks import ClassificationTask, make_task
    from ...wann.weights import dense_genome, logistic_regression

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
