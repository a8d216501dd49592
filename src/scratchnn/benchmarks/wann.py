"""WANN evaluation speed: scratchnn's packed kernels against the reference's way of evaluating.

The reference (WANNRelease) runs each episode in Python: every step calls the network with one
NumPy dot product per node (``act``), then the environment's ``step`` in Python. Here that path
is :func:`~scratchnn.wann.genome.forward` (the same per-node dot products) plus the scalar
physics step (:func:`~scratchnn.wann.swingup.physics_step` on Python floats). Both run the same
networks from the same initial states in one process, one thread; the reference-style path runs
a sample of the episodes (it is slow) and both are reported per environment step, so the ratio
is like for like.
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from ..wann import swingup as su
from ..wann.activations import ALL_IDS
from ..wann.genome import express, forward, initial_genome
from ..wann.mutations import mutate
from ..wann.packed import pack, shared_weight_instances
from ..wann.search import WEIGHTS, SearchState, initial_state, step


def population(size: int, mutations: int, seed: int = 0) -> list:
    """``size`` swingup networks, each grown by ``mutations`` random mutations."""
    rng = np.random.default_rng(seed)
    pop = []
    for _ in range(size):
        g = initial_genome(su.N_OBS, su.N_ACT, 0.5, rng)
        for _ in range(mutations):
            g, _ = mutate(g, rng.random(3), ALL_IDS)
        pop.append(g)
    return pop


def reference_style_episode(
    net, w: float, state: np.ndarray, max_steps: int = su.T_LIMIT
) -> tuple[float, int]:
    """One episode as the reference runs it: per step, the network with one dot product per node
    (:func:`~scratchnn.wann.genome.forward`), then a scalar environment step, the observation
    built as a fresh array. Returns (return, steps)."""
    x, x_dot, th, th_dot = (float(v) for v in state)
    total, steps = 0.0, 0
    with np.errstate(all="ignore"):
        for _ in range(max_steps):
            obs = np.array([[x, x_dot, np.cos(th), np.sin(th), th_dot]])
            a = float(forward(net, obs, w)[0, 0])
            x, x_dot, th, th_dot = su.physics_step(x, x_dot, th, th_dot, 0.0 if a != a else a)
            total += float(su.reward(x, th))
            steps += 1
            if su.off_track(x):
                break
    return total, steps


def bench_swingup(
    pop_size: int = 64, mutations: int = 60, reps: int = 3, sample: int = 6, seed: int = 0
) -> dict:
    """Seconds per environment step of both paths on one generation's worth of episodes."""
    import numba

    genomes = population(pop_size, mutations, seed)
    nets = [express(g) for g in genomes]
    init = su.reset_states(reps, np.random.default_rng(seed))
    numba.set_num_threads(1)
    with threadpool_limits(1):
        packed = pack(nets)
        inst = shared_weight_instances(packed, WEIGHTS)
        n = len(inst[0])
        ep = (np.repeat(np.arange(n), reps), np.tile(np.arange(reps), n))
        su.rollouts(packed, *inst, *ep, init, steps=2)  # compile outside the timing
        t0 = time.perf_counter()
        returns, steps_run = su.rollouts(packed, *inst, *ep, init, return_steps=True)
        fast_s = time.perf_counter() - t0
        rng = np.random.default_rng(seed + 1)
        picks = rng.choice(len(ep[0]), size=sample, replace=False)
        ref_s, ref_steps = 0.0, 0
        for p in picks:
            i, r = ep[0][p], ep[1][p]
            t0 = time.perf_counter()
            total, steps = reference_style_episode(nets[i // 6], WEIGHTS[i % 6], init[r])
            ref_s += time.perf_counter() - t0
            ref_steps += steps
            if steps < 150 and not np.isclose(total, returns[p], rtol=1e-6):
                raise AssertionError("the two paths disagree on a short episode")
    total_steps = int(steps_run.sum())  # episodes end early when the cart leaves the track
    conns = [g.n_enabled() for g in genomes]
    fast_step = fast_s / total_steps
    ref_step = ref_s / ref_steps
    return {
        "pop": pop_size,
        "episodes": len(ep[0]),
        "median_conns": float(np.median(conns)),
        "env_steps": int(total_steps),
        "scratchnn_s_per_generation": fast_s,
        "scratchnn_us_per_step": fast_step * 1e6,
        "reference_style_us_per_step": ref_step * 1e6,
        "reference_style_s_per_generation_est": ref_step * total_steps,
        "speedup": ref_step / fast_step,
    }


def grow(state: SearchState, rounds: int, activations, seed: int = 0) -> None:
    """Grow ``state.pop`` in place by ``rounds`` rounds of one random mutation per genome
    (the search's mutation probabilities, no selection): a stand-in for a search's later,
    larger networks."""
    from ..wann.mutations import MUTATION_NAMES, roulette
    from ..wann.population import breed

    rng = np.random.default_rng(seed)
    probs = [state.config.mutation_probs[k] for k in MUTATION_NAMES]
    n = len(state.pop)
    for _ in range(rounds):
        u = rng.random((n, 3))
        drawn = np.array([roulette(x, probs) for x in u[:, 0]])
        state.pop, _ = breed(state.pop, np.arange(n), drawn, u, activations)


def _clone(state: SearchState) -> SearchState:
    from dataclasses import replace

    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = state.rng.bit_generator.state
    return replace(state, rng=rng, stats=[])


def bench_search(
    task_name: str,
    preset: str = "paper",
    pop: int | None = None,
    grown: int = 0,
    generations: int = 2,
    engines: tuple[str, ...] = ("array", "reference"),
    seed: int = 0,
) -> list[dict]:
    """Seconds per search generation (evaluation, ranking, selection, breeding) of each engine,
    from the same state: generation 0 of the preset's search, grown by ``grown`` random
    mutations per genome. Every engine runs ``generations`` generations from that state; they
    must give the same statistics. One row per engine."""
    from ..wann.config import load_preset, with_overrides
    from ..wann.tasks import make_task

    task = make_task(task_name)
    cfg = with_overrides(load_preset(task.name, preset), pop=pop, seed=seed)
    base = initial_state(task, cfg)
    grow(base, grown, task.activations, seed)
    step(task, _clone(base))  # compile and load data outside the timing
    rows, first = [], None
    for engine in engines:
        state = _clone(base)
        seconds = []
        for _ in range(generations):
            t0 = time.perf_counter()
            step(task, state, engine)
            seconds.append(time.perf_counter() - t0)
        stats = [(s.best_mean, s.best_max, s.median_conns, s.unchanged) for s in state.stats]
        first = first or stats
        rows.append(
            {
                "task": task.name,
                "preset": preset,
                "pop": cfg.pop,
                "grown_by": grown,
                "median_conns": float(np.median(base.pop.n_enabled())),
                "engine": engine,
                "s_per_generation": float(np.median(seconds)),
                "same_as_first_engine": stats == first,
            }
        )
    return rows


def format_search_table(rows: list[dict]) -> str:
    """Markdown table of :func:`bench_search` rows, with each array-engine row's speed-up over
    the reference row of the same task and size."""
    lines = [
        "| task | pop | grown by | median conns | engine | s/generation | x reference | same |",
        "|---|---|---|---|---|---|---|---|",
    ]
    ref = {
        (r["task"], r["grown_by"]): r["s_per_generation"]
        for r in rows
        if r["engine"] == "reference"
    }
    for r in rows:
        base = ref.get((r["task"], r["grown_by"]))
        speed = f"{base / r['s_per_generation']:.1f}x" if base else ""
        lines.append(
            f"| {r['task']} | {r['pop']} | {r['grown_by']} | {r['median_conns']:.0f} | "
            f"{r['engine']} | {r['s_per_generation']:.3f} | {speed} | "
            f"{'yes' if r['same_as_first_engine'] else 'NO'} |"
        )
    return "\n".join(lines)
