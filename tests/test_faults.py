"""Faults and hostile outputs (issue 16): every output location checked before any work, a full
disk or read-only folder reported in one line with nothing recorded damaged, and Ctrl-C with a
message that is true for each command (exit 130, no traceback). No real MNIST: the data are
small arrays installed in place of the loader."""

from __future__ import annotations

import errno
import importlib
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import scratchnn.cli as cli
from scratchnn.cli import main
from scratchnn.data.mnist import MNIST
from scratchnn.errors import ScratchnnError

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "config_exp.yaml"


def small_mnist(n_train: int = 200, n_test: int = 50, seed: int = 0) -> MNIST:
    """A learnable stand-in for MNIST (class k brightens row block k), MNIST's shapes."""
    rng = np.random.default_rng(seed)

    def images(n: int) -> tuple[np.ndarray, np.ndarray]:
        y = rng.integers(0, 10, n).astype(np.uint8)
        X = rng.integers(0, 60, (n, 28, 28))
        for k in range(10):
            X[y == k, 2 * k : 2 * k + 3, :] += 180
        return X.clip(0, 255).astype(np.uint8), y

    (a, b), (c, d) = images(n_train), images(n_test)
    return MNIST(a, b, c, d)


@pytest.fixture
def fake_loader(monkeypatch):
    """``load_mnist`` everywhere returns :func:`small_mnist` (no cache, no download)."""
    import scratchnn.data
    import scratchnn.experiments.reproduce
    import scratchnn.runs

    data = small_mnist()
    for module in (scratchnn.data, scratchnn.runs, scratchnn.experiments.reproduce):
        monkeypatch.setattr(module, "load_mnist", lambda *a, **k: data)
    return data


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


# --- output locations, checked before any work ----------------------------------------------

SPACE = "space:\n  learning_rate: {low: 0.05, high: 0.5, log: true}\n"


def _argv(command: str, tmp_path: Path) -> list[str]:
    """A valid command line of ``command`` (outputs appended by the caller)."""
    space = tmp_path / "space.yaml"
    space.write_text(f"base: {CONFIG}\n" + SPACE)
    genome = REPO / "champions" / "swingup" / "best.json"
    return {
        "train": ["train", "--config", str(CONFIG)],
        "sweep": ["sweep", "--config", str(CONFIG), "--grid", "learning_rate=0.1"],
        "reproduce": ["reproduce", "--quick"],
        "tune": ["tune", "--space", str(space)],
        "wann search": ["wann", "search", "--task", "xor"],
        "bench": ["bench"],
        "wann eval": ["wann", "eval", str(genome), "--task", "swingup"],
        "wann train-weights": ["wann", "train-weights", str(genome), "--task", "swingup"],
        "wann baseline": ["wann", "baseline", "--task", "swingup"],
        "wann bench": ["wann", "bench"],
        "theory": ["theory"],
        "data fetch": ["data", "fetch", "--no-mirrors", "--no-pypi"],
    }[command]


# the module of scratchnn.cli that declares each command, and its runner
FUNCS = {
    "train": ("train", "run"),
    "sweep": ("sweep", "run_sweep"),
    "reproduce": ("sweep", "run_reproduce"),
    "tune": ("tune", "run"),
    "wann search": ("wann.search", "run"),
    "bench": ("bench", "run"),
    "wann eval": ("wann.eval", "run"),
    "wann train-weights": ("wann.weights", "run_train_weights"),
    "wann baseline": ("wann.weights", "run_baseline"),
    "wann bench": ("wann.bench", "run"),
    "theory": ("theory", "run"),
    "data fetch": ("data", "run_fetch"),
}

# (command, option, kind): every output option of every command
OUTPUTS = [
    ("train", "--out", "dir"),
    ("sweep", "--out", "dir"),
    ("reproduce", "--out", "dir"),
    ("tune", "--out", "dir"),
    ("wann search", "--out", "dir"),
    ("data fetch", "--data-dir", "dir"),
    ("bench", "--json", "file"),
    ("wann eval", "--json", "file"),
    ("wann eval", "--figure", "file"),
    ("wann eval", "--markdown", "file"),
    ("wann train-weights", "--out", "dir"),
    ("wann baseline", "--out", "file"),
    ("wann bench", "--json", "file"),
    ("theory", "--figure", "file"),
]


def _no_work(monkeypatch, command: str) -> list[str]:
    """Replace the command's function by one that records that it ran."""
    ran: list[str] = []
    module, runner = FUNCS[command]
    module = importlib.import_module(f"{cli.__name__}.{module}")
    monkeypatch.setattr(module, runner, lambda args: ran.append(command) or 0)
    return ran


@pytest.mark.parametrize(("command", "option", "kind"), OUTPUTS)
def test_an_existing_file_where_a_folder_is_needed_is_refused_before_any_work(
    tmp_path, capsys, monkeypatch, command, option, kind
):
    ran = _no_work(monkeypatch, command)
    blocker = tmp_path / "a_file"
    blocker.write_text("precious")
    target = blocker if kind == "dir" else blocker / "out.png"
    assert main([*_argv(command, tmp_path), option, str(target)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert option in line and str(blocker) in line
    assert ran == [] and blocker.read_text() == "precious"


@pytest.mark.parametrize(("command", "option"), [(c, o) for c, o, k in OUTPUTS if k == "file"])
def test_a_file_output_in_a_missing_folder_is_refused_before_any_work(
    tmp_path, capsys, monkeypatch, command, option
):
    ran = _no_work(monkeypatch, command)
    target = tmp_path / "no" / "such" / "dir" / "g.png"
    assert main([*_argv(command, tmp_path), option, str(target)]) == 2
    assert "does not exist" in _one_error_line(capsys.readouterr().err)
    assert ran == [] and not (tmp_path / "no").exists()


@pytest.mark.parametrize(("command", "option", "kind"), OUTPUTS)
def test_a_read_only_location_is_refused_before_any_work(
    tmp_path, capsys, monkeypatch, command, option, kind
):
    """A read-only file system (EROFS, injected: root writes through chmod) at the output."""
    import scratchnn.fileio as fileio

    ran = _no_work(monkeypatch, command)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(fileio.tempfile, "TemporaryFile", read_only)
    target = tmp_path / ("out" if kind == "dir" else "out.png")
    assert main([*_argv(command, tmp_path), option, str(target)]) == 2
    assert "Read-only file system" in _one_error_line(capsys.readouterr().err)
    assert ran == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only (chmod) folder")
def test_a_chmod_read_only_folder_is_refused(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["theory", "--figure", str(ro / "g.png")]) == 2
        assert "cannot write there" in _one_error_line(capsys.readouterr().err)
    finally:
        ro.chmod(0o755)


def test_theory_figure_in_a_missing_folder_fails_before_the_checks(capsys, monkeypatch):
    import scratchnn.theory

    monkeypatch.setattr(scratchnn.theory, "run_checks", lambda: pytest.fail("checks ran"))
    assert main(["theory", "--figure", "/no/such/dir/g.png"]) == 2
    assert "/no/such/dir" in _one_error_line(capsys.readouterr().err)


def test_a_figure_name_without_an_image_suffix_is_refused(tmp_path, capsys):
    assert main(["theory", "--figure", str(tmp_path / "g.txt")]) == 2
    assert ".png" in _one_error_line(capsys.readouterr().err)


# --- a full disk: one line, nothing recorded damaged ------------------------------------------


def _full_disk(monkeypatch):
    import scratchnn.fileio as fileio

    def enospc(fh, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio, "_write", enospc)


def test_atomic_write_keeps_the_previous_file_when_the_disk_is_full(tmp_path, monkeypatch):
    from scratchnn.fileio import atomic_write_text

    target = tmp_path / "report.md"
    atomic_write_text(target, "the good report\n")
    _full_disk(monkeypatch)
    with pytest.raises(OSError) as info:
        atomic_write_text(target, "the new report that does not fit\n")
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert target.read_text() == "the good report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temporary left


def test_train_on_a_full_disk_is_one_line_and_the_previous_run_is_intact(
    tmp_path, capsys, monkeypatch, fake_loader
):
    out = tmp_path / "run"
    argv = ["train", "--config", str(CONFIG), "--set", "epochs=1", "--set", "debug=false"]
    argv += ["--out", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    _full_disk(monkeypatch)
    assert main([*argv, "--set", "epochs=2", "--no-progress"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "No space left on device" in line and "disk is full" in line
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # every file of the earlier run whole, no temporary files


def test_report_files_are_strict_json_and_say_diverged(tmp_path):
    from scratchnn.experiments.report import mean_std
    from scratchnn.experiments.sweep import Cell
    from scratchnn.fileio import dumps_json

    text = dumps_json({"mean": float("nan"), "std": 0.0, "values": [], "x": [float("inf")]})
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"mean": None, "std": 0.0, "values": [], "x": [None]}
    assert mean_std({"mean": None, "std": None}) == "diverged"
    assert mean_std(Cell([]).to_dict()) == "diverged"
    assert str(Cell([])) == "diverged" and str(Cell([0.5, 0.7])) == "0.6000 ± 0.1414"
    from scratchnn.experiments.report import _md_table
    from scratchnn.experiments.sweep import METRICS

    cell = {m: Cell([]).to_dict() for m in METRICS}
    cell["compare"] = {"test_acc": {"writeup": 0.9, "differs": False}}
    table = _md_table("lr", {"1": cell})
    assert "nan" not in table.lower() and table.count("diverged") == len(METRICS)


def test_a_diverged_cells_curves_give_no_warning():
    from scratchnn.experiments.reproduce import _cell
    from scratchnn.experiments.store import RunRecord

    rec = RunRecord("k", "mnist", {}, 0, "diverged", {"seconds": 1.0}, [], 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _cell([rec, rec], {"test_acc": 0.9}, 0.01)
    assert json.loads(dumps_json_of(out))["test_acc"]["mean"] is None


def dumps_json_of(obj):
    from scratchnn.fileio import dumps_json

    return dumps_json(obj)


# --- the results store and the study database -------------------------------------------------


def _store_with_rows(path: Path, n: int = 40) -> None:
    from scratchnn.experiments.store import ResultStore, RunRecord

    with ResultStore(path) as store:
        for i in range(n):
            store.put(RunRecord(f"k{i}", "mnist", {"a": "x" * 500}, i, "ok", {}, [], 1.0))


def test_a_store_with_a_scribbled_page_is_refused_in_one_line(tmp_path):
    from scratchnn.experiments.store import ResultStore

    path = tmp_path / "results.sqlite"
    _store_with_rows(path)
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    noise = np.random.default_rng(0).integers(0, 256, page - 8, dtype=np.uint8).tobytes()
    data[2 * page + 8 : 3 * page] = noise
    path.write_bytes(bytes(data))
    with pytest.raises(ScratchnnError, match=r"results store .* (not a readable|cannot)"):  # noqa: SIM117
        with ResultStore(path) as store:
            store.keys()


def test_a_store_with_a_foreign_runs_table_is_refused(tmp_path):
    import sqlite3

    from scratchnn.experiments.store import ResultStore

    path = tmp_path / "results.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO runs VALUES (1, 'not ours')")
    with pytest.raises(ScratchnnError, match="'runs' table that is not scratchnn's"):
        ResultStore(path)


def test_sweep_with_a_garbage_store_fails_before_training(tmp_path, capsys, fake_loader):
    out = tmp_path / "sw"
    out.mkdir()
    (out / "results.sqlite").write_bytes(b"\x00garbage" * 600)
    argv = ["sweep", "--config", str(CONFIG), "--grid", "learning_rate=0.1", "--out", str(out)]
    assert main([*argv, "--no-progress"]) == 2
    assert "not a readable SQLite file" in _one_error_line(capsys.readouterr().err)
    assert not (out / "runs").exists()


def test_tune_with_a_garbage_study_db_fails_before_loading_data(tmp_path, capsys, monkeypatch):
    import scratchnn.data

    monkeypatch.setattr(scratchnn.data, "load_mnist", lambda *a, **k: pytest.fail("data loaded"))
    out = tmp_path / "tune"
    out.mkdir()
    (out / "study.db").write_bytes(os.urandom(5000))
    assert main([*_argv("tune", tmp_path), "--out", str(out), "--trials", "1"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "cannot open the study" in line and "study.db" in line


# --- Ctrl-C: exit 130, a message true for each command ----------------------------------------


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def _interrupt_message(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("interrupted")]
    assert len(lines) == 1, err
    return lines[0]


def test_ctrl_c_during_train_saves_the_run_so_far_marked_interrupted(
    tmp_path, capsys, monkeypatch, fake_loader
):
    import scratchnn.training

    real = scratchnn.training.evaluate_checked
    calls = []

    def evaluate(*args, **kwargs):  # Ctrl-C during the third epoch's validation
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(scratchnn.training, "evaluate_checked", evaluate)
    out = tmp_path / "run"
    argv = ["train", "--config", str(CONFIG), "--set", "epochs=5", "--out", str(out)]
    assert main([*argv, "--no-progress"]) == 130
    line = _interrupt_message(capsys.readouterr().err)
    assert "after 2 finished epoch(s) of 5" in line and str(out) in line
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["status"] == "interrupted" and metrics["epochs_run"] == 2
    assert metrics["best_epoch"] in (1, 2) and (out / "model.npz").exists()
    assert len((out / "history.csv").read_text().splitlines()) == 3  # header + 2 epochs


@pytest.mark.parametrize(
    ("command", "target", "words"),
    [
        ("sweep", "scratchnn.experiments.runner.train_from_config", "finished run is saved"),
        ("reproduce", "scratchnn.experiments.runner.train_from_config", "finished run is saved"),
        ("tune", "scratchnn.experiments.tune.train_from_config", "finished trial is saved"),
        ("theory", "scratchnn.theory.run_checks", "nothing was written"),
        ("wann eval", "scratchnn.wann.evaluate.evaluate", "nothing was written"),
        ("data fetch", "scratchnn.data.fetch_mnist", "only whole, verified files"),
    ],
)
def test_ctrl_c_gives_a_true_message_and_exit_130(
    tmp_path, capsys, monkeypatch, fake_loader, command, target, words
):
    monkeypatch.setattr(target, _interrupt)
    # --jobs 1: the patched function runs in this process (not in spawned workers)
    jobs = ["--out", str(tmp_path / "out"), "--jobs", "1"]
    out = jobs if command in ("sweep", "reproduce", "tune") else []
    assert main([*_argv(command, tmp_path), *out]) == 130
    assert words in _interrupt_message(capsys.readouterr().err)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "scratchnn.cli", *args]


def _sigint_after(
    cmd: list[str], ready, timeout: float = 300, stdout: Path | None = None
) -> subprocess.CompletedProcess:
    """Start ``cmd``, send SIGINT once ``ready(pid)`` (or after ``timeout``), collect its
    output. With ``stdout`` (a file), the command's output goes there unbuffered, so that
    ``ready`` can read how far it got."""
    env = dict(os.environ, NUMBA_NUM_THREADS="1", PYTHONPATH=str(REPO / "src"))
    out_file = None
    if stdout is not None:
        env["PYTHONUNBUFFERED"] = "1"
        out_file = open(stdout, "w")  # noqa: SIM115 (closed below, after the process)
    # a test run started in the background (`make test &`, nohup) ignores SIGINT, and an
    # ignored signal stays ignored in every child: give the command Python's default handling
    proc = subprocess.Popen(
        cmd, stdout=out_file or subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=REPO, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.time() + timeout
    while not ready(proc.pid) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.005 if stdout is not None else 0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=timeout)
    if out_file is not None:
        out_file.close()
        out = stdout.read_text()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def test_a_real_sigint_during_a_wann_search_gives_the_resume_hint(tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("pop: 8\nreps: 1\nbest_reps: 0\ncheckpoint_every: 1\ngenerations: 100000\n")
    out = tmp_path / "w"
    cmd = _cli("wann", "search", "--task", "swingup", "--config", str(cfg), "--out", str(out))
    done = _sigint_after(cmd, lambda pid: (out / "checkpoint.npz").exists())
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    assert "run the same command with --resume" in _interrupt_message(done.stderr)


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by process ``pid`` (Linux /proc): a readiness clock that a loaded
    machine does not stretch (a signal during Python's start-up imports is not what is tested)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_real_sigint_during_theory_says_nothing_was_written(tmp_path):
    figure, log = tmp_path / "g.png", tmp_path / "out.txt"
    # the signal goes as soon as the first check has printed (the start-up imports are over):
    # a fixed CPU time (2.5 s) outlasted the whole command (1.9 s) on a fast machine
    ready = lambda pid: log.exists() and "== softmax Jacobian ==" in log.read_text()  # noqa: E731
    done = _sigint_after(_cli("theory", "--figure", str(figure)), ready, stdout=log)
    if done.returncode == 0:  # the checks (about 0.1 s) finished before the signal landed
        pytest.skip("theory finished before the signal")
    assert done.returncode == 130, done.stderr
    assert "nothing was written" in _interrupt_message(done.stderr)
    assert not figure.exists()


@pytest.mark.mnist
def test_a_real_sigint_during_train_saves_the_run_marked_interrupted(mnist, tmp_path):
    out = tmp_path / "run"
    cmd = _cli("train", "--config", str(CONFIG), "--set", "epochs=500", "--out", str(out))
    done = _sigint_after([*cmd, "--no-progress"], lambda pid: _cpu_seconds(pid) > 6)
    assert done.returncode == 130, done.stderr
    assert "the run so far is saved" in _interrupt_message(done.stderr)
    assert json.loads((out / "metrics.json").read_text())["status"] == "interrupted"


def test_a_full_store_is_one_line_and_its_earlier_rows_are_kept(tmp_path):
    """SQLite's own 'database or disk is full' (a page limit stands in for the disk)."""
    from scratchnn.experiments.store import ResultStore, RunRecord

    path = tmp_path / "results.sqlite"
    _store_with_rows(path, 5)
    store = ResultStore(path)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    big = RunRecord("big", "mnist", {"pad": "x" * 200_000}, 0, "ok", {}, [], 1.0)
    with pytest.raises(ScratchnnError, match=r"full.*free some space"):
        store.put(big)
    with ResultStore(path) as again:
        assert again.keys() == {f"k{i}" for i in range(5)}


def test_sweep_seeds_0_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    import scratchnn.data

    monkeypatch.setattr(scratchnn.data, "load_mnist", lambda *a, **k: pytest.fail("data loaded"))
    argv = ["sweep", "--config", str(CONFIG), "--grid", "lr=0.1", "--seeds", "0"]
    assert main([*argv, "--out", str(tmp_path / "s")]) == 2
    assert "--seeds" in _one_error_line(capsys.readouterr().err)
