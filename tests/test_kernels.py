"""The fused SGD step against the reference step: same gradients, updates and histories."""

import numpy as np
import pytest

from scratchnn.data import Split, Splits, scale_pixels
from scratchnn.kernels import FusedTwoLayerSGD
from scratchnn.models import TwoLayerNet
from scratchnn.optim import SGD
from scratchnn.training import batch_slices, fit

TOL = {np.float64: dict(rtol=1e-10, atol=1e-13), np.float32: dict(rtol=2e-3, atol=2e-6)}


def _data(n=300, dim=784, classes=10, seed=0, sparse=False):
    """Random uint8 images; ``sparse``: MNIST-like, nonzero only in a random blob per image."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, (n, dim), dtype=np.uint8)
    if sparse:
        centre = rng.integers(200, 600, n)
        width = rng.integers(20, 150, n)
        cols = np.arange(dim)
        X[np.abs(cols[None, :] - centre[:, None]) > width[:, None]] = 0
    y = rng.integers(0, classes, n).astype(np.uint8)
    return X, y


def _model(dtype, hidden=16, dim=784, seed=1):
    m = TwoLayerNet(dim, hidden, 10, dtype=dtype, seed=seed, init_scale=0.1)
    m.params["b1"][:] = np.linspace(-0.5, 0.5, hidden)
    m.params["b2"][:] = np.linspace(-0.2, 0.2, 10)
    return m


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [32, 7])  # 7: a short last batch
@pytest.mark.parametrize("reg", [0.0, 0.01])
@pytest.mark.parametrize("sparse", [False, True])
def test_fused_step_equals_reference_update(dtype, n, reg, sparse):
    X, y = _data(sparse=sparse)
    order = np.random.default_rng(2).permutation(len(y))
    idx = order[:n]
    lr = 0.5
    ref, fast = _model(dtype), _model(dtype)
    before = {k: v.copy() for k, v in ref.params.items()}
    out = ref.loss_grad(scale_pixels(X[idx], dtype), y[idx])
    SGD(lr, reg).step(ref.params, out.grads, ref.weight_names)
    kernel = FusedTwoLayerSGD(fast, SGD(lr, reg), X, y, 32)
    kernel.start_epoch(order, [slice(0, n)])
    loss, correct = kernel.step(0)
    kernel.end_epoch()
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
@pytest.mark.parametrize("sparse", [False, True])
def test_fused_and_reference_one_epoch_histories_agree(dtype, sparse):
    X, y = _data(n=400, sparse=sparse)
    Xv, yv = _data(n=100, seed=5, sparse=sparse)
    data = Splits(Split(X, y), Split(Xv, yv), Split(Xv, yv))
    runs = [
        fit(_model(dtype), data, SGD(0.3, 1e-3), epochs=2, batch_size=32, seed=4, path=path)
        for path in ("fused", "reference")
    ]
    assert [r.path for r in runs] == ["fused", "reference"]
    for a, b in zip(runs[0].history, runs[1].history, strict=True):
        if dtype == np.float64:
            assert a.train_loss == pytest.approx(b.train_loss, rel=1e-10)
            assert a.train_acc == b.train_acc and a.val_acc == b.val_acc
        else:
            assert a.train_loss == pytest.approx(b.train_loss, rel=1e-4)
            assert abs(a.train_acc - b.train_acc) <= 0.002 and abs(a.val_acc - b.val_acc) <= 0.002


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lazy_l2_scale_over_many_steps(dtype):
    """Thirty steps with the lazy (1 - lr reg) scale equal thirty reference updates."""
    X, y = _data(n=960, sparse=True)
    order = np.random.default_rng(3).permutation(len(y))
    lr, reg = 0.5, 0.05  # a strong decay: sc falls to (1 - 0.025)^30 = 0.47
    ref, fast = _model(dtype), _model(dtype)
    opt = SGD(lr, reg)
    kernel = FusedTwoLayerSGD(fast, SGD(lr, reg), X, y, 32)
    kernel.start_epoch(order, batch_slices(len(y), 32))
    for b in range(30):
        idx = order[b * 32 : (b + 1) * 32]
        out = ref.loss_grad(scale_pixels(X[idx], dtype), y[idx])
        opt.step(ref.params, out.grads, ref.weight_names)
        kernel.step(b)
    kernel.end_epoch()
    tol = dict(rtol=1e-9, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-2, atol=1e-5)
    for k in ref.params:
        assert np.allclose(fast.params[k], ref.params[k], **tol), k


def test_batches_use_a_prefix_of_the_reordered_pixels():
    X, y = _data(n=200, sparse=True)
    X[:, 700:] = 0  # never lit: always past every batch's prefix
    kernel = FusedTwoLayerSGD(_model(np.float32), SGD(0.1), X, y, 32)
    Xp = X[:, kernel.perm]
    for r in range(len(X)):
        assert not Xp[r, kernel.prefix[r] :].any()  # nothing nonzero past the row's prefix
        assert kernel.prefix[r] == 0 or Xp[r, kernel.prefix[r] - 1] != 0
    assert kernel.prefix.max() <= 700


def test_fused_step_reports_nonfinite_loss():
    X, y = _data()
    m = _model(np.float64)
    m.params["W2"][0, 0] = np.nan
    kernel = FusedTwoLayerSGD(m, SGD(0.1), X, y, 32)
    kernel.start_epoch(np.arange(len(y)), batch_slices(len(y), 32))
    loss, _ = kernel.step(0)
    assert not np.isfinite(loss)


@pytest.mark.skipif(
    not __import__("numba").config.BOUNDSCHECK,
    reason="runs in the bounds-checked job (make test-boundscheck: NUMBA_BOUNDSCHECK=1)",
)
def test_the_bounds_checked_kernels_refuse_an_out_of_range_label():
    """With Numba's bounds checks on, a label past the classes fails here instead of writing
    outside its array (fit refuses such labels before any kernel runs)."""
    from scratchnn import kernels_jit

    a1 = np.full((2, 3), 0.5)
    W2T, b2, z = np.zeros((4, 3)), np.zeros(4), np.empty((2, 4))
    with pytest.raises(IndexError):
        kernels_jit.output_forward(a1, np.array([1, 4], np.uint8), W2T, b2, z)
