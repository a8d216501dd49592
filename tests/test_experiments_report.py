"""The report's pure pieces (scratchnn.experiments.report, commentary, writeup): the flag rule,
one-seed cells, Markdown escaping, commentary wording, provenance rows. No MNIST, no training."""

import math

import numpy as np

from scratchnn.experiments import commentary as com
from scratchnn.experiments import provenance, writeup
from scratchnn.experiments.report import md_cell, mean_std, provenance_rows
from scratchnn.experiments.sweep import Cell


def test_flag_rule_does_not_let_a_noisy_cell_hide_a_real_gap():
    # the reg 0.1 last-epoch cell: 0.067 from the writeup, 3 std = 0.075
    assert writeup.differs(-0.067, 0.025, writeup.NOISY_TOL)
    # small gaps stay unflagged, within the noise or the tolerance
    assert not writeup.differs(0.04, 0.02, writeup.TOL)
    assert not writeup.differs(0.009, 0.0, writeup.TOL)
    assert writeup.differs(0.011, 0.0, writeup.TOL)
    assert not writeup.differs(float("nan"), 0.0, writeup.TOL)  # a diverged cell: no flag
    assert "0.05" in writeup.FLAG_RULE and "3 std" in writeup.FLAG_RULE


def test_one_seed_has_no_plus_minus():
    assert mean_std(Cell([0.9856]).to_dict()) == "0.9856"
    assert str(Cell([0.9856])) == "0.9856"
    assert mean_std(Cell([0.5, 0.7]).to_dict()) == "0.6000 ± 0.1414"
    assert mean_std({"mean": None, "std": None, "values": []}) == "diverged"


def test_markdown_cells_escape_pipes():
    assert md_cell("max |J - J_fd| = 1e-11") == "max \\|J - J_fd\\| = 1e-11"
    row = "| " + " | ".join(md_cell(c) for c in ["a|b", "c"]) + " |"
    # unescaped pipes: the cell separators only
    assert len([i for i, ch in enumerate(row) if ch == "|" and row[i - 1] != "\\"]) == 3


def test_commentary_wording():
    assert com.falls_phrase(0.0, 0.0) == "never"
    assert com.falls_phrase(1.0, 0.0031) == "once, by 0.0031"
    assert com.falls_phrase(3.0, 0.012) == "3 times, by 0.0120 in total"
    assert com.falls_phrase(5 / 3, 0.0085) == "1.7 times on average, by 0.0085 in total"
    assert com.share_phrase(1.0) == "every one of the"
    # 99.996% is not rounded up to a misleading 100.00%
    assert com.share_phrase(0.99996) == "at least 99.99% of the"
    assert com.plural(1, "epoch") == "1 epoch" and com.plural(4, "epoch") == "4 epochs"


def _noisy_cell(curves, pub=0.3997, differs=True):
    last = [c[-1] for c in curves]
    return {
        "writeup": {"val_acc": pub},
        "val_acc_last": {"mean": float(np.mean(last)), "std": float(np.std(last))},
        "val_acc_per_seed": curves,
        "compare": {"val_acc_last": {"differs": differs}},
    }


def test_noisy_cell_commentary_counts_epochs_that_reach_the_writeup():
    curves = [[0.2, 0.3, 0.41, 0.32], [0.25, 0.35, 0.30, 0.33]]
    text = com.noisy_cell_commentary(_noisy_cell(curves), "reg 0.1")
    assert "0.3997" in text and "(flagged)" in text
    # second half: epochs 3 and 4 of both seeds; one of the four values reaches 0.3997
    assert "1 of 4 (seed, epoch) values reach 0.3997" in text
    assert "from 0.3000 to 0.4100" in text and "lucky epoch" in text
    never = com.noisy_cell_commentary(_noisy_cell([[0.2, 0.3, 0.31, 0.32]]), "reg 0.1")
    assert "0 of 2" in never and "do not explain it" in never
    assert com.noisy_cell_commentary({**_noisy_cell(curves), "writeup": {}}, "x") is None


def test_provenance_is_collected_and_rendered():
    p = provenance.collect([0, 1, 2])
    assert p["numpy"] == np.__version__ and p["cores"] >= 1 and p["cpu"]
    assert p["shuffle_seeds"] == [0, 1, 2]
    commit = p["git_commit"]
    assert commit is None or len(commit.removesuffix("+dirty")) == 40
    rows = dict(
        provenance_rows(
            {
                "provenance": p,
                "seconds_training_all_runs": 123.4,
                "seconds_total_this_invocation": 5.0,
            }
        )
    )
    assert rows["NumPy"] == np.__version__
    assert rows["total training time"].startswith("123 s of training")
    assert rows["seeds"].startswith("shuffle seeds (Train.seed) 0, 1, 2")
    # a results.json from before provenance was kept still renders
    old = dict(provenance_rows({}))
    assert old["date (UTC)"] == "not recorded" and old["total training time"] == "not recorded"


def test_git_commit_outside_a_checkout_is_none(tmp_path):
    assert provenance.git_commit(tmp_path) is None
    assert not math.isnan(provenance.usable_cores())
