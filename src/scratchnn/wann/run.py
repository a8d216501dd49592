"""A WANN search run on disk: what ``scratchnn wann search`` writes into its output folder.

``checkpoint.json`` (the resumable state), ``stats.csv`` (one row per generation), ``best.json``
(the champion in our format, with its task and score), ``best.csv`` (the same network in the
reference's champion format), ``fitness.png`` and ``network.png``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, fields
from pathlib import Path

from ..errors import ConfigError, ScratchnnError
from .formats import save_reference_csv
from .plots import draw_network, plot_fitness
from .search import CHECKPOINT, GenerationStats, SearchState, load_checkpoint
from .tasks import Task


def start_or_resume(out: Path, task: Task, resume: bool) -> SearchState | None:
    """The saved state to continue (``resume``), or None for a fresh start, refusing to start
    over a folder that holds another search's checkpoint."""
    ckpt = Path(out) / CHECKPOINT
    if resume:
        state = load_checkpoint(ckpt)
        if state.task != task.name:
            raise ConfigError(
                f"{ckpt} is a search for task {state.task!r}, not {task.name!r}; pass "
                f"--task {state.task} or another --out"
            )
        return state
    if ckpt.exists():
        raise ScratchnnError(
            f"{out} already holds a search (checkpoint.json); add --resume to continue it, or "
            "choose another --out"
        )
    return None


def write_stats(stats: list[GenerationStats], path: Path) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[f.name for f in fields(GenerationStats)])
        writer.writeheader()
        writer.writerows(asdict(s) for s in stats)


def write_outputs(state: SearchState, task: Task, out: Path) -> None:
    """stats.csv, best.json, best.csv and the two figures (see the module docstring)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_stats(state.stats, out / "stats.csv")
    if state.champion is None:
        return
    g = state.champion
    meta = {
        "task": task.name,
        "champion_mean": state.champion_mean,
        "generations": state.generation,
        "seed": state.config.seed,
        "solved_at": state.solved_at,
        "connections": g.n_enabled(),
        "hidden_nodes": len(g.hidden),
        "genome": g.to_dict(),
    }
    (out / "best.json").write_text(json.dumps(meta, indent=1) + "\n")
    save_reference_csv(g, out / "best.csv")
    plot_fitness(state.stats, out / "fitness.png", f"WANN {task.name}, seed {state.config.seed}")
    draw_network(
        g,
        out / "network.png",
        task.input_names,
        task.output_names,
        f"{task.name} champion: {len(g.hidden)} hidden nodes, {g.n_enabled()} connections, "
        f"mean score {state.champion_mean:.3f}",
    )
