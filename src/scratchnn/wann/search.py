"""The WANN search loop: evaluate at shared weights, rank with NSGA-II, select, mutate.

Per generation: every network is scored at each shared weight ``w`` in ``WEIGHTS`` (``reps``
rollouts each, common random numbers); ``mean`` = mean over weights, ``max`` = best weight. With
probability ``p_conn_objective`` the objectives are (mean, 1 / number of enabled connections),
otherwise (mean, max); NSGA-II ranks the population. The worst ``cull`` share is dropped; the best
``elite`` share passes unchanged (and is re-evaluated next generation); every other child is a
mutated copy of the winner of a tournament (the better NSGA-II rank) among the survivors.

The champion (what the search returns) is the network with the best mean over the six weights.
With ``best_reps > 0`` (noisy tasks) each generation's best is first re-scored over ``best_reps``
fresh rollouts per weight, and replaces the champion only if that score is higher, so that one
lucky set of ``reps`` initial states does not make a champion.

Everything random comes from one generator seeded with ``cfg.seed``. A :class:`SearchState` (the
population about to be evaluated, the generator's state, the champion, the statistics) is saved
as JSON every ``checkpoint_every`` generations; resuming from it gives the same search as an
uninterrupted run, generation by generation.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import ScratchnnError
from .config import SearchConfig
from .genome import Genome, GenomeError, express, initial_genome
from .mutations import mutate
from .nsga import nsga_rank
from .tasks import Task

WEIGHTS = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
CHECKPOINT = "checkpoint.json"
CHECKPOINT_VERSION = 1


@dataclass
class GenerationStats:
    generation: int
    best_mean: float  # best mean-over-weights score of this generation
    best_max: float  # best single-weight score of this generation
    median_conns: float
    best_conns: int  # connections of this generation's best
    champion_mean: float  # the champion's score (re-scored over best_reps if > 0)
    seconds: float


@dataclass
class SearchState:
    """Everything needed to continue a search: ``generation`` generations are done and ``pop``
    is the population to evaluate next."""

    task: str
    config: SearchConfig
    generation: int
    rng: np.random.Generator
    pop: list[Genome]
    champion: Genome | None = None
    champion_mean: float = -np.inf
    stats: list[GenerationStats] = field(default_factory=list)
    solved_at: int | None = None

    def to_dict(self) -> dict:
        return {
            "version": CHECKPOINT_VERSION,
            "task": self.task,
            "config": self.config.to_dict(),
            "generation": self.generation,
            "rng": self.rng.bit_generator.state,
            "pop": [g.to_dict() for g in self.pop],
            "champion": self.champion.to_dict() if self.champion else None,
            "champion_mean": self.champion_mean if np.isfinite(self.champion_mean) else None,
            "stats": [asdict(s) for s in self.stats],
            "solved_at": self.solved_at,
        }

    @staticmethod
    def from_dict(d: dict) -> SearchState:
        if d.get("version") != CHECKPOINT_VERSION:
            raise ScratchnnError(f"checkpoint version {d.get('version')!r} is not supported")
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = d["rng"]
        return SearchState(
            task=d["task"],
            config=SearchConfig(**d["config"]),
            generation=int(d["generation"]),
            rng=rng,
            pop=[Genome.from_dict(g) for g in d["pop"]],
            champion=Genome.from_dict(d["champion"]) if d["champion"] else None,
            champion_mean=-np.inf if d["champion_mean"] is None else float(d["champion_mean"]),
            stats=[GenerationStats(**s) for s in d["stats"]],
            solved_at=d["solved_at"],
        )


def initial_state(task: Task, cfg: SearchConfig) -> SearchState:
    """Generation 0: ``cfg.pop`` minimal networks."""
    rng = np.random.default_rng(cfg.seed)
    p = task.p_init if cfg.p_init is None else cfg.p_init
    pop = [initial_genome(task.n_in, task.n_out, p, rng) for _ in range(cfg.pop)]
    return SearchState(task.name, cfg, 0, rng, pop)


def save_checkpoint(state: SearchState, path: Path) -> None:
    """Write ``state`` as JSON, atomically (a crash mid-write leaves the previous file)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as fh:
        json.dump(state.to_dict(), fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> SearchState:
    """Read a checkpoint written by :func:`save_checkpoint`, with a clear error if it is bad."""
    try:
        return SearchState.from_dict(json.loads(Path(path).read_text()))
    except FileNotFoundError:
        raise ScratchnnError(
            f"no checkpoint at {path}; run without --resume to start a search there"
        ) from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, GenomeError) as exc:
        raise ScratchnnError(
            f"checkpoint {path} is damaged ({exc}); delete it to start again"
        ) from exc


def step(task: Task, state: SearchState) -> GenerationStats:
    """Evaluate ``state.pop``, update the champion, and replace ``state.pop`` by the next
    generation. Returns this generation's statistics (also appended to ``state.stats``)."""
    cfg, rng = state.config, state.rng
    t0 = time.perf_counter()
    nets = [express(g) for g in state.pop]
    eval_rng = np.random.default_rng(rng.integers(2**63))  # common random numbers
    scores = task.evaluate(nets, WEIGHTS, eval_rng, cfg.reps)
    mean, best_w = scores.mean(axis=1), scores.max(axis=1)
    conns = np.array([max(g.n_enabled(), 1) for g in state.pop])
    second = 1.0 / conns if rng.random() < cfg.p_conn_objective else best_w
    order = nsga_rank(np.stack([mean, second], axis=1))
    top = int(np.argmax(mean))
    score = float(mean[top])
    if cfg.best_reps > 0:
        rescore_rng = np.random.default_rng(rng.integers(2**63))
        score = float(task.evaluate([nets[top]], WEIGHTS, rescore_rng, cfg.best_reps).mean())
    if state.champion is None or score > state.champion_mean:
        state.champion, state.champion_mean = state.pop[top].copy(), score
    state.generation += 1
    stats = GenerationStats(
        state.generation,
        float(mean[top]),
        float(best_w.max()),
        float(np.median(conns)),
        int(conns[top]),
        state.champion_mean,
        0.0,
    )
    solved = getattr(task, "solved", None)
    if solved is not None and solved(nets[top], WEIGHTS):
        state.champion, state.solved_at = state.pop[top].copy(), state.generation
        state.champion_mean = float(mean[top])
        stats.champion_mean = state.champion_mean
    else:
        state.pop = _next_generation(state.pop, order, cfg, task, rng)
    stats.seconds = time.perf_counter() - t0
    state.stats.append(stats)
    return stats


def progress_line(s: GenerationStats) -> str:
    return (
        f"gen {s.generation:4d}  best mean {s.best_mean:+9.4f}  best max {s.best_max:+9.4f}  "
        f"median conns {s.median_conns:4.0f}  champion {s.champion_mean:+9.4f}  {s.seconds:.2f} s"
    )


def run_search(
    task: Task,
    cfg: SearchConfig,
    log: Callable[[str], None] | None = None,
    stop_when_solved: bool = True,
    state: SearchState | None = None,
    checkpoint: Path | None = None,
    on_generation: Callable[[SearchState], None] | None = None,
) -> SearchState:
    """Search topologies for ``task`` up to ``cfg.generations``; deterministic for ``cfg.seed``.

    ``state`` continues a saved search (its own config is used, except ``generations``);
    ``checkpoint`` is written every ``checkpoint_every`` generations and at the end.
    """
    if state is None:
        state = initial_state(task, cfg)
    else:
        state.config = replace(state.config, generations=cfg.generations)
    while state.generation < state.config.generations and not (
        stop_when_solved and state.solved_at
    ):
        stats = step(task, state)
        if log:
            log(progress_line(stats))
        if checkpoint and state.generation % state.config.checkpoint_every == 0:
            save_checkpoint(state, checkpoint)
        if on_generation:
            on_generation(state)
    if checkpoint:
        save_checkpoint(state, checkpoint)
    return state


def _next_generation(
    pop: list[Genome],
    order: np.ndarray,
    cfg: SearchConfig,
    task: Task,
    rng: np.random.Generator,
) -> list[Genome]:
    n = len(pop)
    survivors = order[: max(1, round(n * (1 - cfg.cull)))]
    n_elite = round(n * cfg.elite)
    children = [pop[i].copy() for i in survivors[:n_elite]]
    position = {int(i): k for k, i in enumerate(order)}  # lower = better
    probs = cfg.mutation_probs
    while len(children) < n:
        entrants = rng.choice(survivors, size=min(cfg.tournament, len(survivors)), replace=False)
        winner = min(entrants, key=lambda i: position[int(i)])
        child, _ = mutate(pop[int(winner)], rng, task.activations, probs)
        children.append(child)
    return children


def search_with_restarts(
    task: Task,
    cfg: SearchConfig,
    time_limit: float,
    log: Callable[[str], None] | None = None,
    state: SearchState | None = None,
    checkpoint: Path | None = None,
) -> SearchState:
    """Independent searches with seeds ``cfg.seed, cfg.seed + 1, ...`` (each at most
    ``cfg.generations``) until one solves the task or ``time_limit`` seconds have passed.

    Returns the solving (or else the best) search; its ``config.seed`` says which seed it was.
    Small Boolean tasks are solved by some runs within a few hundred generations and not by
    others within thousands, so restarts find a solution sooner than one long run. ``state``
    continues a saved run first.
    """
    t0 = time.perf_counter()
    best: SearchState | None = None
    seed = state.config.seed if state else cfg.seed
    while True:
        run = run_search(task, replace(cfg, seed=seed), log=log, state=state, checkpoint=checkpoint)
        state = None
        if best is None or run.solved_at or run.champion_mean > best.champion_mean:
            best = run
        if run.solved_at or time.perf_counter() - t0 > time_limit:
            return best
        if log:
            log(f"seed {seed}: not solved in {cfg.generations} generations; restarting")
        seed += 1
