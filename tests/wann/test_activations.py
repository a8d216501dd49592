"""The ten WANN activations."""

import numpy as np
import pytest

from scratchnn.wann.activations import ACTIVATIONS_BY_ID, apply


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
        assert np.allclose(apply(k, x), v), ACTIVATIONS_BY_ID[k][0]
    with pytest.raises(ValueError, match="unknown activation id 11"):
        apply(11, x)


@pytest.mark.parametrize("act_id", range(1, 11))
def test_the_compiled_twin_gives_the_numpy_values(act_id):
    from scratchnn.wann.activations import activate

    rng = np.random.default_rng(act_id)
    special = [0.0, -0.0, 1e-300, -1e-300, 0.5, -0.5, 1.0, -1.0, 2.0, 1e6, -1e6, np.inf, -np.inf]
    x = np.concatenate([special, rng.normal(scale=3.0, size=500)])
    with np.errstate(all="ignore"):
        numpy_values = apply(act_id, x)
        compiled = np.array([activate(act_id, float(v)) for v in x])
    # NumPy's vectorised tanh may differ from libm's in the last bit (sigmoid: 5.6e-17)
    np.testing.assert_allclose(compiled, numpy_values, rtol=1e-15, atol=1e-16)
    nan = activate(act_id, float("nan"))
    assert (act_id == 2 and nan == 0.0) or np.isnan(nan)  # step: NaN > 0 is false
    with np.errstate(all="ignore"):
        assert np.array_equal(apply(act_id, np.array([np.nan])), [nan], equal_nan=True)
