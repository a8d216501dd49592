"""Time scratchnn's fused path at revision REV against the working tree's, in one run.

``python scripts/bench_compare.py REV`` checks REV out into a git worktree in a temporary folder
and times the fused float32 and float64 contenders of ``scratchnn bench``
(:func:`scratchnn.benchmarks.contenders.run_one`) from REV's source and from the working tree's,
alternately (REV then the tree, then the tree then REV, ...), every run in a fresh Python
process with one BLAS thread, on the same MNIST files and the same settings. A warm-up round
(not timed) first compiles and caches each tree's Numba kernels.

For each contender it prints seconds per epoch of each side (the median over the repetitions of
each run's median epoch) and the ratio tree / REV (the median of the per-repetition ratios, each
of two runs next to each other in time): below 1 the working tree is faster. Only ratios within
one run mean anything on a noisy machine. Both sides run with this interpreter and its
packages; REV's ``run_one`` must take ``(name, epochs, batch_size, lr, reg)`` as the tree's does.

Usage: ``python scripts/bench_compare.py REV [--repeats 5] [--epochs 3] [--batch-size 32]
[--dtype float32] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: the contender of ``scratchnn bench`` timed for each ``--dtype``
FUSED = {"float32": "scratchnn float32 (fused)", "float64": "scratchnn float64 (fused)"}
#: what a fresh process runs: argv[1] the source folder to import scratchnn from, argv[2] the
#: JSON list of ``run_one``'s arguments; its last stdout line is ``run_one``'s result
WORKER = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import scratchnn
if not Path(scratchnn.__file__).resolve().is_relative_to(Path(sys.argv[1]).resolve()):
    sys.exit(f"scratchnn was imported from {scratchnn.__file__}, not from {sys.argv[1]}")
from scratchnn.benchmarks.contenders import run_one
print(json.dumps(run_one(*json.loads(sys.argv[2]))))
"""


class CompareError(Exception):
    """A revision, a worktree or a timed run that failed: one line for the user."""


def positive(text: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; the training settings default to ``scratchnn bench``'s."""
    from scratchnn.experiments.writeup import TUNED_SETTINGS

    p = argparse.ArgumentParser(
        prog="bench_compare.py",
        description="Time the fused float32 and float64 paths of revision REV and of the "
        "working tree alternately, each run in a fresh process with one BLAS thread; print "
        "seconds per epoch of each and their ratio (median over the repetitions).",
    )
    p.add_argument("rev", metavar="REV", help="the git revision to compare with (main, HEAD~3)")
    p.add_argument("--repeats", type=positive, default=5, help="runs per side (default 5)")
    p.add_argument("--epochs", type=positive, default=3, help="epochs per run (default 3)")
    p.add_argument(
        "--batch-size",
        type=positive,
        default=TUNED_SETTINGS["batch_size"],
        help=f"default {TUNED_SETTINGS['batch_size']}",
    )
    p.add_argument(
        "--learning-rate",
        type=float,
        default=TUNED_SETTINGS["learning_rate"],
        help=f"default {TUNED_SETTINGS['learning_rate']:g}",
    )
    p.add_argument(
        "--reg", type=float, default=TUNED_SETTINGS["reg"], help=f"default {TUNED_SETTINGS['reg']}"
    )
    p.add_argument(
        "--dtype",
        action="append",
        choices=sorted(FUSED),
        help="the fused path's dtype (repeatable; default both)",
    )
    p.add_argument("--json", type=Path, help="also write every timing as JSON")
    args = p.parse_args(argv)
    args.dtype = args.dtype or sorted(FUSED)
    return args


def git(*args: str, cwd: Path = ROOT) -> str:
    """``git ARGS`` in ``cwd``: its stdout, stripped; a :class:`CompareError` on failure."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise CompareError(f"git {' '.join(args)}: {done.stderr.strip() or done.returncode}")
    return done.stdout.strip()


def resolve(rev: str) -> str:
    """REV's full commit hash; a :class:`CompareError` when REV names no commit."""
    try:
        return git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except CompareError:
        raise CompareError(f"{rev!r} is not a commit of {ROOT}") from None


def describe_tree() -> str:
    """The working tree's commit, with a note when it has uncommitted changes."""
    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"commit {head}" + (" with uncommitted changes" if dirty else "")


def time_once(src: Path, name: str, args: argparse.Namespace, epochs: int) -> dict[str, Any]:
    """One fresh process: contender ``name`` from the scratchnn under ``src``; its
    ``run_one`` result."""
    call = [name, epochs, args.batch_size, args.learning_rate, args.reg]
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(src), json.dumps(call)],
        capture_output=True,
        text=True,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise CompareError(f"{name} from {src}: exit {done.returncode}: {tail}")
    return json.loads(lines[-1])


def compare(
    sides: dict[str, Path],
    args: argparse.Namespace,
    log: Callable[[str], None] = print,
    timer: Callable[..., dict[str, Any]] = time_once,
) -> dict[str, Any]:
    """Time every ``--dtype`` contender on both ``sides`` (label -> source folder; the first is
    REV, the second the working tree), alternating the order each repetition; returns per
    contender each side's seconds per epoch per repetition, their medians and the median of
    the per-repetition ratios (second side / first)."""
    (rev, rev_src), (tree, tree_src) = sides.items()
    names = [FUSED[d] for d in args.dtype]
    log("warm-up: each side once, 1 epoch, not timed (compiles and caches the Numba kernels)")
    for name in names:
        for src in (rev_src, tree_src):
            timer(src, name, args, 1)
    out: dict[str, Any] = {}
    for name in names:
        secs: dict[str, list[float]] = {rev: [], tree: []}
        for i in range(args.repeats):
            order = [(rev, rev_src), (tree, tree_src)]
            for label, src in order if i % 2 == 0 else order[::-1]:
                res = timer(src, name, args, args.epochs)
                secs[label].append(statistics.median(res["epoch_seconds"]))
            log(
                f"{name}, repetition {i + 1}/{args.repeats}: {rev} {secs[rev][-1]:.3f} s, "
                f"{tree} {secs[tree][-1]:.3f} s per epoch"
            )
        ratios = [b / a for a, b in zip(secs[rev], secs[tree], strict=True)]
        out[name] = {
            "seconds_per_epoch": secs,
            "median": {k: statistics.median(v) for k, v in secs.items()},
            "ratios": ratios,
            "ratio": statistics.median(ratios),
        }
    return out


def format_table(result: dict[str, Any], rev: str, tree: str) -> str:
    """The comparison as printed: per contender, both sides' median seconds per epoch, the
    median ratio and the per-repetition ratios."""
    head = f"{'contender':28s} {rev[:12]:>12s} {tree[:12]:>12s} {'tree / REV':>10s}  per repetition"
    lines = [head, "-" * len(head)]
    for name, r in result.items():
        per = " ".join(f"{x:.3f}" for x in r["ratios"])
        lines.append(
            f"{name:28s} {r['median'][rev]:10.3f} s {r['median'][tree]:10.3f} s "
            f"{r['ratio']:9.3f}x  {per}"
        )
    lines.append(
        "seconds per epoch: median over the repetitions of each run's median epoch; tree / REV: "
        "median of the per-repetition ratios (below 1: the working tree is faster)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse, check REV out into a temporary worktree, compare, print (and write --json)."""
    args = parse_args(argv)
    try:
        commit = resolve(args.rev)
        tree_state = describe_tree()
    except CompareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from scratchnn.data import load_mnist

    load_mnist(log=print)  # fetched once, here; every run reads the same files
    rev = f"REV {commit[:7]}"
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        worktree = Path(tmp) / "rev"
        try:
            git("worktree", "add", "--detach", "--quiet", str(worktree), commit)
            try:
                print(
                    f"{args.rev} ({commit[:7]}, worktree {worktree}) against the working tree "
                    f"({tree_state}): batch {args.batch_size}, lr {args.learning_rate:g}, reg "
                    f"{args.reg:g}, {args.epochs} epoch(s) per run, {args.repeats} repetitions, "
                    "alternating, one BLAS thread, a fresh process per run",
                    flush=True,
                )
                sides = {rev: worktree / "src", "tree": ROOT / "src"}
                result = compare(sides, args, log=lambda line: print(line, flush=True))
            finally:
                git("worktree", "remove", "--force", str(worktree))
        except CompareError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(format_table(result, rev, "tree"))
    if args.json:
        summary = {
            "rev": args.rev,
            "commit": commit,
            "tree": tree_state,
            "settings": {k: v for k, v in vars(args).items() if k not in ("rev", "json")},
            "contenders": result,
        }
        args.json.write_text(json.dumps(summary, indent=1) + "\n")
        print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
