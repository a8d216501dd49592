"""Running a plan of configs (scratchnn.experiments.runner): finished runs are skipped."""

from scratchnn.config import load_config
from scratchnn.experiments import runner as runner_mod
from scratchnn.experiments.runner import PlannedRun, run_plan
from scratchnn.experiments.store import ResultStore


def test_run_plan_skips_finished_runs(tiny_splits, tmp_path, monkeypatch):
    calls = []
    plan = [
        PlannedRun(f"s{s}", load_config(None, ["epochs=2", "batch_size=16", f"seed={s}"]))
        for s in range(3)
    ]
    # the tiny problem has 12 inputs and 3 classes: train a matching model
    monkeypatch.setattr(
        runner_mod,
        "train_from_config",
        lambda cfg, data, **kw: (calls.append(cfg.train.seed), _fit_tiny(cfg, data, **kw))[1],
    )
    with ResultStore(tmp_path / "r.sqlite") as store:
        first = run_plan(plan[:2], tiny_splits, store, tmp_path, progress=False, log=lambda m: None)
        assert calls == [0, 1]
        logs = []
        second = run_plan(plan, tiny_splits, store, tmp_path, progress=False, log=logs.append)
    assert calls == [0, 1, 2]  # only the new seed ran
    assert "2 already in r.sqlite (skipped), 1 to run" in logs[0]
    assert second["s0"].metrics == first["s0"].metrics
    assert (tmp_path / "runs" / "s2" / "metrics.json").exists()


def _tiny_model():
    from scratchnn.models import TwoLayerNet

    return TwoLayerNet(input_size=12, hidden_size=8, num_classes=3)


def _fit_tiny(cfg, data, **kw):
    from scratchnn.optim import SGD
    from scratchnn.training import fit

    return fit(
        _tiny_model(),
        data,
        SGD(cfg.train.learning_rate, cfg.train.reg),
        epochs=cfg.train.epochs,
        batch_size=cfg.train.batch_size,
        seed=cfg.train.seed,
        **kw,
    )
