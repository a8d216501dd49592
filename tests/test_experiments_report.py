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


def _cell(val_acc, train_loss, test, train=0.9, counts=None):
    """A one-seed sweep cell as ``results.json`` holds it, with made-up numbers."""
    return {
        "curves": {"val_acc": val_acc, "train_loss": train_loss},
        "val_acc_per_seed": [val_acc],
        "val_acc_last": {"mean": val_acc[-1], "std": 0.0},
        "test_acc": {"mean": test, "std": 0.0, "values": [test]},
        "train_acc": {"mean": train},
        "test_pred_counts": [counts or [10] * 10],
        "writeup": {},
    }


def test_commentary_describes_whatever_run_it_is_given():
    """Not the writeup's grid: two rates, three penalties, three epochs, one seed; every
    sentence carries these numbers."""
    results = {
        "lr_sweep": {
            "0.5": _cell([0.6, 0.55, 0.7], [1.0, 0.8, 0.6], 0.88),
            "0.02": _cell([0.3, 0.4, 0.45], [2.28, 2.25, 2.1], 0.71),
        },
        "reg_sweep": {
            "0.1": _cell([0.1, 0.12, 0.1], [2.3, 2.3, 2.3], 0.1, 0.11, [0] * 9 + [50]),
            "0.01": _cell([0.8, 0.81, 0.82], [0.9, 0.8, 0.7], 0.81),
            "0.002": _cell([0.82, 0.83, 0.84], [0.9, 0.7, 0.6], 0.83, 0.93),
        },
        "class_shares": {"test": [0.1] * 10},
        "tuned": {
            "curves": {"val_acc": [0.85, 0.9, 0.92]},
            "test_acc": {"mean": 0.91, "std": 0.0, "values": [0.91]},
            "train_acc": {"mean": 0.95},
            "val_acc_best": {"mean": 0.92},
        },
        "settings": {"tuned": {"batch_size": 16, "learning_rate": 0.2, "reg": 0.005}},
    }
    c = com.commentary(results)
    assert c["lr"][0] == (
        "After one epoch the mean validation accuracy is 0.6000 at lr 0.5, 0.3000 at lr 0.02: "
        "lr 0.5 learns fastest."
    )
    assert c["lr"][1] == "Test accuracy ranks the rates lr 0.5 (0.8800) > lr 0.02 (0.7100)."
    assert "falls once, by 0.0500 at lr 0.5; never at lr 0.02" in c["lr"][2]
    assert "At lr 0.02 the mean training loss stays above 2.2" in c["lr"][3]
    assert "for 2 of 3 epochs" in c["lr"][3]
    assert "+0.1500 (lr 0.5), +0.0500 (lr 0.02)" in c["lr"][4]
    assert c["reg"][0].startswith(
        "At reg 0.1 the network has collapsed to a single class: it predicts digit 9 for every "
        "one of the test images"
    )
    assert c["reg"][1] == (
        "Test accuracy as reg falls: 0.1000 (reg 0.1), 0.8100 (reg 0.01), 0.8300 (reg 0.002): "
        "it rises at every step."
    )
    assert c["reg"][2].startswith(
        "At reg 0.1 the training accuracy is 0.1100 (reg 0.002: 0.9300) and its mean "
        "validation accuracy swings between 0.1000 and 0.1200 over the last 2 epochs"
    )
    assert c["tuned"] == [
        "The tuned setting (batch 16, lr 0.2, reg 0.005, 3 epochs) reaches test 0.9100; its "
        "training accuracy exceeds its best validation accuracy by 0.0300."
    ]


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
