"""The rules that turn each claim's evidence into a verdict: pure functions of numbers.

Every claim is split into parts, each of which holds (True), fails (False) or cannot be decided
from the run (None, e.g. a trainer that did not reach its target within its budget but not by a
margin that settles the question). :func:`combine` gives the verdict: **supported** when every
part holds, **not supported** when every part fails, **mixed** otherwise. The thresholds are the
module's constants, so a rule reads the same in the code, the output and the docs.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence

SUPPORTED, NOT_SUPPORTED, MIXED = "supported", "not supported", "mixed"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, MIXED)

#: claim 2: a weight is "near the best" when its score, above the task's floor (0 reward, or
#: chance accuracy), is at least this share of the best weight's
NEAR_BEST = 0.8
#: claim 2: the score holds across magnitudes when at least this share of the weights in
#: [-2, 2] are near the best
FLAT_SHARE = 0.5
#: claim 2: the score holds across ways of setting the weights when every way keeps at least
#: this share of the best way's score above the floor
METHOD_SHARE = 0.5
#: claim 3: tuning one weight is "trivial" next to training every weight when training needs at
#: least this many times the evaluations to reach the same score
COST_RATIO = 10.0
#: claim 4: the permutation test's level
ALPHA = 0.05

#: the thresholds the rules name
THRESHOLDS = ("NEAR_BEST", "FLAT_SHARE", "METHOD_SHARE", "COST_RATIO", "ALPHA")

Part = bool | None


def rule_text(rule: Callable[..., str]) -> str:
    """A rule's docstring as one self-contained line (what the JSON and the report state beside
    a verdict): the thresholds' names replaced by their values, the part rules it names by
    their own text."""
    text = " ".join(inspect.getdoc(rule).split())
    for name in ("cost_part", "cnn_part"):
        if f":func:`{name}`" in text:
            text = text.replace(f":func:`{name}`", "(" + rule_text(globals()[name]) + ")")
    for name in THRESHOLDS:
        text = re.sub(rf"\b{name}\b", f"{globals()[name]:g}", text)
    return text


def combine(parts: Sequence[Part]) -> str:
    """supported when every part is True, not supported when every part is False, mixed
    otherwise (a None part, or parts that disagree)."""
    if parts and all(p is True for p in parts):
        return SUPPORTED
    if parts and all(p is False for p in parts):
        return NOT_SUPPORTED
    return MIXED


def above_zero(lo: float, hi: float) -> Part:
    """A paired difference's 95 % interval [lo, hi]: True above 0, False below 0, None when it
    holds 0 (no difference shown either way)."""
    if lo > 0:
        return True
    if hi < 0:
        return False
    return None


def claim1(intervals: Sequence[tuple[float, float]]) -> str:
    """Claim 1, one part per task: the champion's score minus the fixed-topology baseline's,
    both under the same random shared weights and episodes; the part holds when the 95 %
    interval of the mean paired difference lies above 0, fails when it lies below 0 and is
    undecided when it holds 0."""
    return combine([above_zero(lo, hi) for lo, hi in intervals])


def normalised(score: float, best: float, floor: float) -> float:
    """``(score - floor) / (best - floor)``: 1 at the best, 0 at the floor (0 when the best
    does not beat the floor)."""
    return (score - floor) / (best - floor) if best > floor else 0.0


def claim2(flat_shares: Sequence[float], method_shares: Sequence[float]) -> str:
    """Claim 2, two parts per task: across magnitudes, the share of the weights in [-2, 2]
    whose score is near the best (>= NEAR_BEST of it above the floor) is at least FLAT_SHARE;
    across ways of setting the weights, the worst way keeps at least METHOD_SHARE of the best
    way's score above the floor."""
    parts = [s >= FLAT_SHARE for s in flat_shares] + [m >= METHOD_SHARE for m in method_shares]
    return combine(parts)


def cost_part(ratio: float | None, lower_bound: float) -> Part:
    """One task of claim 3. The ratio: evaluations training every weight needed to reach the
    1-D search's score, over the 1-D search's evaluations. When every training run got there,
    their median ratio decides: the part holds at COST_RATIO or more and fails below. When a
    run did not get there, the part holds if the training budget alone was at least COST_RATIO
    times the 1-D search's, and is undecided otherwise."""
    if ratio is not None:
        return ratio >= COST_RATIO
    return True if lower_bound >= COST_RATIO else None


def claim3(parts: Sequence[Part]) -> str:
    """Claim 3, one part per task (the 1-D search takes no gradient by construction):
    :func:`cost_part`."""
    return combine(parts)


def cnn_part(cnn_mean: float, cnn_sd: float, n: int, wann_best: float) -> Part:
    """Claim 4 (a): the CNN of matched size beats the WANN champion's best test accuracy (tuned
    shared or trained weights) when its mean over the seeds minus two standard errors is above
    it; the part fails when its mean plus two standard errors is below it, and is undecided
    between (or without a CNN)."""
    if n < 1:
        return None
    se = cnn_sd / n**0.5 if n > 1 else 0.0
    if cnn_mean - 2 * se > wann_best:
        return True
    if cnn_mean + 2 * se < wann_best:
        return False
    return None


def claim4(cnn: Part, p_value: float) -> str:
    """Claim 4, two parts: (a) :func:`cnn_part`; (b) the search found no CNN-like locality:
    the permutation test's p-value (hidden nodes drawing on nearer pixels than random
    relabellings of the pixels) is at least ALPHA."""
    return combine([cnn, p_value >= ALPHA])


def claim5(wann_first: Sequence[Part], wann_final: float, dense_final: float) -> str:
    """Claim 5, two parts: the WANN (trained from its shared weight) reaches the target score
    in fewer evaluations than the dense network of the same size (trained from random weights)
    in more than half of the seeds where either reaches it (a seed where neither does is left
    out; undecided when none is left); and its result (the best validation score of its run,
    mean over seeds) is at least the dense network's."""
    decided = [f for f in wann_first if f is not None]
    first = sum(decided) > len(decided) / 2 if decided else None
    return combine([first, wann_final >= dense_final])
