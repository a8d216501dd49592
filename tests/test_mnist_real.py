"""End to end on the genuine MNIST (fetched and verified on first use)."""

import numpy as np
import pytest

from scratchnn.config import load_config
from scratchnn.data import faithful_split
from scratchnn.models import SoftmaxRegression
from scratchnn.runs import train_from_config

pytestmark = pytest.mark.mnist


def test_genuine_mnist_shapes_and_labels(mnist):
    assert mnist.train_images.shape == (60000, 28, 28) and mnist.train_images.dtype == np.uint8
    assert mnist.test_images.shape == (10000, 28, 28) and mnist.test_labels.dtype == np.uint8
    assert mnist.train_labels[:5].tolist() == [5, 0, 4, 1, 9]
    assert np.bincount(mnist.test_labels).tolist() == [
        980,
        1135,
        1032,
        1010,
        982,
        892,
        958,
        1028,
        974,
        1009,
    ]
    s = faithful_split(mnist)
    assert (len(s.train), len(s.val), len(s.test)) == (48000, 12000, 10000)
    # the writeup's class-prior facts: digit 1 is 10.60% of validation, 11.35% of test
    assert np.mean(s.val.y == 1) == pytest.approx(0.1060, abs=5e-5)
    assert np.mean(s.test.y == 1) == pytest.approx(0.1135, abs=5e-5)


def test_default_two_layer_run_matches_the_writeup(mnist):
    res = train_from_config(load_config("configs/config_exp.yaml"), faithful_split(mnist))
    m = res.metrics()
    assert m["status"] == "ok" and m["epochs_run"] == 10
    assert m["val_acc_best"] >= 0.92 and m["test_acc"] >= 0.92  # writeup: 0.9275 / 0.9254
    assert 0.90 <= m["train_acc"] <= 0.94  # writeup: 0.9219


def test_default_softmax_regression_run_and_its_dead_classes(mnist):
    """The reference's ReLU before the softmax lets whole classes die.

    Once ``z_k = X W[:, k] <= 0`` for every sample, class k's column gets zero gradient forever
    and the class is never predicted. Over shuffle seeds 0-9 this costs 1-4 classes and leaves
    test accuracy at 0.49-0.81 (see the issue note), so the faithful model cannot reach 0.88.
    """
    data = faithful_split(mnist)
    res = train_from_config(load_config("configs/config_softmax.yaml"), data)
    assert res.status == "ok" and res.test_acc >= 0.6  # seed 0: 0.6289
    W = res.best_params["W"]
    z = (data.val.X / 255) @ W
    dead = np.flatnonzero((z > 0).sum(axis=0) == 0)
    assert len(dead) >= 1
    model = SoftmaxRegression()
    model.params["W"] = W
    grads = model.loss_grad(data.val.X / 255, data.val.y).grads["W"]
    assert not grads[:, dead].any()  # a dead class cannot come back


def test_float32_matches_float64_on_mnist(mnist):
    data = faithful_split(mnist)
    r64 = train_from_config(load_config(None, ["epochs=2"]), data)
    r32 = train_from_config(load_config(None, ["epochs=2", "dtype=float32"]), data)
    for a, b in zip(r64.history, r32.history, strict=True):
        assert abs(a.val_acc - b.val_acc) <= 0.002 and abs(a.train_acc - b.train_acc) <= 0.002


@pytest.mark.parametrize(("name", "floor"), [("best_128", 0.980), ("best_softmax", 0.925)])
def test_shipped_tuned_configs_reach_their_goals(mnist, name, floor):
    """configs/best_128.yaml (784-128-10) and configs/best_softmax.yaml, seed 0."""
    res = train_from_config(
        load_config(f"configs/{name}.yaml", ["debug=false"]), faithful_split(mnist)
    )
    assert res.status == "ok" and res.test_acc >= floor


@pytest.mark.slow
def test_best_one_hidden_layer_config(mnist):
    """configs/best.yaml: one hidden layer, test >= 0.985 (a few minutes of training)."""
    res = train_from_config(
        load_config("configs/best.yaml", ["debug=false"]), faithful_split(mnist)
    )
    assert res.status == "ok" and res.test_acc >= 0.985
