"""The vectorisable exp, tanh, sin(pi x) and cos(pi x) against 80-bit long double."""

import math

import numba
import numpy as np
import pytest

from scratchnn.wann.networks import elementary

LONG = np.finfo(np.longdouble).eps < 1e-18  # x87 extended precision (not on every platform)
PI = np.longdouble("3.14159265358979323846264338327950288")


def _vectorised(f):
    @numba.njit(error_model="numpy")
    def loop(x):
        out = np.empty_like(x)
        for i in range(len(x)):
            out[i] = f(x[i])
        return out

    return loop


EXP, EXPM1, TANH, SINPI, COSPI = (
    _vectorised(getattr(elementary, name))
    for name in ("exp_nonpos", "expm1_nonpos", "tanh", "sinpi", "cospi")
)


def _ulps(ours: np.ndarray, truth: np.ndarray) -> float:
    spacing = np.spacing(np.abs(truth.astype(np.float64))).astype(np.longdouble)
    return float(np.max(np.abs((ours.astype(np.longdouble) - truth) / spacing)))


@pytest.mark.skipif(not LONG, reason="needs 80-bit long double for the reference values")
def test_exp_expm1_and_tanh_are_within_3_ulp():
    rng = np.random.default_rng(0)
    t = -np.concatenate([rng.exponential(2.0, 200_000), rng.uniform(0, 708, 50_000),
                         rng.uniform(0, 1e-9, 5_000)])  # fmt: skip
    assert _ulps(EXP(t), np.exp(t.astype(np.longdouble))) <= 2.0
    assert _ulps(EXPM1(t), np.expm1(t.astype(np.longdouble))) <= 2.0
    x = np.concatenate([rng.normal(0, 3, 200_000), rng.normal(0, 1e-6, 20_000),
                        rng.uniform(-25, 25, 20_000)])  # fmt: skip
    assert _ulps(TANH(x), np.tanh(x.astype(np.longdouble))) <= 3.0


@pytest.mark.skipif(not LONG, reason="needs 80-bit long double for the reference values")
@pytest.mark.parametrize("scale", [0.3, 3.0, 1e3, 1e9])
def test_sinpi_and_cospi_beat_numpy_sin_of_pi_x(scale):
    x = np.random.default_rng(1).normal(0, scale, 100_000)
    n = np.rint(x)  # x = n + r exactly, and sin(pi x) = (-1)^n sin(pi r): the truth at any |x|
    r, sign = (x - n).astype(np.longdouble), np.where(np.fmod(n, 2) == 0, 1, -1)
    for ours, numpy_value, truth in [
        (SINPI(x), np.sin(np.pi * x), sign * np.sin(PI * r)),
        (COSPI(x), np.cos(np.pi * x), sign * np.cos(PI * r)),
    ]:
        err = float(np.max(np.abs(ours - truth)))
        assert err <= 7e-16, err  # absolute: the values are in [-1, 1]
        assert err <= float(np.max(np.abs(numpy_value - truth))) + 1e-16


def test_special_values_and_exact_symmetries():
    special = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.0**52 + 1, 2.0**60, 1e-310, np.inf, np.nan])
    with np.errstate(invalid="ignore"):
        assert np.array_equal(SINPI(special[:7]), [0, 1, 0, -1, 0, 0, 0])
        assert np.array_equal(COSPI(special[:7]), [1, 0, -1, 0, 1, -1, 1])
        assert np.isnan(SINPI(special[8:])).all() and np.isnan(COSPI(special[8:])).all()
        assert np.array_equal(TANH(np.array([np.inf, -np.inf, 30.0, 0.0])), [1, -1, 1, 0])
        assert math.copysign(1.0, TANH(np.array([-0.0]))[0]) == -1.0
        assert np.isnan(TANH(np.array([np.nan]))).all()
        assert np.array_equal(EXP(np.array([0.0, -np.inf, -746.0, -800.0])), [1, 0, 0, 0])
        assert EXP(np.array([-745.0]))[0] == np.exp(-745.0) > 0  # the smallest subnormal
        assert np.isnan(EXP(np.array([np.nan]))).all() and np.isnan(EXPM1(np.array([np.nan]))).all()
    x = np.random.default_rng(2).normal(0, 4, 100_000)
    # the search kernels compute -w from w by these symmetries: they must hold bit for bit
    assert np.array_equal(TANH(-x), -TANH(x))
    assert np.array_equal(SINPI(-x), -SINPI(x))
    assert np.array_equal(COSPI(-x), COSPI(x))
