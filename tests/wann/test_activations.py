"""The ten WANN activations."""

import numpy as np
import pytest

from scratchnn.wann.networks.activations import ACTIVATIONS_BY_ID, apply


def test_the_ten_activations():
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    expected = {
        1: x,
        2: np.array([0, 0, 1, 1.0]),
        3: np.sin(np.pi * x),
        4: np.exp(-x * x / 2),
        5: np.tanh(x),
        6: 1 / (1 + np.exp(-x)),
        7: -x,
        8: np.abs(x),
        9: np.array([0, 0, 0.5, 2.0]),
        10: np.cos(np.pi * x),
    }
    assert set(ACTIVATIONS_BY_ID) == set(range(1, 11))
    for k, v in expected.items():
        assert np.allclose(apply(k, x), v), ACTIVATIONS_BY_ID[k].name
    with pytest.raises(ValueError, match="unknown activation id 11"):
        apply(11, x)


@pytest.mark.parametrize("act_id", range(1, 11))
def test_the_compiled_twin_gives_the_numpy_values(act_id):
    from scratchnn.wann.networks.activations import activate

    rng = np.random.default_rng(act_id)
    special = [0.0, -0.0, 1e-300, -1e-300, 0.5, -0.5, 1.0, -1.0, 2.0, 1e6, -1e6, np.inf, -np.inf]
    x = np.concatenate([special, rng.normal(scale=3.0, size=500)])
    with np.errstate(all="ignore"):
        numpy_values = apply(act_id, x)
        compiled = np.array([activate(act_id, float(v)) for v in x])
    # the compiled twin's exp/tanh are within 3 ulp of the C library's (rtol 1e-15); its
    # sin(pi x) and cos(pi x) reduce the argument exactly, where NumPy's rounds pi * x first:
    # NumPy's error grows with |x| (|x| * 2^-53 * pi), so the tolerance does too
    atol = 1e-15 + 4e-16 * np.abs(np.nan_to_num(x, posinf=0.0, neginf=0.0))
    with np.errstate(invalid="ignore"):  # inf - inf
        close = np.isclose(compiled, numpy_values, rtol=1e-15, atol=0.0) | (
            np.abs(compiled - numpy_values) <= atol
        )
    same_nan = np.isnan(compiled) == np.isnan(numpy_values)
    assert np.all(same_nan) and np.all(close | np.isnan(compiled)), x[~(close | np.isnan(compiled))]
    nan = activate(act_id, float("nan"))
    assert (act_id == 2 and nan == 0.0) or np.isnan(nan)  # step: NaN > 0 is false
    with np.errstate(all="ignore"):
        assert np.array_equal(apply(act_id, np.array([np.nan])), [nan], equal_nan=True)
