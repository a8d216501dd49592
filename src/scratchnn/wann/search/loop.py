"""The WANN search loop: evaluate at shared weights, rank with NSGA-II, select, mutate.

Per generation: every network is scored at each shared weight ``w`` of ``cfg.weights``
(``reps`` rollouts each, common random numbers); ``mean`` = mean over weights, ``max`` = best
weight. With probability ``p_conn_objective`` the objectives are (mean, 1 / number of enabled
connections), otherwise (mean, max); NSGA-II ranks the population. Selection follows the
reference (WANNRelease ``recombine``):

- the worst ``floor(cull * n)`` are dropped; ``S`` survivors remain;
- the best ``floor(elite * S)`` survivors pass unchanged (elites, re-evaluated next generation);
- every other child is a copy of a parent, mutated once. The parent is the better of the winners
  of ``tournaments`` (2, as in the reference) tournaments, each of ``tournament`` entrants drawn
  from the survivors *with replacement*, the best-ranked winning; so the best-ranked of
  ``tournaments x tournament`` entrants. (The reference draws two tournaments per child, its
  parentA and parentB, sorts the pair, and with crossover off mutates the first.) A drawn
  mutation that cannot apply leaves the copy unchanged (:mod:`~scratchnn.wann.search.mutations`).

The champion (what the search returns) is the network with the best mean over the weights. With
``best_reps > 0`` (noisy tasks) each generation's best is first re-scored over ``best_reps``
fresh rollouts per weight, and replaces the champion only if that score is higher, so that one
lucky set of ``reps`` initial states does not make a champion.

With ``disabled_hidden: reference`` a network is scored (and its connections counted) with its
disabled hidden -> hidden genes enabled, as WANNRelease's array alias does
(:func:`~scratchnn.wann.networks.genome.express_disabled_hidden`); the genomes themselves, and so
breeding, are unchanged, and the champion is kept in the form it was scored in.

Two engines run the same search: ``"array"`` (the default) keeps the population in flat arrays
and breeds, layers and packs it with compiled kernels (:mod:`~scratchnn.wann.search.population`);
``"reference"`` does the same one genome object at a time (:mod:`~scratchnn.wann.networks.genome`,
:mod:`~scratchnn.wann.search.mutations`). Both draw the same random numbers in the same order and
give the same genomes, scores and statistics (tested).

Everything random comes from one generator seeded with ``cfg.seed``. A :class:`SearchState` (the
population about to be evaluated, the generator's state, the champion, the statistics) is saved
every ``checkpoint_every`` generations as ``checkpoint.npz`` (the population's arrays and a small
JSON header; no pickle); resuming from it gives the same search as an uninterrupted run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from ...errors import DataError, ScratchnnError, caused_by_interrupt, shown
from ...fileio import atomic_file, read_npz
from ..networks.genome import Genome, GenomeError, express, express_disabled_hidden
from ..networks.packed import Packed, pack_networks
from ..tasks import SolvableTask, Task
from .config import SearchConfig
from .mutations import MUTATION_NAMES, mutate, random_uniforms, roulette
from .nsga import nsga_rank
from .population import M_COPY, Population, breed, checked_depths, pack_population

#: the paper's six shared weights (the default of ``SearchConfig.weights``)
WEIGHTS = np.array(SearchConfig().weights)
CHECKPOINT = "checkpoint.npz"
OLD_CHECKPOINT = "checkpoint.json"  # scratchnn 0.1 (version 1)
CHECKPOINT_VERSION = 2
ENGINES = ("array", "reference")


@dataclass
class GenerationStats:
    generation: int
    best_mean: float  # best mean-over-weights score of this generation
    best_max: float  # best single-weight score of this generation
    median_conns: float
    best_conns: int  # connections of this generation's best
    champion_mean: float  # the champion's score (re-scored over best_reps if > 0)
    unchanged: int  # children whose drawn mutation could not apply (unchanged copies)
    seconds: float


@dataclass
class SearchState:
    """Everything needed to continue a search: ``generation`` generations are done and ``pop``
    is the population to evaluate next."""

    task: str
    config: SearchConfig
    generation: int
    rng: np.random.Generator
    pop: Population
    champion: Genome | None = None
    champion_mean: float = -np.inf
    stats: list[GenerationStats] = field(default_factory=list)
    solved_at: int | None = None

    def header(self) -> dict:
        """The JSON part of a checkpoint (everything but the population's arrays)."""
        return {
            "version": CHECKPOINT_VERSION,
            "task": self.task,
            "n_in": self.pop.n_in,
            "n_out": self.pop.n_out,
            "config": self.config.to_dict(),
            "generation": self.generation,
            "rng": self.rng.bit_generator.state,
            "champion": self.champion.to_dict() if self.champion else None,
            "champion_mean": self.champion_mean if np.isfinite(self.champion_mean) else None,
            "stats": [asdict(s) for s in self.stats],
            "solved_at": self.solved_at,
        }

    @staticmethod
    def from_parts(h: dict, arrays: dict[str, np.ndarray]) -> SearchState:
        """Inverse of :meth:`header` + ``pop.arrays()``."""
        if not isinstance(h, dict):
            raise ScratchnnError(
                f"checkpoint version None is not supported (its header is not a JSON object: "
                f"{shown(h)})"
            )
        if h.get("version") != CHECKPOINT_VERSION:
            raise ScratchnnError(f"checkpoint version {shown(h.get('version'))} is not supported")
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = h["rng"]
        from .config import config_from_dict

        stored = h["config"]
        if isinstance(stored, dict) and "tournaments" not in stored:
            stored = {**stored, "tournaments": 1}  # written before the key: one tournament
        config = config_from_dict(stored, "checkpoint config")
        generation = h["generation"]
        if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
            raise ScratchnnError(f"generation must be a whole number >= 0, got {shown(generation)}")
        pop = Population.from_arrays(h["n_in"], h["n_out"], arrays)
        if len(pop.node_ptr) - 1 != config.pop:
            raise ScratchnnError(
                f"it holds {len(pop.node_ptr) - 1} networks, its config says pop {config.pop}"
            )
        return SearchState(
            task=h["task"],
            config=config,
            generation=generation,
            rng=rng,
            pop=pop,
            champion=Genome.from_dict(h["champion"]) if h["champion"] else None,
            champion_mean=-np.inf if h["champion_mean"] is None else float(h["champion_mean"]),
            stats=[GenerationStats(**s) for s in h["stats"]],
            solved_at=h["solved_at"],
        )


def initial_state(task: Task, cfg: SearchConfig) -> SearchState:
    """Generation 0: ``cfg.pop`` minimal networks."""
    rng = np.random.default_rng(cfg.seed)
    p = task.p_init if cfg.p_init is None else cfg.p_init
    pop = Population.initial(cfg.pop, task.n_in, task.n_out, p, rng)
    return SearchState(task.name, cfg, 0, rng, pop)


def save_checkpoint(state: SearchState, path: Path) -> None:
    """Write ``state`` as a compressed ``.npz`` (the population's arrays + a JSON header; at
    population 960 about 0.2 MB in 0.3 s), atomically: a crash mid-write leaves the previous
    file."""
    header = np.frombuffer(json.dumps(state.header()).encode(), dtype=np.uint8)
    with atomic_file(path) as fh:
        np.savez_compressed(fh, header=header, **state.pop.arrays())


def load_checkpoint(path: Path) -> SearchState:
    """Read a checkpoint written by :func:`save_checkpoint`, with a clear error if it is bad."""
    path = Path(path)
    if not path.exists() and (path.parent / OLD_CHECKPOINT).exists():
        raise ScratchnnError(
            f"{path.parent / OLD_CHECKPOINT} was written by scratchnn 0.1, whose selection rules "
            "differ from this version's (see the WANN section of the README); it cannot be "
            "resumed here: start a new search in another --out"
        )
    try:
        arrays = read_npz(path)
        header = json.loads(arrays.pop("header").tobytes().decode())
        return SearchState.from_parts(header, arrays)
    except FileNotFoundError:
        raise ScratchnnError(
            f"no checkpoint at {path}; run without --resume to start a search there"
        ) from None
    except DataError as exc:
        raise ScratchnnError(
            f"checkpoint {path} is damaged ({exc}); delete it to start again"
        ) from exc
    except ScratchnnError as exc:
        raise ScratchnnError(f"checkpoint {path}: {exc}; delete it to start again") from exc
    except (  # the archive read itself is read_npz's (DataError above); these are its contents
        json.JSONDecodeError,
        UnicodeDecodeError,
        KeyError,
        TypeError,
        ValueError,
        OverflowError,
        IndexError,
        AttributeError,
        GenomeError,
    ) as exc:
        raise ScratchnnError(
            f"checkpoint {path} is damaged ({type(exc).__name__}: {exc}); delete it to start again"
        ) from exc


def _express_reference(genomes: list[Genome]) -> tuple[Packed, np.ndarray]:
    """The per-genome reference: express and pack each genome object; enabled counts."""
    return pack_networks([express(g) for g in genomes]), np.array([g.n_enabled() for g in genomes])


def _breed_reference(
    genomes: list[Genome],
    parents: np.ndarray,
    mutation: np.ndarray,
    u: np.ndarray,
    acts: tuple[int, ...],
    probs: dict[str, float],
) -> tuple[Population, int]:
    """The per-genome reference of :func:`~scratchnn.wann.search.population.breed`: the children,
    and how many drawn mutations could not apply."""
    children, unchanged = [], 0
    for p, m, uc in zip(parents, mutation, u, strict=True):
        if m == M_COPY:
            children.append(genomes[p].copy())
        else:
            child, name = mutate(genomes[p], uc, acts, probs)
            unchanged += name == "none"
            children.append(child)
    return Population.from_genomes(children), unchanged


#: ``evaluate(task, packed, weights, rng, reps) -> (n_nets, n_weights) scores``: where a
#: generation is scored (default: ``task.evaluate`` in this process; see
#: :func:`scratchnn.wann.search.distributed.ray_evaluator`)
Evaluator = Callable[[Task, Packed, np.ndarray, np.random.Generator, int], np.ndarray]


def evaluate_here(
    task: Task, packed: Packed, weights: np.ndarray, rng: np.random.Generator, reps: int
) -> np.ndarray:
    """The default :data:`Evaluator`: ``task.evaluate`` in this process."""
    return task.evaluate(packed, weights, rng, reps)


def step(
    task: Task, state: SearchState, engine: str = "array", evaluate: Evaluator = evaluate_here
) -> GenerationStats:
    """Evaluate ``state.pop`` (with ``evaluate``), update the champion, and replace ``state.pop``
    by the next generation. Returns this generation's statistics (also appended to
    ``state.stats``)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    cfg, rng = state.config, state.rng
    weights = np.array(cfg.weights)
    t0 = time.perf_counter()
    alias = cfg.disabled_hidden == "reference"
    if engine == "array":
        genomes = None
        depth = checked_depths(state.pop)  # over all genes: the same with or without alias
        scored = state.pop.express_disabled_hidden() if alias else state.pop
        packed, n_enabled = pack_population(scored, depth), scored.n_enabled()
    else:
        genomes = state.pop.genomes()
        scored_genomes = [express_disabled_hidden(g) for g in genomes] if alias else genomes
        packed, n_enabled = _express_reference(scored_genomes)
    eval_rng = np.random.default_rng(rng.integers(2**63))  # common random numbers
    scores = evaluate(task, packed, weights, eval_rng, cfg.reps)
    mean, best_w = scores.mean(axis=1), scores.max(axis=1)
    conns = np.maximum(n_enabled, 1)
    second = 1.0 / conns if rng.random() < cfg.p_conn_objective else best_w
    order = nsga_rank(np.stack([mean, second], axis=1), cfg.crowding)
    top = int(np.argmax(mean))
    best = state.pop.genome(top)
    if alias:  # the champion as it was scored
        best = express_disabled_hidden(best)
    score = float(mean[top])
    if cfg.best_reps > 0:
        rescore_rng = np.random.default_rng(rng.integers(2**63))
        one = pack_networks([express(best)])
        score = float(task.evaluate(one, weights, rescore_rng, cfg.best_reps).mean())
    if state.champion is None or score > state.champion_mean:
        state.champion, state.champion_mean = best, score
    state.generation += 1
    stats = GenerationStats(
        state.generation,
        float(mean[top]),
        float(best_w.max()),
        float(np.median(conns)),
        int(conns[top]),
        state.champion_mean,
        0,
        0.0,
    )
    if isinstance(task, SolvableTask) and task.solved(express(best), weights):
        state.champion, state.solved_at = best, state.generation
        state.champion_mean = float(mean[top])
        stats.champion_mean = state.champion_mean
    else:
        parents, mutation, u = select(order, cfg, rng)
        if engine == "array":
            state.pop, applied = breed(state.pop, parents, mutation, u, task.activations, depth)
            stats.unchanged = int(np.sum((applied == M_COPY) & (mutation != M_COPY)))
        else:
            state.pop, stats.unchanged = _breed_reference(
                genomes, parents, mutation, u, task.activations, cfg.mutation_probs
            )
    stats.seconds = time.perf_counter() - t0
    state.stats.append(stats)
    return stats


def select(
    order: np.ndarray, cfg: SearchConfig, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The next generation's parents, drawn mutations and uniforms (module docstring).

    ``order``: all indices, best first. Returns ``parents`` (n,) (elites first), ``mutation``
    (n,) (``population.M_COPY`` for elites, else the roulette's index into
    ``mutations.MUTATION_NAMES``) and ``u`` (n, 3) the uniforms of each child's mutation.
    """
    n = len(order)
    survivors = order[: n - int(np.floor(cfg.cull * n))]
    n_elite = int(np.floor(cfg.elite * len(survivors)))
    n_kids = n - n_elite
    # the best of `tournaments` tournaments of `tournament` entrants = the best of all entrants
    entrants = rng.integers(len(survivors), size=(n_kids, cfg.tournaments * cfg.tournament))
    winners = survivors[entrants.min(axis=1)]  # survivors are sorted best first
    u = random_uniforms(rng, n_kids)
    probs = [cfg.mutation_probs[k] for k in MUTATION_NAMES]
    drawn = np.array([roulette(x, probs) for x in u[:, 0]], dtype=np.int64)
    parents = np.concatenate([survivors[:n_elite], winners]).astype(np.int64)
    mutation = np.concatenate([np.full(n_elite, M_COPY, np.int64), drawn])
    u = np.concatenate([np.zeros((n_elite, u.shape[1])), u])
    return parents, mutation, u


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
    engine: str = "array",
    evaluate: Evaluator = evaluate_here,
    time_limit: float | None = None,
) -> SearchState:
    """Search topologies for ``task`` up to ``cfg.generations``; deterministic for ``cfg.seed``.

    ``state`` continues a saved search (its own config is used, except ``generations``);
    ``checkpoint`` is written every ``checkpoint_every`` generations and at the end.
    ``time_limit``: stop after the first generation that ends past this many seconds (the
    generations done are the same as in a longer run: resuming continues it identically).
    """
    t0 = time.perf_counter()
    if state is None:
        state = initial_state(task, cfg)
    else:
        state.config = replace(state.config, generations=cfg.generations)
    while state.generation < state.config.generations and not (
        stop_when_solved and state.solved_at
    ):
        try:
            stats = step(task, state, engine, evaluate)
        except SystemError as exc:
            # Ctrl-C inside a compiled kernel surfaces as "returned a result with an exception
            # set" (SystemError) with the KeyboardInterrupt as its context
            if caused_by_interrupt(exc):
                raise KeyboardInterrupt from None
            raise
        if log:
            log(progress_line(stats))
        if checkpoint and state.generation % state.config.checkpoint_every == 0:
            save_checkpoint(state, checkpoint)
        if on_generation:
            on_generation(state)
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            if log:
                log(f"time limit {time_limit:g} s reached after generation {state.generation}")
            break
    if checkpoint:
        save_checkpoint(state, checkpoint)
    return state


def seed_checkpoint(checkpoint: Path, seed: int) -> Path:
    """Where :func:`search_with_restarts` keeps seed ``seed``'s own checkpoint: beside
    ``checkpoint``, ``checkpoint-seed3.npz`` for ``checkpoint.npz`` and seed 3."""
    checkpoint = Path(checkpoint)
    return checkpoint.with_name(f"{checkpoint.stem}-seed{seed}{checkpoint.suffix}")


def earlier_seeds(checkpoint: Path, seed: int) -> list[SearchState]:
    """The saved states of the seeds before ``seed`` (their :func:`seed_checkpoint` files beside
    ``checkpoint``), in the order they ran."""
    checkpoint = Path(checkpoint)
    prefix, suffix = f"{checkpoint.stem}-seed", checkpoint.suffix
    seeds = []
    for path in checkpoint.parent.glob(f"{prefix}*{suffix}"):
        number = path.name[len(prefix) : len(path.name) - len(suffix)]
        if number.isdigit() and int(number) < seed:
            seeds.append(int(number))
    return [load_checkpoint(seed_checkpoint(checkpoint, s)) for s in sorted(seeds)]


def _better(run: SearchState, best: SearchState | None) -> bool:
    """Whether ``run`` replaces ``best`` as the result of a search with restarts: the first
    run, one that solves the task, or a higher champion score."""
    return best is None or bool(run.solved_at) or run.champion_mean > best.champion_mean


def search_with_restarts(
    task: Task,
    cfg: SearchConfig,
    time_limit: float,
    log: Callable[[str], None] | None = None,
    state: SearchState | None = None,
    checkpoint: Path | None = None,
    engine: str = "array",
    evaluate: Evaluator = evaluate_here,
) -> SearchState:
    """Independent searches with seeds ``cfg.seed, cfg.seed + 1, ...`` (each at most
    ``cfg.generations``) until one solves the task or ``time_limit`` seconds have passed.

    Returns the solving (or else the best) search; its ``config.seed`` says which seed it was.
    Small Boolean tasks are solved by some runs within a few hundred generations and not by
    others within thousands, so restarts find a solution sooner than one long run.

    The time limit stops the seed in progress after the generation that ends past it (as
    :func:`run_search`'s does) and starts no new seed. With ``checkpoint``, the seed in
    progress is saved there and every seed also in its own :func:`seed_checkpoint` file, so
    that ``state`` (the seed in progress, as saved in ``checkpoint``) continues the search with
    the earlier seeds' results: the same result as an uninterrupted search.
    """
    t0 = time.perf_counter()
    seed = state.config.seed if state else cfg.seed
    best: SearchState | None = None
    if state is not None and checkpoint is not None:
        for earlier in earlier_seeds(checkpoint, seed):
            best = earlier if _better(earlier, best) else best
    while True:
        left = max(0.0, time_limit - (time.perf_counter() - t0))
        run = run_search(
            task,
            replace(cfg, seed=seed),
            log,
            state=state,
            checkpoint=checkpoint,
            engine=engine,
            evaluate=evaluate,
            time_limit=left,
        )
        state = None
        if checkpoint is not None:
            save_checkpoint(run, seed_checkpoint(checkpoint, seed))
        best = run if _better(run, best) else best
        finished = run.generation >= run.config.generations
        if run.solved_at or not finished or time.perf_counter() - t0 > time_limit:
            return best
        if log:
            log(f"seed {seed}: not solved in {cfg.generations} generations; restarting")
        seed += 1
