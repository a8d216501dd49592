"""The CNN from scratch (scratchnn.cnn): im2col / col2im, the layers' gradients against finite
differences, max-pool routing, shapes, the constructor's refusals, training through ``fit``,
MNIST-256 training of the CNN and a matched MLP on small data, and the bench's CNN rows (the
PyTorch network computes what SmallCNN computes)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from scratchnn import SGD, Adam, evaluate, fit, predict
from scratchnn.cnn import (
    SmallCNN,
    col2im,
    conv2d,
    conv2d_backward,
    im2col,
    maxpool2x2,
    maxpool2x2_backward,
    train_mlp_mnist256,
    train_mnist256,
)
from scratchnn.data import Split, Splits
from scratchnn.errors import ConfigError
from scratchnn.kernels import FusedTwoLayerSGD
from scratchnn.models import TwoLayerNet, mlp_hidden_for, n_parameters
from scratchnn.optim import Schedule
from tests.helpers import numeric_grad, randomise, rel_error

HAS_TORCH = importlib.util.find_spec("torch") is not None


def direct_conv(x: np.ndarray, K: np.ndarray, bk: np.ndarray, pad: int) -> np.ndarray:
    """The definition, by loops: ``z[c, n, i, j] = bk[c] + sum K[c, a k + b] xp[n, i+a, j+b]``."""
    k = int(np.sqrt(K.shape[1]))
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    N, Hp, Wp = xp.shape
    z = np.zeros((len(K), N, Hp - k + 1, Wp - k + 1))
    for c in range(len(K)):
        for i in range(Hp - k + 1):
            for j in range(Wp - k + 1):
                patch = xp[:, i : i + k, j : j + k]
                z[c, :, i, j] = bk[c] + (patch * K[c].reshape(k, k)).sum(axis=(1, 2))
    return z


# ------------------------------------------------------------------ im2col, conv, pool


@pytest.mark.parametrize(("kernel", "padding"), [(3, "same"), (1, "same"), (5, "same"),
                                                 (3, "valid"), (2, "valid")])  # fmt: skip
def test_im2col_and_col2im_are_adjoint(kernel, padding):
    rng = np.random.default_rng(kernel)
    x = rng.standard_normal((3, 6, 7))
    cols = im2col(x, kernel, padding)
    c = rng.standard_normal(cols.shape)
    back = col2im(c, x.shape, kernel, padding)
    assert back.shape == x.shape
    assert np.vdot(cols, c) == pytest.approx(np.vdot(x, back), rel=1e-12)


@pytest.mark.parametrize(("kernel", "padding", "pad"), [(3, "same", 1), (3, "valid", 0),
                                                        (5, "same", 2)])  # fmt: skip
def test_conv2d_is_the_definition(kernel, padding, pad):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 7, 6))
    K, bk = rng.standard_normal((3, kernel * kernel)), rng.standard_normal(3)
    z, cols = conv2d(x, K, bk, padding)
    np.testing.assert_allclose(z, direct_conv(x, K, bk, pad), rtol=1e-12, atol=1e-12)
    assert cols.shape == (kernel * kernel, z[0].size)


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv2d_backward_matches_finite_differences(padding):
    """``dx`` (through col2im), ``dK`` and ``dbk`` of the scalar ``sum(G * conv2d(x))``."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, 6))
    K, bk = rng.standard_normal((2, 9)), rng.standard_normal(2)
    G = rng.standard_normal(conv2d(x, K, bk, padding)[0].shape)

    def f() -> float:
        return float((G * conv2d(x, K, bk, padding)[0]).sum())

    _, cols = conv2d(x, K, bk, padding)
    dx, dK, dbk = conv2d_backward(G, cols, K, x.shape, padding)
    for got, arr in ((dx, x), (dK, K), (dbk, bk)):
        assert rel_error(got, numeric_grad(f, arr)) < 1e-8
    assert conv2d_backward(G, cols, K, x.shape, padding, input_grad=False)[0] is None


def test_maxpool_takes_each_windows_maximum_and_routes_its_gradient_there():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 3, 5, 7))  # odd sizes: the last row and column are left out
    m, arg = maxpool2x2(a)
    assert m.shape == arg.shape == (2, 3, 2, 3) and arg.dtype == np.int8
    for i in range(2):
        for j in range(3):
            win = a[..., 2 * i : 2 * i + 2, 2 * j : 2 * j + 2].reshape(2, 3, 4)
            np.testing.assert_array_equal(m[..., i, j], win.max(-1))
            np.testing.assert_array_equal(arg[..., i, j], win.argmax(-1))
    dm = rng.standard_normal(m.shape)
    da = maxpool2x2_backward(dm, arg, a.shape)
    assert da.shape == a.shape
    assert not da[..., 4, :].any() and not da[..., :, 6].any()
    assert np.count_nonzero(da) == dm.size  # one entry per window
    for i in range(2):
        for j in range(3):
            win = da[..., 2 * i : 2 * i + 2, 2 * j : 2 * j + 2].reshape(2, 3, 4)
            got = np.take_along_axis(win, arg[..., i, j, None].astype(int), -1)[..., 0]
            np.testing.assert_array_equal(got, dm[..., i, j])
    # the gradient of sum(G * maxpool(a)) by finite differences (no ties in random data)
    assert rel_error(da, numeric_grad(lambda: float((dm * maxpool2x2(a)[0]).sum()), a)) < 1e-8


def test_maxpool_ties_go_to_the_first_maximum_in_row_major_order():
    a = np.array([[[1.0, 1.0], [1.0, 1.0]], [[0.0, 2.0], [2.0, 2.0]], [[0.0, 0.0], [3.0, 3.0]]])
    m, arg = maxpool2x2(a)
    assert m.ravel().tolist() == [1.0, 2.0, 3.0] and arg.ravel().tolist() == [0, 1, 2]
    da = maxpool2x2_backward(np.ones_like(m), arg, a.shape)
    assert da.sum() == 3 and da[0, 0, 0] == da[1, 0, 1] == da[2, 1, 0] == 1


# ------------------------------------------------------------------ the model


def _model(padding="same", image=(6, 7), seed=3):
    m = SmallCNN(image, channels=2, kernel=3, num_classes=4, padding=padding, seed=seed)
    randomise(m, np.random.default_rng(seed), 0.5)
    return m


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("image", [(6, 6), (7, 5)])
def test_gradients_match_finite_differences(padding, image):
    m = _model(padding, image)
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((5, image[0] * image[1])), rng.integers(0, 4, 5)
    out = m.loss_grad(X, y)
    for name, p in m.params.items():
        assert out.grads[name].shape == p.shape and out.grads[name].dtype == p.dtype
        num = numeric_grad(lambda: m.loss_grad(X, y).loss, p)
        assert rel_error(out.grads[name], num) < 1e-6, name


def test_shapes_parameters_and_interface():
    m = SmallCNN((16, 16), channels=8, kernel=3, num_classes=10)
    P = m.params
    assert {k: v.shape for k, v in P.items()} == {"K": (8, 9), "bk": (8,), "W": (512, 10),
                                                  "b": (10,)}  # fmt: skip
    assert m.n_parameters == n_parameters(m) == 8 * 10 + 513 * 10 == 5210
    assert (m.n_features, m.n_classes, m.channels) == (256, 10, 8)
    assert m.weight_names == ("K", "W") and m.dtype == np.float64
    assert not P["bk"].any() and not P["b"].any()
    assert P["K"].std() == pytest.approx(np.sqrt(2 / 9), rel=0.3)  # He: 2 / fan_in
    assert P["W"].std() == pytest.approx(np.sqrt(2 / 512), rel=0.1)
    valid = SmallCNN((16, 16), channels=4, kernel=5, padding="valid")
    assert valid.params["W"].shape == (4 * 6 * 6, 10)
    X = np.random.default_rng(0).random((3, 256))
    logp = m.log_probs(X)
    assert logp.shape == (3, 10) and np.allclose(np.exp(logp).sum(1), 1)
    out = m.loss_grad(X, np.array([0, 1, 2]))
    np.testing.assert_allclose(out.probs, np.exp(logp), rtol=1e-12)
    assert "SmallCNN(image_shape=(16, 16), channels=8" in repr(m)


def test_same_seed_same_weights_and_float32():
    a, b = SmallCNN(seed=5), SmallCNN(seed=5)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(SmallCNN(seed=6).params["K"], a.params["K"])
    m32 = SmallCNN(seed=5, dtype=np.float32)
    X, y = np.random.default_rng(1).random((8, 256)), np.arange(8)
    o64, o32 = a.loss_grad(X, y), m32.loss_grad(X.astype(np.float32), y)
    assert o32.loss == pytest.approx(o64.loss, rel=1e-5)
    for k, g in o32.grads.items():
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, o64.grads[k], rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"image_shape": (16,)}, "image_shape must be"),
        ({"image_shape": "16x16"}, "image_shape must be"),
        ({"image_shape": (0, 16)}, "image_shape"),
        ({"image_shape": (16.0, 16)}, "image_shape"),
        ({"channels": 0}, "channels"),
        ({"channels": 2.5}, "channels"),
        ({"kernel": 0}, "kernel"),
        ({"kernel": 17}, "kernel"),
        ({"kernel": 4}, "kernel must be odd"),
        ({"kernel": 16, "padding": "valid"}, "too small for 2x2 pooling"),
        ({"num_classes": 1}, "num_classes"),
        ({"padding": "full"}, "padding"),
        ({"dtype": np.int32}, "dtype"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"init": "kaiming"}, "init"),
        ({"init_scale": 0.0}, "init_scale"),
        ({"image_shape": (4096, 4096), "channels": 64}, "parameters, more than"),
    ],
)
def test_constructor_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        SmallCNN(**kwargs)


# ------------------------------------------------------------------ training through fit


def bars(n: int, size: int = 8, seed: int = 0) -> Split:
    """uint8 images of a horizontal bar (class 0), a vertical bar (1) or a 2x2 square (2) at a
    random place, on noise: a problem a convolution with pooling learns."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 60, (n, size, size))
    y = rng.integers(0, 3, n)
    for i, label in enumerate(y):
        r, c = rng.integers(0, size - 3, 2)
        if label == 0:
            X[i, r, c : c + 4] += 190
        elif label == 1:
            X[i, r : r + 4, c] += 190
        else:
            X[i, r : r + 2, c : c + 2] += 190
    return Split(X.reshape(n, -1).clip(0, 255).astype(np.uint8), y)


def test_fit_trains_the_cnn_through_the_reference_step():
    data = Splits(bars(600, seed=0), bars(200, seed=1), bars(200, seed=2))
    model = SmallCNN((8, 8), channels=4, kernel=3, num_classes=3, seed=0)
    opt = Adam(0.01)
    assert FusedTwoLayerSGD.why_not(model, opt, Schedule(), data.train.X) is not None
    res = fit(model, data, opt, epochs=8, batch_size=32, seed=0)
    assert res.status == "ok" and res.path == "reference"
    assert res.test_acc > 0.9, res.test_acc
    assert res.history[-1].train_loss < res.history[0].train_loss
    loss, acc = evaluate(model, data.val, 64)
    assert acc == res.history[-1].val_acc and np.isfinite(loss)
    assert predict(model, data.test.X).shape == (200,)
    # the same seeds give the same run, bit for bit
    again = SmallCNN((8, 8), channels=4, kernel=3, num_classes=3, seed=0)
    res2 = fit(again, data, Adam(0.01), epochs=8, batch_size=32, seed=0)
    assert [r.train_loss for r in res2.history] == [r.train_loss for r in res.history]
    for k in model.params:
        np.testing.assert_array_equal(again.params[k], model.params[k])


def test_fit_with_sgd_l2_and_a_schedule():
    data = Splits(bars(200, seed=3), None, bars(100, seed=4))
    model = SmallCNN((8, 8), channels=3, kernel=3, num_classes=3, seed=1, dtype=np.float32)
    res = fit(model, data, SGD(0.1, reg=1e-3, momentum=0.9), epochs=3, batch_size=16,
              schedule=Schedule("cosine"))  # fmt: skip
    assert res.status == "ok" and res.test_acc is not None
    assert all(p.dtype == np.float32 for p in model.params.values())


def test_fit_refuses_images_of_another_size():
    data = Splits(bars(20, size=8), None, None)
    with pytest.raises(ValueError, match="64 features per row, the model takes 256"):
        fit(SmallCNN(), data, SGD(0.1), epochs=1, batch_size=8)


# ------------------------------------------------------------------ MNIST-256 and matched MLPs


def test_mlp_hidden_for_is_the_nearest_parameter_count():
    for n in (300, 5210, 10_000, 123_456):
        h = mlp_hidden_for(n)
        count = n_parameters(TwoLayerNet(256, h, 10))
        for other in (h - 1, h + 1):
            if other >= 1:
                assert abs(count - n) <= abs(267 * other + 10 - n)
    assert mlp_hidden_for(5210) == 19 and mlp_hidden_for(1) == 1
    assert mlp_hidden_for(784 * 128 + 128 + 1290, 784, 10) == 128
    with pytest.raises(ConfigError, match="n_params"):
        mlp_hidden_for(0)


def _fake_mnist256(seed: int = 0):
    from scratchnn.wann.tasks.mnist256 import Mnist256

    tr, te = bars(300, size=16, seed=seed), bars(100, size=16, seed=seed + 1)
    return Mnist256(tr.X / 255.0, tr.y, te.X / 255.0, te.y)


def test_train_mnist256_and_the_matched_mlp_on_small_data():
    data = _fake_mnist256()
    cnn = train_mnist256(channels=2, epochs=2, batch_size=32, seed=1, data=data)
    assert cnn["n_parameters"] == 2 * 10 + (128 + 1) * 10
    assert 0 <= cnn["test_acc"] <= 1 and cnn["status"] == "ok" and cnn["seconds"] > 0
    assert cnn["model"].startswith("SmallCNN(image_shape=(16, 16), channels=2")
    again = train_mnist256(channels=2, epochs=2, batch_size=32, seed=1, data=data)
    assert (again["test_acc"], again["test_loss"]) == (cnn["test_acc"], cnn["test_loss"])
    mlp = train_mlp_mnist256(cnn["n_parameters"], epochs=2, batch_size=32, seed=1, data=data)
    assert mlp["model"] == "TwoLayerNet(256, 5, 10, activation='relu', init='he')"
    assert abs(mlp["n_parameters"] - cnn["n_parameters"]) <= 267 // 2
    assert 0 <= mlp["test_acc"] <= 1


# ------------------------------------------------------------------ the bench's CNN rows


def test_the_cnn_rows_run_only_when_named():
    from scratchnn.benchmarks.contenders import (
        CNN_CONTENDERS,
        CNN_FLOP_PER_SAMPLE,
        WORKLOADS,
        selected,
    )

    assert not set(selected()) & set(CNN_CONTENDERS)
    assert "PyTorch CPU" in selected() and "scratchnn float32 (fused)" in selected()
    assert selected(["CNN"]) == list(CNN_CONTENDERS)
    assert selected(["pytorch"]) == ["PyTorch CPU", "PyTorch CNN CPU"]
    assert WORKLOADS["PyTorch CNN CPU"].baseline == "scratchnn CNN float32"
    assert WORKLOADS["PyTorch CPU"].baseline == "scratchnn float32 (fused)"
    assert CNN_FLOP_PER_SAMPLE == 2 * (2 * 784 * 9 * 8) + 3 * (2 * 1568 * 10)


@pytest.mark.skipif(not HAS_TORCH, reason="torch not installed")
@pytest.mark.parametrize("image", [(16, 16), (7, 9)])
def test_the_pytorch_cnn_computes_what_smallcnn_computes(image):
    """Same weights in both: the same log-probabilities and the same gradients."""
    import torch

    from scratchnn.benchmarks.contenders import torch_cnn

    H, W = image
    m = _model("same", (H, W), seed=4)
    net = torch_cnn((H, W), channels=2, kernel=3, num_classes=4).double()
    conv, lin = net[0], net[4]
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(m.params["K"].reshape(2, 1, 3, 3)))
        conv.bias.copy_(torch.from_numpy(m.params["bk"]))
        lin.weight.copy_(torch.from_numpy(m.params["W"].T))
        lin.bias.copy_(torch.from_numpy(m.params["b"]))
    assert sum(p.numel() for p in net.parameters()) == m.n_parameters
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, H * W)), rng.integers(0, 4, 6)
    logits = net(torch.from_numpy(X).view(-1, 1, H, W))
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
    loss.backward()
    out = m.loss_grad(X, y)
    np.testing.assert_allclose(m.log_probs(X), torch.log_softmax(logits, 1).detach().numpy(),
                               rtol=1e-10, atol=1e-12)  # fmt: skip
    assert out.loss == pytest.approx(loss.item(), rel=1e-12)
    torch_grads = {"K": conv.weight.grad.reshape(2, 9), "bk": conv.bias.grad,
                   "W": lin.weight.grad.T, "b": lin.bias.grad}  # fmt: skip
    for k, g in torch_grads.items():
        np.testing.assert_allclose(out.grads[k], g.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.skipif(not HAS_TORCH, reason="torch not installed")
def test_the_cnn_contenders_train_on_small_data(monkeypatch):
    """Both CNN rows run end to end (tiny 28 x 28 data in place of MNIST; nothing timed)."""
    from scratchnn.benchmarks import contenders

    def tiny():
        tr, va = bars(96, size=28, seed=0), bars(32, size=28, seed=1)
        return Splits(tr, va, None)

    monkeypatch.setattr(contenders, "_splits", tiny)
    for name in contenders.CNN_CONTENDERS:
        out = contenders.run_one(name, epochs=2, batch_size=32, lr=0.05, reg=1e-4)
        assert len(out["epoch_seconds"]) == 2 and 0 <= out["val_acc"] <= 1, name
        assert out["peak_rss_mb"] > 0
