"""Models and optimizer: gradients against finite differences, init, loss, L2, SGD."""

import numpy as np
import pytest

from scratchnn.functional import accuracy, cross_entropy, softmax
from scratchnn.models import SoftmaxRegression, TwoLayerNet
from scratchnn.optim import SGD, add_l2


def _numeric_grad(f, x, h=1e-5):
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def _rel_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12))


def _randomise(model, rng, scale=0.5):
    for v in model.params.values():
        v[...] = scale * rng.standard_normal(v.shape)


@pytest.mark.parametrize("model_cls", [TwoLayerNet, SoftmaxRegression])
def test_gradients_match_finite_differences(model_cls):
    rng = np.random.default_rng(7)
    if model_cls is TwoLayerNet:
        model = TwoLayerNet(input_size=9, hidden_size=6, num_classes=4)
    else:
        model = SoftmaxRegression(input_size=9, num_classes=4)
    _randomise(model, rng)
    X = rng.standard_normal((8, 9))
    y = rng.integers(0, 4, 8)
    out = model.loss_grad(X, y)
    for name, p in model.params.items():
        num = _numeric_grad(lambda: model.loss_grad(X, y).loss, p)
        assert _rel_error(out.grads[name], num) < 1e-6, name
        assert out.grads[name].shape == p.shape


def test_two_layer_init_is_the_seed_1024_stream():
    m = TwoLayerNet()
    np_state = np.random.get_state()
    np.random.seed(1024)
    W1 = 0.001 * np.random.randn(784, 128)
    np.random.seed(1024)
    W2 = 0.001 * np.random.randn(128, 10)
    np.random.set_state(np_state)
    assert np.array_equal(m.params["W1"], W1)
    assert np.array_equal(m.params["W2"], W2)
    assert np.array_equal(m.params["W2"].ravel(), m.params["W1"].ravel()[:1280])
    assert not m.params["b1"].any() and not m.params["b2"].any()
    assert m.params["b1"].shape == (128,) and m.params["b2"].shape == (10,)


def test_softmax_regression_init_and_no_bias():
    m = SoftmaxRegression()
    assert set(m.params) == {"W"}
    assert np.array_equal(m.params["W"], 0.001 * np.random.RandomState(1024).randn(784, 10))


def test_initial_loss_is_about_ln_10():
    X = np.random.default_rng(0).random((64, 784))
    y = np.arange(64) % 10
    for m in (TwoLayerNet(), SoftmaxRegression()):
        assert abs(m.loss_grad(X, y).loss - np.log(10)) < 0.01


def test_cross_entropy_and_accuracy_reference_values():
    p = np.array([[0.2, 0.5, 0.3], [0.5, 0.1, 0.4], [0.3, 0.3, 0.4]])
    y = np.array([1, 2, 0])
    assert cross_entropy(np.log(p), y) == pytest.approx(0.937803, abs=1e-6)
    assert accuracy(p, y) == pytest.approx(0.3333, abs=1e-4)


def test_model_loss_equals_cross_entropy_of_its_probabilities():
    rng = np.random.default_rng(1)
    m = TwoLayerNet(input_size=5, hidden_size=4, num_classes=3)
    _randomise(m, rng, 2.0)
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    out = m.loss_grad(X, y)
    assert out.loss == pytest.approx(cross_entropy(np.log(out.probs), y), rel=1e-12)
    assert np.allclose(out.probs.sum(axis=1), 1)
    assert np.allclose(np.exp(m.log_probs(X)), out.probs)


def test_softmax_is_stable_for_large_logits():
    s = softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.all(np.isfinite(s)) and s[0, 0] == 1.0


def test_l2_changes_only_weight_gradients_by_reg_times_w():
    rng = np.random.default_rng(2)
    m = TwoLayerNet(input_size=5, hidden_size=4, num_classes=3)
    _randomise(m, rng)
    out = m.loss_grad(rng.standard_normal((6, 5)), rng.integers(0, 3, 6))
    reg = 0.37
    g = add_l2(m.params, out.grads, m.weight_names, reg)
    for name in ("W1", "W2"):
        assert np.array_equal(g[name], out.grads[name] + reg * m.params[name])
        assert np.allclose(g[name] - out.grads[name], reg * m.params[name], rtol=1e-12, atol=0)
    for name in ("b1", "b2"):
        assert np.array_equal(g[name], out.grads[name])


def test_one_sgd_update():
    rng = np.random.default_rng(3)
    m = TwoLayerNet(input_size=5, hidden_size=4, num_classes=3)
    _randomise(m, rng)
    before = {k: v.copy() for k, v in m.params.items()}
    out = m.loss_grad(rng.standard_normal((6, 5)), rng.integers(0, 3, 6))
    lr, reg = 0.5, 0.01
    SGD(lr, reg).step(m.params, out.grads, m.weight_names)
    for k in before:
        expected = before[k] - lr * (out.grads[k] + (reg * before[k] if k[0] == "W" else 0))
        assert np.allclose(m.params[k], expected, rtol=0, atol=1e-15)


def test_float32_agrees_with_float64():
    rng = np.random.default_rng(4)
    X = rng.random((32, 784))
    y = rng.integers(0, 10, 32)
    for cls in (TwoLayerNet, SoftmaxRegression):
        m64, m32 = cls(dtype=np.float64), cls(dtype=np.float32)
        assert m32.params[next(iter(m32.params))].dtype == np.float32
        o64, o32 = m64.loss_grad(X, y), m32.loss_grad(X.astype(np.float32), y)
        assert o32.loss == pytest.approx(o64.loss, rel=1e-5)
        for k in o64.grads:
            assert o32.grads[k].dtype == np.float32
            assert np.allclose(o32.grads[k], o64.grads[k], rtol=1e-3, atol=1e-7)
