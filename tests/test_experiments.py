"""Sweeps, the results store, resuming, and the reproduce report."""

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest

from scratchnn.cli import main
from scratchnn.config import load_config
from scratchnn.errors import ConfigError, ScratchnnError
from scratchnn.experiments import runner as runner_mod
from scratchnn.experiments.runner import PlannedRun, run_plan
from scratchnn.experiments.store import ResultStore, RunRecord, run_key
from scratchnn.experiments.sweep import Cell, expand, parse_grid


def test_parse_grid_and_expand_validate_before_running():
    grid = parse_grid(["learning_rate=1,0.1", "reg=1e-4"])
    assert grid == {"learning_rate": [1, 0.1], "reg": ["1e-4"]}  # YAML 1.1; the config coerces
    combos = expand({}, grid, seeds=[0, 1])
    assert len(combos) == 2 and all(len(runs) == 2 for _, runs in combos)
    cfg = combos[1][1][1].cfg
    assert cfg.train.learning_rate == 0.1 and cfg.train.reg == 1e-4 and cfg.train.seed == 1
    with pytest.raises(ConfigError, match="learning_rate must be > 0"):
        expand({}, parse_grid(["learning_rate=0.1,-1"]), seeds=[0])
    with pytest.raises(ConfigError, match="expects key=v1,v2"):
        parse_grid(["learning_rate"])


def test_cell_mean_and_sample_std():
    c = Cell([0.9, 0.92, 0.94])
    assert c.mean == pytest.approx(0.92) and c.std == pytest.approx(0.02)
    assert Cell([0.5]).std == 0.0


def test_run_key_depends_on_config_seed_and_data_not_debug():
    a = load_config(None, ["debug=true"])
    assert run_key(a) == run_key(load_config(None, ["debug=false"]))
    assert run_key(a) != run_key(load_config(None, ["seed=1"]))
    assert run_key(a) != run_key(a, data="mnist-quick")
    assert run_key(a) != run_key(load_config(None, ["reg=0.01"]))


def test_run_keys_are_those_of_stores_written_before_the_activation_was_resolved():
    """Keys computed before ``activation: default`` was resolved (pinned): old stores still
    match, so their runs are skipped, not redone."""
    assert run_key(load_config(None)) == "8c75db4e199914a26610"
    assert run_key(load_config(None, ["type=SoftmaxRegression"])) == "5bb81816e7027eb804cf"
    assert run_key(load_config(None, ["activation=relu"])) != run_key(load_config(None))


def test_store_round_trip_and_corrupt_file(tmp_path):
    with ResultStore(tmp_path / "r.sqlite") as store:
        rec = RunRecord(
            "k1", "mnist", {"Train": {}}, 3, "ok", {"test_acc": 0.9}, [{"epoch": 1}], 1.5
        )
        store.put(rec)
        got = store.get("k1")
        assert got.metrics == {"test_acc": 0.9} and got.seed == 3 and got.finished_at > 0
        assert store.get("nope") is None and len(store) == 1
    (tmp_path / "bad.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ScratchnnError, match="not a readable SQLite file"):
        ResultStore(tmp_path / "bad.sqlite")


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


def test_run_sweep_from_python(tiny_splits, tmp_path):
    from scratchnn.experiments.sweep import run_sweep

    logs: list[str] = []
    kw = dict(
        overrides=["epochs=2", "batch_size=16", "hidden_size=8", "debug=false"],
        seeds=2,
        out=tmp_path / "sw",
        data=tiny_splits,
        progress=False,
        log=logs.append,
    )
    res = run_sweep(None, {"learning_rate": [0.5, 1.0]}, **kw)
    assert [label for label, _ in res.rows] == ["learning_rate=0.5", "learning_rate=1.0"]
    assert all(len(recs) == 2 and recs[0].seed == 0 for _, recs in res.rows)
    assert (res.out / "table.txt").read_text() == res.table + "\n"
    assert "learning_rate=0.5" in res.table and "2/2" in res.table
    assert (res.out / "sweep.png").stat().st_size > 1000
    assert len(list((res.out / "runs").iterdir())) == 2
    again = run_sweep(None, ["learning_rate=0.5,1.0"], **kw)  # the CLI's form of the grid
    assert "4 already in results.sqlite (skipped), 0 to run" in logs[-1]
    assert again.table == res.table
    with pytest.raises(ConfigError, match="seeds"):
        run_sweep(None, {"learning_rate": [0.5]}, **{**kw, "seeds": 0})


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


def _tables_without_timing(results):
    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if "seconds" not in k}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj

    return strip({k: results[k] for k in ("lr_sweep", "reg_sweep", "tuned", "commentary")})


def _rows(db):
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(db) as con:
            return dict(con.execute("SELECT key, finished_at FROM runs").fetchall())
    except sqlite3.OperationalError:
        return {}


@pytest.mark.mnist
def test_killed_reproduce_resumes_without_redoing_runs(mnist, tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "scratchnn.cli",
        "reproduce",
        "--quick",
        "--seeds",
        "1",
        "--beyond-seeds",
        "0",
        "--no-progress",
    ]
    # uninterrupted reference
    ref = tmp_path / "ref"
    subprocess.run([*cmd, "--out", str(ref)], check=True, capture_output=True, timeout=300)
    # killed mid-way (SIGKILL: no cleanup at all), then started again
    out = tmp_path / "resumed"
    proc = subprocess.Popen(
        [*cmd, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 120
    while len(_rows(out / "results.sqlite")) < 2 and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _rows(out / "results.sqlite")
    assert 2 <= len(before) < 9, "the kill should land mid-way through the 9 runs"
    assert not (out / "results.json").exists()
    done = subprocess.run(
        [*cmd, "--out", str(out)], check=True, capture_output=True, text=True, timeout=300
    )
    assert (
        f"{len(before)} already in results.sqlite (skipped), {9 - len(before)} to run"
        in done.stderr
    )
    after = _rows(out / "results.sqlite")
    assert len(after) == 9
    assert all(after[k] == t for k, t in before.items())  # finished runs were not redone
    a = json.loads((ref / "results.json").read_text())
    b = json.loads((out / "results.json").read_text())
    assert _tables_without_timing(a) == _tables_without_timing(b)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.srcs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.srcs.append(dict(attrs)["src"])


@pytest.mark.mnist
def test_reproduce_quick_writes_report(mnist, tmp_path, capsys):
    out = tmp_path / "rep"
    argv = ["reproduce", "--quick", "--seeds", "2", "--beyond-seeds", "0", "--out", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "lr       1:" in printed and "writeup 0.9434" in printed
    results = json.loads((out / "results.json").read_text())
    cell = results["reg_sweep"]["0.1"]
    for metric in ("train_acc", "val_acc_last", "val_acc_best", "test_acc"):
        assert len(cell[metric]["values"]) == 2
        assert set(cell[metric]) == {"mean", "std", "values"}
    assert cell["writeup"]["test_acc"] == 0.3954
    assert set(results["lr_sweep"]) == {"1", "0.1", "0.05", "0.01"}
    assert set(results["reg_sweep"]) == {"1", "0.1", "0.01", "0.001", "0.0001"}
    # reg 0.001 is the lr 0.1 default run: the same numbers, run once
    assert results["reg_sweep"]["0.001"]["test_acc"] == results["lr_sweep"]["0.1"]["test_acc"]
    assert len(list((out / "runs").iterdir())) == 9
    md = (out / "report.md").read_text()
    assert md.count("| train acc (last epoch, running) |") == 3
    assert "val acc (last epoch)" in md and "val acc (best epoch)" in md and "writeup" in md
    page = (out / "index.html").read_text()
    parser = _Collect()
    parser.feed(page)
    assert parser.tags.count("table") == 4  # lr, reg, tuned, theory
    assert len(parser.srcs) == 13 and all(
        s.startswith("data:image/png;base64,") for s in parser.srcs
    )
    assert "## Theory, checked by computation" in md and "| XOR | XOR NOT separable | pass" in md
    for f in ("lr_overview", "reg_overview", "lr_1", "reg_0.0001", "tuned", "theory_gates"):
        assert (out / "figures" / f"{f}.png").stat().st_size > 2000
    # every commentary number comes from results: spot-check the first-epoch sentence
    first = results["lr_sweep"]["1"]["curves"]["val_acc"][0]
    assert f"{first:.4f} at lr 1" in results["commentary"]["lr"][0]


@pytest.mark.mnist
def test_sweep_command(mnist, tmp_path, capsys):
    out = tmp_path / "sw"
    argv = [
        "sweep",
        "--config",
        "configs/config_exp.yaml",
        "--grid",
        "learning_rate=1,0.5",
        "--set",
        "epochs=1",
        "--set",
        "debug=false",
        "--seeds",
        "2",
        "--out",
        str(out),
        "--no-progress",
    ]
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert "learning_rate=1 " in table and "learning_rate=0.5" in table and "2/2" in table
    assert (out / "sweep.png").exists() and len(list((out / "runs").iterdir())) == 2
    assert main(argv) == 0  # again: everything skipped
    assert "4 already in results.sqlite (skipped), 0 to run" in capsys.readouterr().err


@pytest.mark.mnist
@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian package chromium not installed"
)
def test_report_page_renders_in_headless_chromium(mnist, tmp_path):
    out = tmp_path / "rep"
    assert main(["reproduce", "--quick", "--seeds", "1", "--out", str(out), "--no-progress"]) == 0
    shot = tmp_path / "shot.png"
    subprocess.run(
        ["bash", "scripts/screenshot.sh", str(out / "index.html"), str(shot), "3000"],
        check=True,
        timeout=120,
        capture_output=True,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000


@pytest.mark.mnist
def test_beyond_section_trains_the_shipped_configs(mnist, tmp_path, monkeypatch, capsys):
    import scratchnn.experiments.reproduce as rep

    cfgs = tmp_path / "configs"
    cfgs.mkdir()
    (cfgs / "best.yaml").write_text(
        "Train: {batch_size: 64, learning_rate: 0.1, optimizer: nesterov, momentum: 0.9}\n"
        "Model: {hidden_size: 32, activation: relu, init: he, dropout: 0.2}\n"
    )
    monkeypatch.setattr(rep, "config_dir", lambda: cfgs)  # only best.yaml exists here
    out = tmp_path / "rep"
    argv = ["reproduce", "--quick", "--seeds", "1", "--beyond-seeds", "2", "--out", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert list(results["beyond"]) == ["best"]
    cell = results["beyond"]["best"]
    assert len(cell["test_acc"]["values"]) == 2 and cell["config"]["Train"]["epochs"] == 2
    md = (out / "report.md").read_text()
    assert (
        "## Beyond the writeup" in md and "| `best.yaml` | best: TwoLayerNet 784-32-10, relu" in md
    )
    assert (out / "figures" / "beyond_best.png").exists()
    assert (out / "runs" / "best" / "seed1" / "metrics.json").exists()
    assert "Beyond the writeup" in (out / "index.html").read_text()
