"""The lean install (slow; ``make test-install``, which CI runs): ``pip install scratchnn``
into a fresh virtual environment, its core dependencies from the package index and no extra,
trains a model, runs ``scratchnn theory`` and ``scratchnn results``, and a command whose extra
is missing says in one line how to install it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# the assignment's network (sigmoid, plain SGD, uint8 "pixels") on a small synthetic problem
# (two blobs), through scratchnn.fit on the fused path (Numba, SciPy)
FIT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from scratchnn import SGD, TwoLayerNet, fit
    from scratchnn.data import Split, Splits

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    X = np.clip(rng.normal(100.0, 30.0, (600, 16)) + 60.0 * y[:, None], 0, 255).astype(np.uint8)
    data = Splits(train=Split(X[:400], y[:400]), val=Split(X[400:500], y[400:500]),
                  test=Split(X[500:], y[500:]))
    model = TwoLayerNet(input_size=16, hidden_size=16, num_classes=2)
    result = fit(model, data, SGD(learning_rate=2.0, reg=1e-4), epochs=20, batch_size=32,
                 path="fused")
    print(result.path, result.metrics()["test_acc"])
    print(sorted(m for m in ("optuna", "gymnasium", "cma", "sklearn") if m in sys.modules))
    """
)


def _run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=900)


@pytest.mark.slow
def test_the_bare_package_trains_and_names_a_missing_extra(tmp_path):
    # not this checkout's src: through PYTHONPATH, pip would find scratchnn "already installed"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    bin_ = venv / "bin"
    pip = _run(
        [str(bin_ / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         str(ROOT)],
        env, tmp_path,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr[-3000:]
    listed = _run([str(bin_ / "python"), "-m", "pip", "list"], env, tmp_path).stdout.lower()
    for extra_only in ("optuna", "gymnasium", "cma ", "scikit-learn", "ray ", "mlflow"):
        assert f"\n{extra_only}" not in listed, f"the core installs {extra_only.strip()}"

    work = tmp_path / "work"
    work.mkdir()
    fit = _run([str(bin_ / "python"), "-c", FIT], env, work)
    assert fit.returncode == 0, fit.stderr[-3000:]
    path_line, modules_line = fit.stdout.strip().splitlines()[-2:]
    path, acc = path_line.split()
    assert path == "fused" and float(acc) > 0.9, fit.stdout
    assert modules_line == "[]", modules_line  # fit imports no extra

    theory = _run([str(bin_ / "scratchnn"), "theory"], env, work)
    assert theory.returncode == 0, theory.stderr[-3000:]
    assert ", 0 failed" in theory.stdout

    # the run records of this repository, read by the bare package: a table, one row per run
    table = _run([str(bin_ / "scratchnn"), "results", str(ROOT / "results")], env, work)
    assert table.returncode == 0, table.stderr[-3000:]
    assert "| `mlp-writeup` | reproduce | 0, 1, 2 |" in table.stdout, table.stdout[:3000]

    version = _run([str(bin_ / "scratchnn"), "--version"], env, work)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("scratchnn ") and "(extras: none; missing: tune" in (
        version.stdout
    ), version.stdout

    tune = _run(
        [str(bin_ / "scratchnn"), "tune", "--space", "tune_128", "--out", "study"], env, work
    )
    assert tune.returncode == 2 and not tune.stdout, (tune.stdout, tune.stderr)
    assert tune.stderr.splitlines() == [
        "error: scratchnn tune needs optuna: pip install 'scratchnn[tune]'"
    ], tune.stderr
    gym = _run(
        [str(bin_ / "scratchnn"), "wann", "search", "--task", "gym:CartPole-v1", "--out", "g"],
        env, work,
    )  # fmt: skip
    assert gym.returncode == 2, gym.stderr
    assert gym.stderr.strip().endswith("needs gymnasium: pip install 'scratchnn[gym]'"), gym.stderr
    assert len(gym.stderr.strip().splitlines()) == 1, gym.stderr
