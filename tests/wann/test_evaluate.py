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
    assert [r.row(f"w={w:g}").mean for w in WEIGHTS] == pytest.approx(accs)
    mean = r.row("shared_mean")
    assert mean.mean == pytest.approx(np.mean(accs)) and mean.std == pytest.approx(np.std(accs))
    assert 0 <= r.row("ensemble").mean <= 1 and 0 <= r.row("tuned_shared").mean <= 1


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
    assert r.to_dict()["random_shared"] == {
        "mean": pytest.approx(np.mean(accs)), "std": pytest.approx(np.std(accs)), "n": 7
    }  # fmt: skip
    assert np.std(accs) > 0  # the draws differ, so the rows are not the six weights' again
    assert evaluate(task, g, episodes=3, seed=5).row("random_shared").n == 3
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
    assert r.kind == "episodes" and len(r.sweep.mean) == len(SWEEP_GRID) == 100
    assert SWEEP_GRID.min() == -2.5 and SWEEP_GRID.max() == 2.5 and set(TUNE_GRID) < set(SWEEP_GRID)
    in_tune = np.isin(SWEEP_GRID, TUNE_GRID)
    best = SWEEP_GRID[in_tune][int(np.argmax(np.array(r.sweep.mean)[in_tune]))]
    assert r.tuned_weight == best  # the tuned weight is the sweep's best within -2..2
    assert any("tuned shared weight" in line for line in report_lines(r, 4))
    plot_weight_sweep(r, tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 1000
    task = Mnist256Task()
    task.__dict__["data"] = data = fake_mnist256(n_train=10_000, n_test=300)
    m = evaluate(task, random_nets(256, 10, 1, seed=3, max_mutations=20)[0])
    acc = np.array(m.digit_accuracy.accuracy)
    assert m.kind == "classification" and m.sweep is None
    assert acc.shape == (len(SWEEP_GRID), len(np.unique(data.y_test)))
    i = int(np.flatnonzero(SWEEP_GRID == 1.0)[0])  # a grid weight that is also a search weight
    counts = np.bincount(data.y_test)
    assert np.dot(acc[i], counts) / counts.sum() == pytest.approx(m.row("w=1").mean)
    assert report_lines(m, 0)[-1].startswith("tuned shared weight w = ")
    assert "trained" not in m.by_key and m.to_dict()["trained_accuracy"] is None
    plot_weight_sweep(m, tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 1000
    b = evaluate(BooleanTask("XOR"), random_nets(2, 1, 1, seed=1)[0], episodes=3)
    assert len(b.rows) == 9


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
    assert r.row("trained").mean == r.row("w=-1").mean
    assert r.row("trained").n == 5
    r2 = evaluate(SwingUpTask(), g, episodes=5, seed=2, weights=np.zeros(E))
    last = r2.rows[-1]
    assert (last.key, last.condition) == ("trained", "tuned individual weights")
    assert last.mean != r.row("w=-1").mean


def test_the_paper_table_puts_ours_beside_the_papers():
    from scratchnn.wann.evaluate import Evaluation, paper_table

    control = {
        "rows": [
            {"condition": "random weights U(-2,2)", "mean": 12.3, "std": 4.0, "n": 5},
            {"condition": "random shared weight U(-2,2)", "mean": 400.0, "std": 9.0, "n": 5},
            {"condition": "tuned shared weight (w = -1)", "mean": 600.4, "std": 3.0, "n": 5},
        ],
        "tuned_weight": -1.0,
    }
    md = paper_table("swingup", Evaluation.from_dict(control))
    assert "| tuned shared weight (w = -1) | 600 ± 3 | 723 ± 16 | 8 ± 1 |" in md
    assert "| tuned individual weights | not measured | 932 ± 6 | 918 ± 7 |" in md
    mnist = {"per_weight": {"-2": 0.75, "2": 0.85}, "mean": 0.8, "std": 0.05, "ensemble": 0.85,
             "tuned_weight": 1.5, "tuned_accuracy": 0.86, "trained_accuracy": 0.9}  # fmt: skip
    md = paper_table("mnist256", Evaluation.from_dict(mnist))
    assert "| tuned individual weights | 90.0 % | 94.2 % |" in md
    assert "| mean ± std over the 2 weights | 80.0 ± 5.0 % |  |" in md  # the search's own count
    assert "| random shared weight U(-2,2) | not measured | 82.0 ± 18.7 % |" in md  # older JSON
    mnist["random_shared"] = {"mean": 0.75, "std": 0.2, "n": 100}
    md = paper_table("mnist256", Evaluation.from_dict(mnist))
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
    assert [r.condition for r in after.rows][:2] == ["condition 0", "condition 1"]
    legacy = {
        **before.to_dict(),
        "rows": [{k: v for k, v in r.items() if k != "key"} for r in before.to_dict()["rows"]],
    }
    assert ev.Evaluation.from_dict(legacy).by_key.keys() == before.by_key.keys()
    numbers = [_eval_numbers(e.to_dict(), tmp_path) for e in (before, after)]
    numbers.append(_eval_numbers(legacy, tmp_path))
    assert numbers[0] == numbers[1] == numbers[2] and None not in numbers[0][:2]
    want = Record("r", {"metrics": {"eval": before.to_dict()}})
    for result in (after.to_dict(), legacy):
        record = Record("r", {"metrics": {"eval": result}})
        for which in ("random_weights", "random_shared", "tuned_shared"):
            assert record.condition(which) == want.condition(which)
        table = ev.paper_table("xor", ev.Evaluation.from_dict(result))
        assert "not measured" not in table.split("individual")[0]


def _stored_evaluations() -> list[tuple[str, dict]]:
    """Every evaluation JSON in the tree: the zoo's and results/'s ``eval*.json`` files and the
    ``metrics.eval`` of the run records (written by every version so far)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    paths = [*root.glob("results/**/*.json"), *root.glob("src/scratchnn/zoo/*/*.json")]
    for path in sorted(paths):
        if not (path.name.startswith("eval") or path.name.endswith("eval.json")) and (
            path.name != "run.json"
        ):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.name == "run.json":
            data = (data.get("metrics") or {}).get("eval")
        if isinstance(data, dict) and ("rows" in data or "per_weight" in data):
            found.append((str(path.relative_to(root)), data))
    return found


def test_stored_evaluations_round_trip_key_for_key():
    """``Evaluation.from_dict`` reads both JSON shapes of every version (rows without keys, no
    sweeps, mnist256 files without ``random_shared``), and ``to_dict`` gives them back exactly,
    in the same key order (what ``wann eval --json`` writes is unchanged)."""
    from scratchnn.wann.evaluate import CONDITIONS, Evaluation

    stored = _stored_evaluations()
    kinds = {Evaluation.from_dict(d).kind for _, d in stored}
    assert len(stored) > 100 and kinds == {"episodes", "classification"}
    for where, data in stored:
        ev = Evaluation.from_dict(data)
        assert ev.to_dict() == data, where
        assert json.dumps(ev.to_dict()) == json.dumps(data), where  # the order too
        assert {"tuned_shared", "w=1"} <= set(ev.by_key), where
        if ev.kind == "classification":
            assert ev.row("tuned_shared").mean == data["tuned_accuracy"]
        else:
            assert set(CONDITIONS) - {"trained"} <= set(ev.by_key), where


def test_a_fresh_evaluation_round_trips_and_keys_its_classification_rows():
    from scratchnn.wann.evaluate import Evaluation, evaluate
    from scratchnn.wann.networks.formats import edge_pairs
    from scratchnn.wann.tasks import BooleanTask, Mnist256Task

    task = Mnist256Task()
    task.__dict__["data"] = fake_mnist256(n_train=10_000, n_test=300)
    g = random_nets(256, 10, 1, seed=3, max_mutations=20)[0]
    m = evaluate(task, g, episodes=3, weights=np.ones(len(edge_pairs(g))))
    assert [r.key for r in m.rows] == [
        "random_shared", *(f"w={w:g}" for w in WEIGHTS), "shared_mean", "ensemble",
        "tuned_shared", "trained",
    ]  # fmt: skip
    assert m.row("random_shared").condition == "random shared weight U(-2,2), 3 draws"
    assert m.row("random_shared").n == 3 and m.row("shared_mean").n == len(WEIGHTS)
    assert m.row("tuned_shared").condition == f"tuned shared weight (w = {m.tuned_weight:g})"
    d = m.to_dict()
    assert d["tuned_accuracy"] == m.row("tuned_shared").mean and d["per_weight"]["1"] == (
        m.row("w=1").mean
    )
    assert list(d) == [
        "random_shared", "per_weight", "mean", "std", "ensemble", "tuned_weight",
        "tuned_accuracy", "digit_accuracy", "trained_accuracy",
    ]  # fmt: skip
    assert Evaluation.from_dict(d) == m
    assert "digit_accuracy" not in m.to_dict(sweeps=False)
    b = evaluate(BooleanTask("XOR"), random_nets(2, 1, 1, seed=1)[0], episodes=3)
    assert Evaluation.from_dict(b.to_dict()) == b and b.to_dict()["rows"][0]["key"]
    assert list(b.to_dict()) == ["rows", "tuned_weight", "tune_episodes", "weight_sweep"]


def test_a_missing_condition_or_a_foreign_json_is_a_clear_error():
    from scratchnn.errors import DataError
    from scratchnn.wann.evaluate import Evaluation, evaluate
    from scratchnn.wann.tasks import BooleanTask

    b = evaluate(BooleanTask("XOR"), random_nets(2, 1, 1, seed=1)[0], episodes=3)
    with pytest.raises(ScratchnnError, match=r"no row 'trained' \(it has: random_weights, "):
        b.row("trained")
    assert b.by_key.get("trained") is None
    for junk in ({"weights": [1, 2]}, {"rows": [{"mean": 1}]}, [1], {"per_weight": {}}):
        with pytest.raises(DataError, match="not a wann eval result"):
            Evaluation.from_dict(junk)
    row = {"condition": "w = 1", "mean": 1.0, "std": 0.0, "n": 3}
    for junk, why in (
        ({"rows": [row], "tuned_weight": "1"}, "tuned_weight must be a number, got '1'"),
        ({"rows": [{**row, "mean": "9"}], "tuned_weight": 1}, "mean and std must be numbers"),
        ({"rows": [{**row, "n": True}], "tuned_weight": 1}, "n must be a whole number >= 0"),
        ({"rows": [{**row, "condition": 5}], "tuned_weight": 1}, "condition must be text"),
        ({"rows": [row, row], "tuned_weight": 1}, r"same condition key: \['w=1', 'w=1'\]$"),
        (
            {"rows": [row], "tuned_weight": 1, "weight_sweep": {"weights": [1], "mean": [None]}},
            "must hold numbers only",
        ),
        (
            {"rows": [row], "tuned_weight": 1, "weight_sweep": {"weights": [1, 2], "mean": [1]}},
            "as many means as weights",
        ),
        ({"rows": [row], "tuned_weight": 1, "reward": 5}, "reward must be text"),
        ({"rows": [row], "tuned_weight": 1, "tune_episodes": -3}, "whole number >= 0"),
        ({"rows": "ab", "tuned_weight": 1}, r"a field of the wrong kind \(TypeError"),
        (
            {
                "per_weight": {"1": 0.5},
                "mean": 1,
                "std": 0,
                "ensemble": 1,
                "tuned_weight": 10**400,
                "tuned_accuracy": 1,
            },
            r"a field of the wrong kind \(OverflowError",
        ),
    ):
        with pytest.raises(DataError, match=why):
            Evaluation.from_dict(junk)
