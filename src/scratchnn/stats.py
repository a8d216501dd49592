"""Summary statistics for a result measured over several seeds.

A row over ``n`` seeds reports ``n``, the mean ± the sample standard deviation (``ddof = 1``)
and the range min-max. From :data:`IQM_MIN_SEEDS` seeds on it also reports the interquartile
mean (IQM) with a 95 % stratified-bootstrap confidence interval, as rliable recommends
(Agarwal et al., *Deep Reinforcement Learning at the Edge of the Statistical Precipice*,
NeurIPS 2021):

- IQM: the mean of the middle 50 % of the sorted scores, the lowest and highest
  ``floor(n / 4)`` dropped (``scipy.stats.trim_mean(x, 0.25)``, as rliable computes it).
- Stratified bootstrap: each of ``reps`` resamples draws ``n_k`` scores with replacement from
  each stratum ``k`` (one stratum per task or group, ``n_k`` its size); the interval is the
  2.5 and 97.5 percentiles of the resampled IQMs. With one stratum it is the plain bootstrap.

Everything is seeded (``numpy.random.default_rng(seed)``), so a table regenerated from the same
scores is the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: from this many seeds on a summary carries the IQM and its bootstrap interval
IQM_MIN_SEEDS = 5
#: bootstrap resamples of the interval
BOOTSTRAP_REPS = 2000


def iqm(scores: Sequence[float] | np.ndarray) -> float:
    """Interquartile mean of a 1-D sample ``x`` (n,): with ``x`` sorted and
    ``k = floor(n / 4)``, the mean of ``x[k : n - k]`` (the lowest and highest ``k`` scores
    dropped), which is ``scipy.stats.trim_mean(x, 0.25)``, the estimator rliable uses."""
    x = np.sort(np.asarray(scores, dtype=float).ravel())
    if x.size == 0:
        raise ValueError("iqm of an empty sample")
    k = x.size // 4
    return float(x[k : x.size - k].mean())


def _iqm_rows(samples: np.ndarray) -> np.ndarray:
    """:func:`iqm` of each row of ``samples`` (reps, n), vectorised: returns (reps,)."""
    n = samples.shape[1]
    k = n // 4
    return np.sort(samples, axis=1)[:, k : n - k].mean(axis=1)


def bootstrap_iqm_ci(
    strata: Sequence[Sequence[float]] | Sequence[float],
    *,
    reps: int = BOOTSTRAP_REPS,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Stratified-bootstrap ``level`` confidence interval of the IQM of all scores pooled.

    ``strata`` is one list of scores per stratum (or a flat list: a single stratum). Each of
    the ``reps`` resamples draws, within every stratum of size ``n_k``, ``n_k`` indices
    uniformly with replacement; the IQM of the pooled resample (sum n_k scores) is recorded,
    and the interval is its ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles.
    """
    groups = _as_strata(strata)
    rng = np.random.default_rng(seed)
    parts = []
    for g in groups:
        idx = rng.integers(0, g.size, size=(reps, g.size))
        parts.append(g[idx])
    stats = _iqm_rows(np.concatenate(parts, axis=1))
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def _as_strata(strata: Sequence[Sequence[float]] | Sequence[float]) -> list[np.ndarray]:
    """A flat sample as one stratum, else one float array per stratum; empty ones refused."""
    items = list(strata)
    if items and all(np.ndim(s) == 0 for s in items):
        groups = [np.asarray(items, dtype=float)]
    else:
        groups = [np.asarray(s, dtype=float).ravel() for s in items]
    if not groups or any(g.size == 0 for g in groups):
        raise ValueError("bootstrap needs at least one score in every stratum")
    return groups


@dataclass(frozen=True)
class Summary:
    """A row over ``n`` seeds: mean, sample sd (None for n = 1), min, max, and from
    :data:`IQM_MIN_SEEDS` seeds on the IQM with its 95 % bootstrap interval (else None)."""

    n: int
    mean: float
    sd: float | None
    min: float
    max: float
    iqm: float | None = None
    iqm_ci: tuple[float, float] | None = None

    def text(self, digits: int = 1, scale: float = 1.0, unit: str = "") -> str:
        """``mean ± sd (min-max)`` and, when present, ``; IQM x [lo, hi]``, values times
        ``scale`` with ``digits`` decimals and ``unit`` appended to each number."""

        def f(v: float) -> str:
            return f"{v * scale:.{digits}f}{unit}"

        out = f(self.mean) if self.sd is None else f"{f(self.mean)} ± {f(self.sd)}"
        if self.n > 1:
            out += f" ({f(self.min)} to {f(self.max)})"
        if self.iqm is not None and self.iqm_ci is not None:
            out += f"; IQM {f(self.iqm)} [{f(self.iqm_ci[0])}, {f(self.iqm_ci[1])}]"
        return out


def summarize(
    scores: Sequence[float] | np.ndarray,
    *,
    strata: Sequence[Sequence[float]] | None = None,
    seed: int = 0,
    reps: int = BOOTSTRAP_REPS,
) -> Summary:
    """The :class:`Summary` of ``scores`` (n,), one per seed.

    ``strata`` (optional) splits the same scores into groups for the stratified bootstrap;
    by default all scores form one stratum. The sd is the sample sd, sqrt(sum (x - mean)^2 /
    (n - 1)).
    """
    x = np.asarray(scores, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("summarize needs at least one score")
    if not np.all(np.isfinite(x)):
        raise ValueError("summarize needs finite scores")
    n = int(x.size)
    sd = float(np.std(x, ddof=1)) if n > 1 else None
    m, lo_ci = None, None
    if n >= IQM_MIN_SEEDS:
        m = iqm(x)
        lo_ci = bootstrap_iqm_ci(strata if strata is not None else x, reps=reps, seed=seed)
    return Summary(n, float(x.mean()), sd, float(x.min()), float(x.max()), m, lo_ci)
