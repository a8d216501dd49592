"""``--mlflow``: train, sweep, reproduce and tune log params, per-epoch metrics and figures to a
local MLflow store (SQLite in tmp_path), read back here through MLflow's own client; nested runs
for a sweep, reproduce and a study; a one-line error without the extra or with a bad URI."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from mlflow.tracking import MlflowClient

import scratchnn.data
import scratchnn.experiments.reproduce
import scratchnn.runs
from scratchnn.cli import main
from scratchnn.data import MNIST
from scratchnn.tracking import TrackingError, resolve_uri

EPOCH_METRICS = {"train_loss", "train_acc", "val_loss", "val_acc", "epoch_seconds"}


def _images(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Learnable 28 x 28 images: class k lights up row band k."""
    y = rng.integers(0, 10, n).astype(np.uint8)
    X = rng.integers(0, 60, (n, 28, 28))
    for k in range(10):
        X[y == k, 2 * k + 4 : 2 * k + 6, :] += 190
    return X.clip(0, 255).astype(np.uint8), y


@pytest.fixture
def small_mnist(monkeypatch: pytest.MonkeyPatch) -> MNIST:
    """MNIST-shaped synthetic data (500 train, 100 test) in place of the real download."""
    rng = np.random.default_rng(7)
    train, test = _images(500, rng), _images(100, rng)
    data = MNIST(train[0], train[1], test[0], test[1])
    for module in (scratchnn.data, scratchnn.runs, scratchnn.experiments.reproduce):
        monkeypatch.setattr(module, "load_mnist", lambda *a, **k: data)
    return data


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, MlflowClient]:
    """One SQLite store for the module (creating its schema takes seconds); each test logs to
    its own experiment."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
    return uri, MlflowClient(tracking_uri=uri)


def _runs(client: MlflowClient, experiment: str) -> list:
    exp = client.get_experiment_by_name(experiment)
    assert exp is not None, "the experiment was not created"
    return client.search_runs([exp.experiment_id], max_results=1000)


def _children(runs: list, parent) -> list:
    return [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]


def _epochs(client: MlflowClient, run, metric: str = "val_acc") -> list[int]:
    return [m.step for m in client.get_metric_history(run.info.run_id, metric)]


def _artifacts(client: MlflowClient, run, path: str | None = None) -> set[str]:
    return {Path(a.path).name for a in client.list_artifacts(run.info.run_id, path)}


def test_train_logs_params_epochs_metrics_and_figures(small_mnist, store, tmp_path, capsys):
    (uri, client), exp = store, "train"
    args = ["train", "--config", "config_exp", "--out", str(tmp_path / "run"), "--no-progress"]
    args += ["--set", "epochs=3", "--set", "hidden_size=16", "--mlflow-experiment", exp]
    assert main([*args, "--mlflow", uri]) == 0
    assert f"mlflow: logging to {uri}" in capsys.readouterr().err
    (run,) = _runs(client, exp)
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "train config_exp"
    params = run.data.params
    assert params["Train.epochs"] == "3"
    assert params["Model.hidden_size"] == "16"
    assert params["Train.learning_rate"] == "0.1"
    assert _epochs(client, run) == [1, 2, 3]
    assert {k for k in run.data.metrics} >= EPOCH_METRICS | {"test_acc", "val_acc_best"}
    history = (tmp_path / "run" / "history.csv").read_text().splitlines()
    last = dict(zip(history[0].split(","), history[-1].split(","), strict=True))
    assert run.data.metrics["val_acc"] == pytest.approx(float(last["val_acc"]))
    assert {"loss.png", "accuracy.png", "config.yaml", "metrics.json"} <= _artifacts(client, run)


def test_sweep_is_a_parent_run_with_one_child_per_setting_and_seed(
    small_mnist, store, tmp_path, capsys
):
    uri, client = store
    out = tmp_path / "sweep"
    args = [
        "sweep",
        "--config",
        "config_exp",
        "--grid",
        "learning_rate=0.5,0.1",
        "--set",
        "epochs=2",
        "--set",
        "hidden_size=8",
        "--seeds",
        "2",
        "--out",
        str(out),
        "--no-progress",
        "--mlflow",
        uri,
        "--mlflow-experiment",
        "grid",
    ]
    assert main(args) == 0
    runs = _runs(client, "grid")
    (parent,) = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert parent.info.run_name == "sweep" and parent.info.status == "FINISHED"
    assert parent.data.params["grid"] == "learning_rate=0.5,0.1"
    assert {"table.txt", "sweep.png"} <= _artifacts(client, parent)
    children = _children(runs, parent)
    assert sorted(c.info.run_name for c in children) == [
        f"learning_rate={lr}/seed{s}" for lr in (0.1, 0.5) for s in (0, 1)
    ]
    for child in children:
        lr = child.info.run_name.split("=")[1].split("/")[0]
        assert child.data.params["Train.learning_rate"] == lr
        assert child.data.params["Train.seed"] == child.info.run_name[-1]
        assert _epochs(client, child, "train_loss") == [1, 2]
        assert "accuracy.png" in _artifacts(client, child)
    # run again: every run comes from the results store, logged as such under a new parent
    assert main(args) == 0
    runs = _runs(client, "grid")
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert len(parents) == 2
    newest = max(parents, key=lambda r: r.info.start_time)
    again = _children(runs, newest)
    assert len(again) == 4
    assert all(c.data.tags.get("scratchnn.from_store") == "true" for c in again)
    assert all(_epochs(client, c) == [1, 2] for c in again)


@pytest.mark.slow  # ~20 s on 2 cores (the report); the sweep test covers the same run_plan hooks
def test_reproduce_quick_logs_every_run_and_the_report(small_mnist, store, tmp_path, capsys):
    (uri, client), exp = store, "reproduce"
    out = tmp_path / "report"
    args = ["reproduce", "--quick", "--seeds", "1", "--beyond-seeds", "0", "--out", str(out)]
    assert main([*args, "--no-progress", "--mlflow", uri, "--mlflow-experiment", exp]) == 0
    runs = _runs(client, exp)
    (parent,) = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert parent.info.run_name == "reproduce"
    assert parent.data.params == {"seeds": "1", "quick": "True", "beyond_seeds": "0"}
    assert {"report.md", "index.html", "results.json"} <= _artifacts(client, parent)
    figures = _artifacts(client, parent, "figures")
    assert figures and figures <= {p.name for p in (out / "figures").iterdir()}
    children = _children(runs, parent)
    run_dirs = [p.parent for p in (out / "runs").rglob("metrics.json")]
    assert len(children) == len(run_dirs) == len(runs) - 1
    for child in children:
        assert _epochs(client, child) == list(range(1, int(child.data.params["Train.epochs"]) + 1))


def test_tune_logs_one_child_per_trial_and_the_final_model(small_mnist, store, tmp_path, capsys):
    (uri, client), exp = store, "tune"
    space = tmp_path / "space.yaml"
    space.write_text(
        "base: config_exp.yaml\nset: [epochs=3, hidden_size=8]\n"
        "space:\n  learning_rate: {low: 0.05, high: 1.0, log: true}\n"
    )
    (tmp_path / "config_exp.yaml").write_text(
        Path(scratchnn.__file__).parent.joinpath("configs", "config_exp.yaml").read_text()
    )
    out = tmp_path / "tune"
    args = ["tune", "--space", str(space), "--trials", "3", "--out", str(out), "--mlflow", uri]
    args += ["--mlflow-experiment", exp]
    assert main(args) == 0
    runs = _runs(client, exp)
    (parent,) = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert parent.info.run_name == "tune" and parent.data.params["trials"] == "3"
    summary = (out / "summary.json").read_text()
    assert f"{parent.data.metrics['best_val_acc']}"[:6] in summary
    assert {"best.yaml", "trials.csv", "summary.md"} <= _artifacts(client, parent)
    children = {c.info.run_name: c for c in _children(runs, parent)}
    assert set(children) == {"trial 0", "trial 1", "trial 2", "final"}
    for name in ("trial 0", "trial 1", "trial 2"):
        child = children[name]
        assert "test_acc" not in child.data.metrics  # trials never see the test set
        assert _epochs(client, child)[0] == 1
    final = children["final"]
    assert final.data.metrics["test_acc"] == pytest.approx(parent.data.metrics["final_test_acc"])
    assert "loss.png" in _artifacts(client, final)


def test_without_the_extra_one_line_names_the_install_command(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # import mlflow -> ImportError
    monkeypatch.chdir(tmp_path)
    code = main(["train", "--config", "config_exp", "--mlflow"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["error: --mlflow needs mlflow-skinny: pip install 'scratchnn[mlflow]'"]
    assert not (tmp_path / "runs").exists()


def test_a_bad_uri_is_one_line_before_any_work(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    import scratchnn.data as data

    monkeypatch.setattr(data, "load_mnist", lambda *a, **k: pytest.fail("data loaded"))
    assert main(["sweep", "--config", "config_exp", "--grid", "reg=0", "--mlflow", "x.yaml"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    with pytest.raises(TrackingError, match="not a tracking URI"):
        resolve_uri("ftp://host/x")
    assert resolve_uri("runs.db") == f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")
    assert resolve_uri("") == "http://127.0.0.1:5000"


def test_a_store_that_fails_mid_sweep_stops_logging_not_the_sweep(
    small_mnist, store, tmp_path, monkeypatch, capsys
):
    uri = store[0]
    calls = []
    real = MlflowClient.log_batch

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(MlflowClient, "log_batch", flaky)
    out = tmp_path / "sweep"
    args = ["sweep", "--config", "config_exp", "--grid", "reg=0.001,0.01", "--set", "epochs=2"]
    args += ["--set", "hidden_size=8", "--out", str(out), "--no-progress"]
    assert main([*args, "--mlflow", uri, "--mlflow-experiment", "flaky"]) == 0
    err = capsys.readouterr().err
    assert err.count("stopped (OSError: [Errno 28] No space left on device)") == 1
    assert len(calls) == 4  # nothing tried after the failure
    assert len(list((out / "runs").rglob("metrics.json"))) == 2
    assert (out / "table.txt").is_file()
