"""scratchnn.wann.compare and ``wann compare``: search folders ranked on common draws."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from scratchnn.cli import main
from scratchnn.errors import ScratchnnError
from scratchnn.wann.compare import rank_searches, search_objective, spearman
from scratchnn.wann.networks.formats import load_genome
from scratchnn.wann.tasks import make_task

RESULTS = Path(__file__).resolve().parents[2] / "results"
SWINGUP = [RESULTS / f"wann-swingup-tourn2-seed{s}" for s in (4, 10, 29)]


def test_swingup_folders_ranked_by_a_common_objective():
    task = make_task("swingup")
    rows, rho = rank_searches(SWINGUP, task, reps=2)
    assert [r.objective for r in rows] == sorted((r.objective for r in rows), reverse=True)
    for r in rows:
        record = json.loads((Path(r.folder) / "run.json").read_text())
        assert r.connections == record["network"]["connections"]
        tuned = next(
            x for x in record["metrics"]["eval"]["rows"] if x["condition"].startswith("tuned")
        )
        assert r.tuned == tuned["mean"]
        g = load_genome(Path(r.folder) / "best.json", task.n_in, task.n_out)
        assert search_objective(task, g, reps=2) == r.objective  # the same draws every time
    assert rho == spearman([r.objective for r in rows], [r.tuned for r in rows])


def test_the_draws_are_common_and_seeded():
    task = make_task("swingup")
    g = load_genome(SWINGUP[0] / "best.json", task.n_in, task.n_out)
    assert search_objective(task, g, seed=1, reps=2) != search_objective(task, g, seed=2, reps=2)


@pytest.mark.parametrize("n", [3, 5, 12])
def test_spearman_is_scipys(n):
    rng = np.random.default_rng(n)
    a = rng.integers(0, 4, n).astype(float).tolist()  # ties
    b = rng.normal(size=n).tolist()
    if len(set(a)) == 1:
        a[0] += 1
    assert spearman(a, b) == pytest.approx(sps.spearmanr(a, b).statistic)


def test_spearman_undefined_cases():
    assert spearman([1.0, 2.0], [2.0, 1.0]) is None
    assert spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]) is None


def test_a_folder_without_its_files_is_one_clear_error(tmp_path, capsys):
    with pytest.raises(ScratchnnError, match=r"no best\.json"):
        rank_searches([tmp_path], make_task("swingup"))
    assert main(["wann", "compare", str(tmp_path), "--task", "swingup"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no best.json" in err[0]


def test_wann_compare_prints_and_writes_json(tmp_path, capsys):
    out = tmp_path / "rank.json"
    args = ["wann", "compare", *map(str, SWINGUP), "--task", "swingup", "--reps", "2"]
    assert main([*args, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Spearman correlation of objective and tuned score" in text
    data = json.loads(out.read_text())
    assert len(data["rows"]) == 3 and data["reps"] == 2


@pytest.mark.mnist
def test_mnist256_objective_is_minus_the_cross_entropy(mnist):
    folders = [RESULTS / "wann-mnist256-alias-seed0", RESULTS / "wann-mnist256-tourn2-seed1"]
    rows, rho = rank_searches(folders, make_task("mnist256"), reps=1)
    assert rho is None and all(-2.31 < r.objective < 0 for r in rows)
    for r in rows:
        ev = json.loads((Path(r.folder) / "eval.json").read_text())
        assert (r.tuned, r.ensemble) == (ev["tuned_accuracy"], ev["ensemble"])


def test_the_objective_is_taken_at_the_searchs_own_weights(tmp_path):
    """A search run at other shared weights than the paper's six is scored at its own."""
    import shutil

    from scratchnn.wann.search.config import SearchConfig
    from scratchnn.wann.search.run import search
    from scratchnn.wann.tasks import SwingUpTask

    task = SwingUpTask(steps=20)
    cfg = SearchConfig(pop=8, generations=1, weights=(0.75, 1.5))
    search(task, tmp_path / "s", cfg, log=None)
    shutil.copy(SWINGUP[0] / "eval.json", tmp_path / "s" / "eval.json")
    (row,), _ = rank_searches([tmp_path / "s"], task, reps=2)
    g = load_genome(tmp_path / "s" / "best.json", task.n_in, task.n_out)
    assert row.objective == search_objective(task, g, reps=2, weights=(0.75, 1.5))
    assert row.objective != search_objective(task, g, reps=2)
