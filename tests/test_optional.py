"""Optional dependencies (scratchnn._optional): one line naming the extra when one is missing,
and ``scratchnn --version``. The bare install itself is tests/test_install.py (slow)."""

from __future__ import annotations

import sys

import pytest

from scratchnn import ScratchnnError
from scratchnn._optional import MissingExtraError, extras_status, require, version_line
from scratchnn.cli import main


def test_require_returns_the_module():
    import json

    assert require("json", "none", "this test") is json


def test_a_missing_module_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # import optuna -> ModuleNotFoundError
    with pytest.raises(MissingExtraError) as info:
        require("optuna", "tune", "scratchnn tune")
    assert str(info.value) == "scratchnn tune needs optuna: pip install 'scratchnn[tune]'"
    assert isinstance(info.value, ScratchnnError) and isinstance(info.value, ImportError)
    with pytest.raises(MissingExtraError, match=r"needs scikit-learn: pip install 'scratch"):
        require("sklearn_not_here.base", "sklearn", "scratchnn.sklearn", "scikit-learn")


def test_a_module_that_is_there_keeps_its_own_import_error(monkeypatch, tmp_path):
    """Installed, but one of its own imports is missing: that error, not a wrong hint."""
    package = tmp_path / "broken_extra"
    package.mkdir()
    (package / "__init__.py").write_text("import absent_dependency_of_broken_extra\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as info:
        require("broken_extra", "x", "this test")
    assert not isinstance(info.value, MissingExtraError)
    assert info.value.name == "absent_dependency_of_broken_extra"


def test_a_command_without_its_extra_prints_one_line_and_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "optuna", None)
    monkeypatch.chdir(tmp_path)
    code = main(["tune", "--space", "tune_128", "--out", "study"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.splitlines() == ["error: scratchnn tune needs optuna: pip install 'scratchnn[tune]'"]
    assert not (tmp_path / "study").exists()


def test_version_prints_the_version_and_the_extras(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    line = capsys.readouterr().out.strip()
    assert line == version_line()
    assert line.startswith(f"scratchnn {version('scratchnn')} (extras: ")
    assert "; missing: " in line and line.endswith(")")


def test_the_extras_listed_are_the_features():
    status = extras_status()
    assert status and not {"all", "dev", "docs", "notebooks", "bench"} & set(status)
    assert all(isinstance(ok, bool) for ok in status.values())


def test_version_attribute_is_the_installed_one():
    from importlib.metadata import version

    import scratchnn

    assert scratchnn.__version__ == version("scratchnn")
    assert "__version__" in dir(scratchnn)
