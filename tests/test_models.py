"""Models (scratchnn.models): gradients against finite differences, init, loss, activations,
dropout, inits, float32.
"""

import numpy as np
import pytest

from scratchnn.functional import cross_entropy
from scratchnn.models import SoftmaxRegression, TwoLayerNet
from tests.helpers import numeric_grad, randomise, rel_error


@pytest.mark.parametrize("model_cls", [TwoLayerNet, SoftmaxRegression])
def test_gradients_match_finite_differences(model_cls):
    rng = np.random.default_rng(7)
    if model_cls is TwoLayerNet:
        model = TwoLayerNet(input_size=9, hidden_size=6, num_classes=4)
    else:
        model = SoftmaxRegression(input_size=9, num_classes=4)
    randomise(model, rng)
    X = rng.standard_normal((8, 9))
    y = rng.integers(0, 4, 8)
    out = model.loss_grad(X, y)
    for name, p in model.params.items():
        num = numeric_grad(lambda: model.loss_grad(X, y).loss, p)
        assert rel_error(out.grads[name], num) < 1e-6, name
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


def test_model_loss_equals_cross_entropy_of_its_probabilities():
    rng = np.random.default_rng(1)
    m = TwoLayerNet(input_size=5, hidden_size=4, num_classes=3)
    randomise(m, rng, 2.0)
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    out = m.loss_grad(X, y)
    assert out.loss == pytest.approx(cross_entropy(np.log(out.probs), y), rel=1e-12)
    assert np.allclose(out.probs.sum(axis=1), 1)
    assert np.allclose(np.exp(m.log_probs(X)), out.probs)


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


def _net(activation="sigmoid", dropout=0.0, init="faithful"):
    m = TwoLayerNet(
        9, 6, 4, activation=activation, dropout=dropout, init=init, seed=3, init_scale=0.5
    )
    m.params["b1"][:] = np.linspace(-0.3, 0.4, 6)
    return m


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_gradients_with_activations_and_dropout(activation, dropout):
    rng = np.random.default_rng(11)
    m = _net(activation, dropout)
    X, y = rng.standard_normal((8, 9)), rng.integers(0, 4, 8)
    mask = rng.random((8, 6)) >= dropout if dropout else None
    out = m.loss_grad(X, y, mask=mask)
    for name, p in m.params.items():
        num = numeric_grad(lambda: m.loss_grad(X, y, mask=mask).loss, p)
        assert rel_error(out.grads[name], num) < 1e-6, (activation, name)


def test_dropout_is_training_only_and_inverted():
    m = _net(dropout=0.5)
    X = np.random.default_rng(0).standard_normal((5, 9))
    assert np.array_equal(m.log_probs(X), m.log_probs(X))  # evaluation: deterministic, no mask
    mask = np.ones((5, 6), bool)
    out = m.loss_grad(X, np.zeros(5, int), mask=mask)  # all kept: activations doubled
    ref = _net(dropout=0.0)
    ref.params = {k: v.copy() for k, v in m.params.items()}
    ref.params["W2"] = 2 * ref.params["W2"]
    assert np.allclose(out.probs, np.exp(ref.log_probs(X)))


def test_inits_have_their_variances():
    for init, var in (("xavier", 2 / (784 + 1000)), ("he", 2 / 784)):
        W1 = TwoLayerNet(784, 1000, init=init).params["W1"]
        assert W1.var() == pytest.approx(var, rel=0.02)
    assert TwoLayerNet().params["W1"].std() == pytest.approx(0.001, rel=0.01)


def test_linear_softmax_regression_gradient_and_no_dead_classes():
    from scratchnn.models import SoftmaxRegression

    rng = np.random.default_rng(5)
    m = SoftmaxRegression(9, 4, activation="linear")
    m.params["W"][:] = rng.standard_normal((9, 4))
    X, y = rng.standard_normal((8, 9)), rng.integers(0, 4, 8)
    out = m.loss_grad(X, y)
    num = numeric_grad(lambda: m.loss_grad(X, y).loss, m.params["W"])
    assert rel_error(out.grads["W"], num) < 1e-6
    # with every logit negative, the ReLU model gets no gradient at all; the linear one does
    X = np.abs(X)
    m.params["W"][:] = -np.abs(m.params["W"])
    relu = SoftmaxRegression(9, 4)
    relu.params["W"] = m.params["W"].copy()
    assert not relu.loss_grad(X, y).grads["W"].any()
    assert m.loss_grad(X, y).grads["W"].any()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_models_pickle_with_every_activation(activation):
    """Activations are module-level functions, so a model pickles (as inside an estimator)."""
    import pickle

    m = _net(activation, dropout=0.5)
    X = np.random.default_rng(0).standard_normal((5, 9))
    copy = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(copy.log_probs(X), m.log_probs(X))
    # the dropout generator travels too: the next masks are the same
    np.testing.assert_array_equal(
        copy.loss_grad(X, np.zeros(5, int)).probs, m.loss_grad(X, np.zeros(5, int)).probs
    )
