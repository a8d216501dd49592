"""Figures: drawn and saved without pyplot, so a notebook's backend is left as it was."""

import os
import subprocess
import sys


def test_plotting_keeps_the_callers_backend(tmp_path):
    code = (
        "import matplotlib, numpy as np\n"
        "from scratchnn.plots import plot_curves, plot_overview, plot_seed_curves\n"
        f"d = {str(tmp_path)!r}\n"
        "plot_curves([1, 2], [1.0, 0.5], [1.1, 0.7], 'loss', 't', d + '/a.png')\n"
        "c = {k: np.ones((2, 3)) for k in ('train_loss', 'val_loss', 'train_acc', 'val_acc')}\n"
        "plot_seed_curves(c, 't', d + '/b.png')\n"
        "plot_overview({'x': c}, 't', d + '/c.png')\n"
        "import sys\n"
        "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)\n"
    )
    env = {**os.environ, "MPLBACKEND": "svg"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    assert out == ["svg", "False"]
    for name in "abc":
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
