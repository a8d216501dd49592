"""A WANN search run on disk: :func:`search` runs or continues one into an output folder.

``checkpoint.npz`` (the resumable state), ``stats.csv`` (one row per generation), ``best.json``
(the champion in our format, with its task and score), ``best.csv`` (the same network in the
reference's champion format), ``fitness.png`` and ``network.png``.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from ...errors import ConfigError, ScratchnnError
from ...fileio import atomic_write_text, dumps_json
from ...validation import choice, flag, real
from ..checks import check_callable, check_optional_int, check_path
from ..networks.formats import save_reference_csv
from ..networks.genome import express
from ..plots import draw_network, plot_fitness
from ..tasks import EnvironmentTask, SolvableTask, Task, configure_task
from ..tasks.base import check_task
from .config import LIMITS, SearchConfig, check, with_overrides
from .loop import (
    CHECKPOINT,
    ENGINES,
    OLD_CHECKPOINT,
    Evaluator,
    GenerationStats,
    SearchState,
    evaluate_here,
    initial_state,
    load_checkpoint,
    run_search,
    search_with_restarts,
)

LOCK = "search.lock"
BOOLEAN_TIME_LIMIT = 110.0  # seconds: a Boolean search stops (and starts no new seed) after this
OUTPUT_FILES = ("stats.csv", "best.json", "best.csv", "fitness.png", "network.png", CHECKPOINT)


@dataclass
class SearchRun:
    """What :func:`search` did: the final state, where it is, how long this call took, and
    for tasks that can be solved (the Boolean functions) whether the champion solves it."""

    state: SearchState
    out: Path
    seconds: float
    resumed: bool
    solved: bool | None = None
    #: the task as it ran: with the config's task keys applied
    task: Task | None = None

    @property
    def seconds_per_generation(self) -> float:
        s = [st.seconds for st in self.state.stats]
        return sum(s) / max(len(s), 1)


def describe(cfg: SearchConfig) -> str:
    """One line: the settings a search runs with."""
    return (
        f"pop {cfg.pop}, generations {cfg.generations}, reps {cfg.reps}, "
        f"tournament {cfg.tournament} x {cfg.tournaments}, elite {cfg.elite}, cull {cfg.cull}, "
        f"seed {cfg.seed}, "
        f"weights {list(cfg.weights)}"
        + (f", crowding {cfg.crowding}" if cfg.crowding != "nsga2" else "")
        + (f", disabled_hidden {cfg.disabled_hidden}" if cfg.disabled_hidden != "off" else "")
        + f"; checkpoint every {cfg.checkpoint_every} generations"
    )


def search(
    task: Task,
    out: Path,
    cfg: SearchConfig | None = None,
    resume: bool = False,
    generations: int | None = None,
    time_limit: float | None = None,
    log: Callable[[str], None] | None = None,
    engine: str = "array",
    on_start: Callable[[SearchState], None] | None = None,
    evaluate: Evaluator = evaluate_here,
) -> SearchRun:
    """Run a search for ``task`` with ``cfg`` into ``out`` (or, with ``resume``, continue the
    one saved there, up to ``generations`` if given), then write the outputs.

    Every key of ``cfg`` applies, its task options and drawing labels included (``cfg.task``,
    ``cfg.drawing``: :func:`configure`), as ``scratchnn wann search
    --config`` applies them; a Gymnasium task's backend is recorded in the checkpoint and in
    ``best.json``. The arguments are checked first (:class:`~scratchnn.errors.ConfigError`
    naming the bad one).

    Tasks that can be solved (:class:`~scratchnn.wann.tasks.SolvableTask`) stop when solved and
    restart with the next seed after ``cfg.generations``, until ``time_limit`` seconds (default
    110; each seed has its own checkpoint beside ``checkpoint.npz``). Other tasks stop after the
    first generation that ends past ``time_limit`` seconds (default: no limit); the checkpoint
    lets ``resume`` continue. ``on_start`` sees the state the search starts from; ``log`` gets
    one line per generation (and a Gymnasium task's episode settings first); ``evaluate``
    scores each generation (default: here;
    :func:`~scratchnn.wann.search.distributed.ray_evaluator`: on a Ray cluster, with the same
    results). A ``KeyboardInterrupt`` propagates; the last checkpoint in ``out`` stays valid.
    """
    args = check_search_args(task, out, cfg, resume, generations, time_limit, engine)
    callbacks = {"log": log, "on_start": on_start, "evaluate": evaluate}
    for name, fn in callbacks.items():
        check_callable(name, fn, optional=name != "evaluate")
    out = args["out"]
    if cfg is not None and not resume:
        configure(task, check(cfg))  # a task key the task cannot take fails before out is made
    with search_lock(out):
        return _search(
            task, out, cfg, resume, generations, args["time_limit"], log, engine, on_start, evaluate
        )


def check_search_args(
    task: object,
    out: object,
    cfg: object,
    resume: object,
    generations: object,
    time_limit: object,
    engine: object,
) -> dict:
    """The checks :func:`search` makes before anything runs; returns ``{"out": Path,
    "time_limit": float | None}``."""
    check_task(task)
    path = check_path("out", out)
    flag(resume, "resume")
    if cfg is None and not resume:
        raise ConfigError(
            "cfg: a new search needs a SearchConfig (scratchnn.wann.search.config."
            "load_preset(task_name) gives the preset's), or resume=True to continue one"
        )
    if cfg is not None:
        check(cfg)
    check_optional_int("generations", generations, 1, LIMITS["generations"])
    limit = None if time_limit is None else real(time_limit, "time_limit", low=0.0, high=1e9)
    choice(engine, "engine", ENGINES)
    return {"out": path, "time_limit": limit}


def configure(task: Task, cfg: SearchConfig, resumed: bool = False) -> tuple[Task, SearchConfig]:
    """``task`` with the task keys of ``cfg`` applied
    (:func:`~scratchnn.wann.tasks.configure_task`), and ``cfg`` with the backend a Gymnasium
    task runs on recorded. A resumed checkpoint that records no backend (written before searches
    recorded it) runs on the backend it then ran on
    (:func:`~scratchnn.wann.tasks.gym.legacy_backend`)."""
    options = {**cfg.task.as_options(), **cfg.drawing.as_options()}
    if resumed and not cfg.task.backend and isinstance(task, EnvironmentTask):
        from ..tasks.gym import legacy_backend

        options["backend"] = legacy_backend(task.spec.env_id)
    task = configure_task(task, options)
    if isinstance(task, EnvironmentTask):
        cfg = with_overrides(cfg, backend=task.spec.backend)
    return task, cfg


@contextmanager
def search_lock(out: Path) -> Iterator[None]:
    """Hold ``out/search.lock`` (an advisory ``flock``, released by the system when the process
    ends, kill -9 included) for the duration, or refuse at once if another search holds it."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            raise ScratchnnError(
                f"another search is running in {out} (pid {holder}); wait for it to finish, or "
                "choose another --out"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _search(
    task: Task,
    out: Path,
    cfg: SearchConfig | None,
    resume: bool,
    generations: int | None,
    time_limit: float | None,
    log: Callable[[str], None] | None,
    engine: str,
    on_start: Callable[[SearchState], None] | None,
    evaluate: Evaluator = evaluate_here,
) -> SearchRun:
    state = start_or_resume(out, task, resume)
    resumed = state is not None
    start = state.config if state is not None else cfg
    task, cfg = configure(task, with_overrides(start, generations=generations), resumed)
    if state is None:
        state = initial_state(task, cfg)
    else:
        state.config = cfg
    if on_start:
        on_start(state)
    if log and isinstance(task, EnvironmentTask):
        log(task.episode_text)
    ckpt = out / CHECKPOINT
    t0 = time.perf_counter()
    solvable = isinstance(task, SolvableTask)
    if solvable:
        limit = BOOLEAN_TIME_LIMIT if time_limit is None else time_limit
        state = search_with_restarts(task, cfg, limit, log, state, ckpt, engine, evaluate)
    else:
        state = run_search(
            task,
            cfg,
            log,
            state=state,
            checkpoint=ckpt,
            engine=engine,
            evaluate=evaluate,
            time_limit=time_limit,
        )
    write_outputs(state, task, out)
    solved = None
    if solvable and state.champion is not None:
        solved = task.solved(express(state.champion), np.array(state.config.weights))
    return SearchRun(state, out, time.perf_counter() - t0, resumed, solved, task)


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
    for name in (CHECKPOINT, OLD_CHECKPOINT):
        if (Path(out) / name).exists():
            raise ScratchnnError(
                f"{out} already holds a search ({name}); add --resume to continue it, or "
                "choose another --out"
            )
    return None


def write_stats(stats: list[GenerationStats], path: Path) -> None:
    """``stats.csv``, one row per generation, replaced atomically."""
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=[f.name for f in fields(GenerationStats)])
    writer.writeheader()
    writer.writerows(asdict(s) for s in stats)
    atomic_write_text(path, table.getvalue(), fsync=False)


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
        **({"backend": task.spec.backend} if isinstance(task, EnvironmentTask) else {}),
        "champion_mean": state.champion_mean,
        "generations": state.generation,
        "seed": state.config.seed,
        "solved_at": state.solved_at,
        "connections": g.n_enabled(),
        "hidden_nodes": len(g.hidden),
        "genome": g.to_dict(),
    }
    atomic_write_text(out / "best.json", dumps_json(meta, indent=1))
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
