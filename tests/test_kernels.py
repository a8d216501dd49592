"""The fused SGD step against the reference step: same gradients, updates and histories."""

import numpy as np
import pytest

from scratchnn.data import Split, Splits, scale_pixels
from scratchnn.kernels import FusedTwoLayerSGD, gather_scale
from scratchnn.models import TwoLayerNet
from scratchnn.optim import SGD
from scratchnn.training import fit

TOL = {np.float64: dict(rtol=1e-10, atol=1e-13), np.float32: dict(rtol=2e-3, atol=2e-6)}


def _data(n=300, dim=784, classes=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, (n, dim), dtype=np.uint8)
    y = rng.integers(0, classes, n).astype(np.uint8)
    return X, y


def _model(dtype, hidden=16, dim=784, seed=1):
    m = TwoLayerNet(dim, hidden, 10, dtype=dtype, seed=seed, init_scale=0.1)
    m.params["b1"][:] = np.linspace(-0.5, 0.5, hidden)
    m.params["b2"][:] = np.linspace(-0.2, 0.2, 10)
    return m


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gather_scale_is_the_faithful_scaling(dtype):
    X, _ = _data()
    idx = np.array([5, 0, 299, 17])
    out = np.empty((4, 784), dtype)
    gather_scale(X, idx, out, np.dtype(dtype).type(255))
    assert np.array_equal(out, scale_pixels(X[idx], dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [32, 7])  # 7: a short last batch
@pytest.mark.parametrize("reg", [0.0, 0.01])
def test_fused_step_equals_reference_update(dtype, n, reg):
    X, y = _data()
    idx = np.random.default_rng(2).permutation(len(y))[:n]
    lr = 0.5
    ref, fast = _model(dtype), _model(dtype)
    before = {k: v.copy() for k, v in ref.params.items()}
    out = ref.loss_grad(scale_pixels(X[idx], dtype), y[idx])
    SGD(lr, reg).step(ref.params, out.grads, ref.weight_names)
    kernel = FusedTwoLayerSGD(fast, 32, lr, reg)
    loss, correct = kernel.step(X, y, idx)
    assert loss == pytest.approx(out.loss, rel=1e-12 if dtype == np.float64 else 1e-5)
    assert correct == int(np.sum(out.probs.argmax(axis=1) == y[idx]))
    for k in ref.params:
        assert np.allclose(fast.params[k], ref.params[k], **TOL[dtype]), k
        # the implied gradient: (decay W_before - W_after) / lr, for weights; (b - b') / lr
        decay = 1 - lr * reg if k.startswith("W") else 1
        implied = (decay * before[k] - fast.params[k]) / lr
        scale = np.abs(out.grads[k]).max()
        assert np.allclose(
            implied, out.grads[k], rtol=0, atol=scale * (1e-8 if dtype == np.float64 else 1e-2)
        ), k


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_and_reference_one_epoch_histories_agree(dtype):
    X, y = _data(n=400)
    Xv, yv = _data(n=100, seed=5)
    data = Splits(Split(X, y), Split(Xv, yv), Split(Xv, yv))
    runs = [
        fit(_model(dtype), data, SGD(0.3, 1e-3), epochs=2, batch_size=32, seed=4, fast=fast)
        for fast in (True, False)
    ]
    for a, b in zip(runs[0].history, runs[1].history, strict=True):
        if dtype == np.float64:
            assert a.train_loss == pytest.approx(b.train_loss, rel=1e-10)
            assert a.train_acc == b.train_acc and a.val_acc == b.val_acc
        else:
            assert a.train_loss == pytest.approx(b.train_loss, rel=1e-4)
            assert abs(a.train_acc - b.train_acc) <= 0.002 and abs(a.val_acc - b.val_acc) <= 0.002


def test_fused_step_reports_nonfinite_loss():
    X, y = _data()
    m = _model(np.float64)
    m.params["W2"][0, 0] = np.nan
    loss, _ = FusedTwoLayerSGD(m, 32, 0.1, 0.0).step(X, y, np.arange(32))
    assert not np.isfinite(loss)
