"""The package's public surface: what ``import scratchnn`` exports and what it does not load."""

import subprocess
import sys

import pytest

import scratchnn

HEAVY = ("numba", "scipy", "matplotlib", "optuna", "tqdm", "gymnasium", "sklearn")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return {name.split(".")[0] for name in out}


def test_import_scratchnn_does_not_load_heavy_modules():
    assert _loaded_after("import scratchnn").isdisjoint({"numpy", *HEAVY})
    # the whole public API: the library needs NumPy, nothing heavier
    loaded = _loaded_after(f"from scratchnn import {', '.join(scratchnn.__all__)}")
    assert "numpy" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_cli_help_does_not_load_numpy_or_heavy_modules():
    loaded = _loaded_after(
        "from scratchnn.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert loaded.isdisjoint({"numpy", *HEAVY}), sorted(loaded & {"numpy", *HEAVY})


def test_public_names():
    for name in ("fit", "predict", "evaluate", "SGD", "Adam", "Schedule", "TwoLayerNet"):
        assert name in scratchnn.__all__ and hasattr(scratchnn, name), name
    assert sorted(scratchnn.__all__) == sorted(set(scratchnn.__all__))
    assert set(scratchnn.__all__) <= set(dir(scratchnn))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        scratchnn.nope  # noqa: B018
