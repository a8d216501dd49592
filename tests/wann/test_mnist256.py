"""MNIST-256 preprocessing: resize and deskew."""

import numpy as np
import pytest


def test_deskew_straightens_a_sheared_bar():
    from scratchnn.wann.tasks.mnist256 import deskew, skew

    img = np.zeros((1, 16, 16))
    for y in range(2, 14):  # a bar leaning right: column 8 + 0.5 (y - 8)
        c = 8 + 0.5 * (y - 8)
        x0 = int(np.floor(c))
        img[0, y, x0] += 1 - (c - x0)
        img[0, y, x0 + 1] += c - x0
    assert skew(img)[0] == pytest.approx(0.5)
    out = deskew(img)[0]
    cols = (out * np.arange(16)).sum(axis=1)[2:14] / out.sum(axis=1)[2:14]
    assert np.allclose(cols, 8.0, atol=1e-9)  # every row's ink now sits in column 8
    assert abs(skew(out[None])[0]) < 1e-9
    assert out.sum() == pytest.approx(img.sum())  # a shear moves ink, it does not lose it
    blank = np.zeros((1, 16, 16))
    assert np.isnan(skew(blank)[0]) and np.array_equal(deskew(blank), blank)


def test_resize_is_bilinear_with_aligned_centres():
    from scratchnn.wann.tasks.mnist256 import preprocess, resize

    ramp = np.tile(np.arange(28.0), (1, 28, 1))  # value = column index
    out = resize(ramp)
    expected = np.clip((np.arange(16) + 0.5) * 28 / 16 - 0.5, 0, 27)
    assert out.shape == (1, 16, 16) and np.allclose(out[0], expected[None, :])
    assert np.allclose(resize(np.full((2, 28, 28), 3.0)), 3.0)
    img = (np.random.default_rng(0).random((3, 28, 28)) * 255).astype(np.uint8)
    X = preprocess(img)
    assert X.shape == (3, 256) and X.min() >= 0 and X.max() <= 1
