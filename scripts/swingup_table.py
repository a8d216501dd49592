"""The README's swingup table: one Markdown row per run folder, from its eval.json and best.json.

    .venv/bin/python scripts/swingup_table.py results/wann-swingup-paper-seed*

Each folder holds `best.json` (written by `wann search`) and `eval.json` (by `wann eval
best.json --task swingup --json eval.json`). The columns are the paper's conditions, mean ± std
over the evaluation's episodes, then the six search weights' means; a last row gives, over the
runs, the mean ± std of each condition's mean and the best run's value.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from scratchnn.wann.evaluation import Evaluation, Row

RANDOM, SHARED = "random_weights", "random_shared"
WEIGHTS = (-2, -1, -0.5, 0.5, 1, 2)


def row(folder: Path) -> tuple[str, dict[str, float]]:
    ev = Evaluation.from_dict(json.loads((folder / "eval.json").read_text()))
    best = json.loads((folder / "best.json").read_text())
    rows = ev.by_key
    tuned = rows["tuned_shared"]

    def ms(r: Row) -> str:
        return f"{r.mean:.0f} ± {r.std:.0f}"

    per_w = " / ".join(f"{rows[f'w={w:g}'].mean:.0f}" for w in WEIGHTS)
    text = (
        f"| {folder.name} | {best['hidden_nodes']} hidden, {best['connections']} conns | "
        f"{ms(rows[RANDOM])} | {ms(rows[SHARED])} | {ms(tuned)} (w = {ev.tuned_weight:g}) | "
        f"{per_w} |"
    )
    return text, {"random": rows[RANDOM].mean, "shared": rows[SHARED].mean, "tuned": tuned.mean}


def main(folders: list[str]) -> int:
    if not folders:
        print(__doc__)
        return 2
    print("| run | champion | random weights U(-2,2) | random shared weight | tuned shared weight "
          "| w = -2 / -1 / -0.5 / 0.5 / 1 / 2 |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    means = []
    for f in folders:
        text, m = row(Path(f))
        print(text)
        means.append(m)
    if len(means) > 1:
        cell = {}
        for k in ("random", "shared", "tuned"):
            v = np.array([m[k] for m in means])
            cell[k] = f"{v.mean():.0f} ± {v.std(ddof=1):.0f} (best {v.max():.0f})"
        print(f"| {len(means)} runs: mean ± std of the means | | {cell['random']} | "
              f"{cell['shared']} | {cell['tuned']} | |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
