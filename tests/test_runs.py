"""One run from a config (scratchnn.runs): building model, optimizer and schedule; notes."""

import pytest

import scratchnn.runs as runs
from scratchnn.config import load_config
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
