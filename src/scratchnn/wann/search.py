"""The WANN search loop: evaluate at shared weights, rank with NSGA-II, select, mutate.

Per generation: every network is scored at each shared weight ``w`` in ``WEIGHTS``;
``mean`` = mean over weights, ``max`` = best weight. With probability 0.8 the objectives are
(mean, 1 / number of enabled connections), otherwise (mean, max); NSGA-II ranks the population.
The worst ``cull`` share is dropped; the best ``elite`` share passes unchanged; every other child
is a mutated copy of the winner of a tournament (the better NSGA-II rank) among the survivors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from .genome import Genome, express, initial_genome
from .mutations import mutate
from .nsga import nsga_rank

WEIGHTS = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])


@dataclass(frozen=True)
class SearchConfig:
    pop: int = 64
    generations: int = 200
    tournament: int = 4
    elite: float = 0.2
    cull: float = 0.2
    p_conn_objective: float = 0.8
    seed: int = 0


@dataclass
class GenerationStats:
    generation: int
    best_mean: float
    best_max: float
    median_conns: float
    seconds: float


@dataclass
class SearchResult:
    best: Genome
    best_mean: float
    stats: list[GenerationStats] = field(default_factory=list)
    solved_at: int | None = None


def run_search(
    task,
    cfg: SearchConfig,
    log: Callable[[str], None] | None = None,
    stop_when_solved: bool = True,
) -> SearchResult:
    """Search topologies for ``task``; deterministic for a given ``cfg.seed``."""
    rng = np.random.default_rng(cfg.seed)
    pop = [initial_genome(task.n_in, task.n_out, task.p_init, rng) for _ in range(cfg.pop)]
    result = None
    for gen in range(1, cfg.generations + 1):
        t0 = time.perf_counter()
        nets = [express(g) for g in pop]
        eval_rng = np.random.default_rng(rng.integers(2**63))  # common random numbers
        scores = task.evaluate(nets, WEIGHTS, eval_rng)
        mean, best_w = scores.mean(axis=1), scores.max(axis=1)
        conns = np.array([max(g.n_enabled(), 1) for g in pop])
        second = 1.0 / conns if rng.random() < cfg.p_conn_objective else best_w
        order = nsga_rank(np.stack([mean, second], axis=1))
        top = int(np.argmax(mean))
        if result is None or mean[top] > result.best_mean:
            result = SearchResult(
                pop[top].copy(), float(mean[top]), result.stats if result else [], None
            )
        stats = GenerationStats(
            gen,
            float(mean[top]),
            float(best_w.max()),
            float(np.median(conns)),
            time.perf_counter() - t0,
        )
        result.stats.append(stats)
        if log:
            log(
                f"gen {gen:4d}  best mean {stats.best_mean:+.4f}  best max {stats.best_max:+.4f}"
                f"  median conns {stats.median_conns:.0f}  {stats.seconds:.2f} s"
            )
        if stop_when_solved and task.solved(nets[top], WEIGHTS):
            result.best, result.solved_at = pop[top].copy(), gen
            break
        pop = _next_generation(pop, order, cfg, task, rng)
    return result


def _next_generation(
    pop: list[Genome],
    order: np.ndarray,
    cfg: SearchConfig,
    task,
    rng: np.random.Generator,
) -> list[Genome]:
    n = len(pop)
    survivors = order[: max(1, round(n * (1 - cfg.cull)))]
    n_elite = round(n * cfg.elite)
    children = [pop[i].copy() for i in survivors[:n_elite]]
    position = {int(i): k for k, i in enumerate(order)}  # lower = better
    while len(children) < n:
        entrants = rng.choice(survivors, size=min(cfg.tournament, len(survivors)), replace=False)
        winner = min(entrants, key=lambda i: position[int(i)])
        child, _ = mutate(pop[int(winner)], rng, task.activations)
        children.append(child)
    return children


def search_with_restarts(
    task,
    cfg: SearchConfig,
    time_limit: float,
    log: Callable[[str], None] | None = None,
) -> tuple[SearchResult, int]:
    """Independent searches with seeds ``cfg.seed, cfg.seed + 1, ...`` (each at most
    ``cfg.generations``) until one solves the task or ``time_limit`` seconds have passed.

    Returns the solving (or else the best) result and the seed that produced it. Small Boolean
    tasks are solved by some runs within a few hundred generations and not by others within
    thousands, so restarts find a solution sooner than one long run.
    """
    t0 = time.perf_counter()
    best: tuple[SearchResult, int] | None = None
    seed = cfg.seed
    while True:
        result = run_search(task, replace(cfg, seed=seed), log=log)
        if best is None or result.solved_at or result.best_mean > best[0].best_mean:
            best = (result, seed)
        if result.solved_at or time.perf_counter() - t0 > time_limit:
            return best
        if log:
            log(f"seed {seed}: not solved in {cfg.generations} generations; restarting")
        seed += 1
