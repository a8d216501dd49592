"""The installable package: what pyproject.toml declares, and (slow) the wheel that
``python -m build`` makes: its package data, its metadata, no setuptools warnings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "scratchnn"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_license_is_an_spdx_string_with_its_file():
    project = _pyproject()["project"]
    assert project["license"] == "MIT"  # PEP 639: no deprecated license table
    assert all((ROOT / f).is_file() for f in project["license-files"])
    assert "setuptools>=77" in _pyproject()["build-system"]["requires"]


def test_every_data_file_in_the_package_is_declared_as_package_data():
    data = _pyproject()["tool"]["setuptools"]["package-data"]
    declared = set()
    for package, patterns in data.items():
        base = ROOT / "src" / Path(*package.split("."))
        for pattern in patterns:
            declared |= set(base.glob(pattern))
    shipped = {p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")}
    shipped = {p for p in shipped if "__pycache__" not in p.parts}
    assert shipped == declared, sorted(str(p.relative_to(PACKAGE)) for p in shipped ^ declared)


def test_configs_in_a_clone_are_the_shipped_ones():
    link = ROOT / "configs"
    assert link.is_symlink() and link.resolve() == (PACKAGE / "configs").resolve()


def _expanded(extra: str) -> set[str]:
    """The requirements of ``extra``, with those of the extras it names (``scratchnn[a,b]``)."""
    found: set[str] = set()
    for requirement in _pyproject()["project"]["optional-dependencies"][extra]:
        if requirement.startswith("scratchnn["):
            for inner in requirement[len("scratchnn[") : -1].split(","):
                found |= _expanded(inner.strip())
        else:
            found.add(requirement)
    return found


def _names(requirements) -> set[str]:
    return {re.match(r"[A-Za-z0-9._-]+", r).group(0).lower() for r in requirements}


def test_extras_declare_what_the_tests_and_the_estimators_use():
    extras = _pyproject()["project"]["optional-dependencies"]
    assert any(d.startswith("scikit-learn") for d in extras["sklearn"])
    # --mlflow (scratchnn.tracking): the client-only MLflow, also in dev for tests/test_tracking.py
    assert any(d.startswith("mlflow-skinny") for d in extras["mlflow"])
    # make test installs .[dev]: every feature extra and the docs with it (bench's PyTorch aside)
    dev = _names(_expanded("dev"))
    for extra in extras:
        if extra not in ("dev", "bench"):
            assert _names(_expanded(extra)) <= dev, extra
    assert _names(_expanded("all")) >= {"optuna", "gymnasium", "cma", "envpool", "ray"}


def test_the_core_is_numpy_and_the_fused_path():
    """``pip install scratchnn`` trains the assignment's network and nothing more: the tuner,
    the Gymnasium tasks and CMA-ES are extras."""
    core = _names(_pyproject()["project"]["dependencies"])
    assert {"numpy", "numba", "scipy", "threadpoolctl"} <= core
    assert core <= {"numpy", "numba", "scipy", "threadpoolctl", "pyyaml", "tqdm", "matplotlib"}


def test_the_version_is_declared_once():
    """The version is pyproject.toml's; the package reads it from the installed metadata."""
    assert "version" not in _pyproject()["project"].get("dynamic", [])
    assert not re.search(r"^__version__\s*=", (PACKAGE / "__init__.py").read_text(), re.M)


def _build(outdir: Path, *options: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run(
        [sys.executable, "-m", "build", *options, "--outdir", str(outdir), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        env=env,  # PYTHONDONTWRITEBYTECODE makes setuptools say "byte-compiling is disabled"
    )


@pytest.mark.slow
def test_build_makes_a_wheel_with_the_package_data_and_no_warnings(tmp_path):
    """``python -m build`` (needs the ``build`` package and PyPI for its isolated environment):
    an sdist and a wheel built from it; the configs, presets and license are inside; setuptools
    warns about nothing."""
    pytest.importorskip("build")
    out = _build(tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    log = out.stdout + out.stderr
    warnings = [
        line
        for line in log.splitlines()
        # e.g. "WARNING `project.license` as a TOML table is deprecated" (before PEP 639 form)
        if ("warning" in line.lower() or "deprecat" in line.lower())
        and "byte-compiling" not in line
    ]
    assert not warnings, warnings
    (wheel,) = tmp_path.glob("scratchnn-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("best", "best_128", "best_softmax", "config_exp", "tune_128"):
        assert f"scratchnn/configs/{name}.yaml" in names
    assert "scratchnn/wann/search/presets/swingup.yaml" in names
    assert "scratchnn/experiments/writeup.py" in names and "scratchnn/sklearn.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text and "Provides-Extra: sklearn" in text
    assert "Provides-Extra: mlflow" in text
    _check_zoo_in_wheel(wheel, names, tmp_path / "unpacked")
    (sdist,) = tmp_path.glob("scratchnn-*.tar.gz")
    with tarfile.open(sdist) as tar:
        members = {Path(*Path(n).parts[1:]).as_posix() for n in tar.getnames()}
    assert {"LICENSE", "pyproject.toml", "src/scratchnn/configs/best.yaml"} <= members


def _check_zoo_in_wheel(wheel: Path, names: set[str], unpacked: Path) -> None:
    """Every zoo file of this checkout is in the wheel, and ``load_champion`` works from the
    unpacked wheel alone (not this checkout's src/)."""
    zoo = PACKAGE / "zoo"
    for path in zoo.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert f"scratchnn/zoo/{path.relative_to(zoo).as_posix()}" in names, path
    assert "scratchnn/results/published.json" in names
    # the records' generic reader and table ship; this repository's publication does not
    assert {"scratchnn/results/records.py", "scratchnn/results/summary.py"} <= names
    publication = ("tables.py", "commands.py", "zoo_cards.py", "review.py", "speed.py")
    assert not {f"scratchnn/results/{name}" for name in publication} & names
    assert not [n for n in names if n.startswith(("publication/", "scripts/"))]
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = (
        "import scratchnn, scratchnn.wann as w; "
        "c = w.load_champion('swingup:trained'); t = w.load_champion('mnist256'); "
        "print(scratchnn.__file__, w.zoo_names(), c.eval['rows'][-1]['mean'], "
        "t.genome.n_enabled())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(unpacked)
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=unpacked
    )
    assert run.returncode == 0, run.stderr[-3000:]
    where, rest = run.stdout.split(" ", 1)
    assert Path(where).is_relative_to(unpacked), where
    assert "['cartpole', 'mnist256', 'swingup']" in rest


@pytest.mark.slow
@pytest.mark.mnist
def test_the_wheel_in_a_clean_venv_runs_reproduce_quick(mnist, tmp_path):
    """The wheel installed into a fresh virtual environment (its dependencies from the package
    index) runs ``scratchnn reproduce --quick`` from an empty folder: the tuned configs and the
    writeup's numbers come from the installed package, not from this checkout."""
    from scratchnn.data.sources import mnist_dir

    pytest.importorskip("build")
    assert _build(tmp_path / "dist", "--wheel").returncode == 0
    (wheel,) = (tmp_path / "dist").glob("scratchnn-*.whl")
    # not this checkout's src: through PYTHONPATH, pip would find it "already installed"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    pip = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    assert (venv / "bin" / "scratchnn").is_file(), pip.stdout[-3000:]
    work = tmp_path / "empty"
    work.mkdir()
    args = ["reproduce", "--quick", "--seeds", "1", "--beyond-seeds", "1", "--no-progress"]
    run = subprocess.run(
        [str(venv / "bin" / "scratchnn"), *args, "--data-dir", str(mnist_dir())],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "report:" in run.stdout
    report = (work / "reports" / "writeup" / "report.md").read_text()
    assert "0.3997" in report  # a writeup number, from the installed scratchnn.experiments.writeup
    assert (work / "reports" / "writeup" / "index.html").is_file()
    # a zoo champion by name, from the installed wheel, to its card's number
    out = work / "zoo-eval.json"
    run = subprocess.run(
        [str(venv / "bin" / "scratchnn"), "wann", "eval", "swingup:trained", "--task", "swingup",
         "--json", str(out)],
        cwd=work, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    rows = {r["condition"]: r["mean"] for r in json.loads(out.read_text())["rows"]}
    card = (PACKAGE / "zoo" / "swingup" / "trained-eval.json").read_text()
    want = {r["condition"]: r["mean"] for r in json.loads(card)["rows"]}
    assert rows["tuned individual weights"] == pytest.approx(want["tuned individual weights"])
