"""Training options beyond the reference: activations, inits, dropout, optimizers, schedules,
early stopping; each checked against its formula (and finite differences where the math changes).
"""

import itertools

import numpy as np
import pytest

from scratchnn.config import load_config
from scratchnn.data import Splits
from scratchnn.models import TwoLayerNet
from scratchnn.optim import SGD, Adam, Schedule
from scratchnn.training import fit
from tests.test_models import _numeric_grad, _rel_error


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
        num = _numeric_grad(lambda: m.loss_grad(X, y, mask=mask).loss, p)
        assert _rel_error(out.grads[name], num) < 1e-6, (activation, name)


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


def _step(opt, g_seq, w0=1.0):
    params = {"W": np.array([w0])}
    for g in g_seq:
        opt.step(params, {"W": np.array([g])}, ["W"])
    return params["W"][0]


def test_momentum_nesterov_and_adam_formulas():
    lr, mu, g = 0.1, 0.9, [1.0, 2.0, -1.0]
    # momentum: v = mu v + g; w -= lr v
    v, w = 0.0, 1.0
    for gi in g:
        v = mu * v + gi
        w -= lr * v
    assert _step(SGD(lr, momentum=mu), g) == pytest.approx(w)
    # Nesterov: w -= lr (g + mu v) with the updated v
    v, w = 0.0, 1.0
    for gi in g:
        v = mu * v + gi
        w -= lr * (gi + mu * v)
    assert _step(SGD(lr, momentum=mu, nesterov=True), g) == pytest.approx(w)
    # Adam with bias correction
    m = s = 0.0
    w = 1.0
    for t, gi in enumerate(g, start=1):
        m = 0.9 * m + 0.1 * gi
        s = 0.999 * s + 0.001 * gi * gi
        w -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
    assert _step(Adam(0.01), g) == pytest.approx(w)
    # L2 enters every optimizer through the gradient: g + reg * w
    assert _step(SGD(0.1, reg=0.5), [0.0]) == pytest.approx(1 - 0.1 * 0.5)


def test_schedules():
    cos = Schedule("cosine")
    assert cos.factor(0, 10, 100) == 1.0
    assert cos.factor(50, 10, 100) == pytest.approx(0.5)
    step = Schedule("step", step_size=2, gamma=0.5)
    assert [step.factor(e * 10, 10, 100) for e in range(5)] == [1, 1, 0.5, 0.5, 0.25]
    warm = Schedule("constant", warmup_epochs=2)
    assert warm.factor(0, 10, 100) == pytest.approx(1 / 20)
    assert warm.factor(19, 10, 100) == 1.0 and warm.factor(50, 10, 100) == 1.0
    assert Schedule().is_constant and not warm.is_constant


def test_fit_applies_the_schedule_per_step(tiny_splits, monkeypatch):
    seen = []
    opt = SGD(0.4)
    real = opt.step

    def spy(params, grads, names):
        seen.append(opt.learning_rate)
        real(params, grads, names)

    monkeypatch.setattr(opt, "step", spy)
    m = TwoLayerNet(12, 8, 3)
    fit(m, tiny_splits, opt, epochs=2, batch_size=60, schedule=Schedule("cosine"))
    assert seen[0] == pytest.approx(0.4) and seen[-1] < 0.4 * 0.2
    assert all(a >= b for a, b in itertools.pairwise(seen))
    assert opt.learning_rate == 0.4  # restored


def test_early_stopping(tiny_splits, monkeypatch):
    import scratchnn.training as tr

    accs = iter([0.5, 0.6, 0.6, 0.55, 0.7, 0.8])

    def fake_eval(model, split, batch_size):
        return 0.3, next(accs)

    monkeypatch.setattr(tr, "evaluate", fake_eval)
    res = fit(
        TwoLayerNet(12, 8, 3),
        Splits(tiny_splits.train, tiny_splits.val, None),
        SGD(0.1),
        epochs=6,
        batch_size=16,
        patience=2,
    )
    assert len(res.history) == 4 and res.best_epoch == 2
    assert "early stop after epoch 4" in res.message
    assert res.test_acc is None  # test=None: the test set is never touched


@pytest.mark.parametrize(
    "overrides",
    [
        ["activation=relu", "init=he", "learning_rate=0.1"],
        ["optimizer=momentum"],
        ["optimizer=adam", "learning_rate=0.01"],
        ["dropout=0.2"],
        ["schedule=cosine", "learning_rate=1.0"],
    ],
)
def test_each_option_trains_the_synthetic_problem(tiny_splits, overrides):
    from scratchnn.runs import train_from_config

    cfg = load_config(
        None,
        [
            *overrides,
            "epochs=15",
            "batch_size=16",
            "hidden_size=8",
            "init=xavier" if "init=he" not in overrides else "init=he",
        ],
    )
    res = train_from_config(cfg, tiny_splits)
    assert res.status == "ok" and res.test_acc > 0.9, overrides


def test_linear_softmax_regression_gradient_and_no_dead_classes():
    from scratchnn.models import SoftmaxRegression

    rng = np.random.default_rng(5)
    m = SoftmaxRegression(9, 4, activation="linear")
    m.params["W"][:] = rng.standard_normal((9, 4))
    X, y = rng.standard_normal((8, 9)), rng.integers(0, 4, 8)
    out = m.loss_grad(X, y)
    num = _numeric_grad(lambda: m.loss_grad(X, y).loss, m.params["W"])
    assert _rel_error(out.grads["W"], num) < 1e-6
    # with every logit negative, the ReLU model gets no gradient at all; the linear one does
    X = np.abs(X)
    m.params["W"][:] = -np.abs(m.params["W"])
    relu = SoftmaxRegression(9, 4)
    relu.params["W"] = m.params["W"].copy()
    assert not relu.loss_grad(X, y).grads["W"].any()
    assert m.loss_grad(X, y).grads["W"].any()
