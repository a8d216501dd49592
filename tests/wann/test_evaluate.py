"""``wann eval``: the paper's protocol."""

import json

import numpy as np
import pytest

from scratchnn.errors import ScratchnnError
from scratchnn.wann.networks.genome import (
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


def test_eval_mnist256_random_shared_weight_is_the_papers_random_condition():
    """The paper's "random weight" row (82.0 % +- 18.7 %): test accuracy at shared weights drawn
    from U(-2, 2) with the evaluation's seed (after the tuning sample), mean +- std over the
    draws; ``--episodes`` sets how many."""
    from scratchnn.wann.evaluate import evaluate, evaluate_mnist, paper_table, report_lines
    from scratchnn.wann.tasks import Mnist256Task

    task = Mnist256Task()
    data = fake_mnist256(n_train=10_000, n_test=300)
    task.__dict__["data"] = data
    g = random_nets(256, 10, 1, seed=3, max_mutations=20)[0]
    r = evaluate_mnist(task, g, seed=5, draws=7)
    rng = np.random.default_rng(5)
    rng.choice(len(data.X_train), size=10_000, replace=False)  # the tuning images come first
    ws = rng.uniform(-2, 2, size=7)
    e = express(g)
    accs = [(forward(e, data.X_test, w).argmax(1) == data.y_test).mean() for w in ws]
    assert r["random_shared"] == {
        "mean": pytest.approx(np.mean(accs)), "std": pytest.approx(np.std(accs)), "n": 7
    }  # fmt: skip
    assert np.std(accs) > 0  # the draws differ, so the rows are not the six weights' again
    assert evaluate(task, g, episodes=3, seed=5)["random_shared"]["n"] == 3
    assert report_lines(r, 0)[0].startswith("random shared weight U(-2,2), 7 draws: ")
    assert "| random shared weight U(-2,2), 7 draws | " in paper_table("mnist256", r)
    with pytest.raises(ScratchnnError, match="must be >= 1, got 0"):
        evaluate_mnist(task, g, draws=0)


def test_one_evaluate_for_every_task_and_the_weight_sweep_figures(tmp_path):
    from scratchnn.wann.evaluate import (
        SWEEP_GRID,
        TUNE_GRID,
        evaluate,
        plot_weight_sweep,
        report_lines,
    )
    from scratchnn.wann.tasks import BooleanTask, Mnist256Task, SwingUpTask

    g = random_nets(5, 1, 1, seed=11, max_mutations=15)[0]
    r = evaluate(SwingUpTask(), g, episodes=4, seed=1)
    assert len(r["weight_sweep"]["mean"]) == len(SWEEP_GRID) == 100
    assert SWEEP_GRID.min() == -2.5 and SWEEP_GRID.max() == 2.5 and set(TUNE_GRID) < set(SWEEP_GRID)
    in_tune = np.isin(SWEEP_GRID, TUNE_GRID)
    best = SWEEP_GRID[in_tune][int(np.argmax(np.array(r["weight_sweep"]["mean"])[in_tune]))]
    assert r["tuned_weight"] == best  # the tuned weight is the sweep's best within -2..2
    assert any("tuned shared weight" in line for line in report_lines(r, 4))
    plot_weight_sweep(r, tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 1000
    task = Mnist256Task()
    task.__dict__["data"] = data = fake_mnist256(n_train=10_000, n_test=300)
    m = evaluate(task, random_nets(256, 10, 1, seed=3, max_mutations=20)[0])
    acc = np.array(m["digit_accuracy"]["accuracy"])
    assert acc.shape == (len(SWEEP_GRID), len(np.unique(data.y_test)))
    i = int(np.flatnonzero(SWEEP_GRID == 1.0)[0])  # a grid weight that is also a search weight
    counts = np.bincount(data.y_test)
    assert np.dot(acc[i], counts) / counts.sum() == pytest.approx(m["per_weight"]["1"])
    assert report_lines(m, 0)[-1].startswith("tuned shared weight w = ")
    assert m["trained_accuracy"] is None
    plot_weight_sweep(m, tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 1000
    b = evaluate(BooleanTask("XOR"), random_nets(2, 1, 1, seed=1)[0], episodes=3)
    assert len(b["rows"]) == 9


def test_eval_refuses_a_champion_with_more_inputs_than_the_task(tmp_path, capsys):
    from scratchnn.cli import main
    from scratchnn.wann.networks.formats import save_reference_csv

    big = random_nets(24, 4, 1, seed=5, max_mutations=30)[0]  # a biped-shaped network
    path = tmp_path / "biped.csv"
    save_reference_csv(big, path)
    assert main(["wann", "eval", str(path), "--task", "swingup"]) == 2
    err = capsys.readouterr().err
    assert "more inputs than the task's 5" in err and "24-input network" in err
    small = random_nets(5, 2, 1, seed=6, max_mutations=30)[0]  # two outputs, read as one
    save_reference_csv(small, path)
    assert main(["wann", "eval", str(path), "--task", "swingup"]) == 2
    assert "more outputs than the task's 1" in capsys.readouterr().err


def test_the_fourth_row_scores_the_individual_weights(tmp_path):
    """A hand-made swingup network whose weights are known: the 'tuned individual weights' row
    equals the shared-weight row where the individual weights all equal that weight, and a
    network that pushes with force +w*x_dot (all weights but one zero) scores what its weights
    give."""
    from scratchnn.wann.evaluate import evaluate
    from scratchnn.wann.networks.formats import edge_pairs
    from scratchnn.wann.tasks import SwingUpTask

    g = random_nets(5, 1, 1, seed=4, max_mutations=10)[0]
    E = len(edge_pairs(g))
    r = evaluate(SwingUpTask(), g, episodes=5, seed=2, weights=np.full(E, -1.0))
    rows = {row["condition"]: row for row in r["rows"]}
    assert rows["tuned individual weights"]["mean"] == rows["w = -1"]["mean"]
    assert rows["tuned individual weights"]["n"] == 5
    r2 = evaluate(SwingUpTask(), g, episodes=5, seed=2, weights=np.zeros(E))
    last = r2["rows"][-1]
    assert last["condition"] == "tuned individual weights"
    assert last["mean"] != rows["w = -1"]["mean"]


def test_the_paper_table_puts_ours_beside_the_papers():
    from scratchnn.wann.evaluate import paper_table

    control = {
        "rows": [
            {"condition": "random weights U(-2,2)", "mean": 12.3, "std": 4.0, "n": 5},
            {"condition": "random shared weight U(-2,2)", "mean": 400.0, "std": 9.0, "n": 5},
            {"condition": "tuned shared weight (w = -1)", "mean": 600.4, "std": 3.0, "n": 5},
        ],
        "tuned_weight": -1.0,
    }
    md = paper_table("swingup", control)
    assert "| tuned shared weight (w = -1) | 600 ± 3 | 723 ± 16 | 8 ± 1 |" in md
    assert "| tuned individual weights | not measured | 932 ± 6 | 918 ± 7 |" in md
    mnist = {"mean": 0.8, "std": 0.05, "ensemble": 0.85, "tuned_weight": 1.5,
             "tuned_accuracy": 0.86, "trained_accuracy": 0.9}  # fmt: skip
    md = paper_table("mnist256", mnist)
    assert "| tuned individual weights | 90.0 % | 94.2 % |" in md
    assert "| mean ± std over the six weights | 80.0 ± 5.0 % |  |" in md
    assert "| random shared weight U(-2,2) | not measured | 82.0 ± 18.7 % |" in md  # older JSON
    mnist["random_shared"] = {"mean": 0.75, "std": 0.2, "n": 100}
    md = paper_table("mnist256", mnist)
    assert "| random shared weight U(-2,2), 100 draws | 75.0 ± 20.0 % | 82.0 ± 18.7 % |" in md


def test_readers_find_conditions_by_key_so_a_renamed_label_changes_nothing(monkeypatch, tmp_path):
    """evaluate's rows carry a condition key beside their label; compare, the run records and
    the paper table read keys, so renaming a label leaves every column full. Rows written
    before keys were recorded are still recognised (by their label, in row_key alone)."""
    from scratchnn.results.records import Record
    from scratchnn.wann import evaluate as ev
    from scratchnn.wann.compare import _eval_numbers
    from scratchnn.wann.tasks import BooleanTask

    g = initial_genome(2, 1, 0.0, np.random.default_rng(0))
    for c in g.conns:
        c.enabled = c.src == 0
    task = BooleanTask("TRUE")
    before = ev.evaluate(task, g, episodes=4)
    renamed = {k: f"condition {i}" for i, k in enumerate(ev.CONDITIONS)}
    monkeypatch.setattr(ev, "CONDITIONS", renamed)
    after = ev.evaluate(task, g, episodes=4)
    assert [r["condition"] for r in after["rows"]][:2] == ["condition 0", "condition 1"]
    legacy = {
        **before,
        "rows": [{k: v for k, v in r.items() if k != "key"} for r in before["rows"]],
    }
    numbers = [_eval_numbers(e, tmp_path) for e in (before, after, legacy)]
    assert numbers[0] == numbers[1] == numbers[2] and None not in numbers[0][:2]
    for result in (after, legacy):
        record = Record("r", {"metrics": {"eval": result}})
        for which in ("random_weights", "random_shared", "tuned_shared"):
            assert record.condition(which) == Record("r", {"metrics": {"eval": before}}).condition(
                which
            )
        assert "not measured" not in ev.paper_table("xor", result).split("individual")[0]
