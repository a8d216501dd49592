"""Optimizers and schedules (scratchnn.optim): L2 on weights only, each update rule's formula."""

import numpy as np
import pytest

from scratchnn.models import TwoLayerNet
from scratchnn.optim import SGD, Adam, Schedule, add_l2
from tests.helpers import randomise


def test_l2_changes_only_weight_gradients_by_reg_times_w():
    rng = np.random.default_rng(2)
    m = TwoLayerNet(input_size=5, hidden_size=4, num_classes=3)
    randomise(m, rng)
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
    randomise(m, rng)
    before = {k: v.copy() for k, v in m.params.items()}
    out = m.loss_grad(rng.standard_normal((6, 5)), rng.integers(0, 3, 6))
    lr, reg = 0.5, 0.01
    SGD(lr, reg).step(m.params, out.grads, m.weight_names)
    for k in before:
        expected = before[k] - lr * (out.grads[k] + (reg * before[k] if k[0] == "W" else 0))
        assert np.allclose(m.params[k], expected, rtol=0, atol=1e-15)


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


def test_make_optimizer_is_the_one_factory_of_configs_and_estimators():
    from scratchnn.optim import OPTIMIZERS, make_optimizer

    built = {name: make_optimizer(name, 0.1, 1e-3, 0.8) for name in OPTIMIZERS}
    assert isinstance(built["adam"], Adam) and built["adam"].reg == 1e-3
    assert built["sgd"].momentum == 0 and built["momentum"].momentum == 0.8
    assert built["nesterov"].nesterov and not built["momentum"].nesterov
    with pytest.raises(ValueError, match="did you mean 'adam'"):
        make_optimizer("adma", 0.1)
