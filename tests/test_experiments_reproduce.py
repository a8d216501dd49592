"""The reproduce job and its report (scratchnn.experiments.reproduce, report): resuming, the quick
report, the page in a browser, the 'Beyond the writeup' section (real MNIST).
"""

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


def test_beyond_configs_are_the_packaged_copies_whatever_the_current_folder_holds(
    tmp_path, monkeypatch
):
    """The "Beyond" section trains the configs shipped inside the package (identical to the
    repository's configs/), not whatever ./configs of the current directory holds."""
    from pathlib import Path

    import scratchnn.experiments.reproduce as rep

    repo = Path(__file__).resolve().parents[1] / "configs"
    for file in rep.BEYOND.values():
        assert (rep.config_dir() / file).read_text() == (repo / file).read_text(), file
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "best.yaml").write_text("Train: {epochs: 1, learning_rate: 9}\n")
    monkeypatch.chdir(tmp_path)
    rows = dict(rep.beyond_configs(1, quick=False))
    assert set(rows) == set(rep.BEYOND)
    assert rows["best"][0].train.learning_rate != 9
