"""The formulas of scratchnn.functional: cross-entropy, accuracy, softmax."""

import numpy as np
import pytest

from scratchnn.functional import accuracy, cross_entropy, softmax


def test_cross_entropy_and_accuracy_reference_values():
    p = np.array([[0.2, 0.5, 0.3], [0.5, 0.1, 0.4], [0.3, 0.3, 0.4]])
    y = np.array([1, 2, 0])
    assert cross_entropy(np.log(p), y) == pytest.approx(0.937803, abs=1e-6)
    assert accuracy(p, y) == pytest.approx(0.3333, abs=1e-4)


def test_softmax_is_stable_for_large_logits():
    s = softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.all(np.isfinite(s)) and s[0, 0] == 1.0
