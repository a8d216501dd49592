"""The reproduce job and its report (scratchnn.experiments.reproduce, report): resuming, the quick
report, the page in a browser, the 'Beyond the writeup' section (real MNIST).
"""

import contextlib
import io
import json
import os
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scratchnn.cli import main

REPO = Path(__file__).resolve().parents[1]


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


@pytest.fixture(scope="module")
def quick_report(mnist, tmp_path_factory):
    """``reproduce --quick --seeds 2 --beyond-seeds 0`` once for this module: (out, stdout)."""
    out = tmp_path_factory.mktemp("quick") / "rep"
    argv = ["reproduce", "--quick", "--seeds", "2", "--beyond-seeds", "0", "--out", str(out)]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main([*argv, "--no-progress"]) == 0
    return out, printed.getvalue()


@pytest.mark.mnist
def test_reproduce_writes_its_run_record(quick_report, capsys):
    """out/run.json: the command, the seeds, the settings and the headline numbers, which
    ``scratchnn results`` tabulates like any record."""
    from scratchnn.results import load_records

    out, _ = quick_report
    rec = json.loads((out / "run.json").read_text())
    assert rec["schema"] == "scratchnn.run/1" and rec["kind"] == "reproduce"
    command = f"scratchnn reproduce --out {out} --seeds 2 --beyond-seeds 0 --quick"
    assert rec["command"] == command
    assert rec["seed"] == [0, 1] and rec["config"]["quick"] is True
    results = json.loads((out / "results.json").read_text())
    assert rec["metrics"]["tuned"]["test_acc"] == results["tuned"]["test_acc"]
    assert set(rec["metrics"]["lr_sweep"]) == {"1", "0.1", "0.05", "0.01"}
    assert {"results.json", "report.md", "index.html"} <= set(rec["artifacts"])
    assert load_records(out.parent)["rep"].metrics == rec["metrics"]
    capsys.readouterr()
    assert main(["results", str(out.parent)]) == 0
    assert "| `rep` | reproduce | 0, 1 |" in capsys.readouterr().out


@pytest.mark.mnist
def test_reproduce_quick_writes_report(quick_report):
    out, printed = quick_report
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
    # lr, reg, tuned, theory, the review's five claims, provenance
    assert parser.tags.count("table") == 10
    # 2 grids + (overview + 4) + (overview + 5) + tuned + theory + the review's 2
    assert len(parser.srcs) == 17 and all(
        s.startswith("data:image/png;base64,") for s in parser.srcs
    )
    assert parser.tags.count("details") == 3  # lr and reg figures, theory checks
    assert "## Theory, checked by computation" in md
    assert "| Boolean functions | XOR is NOT linearly separable (outputs 0110" in md
    assert "| Boolean functions | AND is linearly separable (outputs 0001" in md
    assert "max \\|J - J_fd\\|" in md  # escaped: the table keeps its four columns
    for f in ("lr_grid", "reg_grid", "lr_overview", "lr_1", "reg_0.0001", "tuned"):
        assert (out / "figures" / f"{f}.png").stat().st_size > 2000
    assert (out / "figures" / "theory_gates.png").stat().st_size > 2000
    # the paper review, tested: each claim with its table and verdict, from results.json
    review = results["review"]
    assert review["scale"]["name"] == "tiny" and [c["claim"] for c in review["claims"]] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert "## The paper review, tested" in md and "<section id='review'>" in page
    for c in review["claims"]:
        assert f"### Claim {c['claim']}: {c['text']}" in md
        assert f"**Verdict: {c['verdict']}.** Rule: {c['rule']}" in md
    for f in ("review_weight_sweep", "review_training"):
        assert (out / "figures" / f"{f}.png").stat().st_size > 2000
    # provenance: recorded in results.json and shown in both renderings
    prov = results["provenance"]
    assert prov["shuffle_seeds"] == [0, 1] and prov["numpy"] and prov["cores"] >= 1
    assert "## Provenance" in md and f"| NumPy | {prov['numpy']} |" in md
    assert "<section id='provenance'>" in page
    # every commentary number comes from results: spot-check the first-epoch sentence
    first = results["lr_sweep"]["1"]["curves"]["val_acc"][0]
    assert f"{first:.4f} at lr 1" in results["commentary"]["lr"][0]


def _browser_missing() -> str | None:
    """Why the headless-Chromium page test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed (pip install -e '.[dev]')"
    if shutil.which("chromium") is None and not os.environ.get("CHROMIUM"):
        return "Debian package chromium not installed (make test installs it when run as root)"
    return None


@pytest.mark.mnist
@pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))
def test_report_page_renders_in_headless_chromium(quick_report, tmp_path):
    """The page in a real browser: no console error, every image loads (details opened), every
    contents link lands on an element; the screenshot covers the page's full height."""
    out, _ = quick_report
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [
            sys.executable,
            "scripts/page_check.py",
            str(out / "index.html"),
            "--screenshot",
            str(shot),
            "--open-details",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
    )
    found = json.loads(done.stdout)
    assert found["console_errors"] == []
    assert len(found["images"]) == 17 and all(w > 0 for _, w in found["images"])
    alts = [alt for alt, _ in found["images"]]
    assert "figures/review_weight_sweep.png" in alts and "figures/review_training.png" in alts
    hrefs = [h for h, _ in found["contents_links"]]
    assert hrefs == ["#lr", "#reg", "#tuned", "#theory", "#review", "#provenance"]
    assert found["sections"] == ["lr", "reg", "tuned", "theory", "review", "provenance"]
    assert all(r for _, r in found["contents_links"])
    assert found["ok"] and done.returncode == 0
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width == 1200 and height == found["height"] > 6000  # full height, not cut


@pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))
def test_page_check_fails_on_a_broken_page(tmp_path):
    """The checker can fail: a broken image, a dangling contents link and a script error."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><body><nav id='contents'><a href='#nowhere'>x</a></nav>"
        "<img alt='broken' src='data:image/png;base64,AAAA'>"
        "<script>undefined_function()</script></body></html>"
    )
    done = subprocess.run(
        [sys.executable, "scripts/page_check.py", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    found = json.loads(done.stdout)
    assert done.returncode == 1 and not found["ok"]
    assert found["images"] == [["broken", 0]]
    assert found["contents_links"] == [["#nowhere", False]]
    assert any("undefined_function" in e for e in found["console_errors"])


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
