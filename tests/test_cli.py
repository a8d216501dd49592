"""The command line: help texts, bad input before any work, and a real run (MNIST)."""

import argparse
import csv
import json

import pytest

from scratchnn.cli import build_parser, main
from scratchnn.runs import load_params


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """``(path, parser, its --options)`` of every command, depth first: the one place that reads
    argparse's internals (sub-commands live in a ``_SubParsersAction`` in ``parser._actions``)."""
    options = [s for a in parser._actions for s in a.option_strings if s.startswith("--")]
    yield path, parser, options
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


COMMANDS = {
    "data fetch",
    "data info",
    "train",
    "sweep",
    "reproduce",
    "tune",
    "bench",
    "wann search",
    "wann eval",
    "wann bench",
    "wann train-weights",
    "wann baseline",
    "wann compare",
    "wann show",
    "theory",
    "review",
    "results",
}


def test_every_command_has_help(capsys):
    paths = {" ".join(path): (p, opts) for path, p, opts in _commands(build_parser())}
    assert COMMANDS | {"", "data", "wann"} <= set(paths)
    for name, (parser, options) in paths.items():
        with pytest.raises(SystemExit) as info:
            main([*name.split(), "--help"])
        assert info.value.code == 0, name
        out = capsys.readouterr().out
        assert out.startswith(f"usage: scratchnn {name}".rstrip() + " "), name
        assert out == parser.format_help(), name
        assert all(o in out for o in options), name
        assert name in COMMANDS or "COMMAND" in out or "ACTION" in out, name


def _leaves(parser: argparse.ArgumentParser):
    """``(path, parser)`` of every command that runs (no sub-commands below it)."""
    for path, sub, _ in _commands(parser):
        if not any(isinstance(a, argparse._SubParsersAction) for a in sub._actions):
            yield path, sub


def test_every_command_declares_its_runner_beside_its_parser():
    """Each command's parser sits in the module that holds the function that runs it
    (scratchnn.cli's layout: ``add_parser`` + ``run``), and the command's --help works from a
    fresh interpreter too (``python -m scratchnn.cli``)."""
    import inspect
    import os
    import subprocess
    import sys

    from scratchnn.cli.common import Command

    leaves = dict(_leaves(build_parser()))
    assert {" ".join(path) for path in leaves} >= COMMANDS
    for path, parser in leaves.items():
        run, how = parser.get_default("func"), parser.get_default("cli_command")
        assert callable(run) and isinstance(how, Command), path
        module = sys.modules[run.__module__]
        assert module.__name__.startswith("scratchnn.cli."), path
        assert f'"{path[-1]}"' in inspect.getsource(module.add_parser), path
    done = subprocess.run(
        [sys.executable, "-m", "scratchnn.cli", "wann", "eval", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: scratchnn wann eval [-h]")
    assert "--task TASK" in done.stdout and "--markdown MARKDOWN" in done.stdout


def test_no_module_of_the_command_line_is_long():
    from pathlib import Path

    import scratchnn.cli

    root = Path(scratchnn.cli.__file__).parent
    lengths = {p.relative_to(root): len(p.read_text().splitlines()) for p in root.rglob("*.py")}
    assert len(lengths) >= 10 and max(lengths.values()) <= 350, lengths


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "learning_rate=-0.1"], "Train.learning_rate must be > 0"),
        (["--set", "reg=-1"], "Train.reg must be >= 0"),
        (["--set", "batch_size=0"], "Train.batch_size must be >= 1"),
        (["--set", "epochs=0"], "Train.epochs must be >= 1"),
        (["--set", "hidden_size=0"], "Model.hidden_size must be >= 1"),
        (["--set", "Train.bogus=1"], "unknown key Train.bogus"),
        (["--set", "batch_size=abc"], "Train.batch_size must be an integer"),
    ],
)
def test_bad_input_is_one_error_line_before_any_work(args, message, capsys, tmp_path, monkeypatch):
    import scratchnn.data.mnist as mn

    monkeypatch.setattr(mn, "load_mnist", lambda *a, **k: pytest.fail("data loaded"))
    code = main(
        ["train", "--config", "configs/config_exp.yaml", "--out", str(tmp_path / "r"), *args]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]
    assert not (tmp_path / "r").exists()


def test_missing_config_file(capsys, tmp_path):
    assert main(["train", "--config", str(tmp_path / "nope.yaml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_data_info_without_data_says_so(capsys, tmp_path):
    assert main(["data", "info", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cache") and "missing" in err


@pytest.mark.mnist
def test_train_writes_the_run_directory(mnist, tmp_path, capsys, monkeypatch):
    import scratchnn.runs as runs

    monkeypatch.setattr(runs, "_NOTED", set())  # notes are shown once per process
    out = tmp_path / "run"
    code = main(
        [
            "train",
            "--config",
            "configs/config_exp.yaml",
            "--set",
            "epochs=2",
            "--set",
            "debug=false",
            "--out",
            str(out),
            "--no-progress",
            "--seed",
            "3",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    printed = captured.out.strip().splitlines()
    assert "note: Train.momentum = 0.9 is not used" in captured.err
    metrics = json.loads((out / "metrics.json").read_text())
    for key in (
        "train_acc",
        "val_acc_last",
        "val_acc_best",
        "best_epoch",
        "test_acc",
        "seconds",
        "status",
    ):
        assert key in metrics
    assert metrics["status"] == "ok"
    assert metrics["path"] == "fused"  # the assignment's setup takes the fused step
    assert (
        printed[-1].startswith("status=ok") and f"test_acc={metrics['test_acc']:.4f}" in printed[-1]
    )
    with open(out / "history.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert set(rows[0]) == {
        "epoch",
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
        "seconds",
        "train_seconds",
    }
    params = load_params(out / "model.npz")  # plain arrays, no pickle
    assert sorted(params) == ["W1", "W2", "b1", "b2"] and params["W1"].shape == (784, 128)
    assert (out / "loss.png").stat().st_size > 1000 and (out / "accuracy.png").exists()
    assert "seed: 3" in (out / "config.yaml").read_text()


@pytest.mark.mnist
def test_diverging_run_saves_history_and_says_where(mnist, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "train",
            "--config",
            "configs/config_exp.yaml",
            "--set",
            "learning_rate=1e300",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    captured = capsys.readouterr()
    assert code == 3
    assert "diverged: loss became" in captured.err and "at epoch 1, batch" in captured.err
    assert json.loads((out / "metrics.json").read_text())["status"] == "diverged"
    assert (out / "history.csv").exists()


def test_a_data_dir_that_does_not_exist_is_refused_before_any_work(tmp_path, capsys):
    from scratchnn.cli import main

    missing = tmp_path / "no" / "such" / "dir"
    args = ["train", "--config", "configs/config_exp.yaml", "--data-dir", str(missing)]
    assert main(args) == 2
    assert "is not a folder; fetch MNIST there first" in capsys.readouterr().err
    assert not missing.exists()
    assert main(["wann", "eval", "x.json", "--task", "mnist256", "--data-dir", str(missing)]) == 2
    assert not missing.exists()


def test_python_dash_m_scratchnn_runs_the_command_line():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "scratchnn", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: scratchnn")
