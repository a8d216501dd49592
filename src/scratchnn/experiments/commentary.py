"""Commentary written from the measured numbers, in the spirit of the writeup's explanations.

Every sentence is assembled from values computed here out of ``results`` (the same dict that
becomes ``results.json``); nothing is canned.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from .sweep import Cell

PLATEAU_LOSS = 2.2  # training loss above this is "still on the ln 10 = 2.30 plateau"
COLLAPSE_SHARE = 0.99  # a model predicting one class for >= 99% of test images has collapsed
STILL_RISING = 0.002  # a last-epoch gain in validation accuracy above this: not converged


def _falls(curve: list[float]) -> tuple[int, float]:
    """Number of epoch-to-epoch decreases of a curve, and their total size."""
    d = np.diff(curve)
    return int(np.sum(d < 0)), float(-d[d < 0].sum())


def falls_phrase(times: float, total: float) -> str:
    """How often a curve falls, in words: ``"never"``, ``"once, by 0.0031"``, ``"3 times, by
    0.0120 in total"``, ``"1.7 times on average, by 0.0085 in total"`` (a mean over seeds)."""
    if times == 0:
        return "never"
    if times == int(times):
        n = int(times)
        return f"once, by {total:.4f}" if n == 1 else f"{n} times, by {total:.4f} in total"
    return f"{times:.1f} times on average, by {total:.4f} in total"


def plural(n: int, word: str) -> str:
    """``"1 epoch"``, ``"3 epochs"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def last_epochs(n: int) -> str:
    """``the last epoch`` or ``the last 5 epochs``."""
    return "the last epoch" if n == 1 else f"the last {n} epochs"


def share_phrase(share: float) -> str:
    """A share of images in words, never rounded up to 100%: ``"every"`` for 1.0, else
    ``"at least 99.97% of the"`` (rounded down to 0.01%)."""
    if share >= 1.0:
        return "every one of the"
    return f"at least {math.floor(share * 10000) / 100:.2f}% of the"


def lr_commentary(results: dict[str, Any]) -> list[str]:
    cells = results["lr_sweep"]
    out = []
    first = {lr: c["curves"]["val_acc"][0] for lr, c in cells.items()}
    fastest = max(first, key=first.get)
    out.append(
        "After one epoch the mean validation accuracy is "
        + ", ".join(f"{first[lr]:.4f} at lr {lr}" for lr in cells)
        + f": lr {fastest} learns fastest."
    )
    test = {lr: c["test_acc"]["mean"] for lr, c in cells.items()}
    order = sorted(test, key=test.get, reverse=True)
    out.append(
        "Test accuracy ranks the rates "
        + " > ".join(f"lr {lr} ({test[lr]:.4f})" for lr in order)
        + "."
    )
    # oscillation: per seed, how often validation accuracy falls and by how much in total
    osc = {}
    for lr, c in cells.items():
        per_seed = [_falls([v for v in seed if v == v]) for seed in c["val_acc_per_seed"]]
        osc[lr] = tuple(float(np.mean(col)) for col in zip(*per_seed, strict=True))
    steps = len(next(iter(cells.values()))["curves"]["val_acc"]) - 1
    wild = max(osc, key=lambda lr: osc[lr][1])
    n_seeds = len(next(iter(cells.values()))["val_acc_per_seed"])
    over = "one seed" if n_seeds == 1 else f"mean over {n_seeds} seeds"
    out.append(
        f"Over the {plural(steps, 'epoch-to-epoch step')} ({over}), validation accuracy falls "
        + "; ".join(f"{falls_phrase(*osc[lr])} at lr {lr}" for lr in cells)
        + (f": lr {wild}'s curve zig-zags most." if osc[wild][1] > 0 else ": no curve falls.")
    )
    low = min(cells, key=lambda lr: float(lr))
    loss = cells[low]["curves"]["train_loss"]
    plateau = int(np.sum(np.array(loss) > PLATEAU_LOSS))
    out.append(
        f"At lr {low} the mean training loss stays above {PLATEAU_LOSS} (near ln 10 = 2.30, the "
        f"loss of uniform guessing) for {plateau} of {len(loss)} epochs; its first epochs: "
        + ", ".join(f"{v:.3f}" for v in loss[:4])
        + "."
    )
    if steps >= 1:
        gain = {
            lr: c["curves"]["val_acc"][-1] - c["curves"]["val_acc"][-2] for lr, c in cells.items()
        }
        rising = [lr for lr in cells if gain[lr] > STILL_RISING]
        out.append(
            "In the last epoch mean validation accuracy changes by "
            + ", ".join(f"{gain[lr]:+.4f} (lr {lr})" for lr in cells)
            + (
                f"; at lr {', '.join(rising)} it still rises by more than {STILL_RISING}, so "
                f"{'that rate has' if len(rising) == 1 else 'those rates have'} not converged "
                f"in {len(loss)} epochs."
                if rising
                else f"; no rate gains more than {STILL_RISING}."
            )
        )
    return out


def reg_commentary(results: dict[str, Any]) -> list[str]:
    cells = results["reg_sweep"]
    shares = results["class_shares"]
    out = []
    for reg, c in cells.items():
        counts = [np.array(k) for k in c["test_pred_counts"] if k]
        if not counts:
            continue
        tops = [int(k.argmax()) for k in counts]
        shares_pred = [k.max() / k.sum() for k in counts]
        if min(shares_pred) < COLLAPSE_SHARE:
            continue
        accs = ", ".join(f"{a:.4f}" for a in c["test_acc"]["values"])
        who = "the network has" if len(counts) == 1 else "every seed's network has"
        they = "it" if len(counts) == 1 else "the seeds"
        digit_shares = ", ".join(f"{shares['test'][t]:.4f}" for t in tops)
        pub = c["writeup"].get("test_acc")
        text = (
            f"At reg {reg} {who} collapsed to a single class: {they} "
            f"predict{'s' if len(counts) == 1 else ''} digit {', '.join(map(str, tops))} for "
            f"{share_phrase(min(shares_pred))} "
            f"test images, and their test accuracies ({accs}) are those digits' shares of the "
            f"test set ({digit_shares}). Which class wins is decided by the SGD noise in the "
            "output bias, which tracks the batches' class frequencies."
        )
        if pub is not None:
            near = int(np.argmin(np.abs(np.array(shares["test"]) - pub)))
            most = int(np.argmax(shares["test"]))
            text += (
                f" The writeup's {pub:.4f} is the share of digit {near} "
                f"({shares['test'][near]:.4f}); the most frequent test digit is {most}."
            )
        norms, ref = c.get("weight_norms"), cells.get("0.001", {}).get("weight_norms")
        if norms and ref:
            text += (
                " The penalty has shrunk the weights ("
                + ", ".join(f"||{k}|| {norms[k]:.4f} vs {ref[k]:.2f} at reg 0.001" for k in norms)
                + "), so only the unregularised output bias still acts."
            )
        out.append(text)
    test = {reg: c["test_acc"]["mean"] for reg, c in cells.items()}
    regs = sorted(test, key=float, reverse=True)
    pairs = list(itertools.pairwise(regs))
    if all(test[a] < test[b] for a, b in pairs):
        trend = "it rises at every step."
    elif all(test[a] <= test[b] for a, b in pairs):
        trend = "it never falls."
    else:
        trend = "it is not monotonic."
    out.append(
        "Test accuracy as reg falls: "
        + ", ".join(f"{test[r]:.4f} (reg {r})" for r in regs)
        + f": {trend}"
    )
    if "0.1" in cells:
        v = np.array(cells["0.1"]["curves"]["val_acc"])
        half = v[len(v) // 2 :]
        low = regs[-1]  # the weakest penalty of the sweep, for contrast
        than = f" (reg {low}: {cells[low]['train_acc']['mean']:.4f})" if low != "0.1" else ""
        out.append(
            f"At reg 0.1 the training accuracy is {cells['0.1']['train_acc']['mean']:.4f}"
            f"{than} and its mean validation accuracy swings "
            f"between {half.min():.4f} and {half.max():.4f} over {last_epochs(len(half))}; "
            f"across seeds the final test accuracy has std {cells['0.1']['test_acc']['std']:.4f}."
        )
        explained = noisy_cell_commentary(cells["0.1"], "reg 0.1")
        if explained:
            out.append(explained)
    return out


def noisy_cell_commentary(cell: dict[str, Any], name: str) -> str | None:
    """Why a swinging cell's last-epoch validation accuracy can sit far from the writeup's single
    run: the spread of our (seed, epoch) values over the second half of training, and how many
    of them reach the writeup's value. ``None`` when the writeup has no validation value."""
    pub = (cell.get("writeup") or {}).get("val_acc")
    ours = cell["val_acc_last"]["mean"]
    if pub is None or ours is None or not math.isfinite(ours):
        return None
    per_seed = np.array(cell["val_acc_per_seed"], dtype=float)
    half = per_seed[:, per_seed.shape[1] // 2 :]
    seen = half[np.isfinite(half)]
    if seen.size == 0:
        return None
    reach = int(np.sum(seen >= pub))
    flag = cell["compare"].get("val_acc_last", {}).get("differs")
    text = (
        f"The writeup's validation accuracy at {name}, {pub:.4f}, is {ours - pub:+.4f} from our "
        f"last-epoch mean {ours:.4f}" + (" (flagged)" if flag else "") + ". Over "
        f"{last_epochs(half.shape[1])} our runs' validation accuracy ranges from "
        f"{seen.min():.4f} to {seen.max():.4f} from one epoch to the next, and {reach} of "
        f"{seen.size} (seed, epoch) values reach {pub:.4f} or more: "
    )
    if reach:
        text += (
            "the writeup's number, from one unseeded run read at one epoch, is consistent with a "
            "lucky epoch of such a swinging curve rather than a different model."
        )
    else:
        text += (
            "the writeup's number is above every epoch of ours, so the swings alone do not "
            "explain it."
        )
    return text


def tuned_commentary(results: dict[str, Any]) -> list[str]:
    t = results["tuned"]
    default = results["lr_sweep"].get("0.1")
    s = results["settings"]["tuned"]
    text = (
        f"The tuned setting (batch {s['batch_size']}, lr {s['learning_rate']}, reg {s['reg']}, "
        f"{len(t['curves']['val_acc'])} epochs) reaches test {Cell(t['test_acc']['values'])}"
    )
    if default:
        text += (
            f", {t['test_acc']['mean'] - default['test_acc']['mean']:+.4f} over the default "
            f"setting ({default['test_acc']['mean']:.4f})"
        )
    gap = t["train_acc"]["mean"] - t["val_acc_best"]["mean"]
    text += f"; its training accuracy exceeds its best validation accuracy by {gap:.4f}."
    return [text]


def commentary(results: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "lr": lr_commentary(results),
        "reg": reg_commentary(results),
        "tuned": tuned_commentary(results),
    }
