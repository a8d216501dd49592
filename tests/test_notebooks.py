"""The notebooks under notebooks/ run top to bottom (nbclient, a fresh kernel), with tiny budgets
(``SCRATCHNN_NOTEBOOK_TINY=1``) so that they cannot rot. The first two train on real MNIST."""

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SRC = Path(__file__).resolve().parents[1] / "src"


def _run(name: str, tmp_path: Path) -> "nbformat.NotebookNode":
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    env = {
        "SCRATCHNN_NOTEBOOK_TINY": "1",
        "MPLBACKEND": "Agg",
        # the kernel imports this checkout's scratchnn, as the tests do
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        nbclient.NotebookClient(
            nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def _text(nb) -> str:
    return "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )


def test_every_notebook_is_tested():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == [
        "01_two_layer_net_inside.ipynb",
        "02_reproduce_one_sweep.ipynb",
        "03_wann_xor.ipynb",
    ]


@pytest.mark.mnist
def test_two_layer_net_notebook(mnist, tmp_path):
    text = _text(_run("01_two_layer_net_inside.ipynb", tmp_path))
    assert "test accuracy" in text and "max |J - J_fd|" in text
    assert text.count("max relative error") == 4  # W1, b1, W2, b2


@pytest.mark.mnist
def test_reproduce_one_sweep_notebook(mnist, tmp_path):
    text = _text(_run("02_reproduce_one_sweep.ipynb", tmp_path))
    assert "writeup 0.9467" in text and "lr 0.01" in text


def test_wann_xor_notebook(tmp_path):
    text = _text(_run("03_wann_xor.ipynb", tmp_path))
    assert "generations in" in text and "best.json" in text
