"""`scratchnn tune`: a tiny Optuna study on synthetic data runs, prunes, resumes from its
storage, never touches the test set during trials, and writes a best config that trains."""

import re

import optuna
import pytest
import yaml

from scratchnn.config import load_config
from scratchnn.errors import ConfigError
from scratchnn.experiments.tune import load_spec, run_study, write_outputs
from scratchnn.runs import train_from_config

SPACE = {
    "base": {"Train": {"epochs": 6, "batch_size": 16}, "Model": {"hidden_size": 8}},
    "set": ["init=xavier"],
    "space": {
        "learning_rate": {"low": 1e-4, "high": 2.0, "log": True},
        "activation": {"choices": ["sigmoid", "tanh", "relu"]},
        "Model.hidden_size": {"low": 4, "high": 16, "type": "int"},
    },
}


def _spec(tmp_path, space=SPACE):
    p = tmp_path / "space.yaml"
    p.write_text(yaml.safe_dump(space))
    return load_spec(p)


def test_study_runs_prunes_resumes_and_writes_a_trainable_best_config(tiny_splits, tmp_path):
    spec = _spec(tmp_path)
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    touched = []
    study = run_study(
        spec, tiny_splits, trials=12, storage=storage, study_name="t", log=touched.append
    )
    states = [t.state for t in study.trials]
    assert len(states) == 12
    assert optuna.trial.TrialState.PRUNED in states  # tiny learning rates get pruned
    assert study.best_value > 0.9
    # resume: same storage and name continue the study
    again = run_study(
        spec, tiny_splits, trials=3, storage=storage, study_name="t", log=touched.append
    )
    assert len(again.trials) == 15
    assert "3 trials run now, 15 in the study" in touched[-1]
    # progress: a start line, then one line per finished trial (pruned ones too)
    assert touched[0].startswith("study 't': running 12 trials (0 already in the study)")
    lines = [m for m in touched if " trial " in m and m.startswith("[")]
    assert len(lines) == 15
    assert lines[0].startswith("[1/12] trial 0 ") and lines[-1].startswith("[3/3] trial 14 ")
    assert any(" pruned after epoch " in m for m in lines)
    assert re.search(r"complete: val [01]\.\d{4}, \d+\.\d s .*; .*learning_rate=", lines[0])
    summary = write_outputs(spec, again, tmp_path / "out", tiny_splits, log=lambda m: None)
    assert summary["pruned"] >= 1 and summary["complete"] >= 1
    cfg = load_config(tmp_path / "out" / "best.yaml")  # `scratchnn train --config` accepts it
    assert cfg.train.learning_rate == pytest.approx(again.best_trial.params["learning_rate"])
    assert train_from_config(cfg, tiny_splits).test_acc > 0.85
    assert (tmp_path / "out" / "trials.csv").read_text().count("\n") == 16
    for name in ("optimization_history", "param_importances", "intermediate_values"):
        assert (tmp_path / "out" / f"{name}.png").stat().st_size > 5000
    assert "test accuracy" in (tmp_path / "out" / "summary.md").read_text()


def test_trials_never_see_the_test_set(tiny_splits, tmp_path, monkeypatch):
    import scratchnn.experiments.tune as tune

    seen = []
    real = tune.train_from_config

    def spy(cfg, data, **kw):
        seen.append(data.test)
        return real(cfg, data, **kw)

    monkeypatch.setattr(tune, "train_from_config", spy)
    run_study(_spec(tmp_path), tiny_splits, trials=3, storage="sqlite://", log=lambda m: None)
    assert seen == [None, None, None]


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({"space": {"lr": {"low": 0.1, "high": 1}}}, "unknown key 'lr'"),
        ({"space": {"reg": {"low": 1, "high": 0.1}}}, "need low < high"),
        ({"space": {"reg": {"low": 0, "high": 1, "log": True}}}, "low > 0 with log"),
        ({"space": {"reg": {"low": 0.1}}}, "needs numeric low and high"),
        ({"space": {"reg": {"low": 0.1, "high": 1, "step": 2}}}, "unknown field(s) step"),
        ({"space": {"activation": {"choices": []}}}, "non-empty list"),
        (
            {"space": {"activation": {"choices": ["swish"]}}},
            "Model.activation for TwoLayerNet must be one of",
        ),
        ({"space": {}}, "'space' must map config keys"),
        ({"spaces": {}}, "unknown field(s) spaces"),
    ],
)
def test_bad_spaces_are_named(tmp_path, space, message):
    with pytest.raises(ConfigError) as info:
        _spec(tmp_path, space)
    assert message in str(info.value)


@pytest.mark.parametrize("name", ["tune_onehidden", "tune_128", "tune_softmax"])
def test_shipped_search_spaces_load(name):
    spec = load_spec(f"configs/{name}.yaml")  # base path relative to the space file
    assert spec.params and spec.config({p.key: (p.choices or [p.low])[0] for p in spec.params})


def test_shipped_search_spaces_load_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the base (config_exp.yaml) is found beside the shipped space
    for name in ("tune_128", "tune_onehidden", "tune_softmax"):
        spec = load_spec(name)
        assert spec.params and spec.base["Train"]["epochs"] in (30, 40, 50)
