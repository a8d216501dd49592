"""A model and an optimizer of the user's own train through ``fit``: Model and Optimizer are
protocols, not closed unions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pytest

from scratchnn import fit, predict
from scratchnn.functional import cross_entropy, cross_entropy_grad, log_softmax
from scratchnn.models import LossGrad, Model
from scratchnn.optim import Optimizer
from tests.conftest import make_splits


class Centroids:
    """A user's model: ``p = softmax(X W + b)``, written from scratch in a test."""

    weight_names = ("W",)

    def __init__(self, n_features: int, n_classes: int) -> None:
        self.dtype = np.dtype(np.float64)
        self.params = {"W": np.zeros((n_features, n_classes)), "b": np.zeros(n_classes)}

    @property
    def n_features(self) -> int:
        return self.params["W"].shape[0]

    @property
    def n_classes(self) -> int:
        return self.params["W"].shape[1]

    def log_probs(self, X: np.ndarray) -> np.ndarray:
        return log_softmax(X @ self.params["W"] + self.params["b"])

    def loss_grad(self, X: np.ndarray, y: np.ndarray) -> LossGrad:
        logp = self.log_probs(X)
        p = np.exp(logp)
        d = cross_entropy_grad(p, y)
        return LossGrad(cross_entropy(logp, y), {"W": X.T @ d, "b": d.sum(axis=0)}, p)


class SignSGD:
    """A user's optimizer: ``theta <- theta - lr sign(g)`` (L2 ignored)."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate, self.reg, self.steps = learning_rate, 0.0, 0

    def step(
        self,
        params: dict[str, np.ndarray],
        grads: Mapping[str, np.ndarray],
        weight_names: Iterable[str],
    ) -> None:
        self.steps += 1
        for name, g in grads.items():
            params[name] -= self.learning_rate * np.sign(g)


def test_a_user_model_and_optimizer_train_through_fit():
    data = make_splits()
    model, opt = Centroids(12, 3), SignSGD(0.01)
    assert isinstance(model, Model) and isinstance(opt, Optimizer)
    result = fit(model, data, opt, epochs=5, batch_size=16)
    assert result.path == "reference" and result.status == "ok"
    assert opt.steps == 5 * 15  # 240 rows in batches of 16
    assert result.history[-1].train_loss < result.history[0].train_loss
    assert result.test_acc > 0.9
    assert (predict(model, data.test.X) == data.test.y).mean() == pytest.approx(result.test_acc)


def test_a_user_model_is_checked_at_the_door_like_ours():
    data = make_splits()
    with pytest.raises(ValueError, match="12 features per row, the model takes 5"):
        fit(Centroids(5, 3), data, SignSGD(0.01), epochs=1, batch_size=16)
    with pytest.raises(ValueError, match=r"label 2, outside 0\.\.1"):
        fit(Centroids(12, 2), data, SignSGD(0.01), epochs=1, batch_size=16)
    with pytest.raises(TypeError, match="without params, weight_names, dtype"):
        fit(object(), data, SignSGD(0.01), epochs=1, batch_size=16)
    with pytest.raises(TypeError, match="optimizer"):
        fit(Centroids(12, 3), data, "sgd", epochs=1, batch_size=16)


def test_the_door_asks_exactly_what_the_protocols_declare():
    """fit's check reads the members from Model and Optimizer themselves (no second list)."""
    from scratchnn.models import Model
    from scratchnn.optim import Optimizer
    from scratchnn.validation import protocol_members

    assert protocol_members(Model) == ("params", "weight_names", "dtype", "log_probs", "loss_grad")
    assert protocol_members(Optimizer) == ("learning_rate", "reg", "step")
    data = make_splits()

    model = Centroids(12, 3)
    partial = type("Partial", (), {k: getattr(model, k) for k in ("params", "weight_names")})()
    with pytest.raises(TypeError, match=r"without dtype, log_probs, loss_grad$"):
        fit(partial, data, SignSGD(0.01), epochs=1, batch_size=16)
    bad = type("NoStep", (), {"learning_rate": 0.1, "reg": 0.0})()
    with pytest.raises(TypeError, match=r"optimizer must be .* without step$"):
        fit(model, data, bad, epochs=1, batch_size=16)
