"""``scratchnn review``: the writeup's paper review, each claim tested by an experiment."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_data_dir, add_json, command, eprint, write_json


def _claims(text: str) -> list[int]:
    """``--claims 1,3``: the claim numbers (argparse reports a bad one as a usage error)."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"give claim numbers separated by commas, e.g. 1,3 (got {text!r})"
        ) from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    rv = sub.add_parser(
        "review",
        help="test the writeup's claims about Weight Agnostic Neural Networks",
        description="The writeup's review of Weight Agnostic Neural Networks makes five "
        "testable claims. Each is tested by an experiment on the zoo champions (SwingUp and "
        "MNIST-256) and gets one line: the claim, the evidence with its spread, and a verdict "
        "(supported, not supported or mixed) given by a rule in scratchnn.review.verdict. "
        "The default scale takes a few minutes on two cores; --full runs at the scale of the "
        "results pages.",
    )
    scale = rv.add_mutually_exclusive_group()
    scale.add_argument(
        "--full", action="store_true", help="the results pages' scale (about half an hour)"
    )
    scale.add_argument(
        "--scale",
        choices=("tiny", "light", "default", "full"),
        help="budget by name: tiny (seconds, a smoke test), light (make reproduce's section), "
        "default, full (as --full)",
    )
    rv.add_argument("--seed", type=int, default=0, help="seed of every draw and run (0)")
    rv.add_argument(
        "--claims", type=_claims, default=None, metavar="N,N", help="only these claims (1-5)"
    )
    rv.add_argument("--out", type=Path, help="folder for the figures")
    add_json(rv)
    add_data_dir(rv, " (MNIST-256)")
    command(rv, run)


def run(args: argparse.Namespace) -> int:
    """Print the lines; exit 0 whatever the verdicts (they are findings, not failures)."""
    import time

    from ..errors import ConfigError
    from ..experiments import provenance
    from ..review import CLAIMS, claim_lines, run_review, scale_named, write_figures
    from ..review.run import check_claims

    if args.seed < 0:
        raise ConfigError(f"--seed must be >= 0, got {args.seed}")
    claims = check_claims(args.claims if args.claims is not None else list(CLAIMS))
    scale = scale_named("full" if args.full else args.scale or "default")
    data_dir = None if args.data_dir is None else str(args.data_dir)
    t0 = time.perf_counter()
    review = run_review(scale, args.seed, claims, data_dir, log=eprint)
    review["seconds"]["total"] = time.perf_counter() - t0
    review["provenance"] = provenance.collect([args.seed])
    for line in claim_lines(review):
        print(line)
    eprint(f"{review['seconds']['total']:.0f} s")
    if args.out:
        made = write_figures(review, args.out)
        if made:
            print("figures: " + " ".join(str(p) for p in made))
    write_json(args, review)
    return 0
