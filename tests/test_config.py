import pytest
import yaml

from scratchnn.config import RunConfig, config_from_dict, load_config
from scratchnn.errors import ConfigError

ASSIGNMENT_YAML = """\
Train:
  batch_size: 64
  learning_rate: 0.1
  reg: 0.001
  epochs: 10
  momentum: 0.9
  debug: True
Model:
  type: TwoLayerNet
  hidden_size: 128
"""


def test_assignment_layout_is_read_unchanged(tmp_path):
    p = tmp_path / "config_exp.yaml"
    p.write_text(ASSIGNMENT_YAML)
    cfg = load_config(p)
    assert cfg.train.batch_size == 64 and cfg.train.learning_rate == 0.1
    assert cfg.train.reg == 0.001 and cfg.train.epochs == 10 and cfg.train.debug is True
    assert cfg.model.type == "TwoLayerNet" and cfg.model.hidden_size == 128
    assert cfg == RunConfig().__class__(train=cfg.train, model=cfg.model)


def test_shipped_configs_hold_the_reference_defaults():
    for name, model in [
        ("config_exp", "TwoLayerNet"),
        ("config_twolayer", "TwoLayerNet"),
        ("config_softmax", "SoftmaxRegression"),
    ]:
        cfg = load_config(f"configs/{name}.yaml")
        t = cfg.train
        assert (t.batch_size, t.learning_rate, t.reg, t.epochs) == (64, 0.1, 0.001, 10)
        assert cfg.model.type == model and cfg.model.hidden_size == 128


def test_overrides_short_and_dotted_and_seed(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text(ASSIGNMENT_YAML)
    cfg = load_config(p, ["learning_rate=0.5", "Model.hidden_size=32", "reg=1e-4"], seed=7)
    assert cfg.train.learning_rate == 0.5 and cfg.model.hidden_size == 32
    assert cfg.train.reg == 1e-4 and cfg.train.seed == 7


def test_resolved_config_round_trips():
    cfg = load_config(None, ["dtype=float32", "type=softmaxregression"])
    assert cfg.model.type == "SoftmaxRegression"
    assert config_from_dict(yaml.safe_load(cfg.to_yaml())) == cfg


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"Train": {"learning_rte": 0.1}},
            "unknown key Train.learning_rte; valid keys in Train: "
            "batch_size, learning_rate, reg, epochs, momentum, debug, seed, dtype, optimizer, "
            "schedule, warmup_epochs, step_size, gamma, early_stopping",
        ),
        ({"Optim": {}}, "unknown section 'Optim'; valid sections: Train, Model"),
        ({"Train": {"learning_rate": 0}}, "Train.learning_rate must be > 0, got 0.0"),
        ({"Train": {"learning_rate": -0.1}}, "Train.learning_rate must be > 0"),
        ({"Train": {"reg": -1}}, "Train.reg must be >= 0"),
        ({"Train": {"batch_size": 0}}, "Train.batch_size must be >= 1"),
        ({"Train": {"epochs": 0}}, "Train.epochs must be >= 1"),
        ({"Model": {"hidden_size": 0}}, "Model.hidden_size must be >= 1"),
        ({"Train": {"batch_size": 6.5}}, "Train.batch_size must be an integer, got 6.5"),
        ({"Train": {"batch_size": True}}, "Train.batch_size must be an integer"),
        ({"Train": {"learning_rate": "fast"}}, "Train.learning_rate must be a number, got 'fast'"),
        ({"Train": {"debug": "yes please"}}, "Train.debug must be true or false"),
        ({"Model": {"type": "CNN"}}, "Model.type must be one of TwoLayerNet, SoftmaxRegression"),
        ({"Train": {"dtype": "float16"}}, "Train.dtype must be one of float32, float64"),
        ({"Train": 3}, "section Train must be a mapping"),
        ({"Train": {"optimizer": "rmsprop"}}, "Train.optimizer must be one of sgd, momentum"),
        ({"Train": {"schedule": "linear"}}, "Train.schedule must be one of constant, step"),
        ({"Train": {"momentum": 1.0}}, "Train.momentum must be in [0, 1)"),
        ({"Train": {"warmup_epochs": -1}}, "Train.warmup_epochs must be >= 0"),
        ({"Train": {"step_size": 0}}, "Train.step_size must be >= 1"),
        ({"Train": {"gamma": 0}}, "Train.gamma must be in (0, 1]"),
        ({"Train": {"early_stopping": -2}}, "Train.early_stopping must be >= 0"),
        (
            {"Model": {"activation": "gelu"}},
            "Model.activation for TwoLayerNet must be one of default, sigmoid, tanh, relu",
        ),
        (
            {"Model": {"type": "SoftmaxRegression", "activation": "tanh"}},
            "Model.activation for SoftmaxRegression must be one of default, relu, linear",
        ),
        ({"Model": {"init": "orthogonal"}}, "Model.init must be one of faithful, xavier, he"),
        ({"Model": {"dropout": 1.0}}, "Model.dropout must be in [0, 1)"),
    ],
)
def test_bad_values_are_named(raw, message):
    with pytest.raises(ConfigError) as info:
        config_from_dict(raw)
    assert message in str(info.value)


def test_bad_overrides_and_files(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'lr'; valid keys: activation, batch_size"):
        load_config(None, ["lr=0.1"])
    with pytest.raises(ConfigError, match="expects key=value"):
        load_config(None, ["learning_rate"])
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("Train: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    bad.write_text("- a list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(bad)


def test_default_activation_is_resolved_to_the_real_name():
    assert RunConfig().model.activation == "sigmoid"
    assert load_config(None).model.activation == "sigmoid"
    assert load_config(None, ["type=softmaxregression"]).model.activation == "relu"
    assert load_config(None, ["activation=default"]) == load_config(None, ["activation=sigmoid"])
    assert "activation: sigmoid" in RunConfig().to_yaml()
    assert "default" not in RunConfig().to_yaml()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("Train.seed=9223372036854775808", "Train.seed must be < 2\\*\\*63"),
        ("Train.warmup_epochs=.inf", "Train.warmup_epochs must be finite"),
        ("Train.learning_rate=inf", "Train.learning_rate must be finite"),
        ("Model.hidden_size=1000000000", "Model.hidden_size must be <= 131,072"),
        ("Train.batch_size=1000000000000", "Train.batch_size must be <= 48,000"),
    ],
)
def test_values_that_would_fail_late_are_refused_before_any_work(override, message):
    from scratchnn.config import load_config

    with pytest.raises(ConfigError, match=message):
        load_config(None, [override])


def test_tune_refuses_a_negative_trial_count_or_timeout(tmp_path):
    from scratchnn.experiments.tune import run_tune

    for kwargs, message in (
        ({"trials": -1}, "trials must be an integer >= 1"),
        ({"timeout": -5.0}, "timeout must be a finite number > 0"),
    ):
        with pytest.raises(ConfigError, match=message):
            run_tune(tmp_path / "missing.yaml", tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()  # refused before any work


def test_shipped_configs_load_by_name_from_any_folder(tmp_path, monkeypatch):
    """The configs are package data: `--config best_128` (or configs/best_128.yaml, as in the
    README) works outside a clone; a local file of that name wins."""
    from scratchnn.config import SHIPPED_CONFIGS, resolve_config_path, shipped_configs
    from scratchnn.experiments.reproduce import config_dir

    assert SHIPPED_CONFIGS.parent.name == "scratchnn" and config_dir() == SHIPPED_CONFIGS
    assert {"config_exp", "best", "best_128", "best_softmax", "tune_128"} <= set(shipped_configs())
    monkeypatch.chdir(tmp_path)  # no ./configs here
    for name in ("best_128", "best_128.yaml", "configs/best_128.yaml"):
        assert resolve_config_path(name) == SHIPPED_CONFIGS / "best_128.yaml"
        assert load_config(name).model.hidden_size == 128
    (tmp_path / "best_128.yaml").write_text("Model:\n  hidden_size: 7\n")
    assert load_config("best_128.yaml").model.hidden_size == 7
    with pytest.raises(ConfigError, match=r"not found \(configs shipped with scratchnn.*best_128"):
        load_config("no_such_config")
    with pytest.raises(ConfigError, match="not found"):
        load_config("elsewhere/best_128.yaml")  # a path with a folder is never redirected
