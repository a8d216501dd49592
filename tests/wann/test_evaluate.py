"""``wann eval``: the paper's protocol."""

import json

import numpy as np
import pytest

from scratchnn.wann.genome import (
    express,
    forward,
    initial_genome,
)

from .helpers import WEIGHTS, fake_mnist256, random_nets


def test_eval_swingup_rows_and_cli(tmp_path, capsys):
    from scratchnn.cli import main
    from scratchnn.wann.evaluate import TUNE_GRID, evaluate_control
    from scratchnn.wann.tasks import SwingUpTask

    assert len(TUNE_GRID) == 80 and 0 not in TUNE_GRID and TUNE_GRID.min() == -2
    g = random_nets(5, 1, 1, seed=11, max_mutations=15)[0]
    rows, w_best = evaluate_control(SwingUpTask(), g, episodes=8, seed=1)
    names = [r.condition for r in rows]
    assert names[:2] == ["random weights U(-2,2)", "random shared weight U(-2,2)"]
    assert names[2:8] == [f"w = {w:g}" for w in WEIGHTS] and w_best in TUNE_GRID
    assert all(r.n == 8 and np.isfinite(r.mean) for r in rows)
    again, _ = evaluate_control(SwingUpTask(), g, episodes=8, seed=1)
    assert again == rows  # seeded
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"genome": g.to_dict()}))
    out = tmp_path / "eval.json"
    args = ["wann", "eval", str(path), "--task", "swingup", "--episodes", "8", "--seed", "1"]
    assert main([*args, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "random shared weight U(-2,2)" in text and "tuned shared weight" in text
    assert json.loads(out.read_text())["rows"][0]["mean"] == pytest.approx(rows[0].mean)
    assert main(["wann", "eval", str(path), "--task", "xor"]) == 2
    assert "the task needs 2 and 1" in capsys.readouterr().err


def test_eval_boolean_counts_right_answers():
    from scratchnn.wann.evaluate import evaluate_control
    from scratchnn.wann.tasks import BooleanTask

    g = initial_genome(2, 1, 0.0, np.random.default_rng(0))
    for c in g.conns:
        c.enabled = c.src == 0  # out = w * 1: TRUE for w > 0, FALSE for w < 0
    rows, _ = evaluate_control(BooleanTask("TRUE"), g, episodes=4)
    by = {r.condition: r.mean for r in rows}
    assert by["w = 2"] == 1.0 and by["w = -2"] == 0.0


def test_eval_mnist256_per_weight_mean_and_ensemble():
    from scratchnn.wann.evaluate import evaluate_mnist
    from scratchnn.wann.tasks import Mnist256Task

    task = Mnist256Task()
    data = fake_mnist256(n_train=10_000, n_test=300)
    task.__dict__["data"] = data
    g = random_nets(256, 10, 1, seed=3, max_mutations=20)[0]
    r = evaluate_mnist(task, g)
    e = express(g)
    accs = [(forward(e, data.X_test, w).argmax(1) == data.y_test).mean() for w in WEIGHTS]
    assert list(r["per_weight"].values()) == pytest.approx(accs)
    assert r["mean"] == pytest.approx(np.mean(accs)) and r["std"] == pytest.approx(np.std(accs))
    assert 0 <= r["ensemble"] <= 1 and 0 <= r["tuned_accuracy"] <= 1
