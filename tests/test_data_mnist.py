"""MNIST as the assignment uses it (scratchnn.data.mnist): the faithful split, pixel scaling, and
the genuine data set (marked mnist).
"""

import numpy as np
import pytest

from scratchnn.data import MNIST, faithful_split, scale_pixels


def _mnist(n_train=50, n_test=7):
    rng = np.random.default_rng(3)
    return MNIST(
        rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        np.arange(n_train, dtype=np.int64).astype(np.uint8),  # label = position, to see order
        rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, n_test, dtype=np.uint8),
    )


def test_first_80_percent_train_last_20_validation_no_shuffle():
    data = _mnist()
    s = faithful_split(data)
    assert len(s.train) == 40 and len(s.val) == 10 and len(s.test) == 7
    assert s.train.y.tolist() == list(range(40))
    assert s.val.y.tolist() == list(range(40, 50))
    assert np.array_equal(s.train.X, data.train_images[:40].reshape(40, 784))
    assert np.array_equal(s.val.X, data.train_images[40:].reshape(10, 784))
    assert s.train.X.dtype == np.uint8


def test_pixels_scaled_by_255_only():
    x = np.array([[0, 1, 128, 255]], np.uint8)
    assert np.array_equal(scale_pixels(x), np.array([[0, 1 / 255, 128 / 255, 1.0]]))
    f32 = scale_pixels(x, np.float32)
    assert f32.dtype == np.float32 and f32[0, 3] == 1.0


@pytest.mark.mnist
def test_genuine_mnist_shapes_and_labels(mnist):
    assert mnist.train_images.shape == (60000, 28, 28) and mnist.train_images.dtype == np.uint8
    assert mnist.test_images.shape == (10000, 28, 28) and mnist.test_labels.dtype == np.uint8
    assert mnist.train_labels[:5].tolist() == [5, 0, 4, 1, 9]
    assert np.bincount(mnist.test_labels).tolist() == [
        980,
        1135,
        1032,
        1010,
        982,
        892,
        958,
        1028,
        974,
        1009,
    ]
    s = faithful_split(mnist)
    assert (len(s.train), len(s.val), len(s.test)) == (48000, 12000, 10000)
    # the writeup's class-prior facts: digit 1 is 10.60% of validation, 11.35% of test
    assert np.mean(s.val.y == 1) == pytest.approx(0.1060, abs=5e-5)
    assert np.mean(s.test.y == 1) == pytest.approx(0.1135, abs=5e-5)
