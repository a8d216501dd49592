"""The installable package: what pyproject.toml declares, and (slow) the wheel that
``python -m build`` makes: its package data, its metadata, no setuptools warnings."""

from __future__ import annotations

import subprocess
import sys
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


def test_extras_declare_what_the_tests_and_the_estimators_use():
    extras = _pyproject()["project"]["optional-dependencies"]
    assert any(d.startswith("scikit-learn") for d in extras["sklearn"])
    assert any(d.startswith("scikit-learn") for d in extras["dev"])


@pytest.mark.slow
def test_build_makes_a_wheel_with_the_package_data_and_no_warnings(tmp_path):
    """``python -m build --wheel`` (needs the ``build`` package and PyPI for its isolated
    environment): the configs, presets and license are inside; setuptools warns about nothing."""
    pytest.importorskip("build")
    out = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
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
    assert "scratchnn/wann/presets/swingup.yaml" in names
    assert "scratchnn/experiments/writeup.py" in names and "scratchnn/sklearn.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text and "Provides-Extra: sklearn" in text
