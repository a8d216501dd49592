"""The ten WANN activations."""

import numpy as np
import pytest

from scratchnn.wann.activations import ACTIVATIONS, apply


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
    assert set(ACTIVATIONS) == set(range(1, 11))
    for k, v in expected.items():
        assert np.allclose(apply(k, x), v), ACTIVATIONS[k][0]
    with pytest.raises(ValueError, match="unknown activation id 11"):
        apply(11, x)
