"""One run from a config (scratchnn.runs): building model, optimizer and schedule; notes; each
option trains; end to end on the genuine MNIST (marked mnist).
"""

import numpy as np
import pytest

import scratchnn.runs as runs
from scratchnn.config import load_config
from scratchnn.data import faithful_split
from scratchnn.models import SoftmaxRegression
from scratchnn.optim import SGD, Adam, Schedule
from scratchnn.runs import build_model, build_optimizer, build_schedule, train_from_config


def test_config_builds_the_options():
    cfg = load_config(
        None,
        [
            "optimizer=nesterov",
            "momentum=0.8",
            "schedule=step",
            "warmup_epochs=1",
            "activation=relu",
            "init=he",
            "dropout=0.2",
        ],
    )
    opt = build_optimizer(cfg)
    assert isinstance(opt, SGD) and opt.momentum == 0.8 and opt.nesterov
    assert build_schedule(cfg) == Schedule("step", 1.0, 10, 0.1)
    m = build_model(cfg)
    assert (m.activation, m.init, m.dropout) == ("relu", "he", 0.2)
    assert build_model(load_config(None)).activation == "sigmoid"
    sr = load_config(None, ["type=SoftmaxRegression"])
    assert build_model(sr).activation == "relu"
    assert (
        build_model(load_config(None, ["type=SoftmaxRegression", "activation=linear"])).activation
        == "linear"
    )
    faithful = load_config("configs/config_exp.yaml")
    assert build_optimizer(faithful).momentum == 0.0  # the reference ignores momentum: 0.9
    assert isinstance(build_optimizer(load_config(None, ["optimizer=adam"])), Adam)


def test_ignored_momentum_is_noted_once_per_process(tiny_splits, monkeypatch):
    monkeypatch.setattr(runs, "_NOTED", set())
    cfg = load_config("configs/config_exp.yaml", ["epochs=1", "hidden_size=4"])
    assert cfg.train.optimizer == "sgd" and cfg.train.momentum == 0.9
    seen: list[str] = []
    for _ in range(3):
        train_from_config(cfg, tiny_splits, log=seen.append)
    assert len(seen) == 1 and "Train.momentum = 0.9 is not used" in seen[0]
    assert runs.config_notes(load_config(None, ["optimizer=momentum"])) == []
    assert runs.config_notes(load_config(None, ["momentum=0"])) == []


@pytest.mark.parametrize("quiet", [["optimizer=nesterov"], ["momentum=0"]])
def test_no_note_where_momentum_is_used_or_zero(tiny_splits, monkeypatch, quiet):
    monkeypatch.setattr(runs, "_NOTED", set())
    seen: list[str] = []
    cfg = load_config(None, ["epochs=1", "hidden_size=4", *quiet])
    train_from_config(cfg, tiny_splits, log=seen.append)
    assert seen == []


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


@pytest.mark.mnist
def test_default_two_layer_run_matches_the_writeup(mnist):
    res = train_from_config(load_config("configs/config_exp.yaml"), faithful_split(mnist))
    m = res.metrics()
    assert m["status"] == "ok" and m["epochs_run"] == 10
    assert m["val_acc_best"] >= 0.92 and m["test_acc"] >= 0.92  # writeup: 0.9275 / 0.9254
    assert 0.90 <= m["train_acc"] <= 0.94  # writeup: 0.9219


@pytest.mark.mnist
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


@pytest.mark.mnist
def test_float32_matches_float64_on_mnist(mnist):
    data = faithful_split(mnist)
    r64 = train_from_config(load_config(None, ["epochs=2"]), data)
    r32 = train_from_config(load_config(None, ["epochs=2", "dtype=float32"]), data)
    for a, b in zip(r64.history, r32.history, strict=True):
        assert abs(a.val_acc - b.val_acc) <= 0.002 and abs(a.train_acc - b.train_acc) <= 0.002


@pytest.mark.mnist
@pytest.mark.parametrize(("name", "floor"), [("best_128", 0.980), ("best_softmax", 0.925)])
def test_shipped_tuned_configs_reach_their_goals(mnist, name, floor):
    """configs/best_128.yaml (784-128-10) and configs/best_softmax.yaml, seed 0."""
    res = train_from_config(
        load_config(f"configs/{name}.yaml", ["debug=false"]), faithful_split(mnist)
    )
    assert res.status == "ok" and res.test_acc >= floor


@pytest.mark.mnist
@pytest.mark.slow
def test_best_one_hidden_layer_config(mnist):
    """configs/best.yaml: one hidden layer, test >= 0.985 (a few minutes of training)."""
    res = train_from_config(
        load_config("configs/best.yaml", ["debug=false"]), faithful_split(mnist)
    )
    assert res.status == "ok" and res.test_acc >= 0.985
