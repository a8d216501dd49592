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


def test_a_records_weight_norms_do_not_depend_on_the_blas_thread_count():
    """A run's record is built in the parent (``--jobs 1``) or in a worker pinned to one BLAS
    thread: its numbers must not depend on which (``np.linalg.norm`` through BLAS differed in
    the last bits for 784 x 128 matrices)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from scratchnn.data import Split, Splits
    from scratchnn.training import FitResult

    rng = np.random.default_rng(0)
    cfg = load_config(None, ["epochs=1"])
    split = Split(rng.random((50, 784)), rng.integers(0, 10, 50))
    data = Splits(split, None, split)
    params = _build(cfg).params
    result = FitResult(path="reference")
    result.best_params = {k: rng.normal(size=v.shape) for k, v in params.items()}
    records = []
    for threads in (1, 2):
        with threadpool_limits(threads, "blas"):
            records.append(runner_mod._record(PlannedRun("r", cfg), "k", "t", result, data))
    assert records[0].metrics["weight_norms"] == records[1].metrics["weight_norms"]
    w1 = result.best_params["W1"]
    assert records[0].metrics["weight_norms"]["W1"] == float(np.sqrt(np.sum(w1 * w1)))


def _build(cfg):
    from scratchnn.runs import build_model

    return build_model(cfg, 784)


def test_run_cost_ranks_wide_long_and_small_batch_runs_first():
    from scratchnn.experiments.runner import run_cost

    def cost(*items):
        return run_cost(load_config(None, list(items)))

    assert cost("hidden_size=1024") > cost("hidden_size=128") > cost("type=SoftmaxRegression")
    assert cost("epochs=50") > cost("epochs=10")
    assert cost("batch_size=32") > cost("batch_size=64")
