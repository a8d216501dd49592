"""scratchnn.stats: n, mean ± sd, min-max, IQM and its stratified-bootstrap interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from scratchnn.stats import IQM_MIN_SEEDS, bootstrap_iqm_ci, iqm, summarize


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 13, 40])
def test_iqm_is_scipys_trimmed_mean(n):
    x = np.random.default_rng(n).normal(size=n) * 10
    assert iqm(x) == pytest.approx(sps.trim_mean(x, 0.25))


def test_iqm_ignores_outliers_and_order():
    x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 1e9]
    assert iqm(x) == pytest.approx(4.5)  # mean of 3..6
    assert iqm(x[::-1]) == iqm(x)


def test_summary_below_five_seeds_has_no_iqm():
    s = summarize([1.0, 2.0, 4.0])
    assert (s.n, s.min, s.max) == (3, 1.0, 4.0)
    assert s.mean == pytest.approx(7 / 3)
    assert s.sd == pytest.approx(np.std([1, 2, 4], ddof=1))
    assert s.iqm is None and s.iqm_ci is None
    assert summarize([3.0]).sd is None


def test_summary_from_five_seeds_has_iqm_and_interval():
    x = np.arange(IQM_MIN_SEEDS, dtype=float)
    s = summarize(x)
    assert s.iqm == pytest.approx(2.0)
    lo, hi = s.iqm_ci
    assert lo <= s.iqm <= hi and lo >= x.min() and hi <= x.max()


def test_bootstrap_is_seeded_and_covers_the_truth():
    rng = np.random.default_rng(1)
    x = rng.normal(10.0, 2.0, size=40)
    assert bootstrap_iqm_ci(x, seed=3) == bootstrap_iqm_ci(x, seed=3)
    assert bootstrap_iqm_ci(x, seed=3) != bootstrap_iqm_ci(x, seed=4)
    lo, hi = bootstrap_iqm_ci(x, seed=0)
    assert lo < 10.0 < hi and hi - lo < 3.0


def test_bootstrap_constant_sample_has_zero_width():
    assert bootstrap_iqm_ci([2.5] * 6) == (2.5, 2.5)


def test_stratified_bootstrap_keeps_stratum_sizes():
    # two strata far apart: every resample keeps 4 of each, so the pooled IQM stays between
    # them; an unstratified bootstrap of the pooled scores would sometimes draw 7 of one
    a, b = [0.0, 0.1, 0.2, 0.3], [10.0, 10.1, 10.2, 10.3]
    lo, hi = bootstrap_iqm_ci([a, b], reps=500, seed=0)
    assert 4.0 < lo <= hi < 6.5
    lo2, hi2 = bootstrap_iqm_ci(a + b, reps=500, seed=0)
    assert hi2 - lo2 > hi - lo


def test_text_formats_every_part():
    s = summarize([0.90, 0.91, 0.92, 0.93, 0.94])
    t = s.text(digits=1, scale=100, unit=" %")
    assert t.startswith("92.0 % ± 1.6 % (90.0 % to 94.0 %); IQM 92.0 % [")
    assert summarize([5.0]).text(0) == "5"


@pytest.mark.parametrize("bad", [[], [1.0, float("nan")]])
def test_bad_input_is_refused(bad):
    with pytest.raises(ValueError):
        summarize(bad)
