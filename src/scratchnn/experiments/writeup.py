"""The writeup's published numbers (one unseeded run per cell), labelled as the writeup's.

These are the only hard-coded results in scratchnn: they are what our runs are compared with,
never shown as ours. Source: ``../shared/reference/assignment.md``.
"""

from __future__ import annotations

# learning-rate sweep, other settings at the defaults (batch 64, reg 0.001, 10 epochs)
LR_VALUES = (1.0, 0.1, 0.05, 0.01)
LR_TABLE = {
    "train_acc": {1.0: 0.9434, 0.1: 0.9214, 0.05: 0.9084, 0.01: 0.7305},
    "test_acc": {1.0: 0.9467, 0.1: 0.9244, 0.05: 0.9136, 0.01: 0.7588},
}

# regularisation sweep, other settings at the defaults (batch 64, lr 0.1, 10 epochs)
REG_VALUES = (1.0, 0.1, 0.01, 0.001, 0.0001)
REG_TABLE = {
    "train_acc": {1.0: 0.1032, 0.1: 0.3318, 0.01: 0.8821, 0.001: 0.9219, 0.0001: 0.9291},
    "val_acc": {1.0: 0.1060, 0.1: 0.3997, 0.01: 0.8961, 0.001: 0.9275, 0.0001: 0.9347},
    "test_acc": {1.0: 0.1135, 0.1: 0.3954, 0.01: 0.8939, 0.001: 0.9254, 0.0001: 0.9338},
}

# the writeup's hand-tuned configuration
TUNED_SETTINGS = {"batch_size": 32, "learning_rate": 0.5, "reg": 0.0002, "epochs": 50}
TUNED = {"train_acc": 0.9833, "val_acc": 0.9769, "test_acc": 0.9766}

# tolerance used when judging our mean against the writeup (the acceptance rule)
NOISY_REG = 0.1  # the reg 0.1 row swings epoch to epoch; allowed 0.04 instead of 0.01
TOL = 0.01  # every other cell's tolerance
NOISY_TOL = 0.04

# The flag (⚠ in the report, * in the terminal summary): our mean differs from the writeup's
# value by more than max(3 std of our seeds, the cell's tolerance), OR by more than FLAG_ABS
# whatever our spread. The second clause keeps a noisy cell (a large std) from hiding a real gap:
# 3 std of a swinging cell can exceed 0.07 while the gap is itself 0.07.
FLAG_ABS = 0.05
FLAG_RULE = (
    f"|ours - writeup| > max(3 std of our seeds, {TOL:g}) ({NOISY_TOL:g} for the noisy reg "
    f"{NOISY_REG:g} row), or |ours - writeup| > {FLAG_ABS:g} whatever the spread"
)


def differs(diff: float, std: float, tol: float) -> bool:
    """The flag rule: ``|diff| > max(3 std, tol)`` or ``|diff| > FLAG_ABS``."""
    return abs(diff) > max(3 * std, tol) or abs(diff) > FLAG_ABS
