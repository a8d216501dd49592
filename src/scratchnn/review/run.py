"""Run the five experiments and turn their evidence into lines: :func:`run_review` (the work),
:func:`claim_lines` (a pure function of its result, what ``scratchnn review`` prints and what a
result read back from ``--json`` prints again), :func:`write_figures`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from . import baselines, images, robustness, start, tuning
from .common import Scale
from .verdict import VERDICTS

#: claim number -> the module that tests it (``run``, ``evidence_line``, ``CLAIM``)
CLAIMS = {1: baselines, 2: robustness, 3: tuning, 4: images, 5: start}
SOURCE = (
    "the writeup's review of Gaier & Ha, Weight Agnostic Neural Networks (NeurIPS 2019), "
    "claims paraphrased"
)


def check_claims(claims: Sequence[int]) -> list[int]:
    """The claim numbers, sorted and unique; a :class:`~scratchnn.errors.ConfigError` for one
    outside 1-5 or none."""
    chosen = sorted(set(claims))
    bad = [c for c in chosen if c not in CLAIMS]
    if bad or not chosen:
        raise ConfigError(f"claims must be among {', '.join(map(str, CLAIMS))}, got {list(claims)}")
    return chosen


def run_review(
    scale: Scale,
    seed: int = 0,
    claims: Sequence[int] = tuple(CLAIMS),
    data_dir: str | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Every chosen claim's evidence and verdict, as a JSON-able dict: ``{"scale", "seed",
    "claims": [...], "seconds": {claim: s}}``. The same ``scale`` and ``seed`` give the same
    numbers bit for bit (the timings aside)."""
    out: dict[str, Any] = {"source": SOURCE, "scale": scale.to_dict(), "seed": seed,
                           "claims": [], "seconds": {}}  # fmt: skip
    for n in check_claims(claims):
        t0 = time.perf_counter()
        result = CLAIMS[n].run(scale, seed, data_dir)
        out["claims"].append(result)
        out["seconds"][str(n)] = time.perf_counter() - t0
        log(f"claim {n}: {result['verdict']} ({out['seconds'][str(n)]:.1f} s)")
    return out


def claim_line(result: dict[str, Any]) -> str:
    """``[VERDICT] claim N, the claim: the evidence`` for one claim's result."""
    n = result["claim"]
    return f"[{result['verdict'].upper()}] claim {n}, {result['text']}: " + CLAIMS[n].evidence_line(
        result
    )


def claim_lines(review: dict[str, Any]) -> list[str]:
    """The lines ``scratchnn review`` prints for a result of :func:`run_review`: a header, one
    line per claim, the count of each verdict."""
    s = review["scale"]
    head = f"review of the writeup's WANN claims: scale {s['name']}, seed {review['seed']}"
    body = [claim_line(c) for c in review["claims"]]
    counts = [f"{sum(c['verdict'] == v for c in review['claims'])} {v}" for v in VERDICTS]
    return [head, *body, ", ".join(counts)]


def write_figures(review: dict[str, Any], out: Path | str) -> list[Path]:
    """The figures the chosen claims have (claim 2's weight sweep; claims 3 and 5's training
    curves) into ``out``; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    by = {c["claim"]: c for c in review["claims"]}
    made = []
    if 2 in by:
        robustness.plot(by[2], out / "review_weight_sweep.png")
        made.append(out / "review_weight_sweep.png")
    if 3 in by and 5 in by:
        start.plot(by[3], by[5], out / "review_training.png")
        made.append(out / "review_training.png")
    return made
