import numpy as np

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
