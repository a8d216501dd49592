"""WANN evaluation speed: scratchnn's packed kernels against the reference's way of evaluating.

The reference (WANNRelease) runs each episode in Python: every step calls the network with one
NumPy dot product per node (``act``), then the environment's ``step`` in Python. Here that path
is :func:`~scratchnn.wann.networks.genome.forward` (the same per-node dot products) plus the scalar
physics step (:func:`~scratchnn.wann.tasks.swingup.physics_step` on Python floats). Both run the
same networks from the same initial states in one process, one thread; the reference-style path runs
a sample of the episodes (it is slow) and both are reported per environment step, so the ratio
is like for like.
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from ..wann.networks.activations import ALL_IDS
from ..wann.networks.genome import express, forward, initial_genome
from ..wann.networks.packed import pack_networks, shared_weight_instances
from ..wann.search.loop import WEIGHTS, SearchState, initial_state, step
from ..wann.search.mutations import mutate
from ..wann.tasks import swingup as su


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
    (:func:`~scratchnn.wann.networks.genome.forward`), then a scalar environment step, the
    observation built as a fresh array. Returns (return, steps)."""
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


def time_kernels(packed, inst: tuple, ep: tuple, init: np.ndarray) -> tuple[dict, dict]:
    """Each swingup kernel (``"lanes"``, ``"scalar"``) compiled, then timed on the same
    episodes: ``(seconds, (returns, steps))`` per engine. Raises if their returns differ."""
    seconds, out = {}, {}
    for engine in ("lanes", "scalar"):
        su.rollouts(packed, *inst, *ep, init, steps=2, engine=engine)  # compile outside the timing
        t0 = time.perf_counter()
        out[engine] = su.rollouts(packed, *inst, *ep, init, return_steps=True, engine=engine)
        seconds[engine] = time.perf_counter() - t0
    if not np.array_equal(out["lanes"][0], out["scalar"][0]):
        raise AssertionError("the lane and scalar kernels disagree")
    return seconds, out


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
        packed = pack_networks(nets)
        inst = shared_weight_instances(packed, WEIGHTS)
        n = len(inst[0])
        ep = (np.repeat(np.arange(n), reps), np.tile(np.arange(reps), n))
        seconds, out = time_kernels(packed, inst, ep, init)
        returns, steps_run = out["lanes"]
        fast_s, scalar_s = seconds["lanes"], seconds["scalar"]
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
        "scalar_kernel_s_per_generation": scalar_s,
        "lanes_speedup": scalar_s / fast_s,
        "reference_style_us_per_step": ref_step * 1e6,
        "reference_style_s_per_generation_est": ref_step * total_steps,
        "speedup": ref_step / fast_step,
    }


def bench_weights(
    net, w: float, candidates: int = 32, episodes: int = 128, sigma: float = 0.02, seed: int = 0
) -> dict:
    """One generation of ``wann train-weights`` on one network: ``candidates`` weight vectors
    (``w`` plus ``N(0, sigma)`` per connection), each on the same ``episodes`` initial states,
    with the lane kernel and the scalar kernel, one thread. Seconds of each and their ratio."""
    import numba

    from ..wann.networks.packed import instances

    rng = np.random.default_rng(seed)
    packed = pack_networks([net])
    W = w + sigma * rng.standard_normal((candidates, packed.n_edges(0)))
    inst = instances(packed, np.zeros(candidates, np.int64), W)
    ep = (np.repeat(np.arange(candidates), episodes), np.tile(np.arange(episodes), candidates))
    init = su.reset_states(episodes, rng)
    numba.set_num_threads(1)
    with threadpool_limits(1):
        seconds, out = time_kernels(packed, inst, ep, init)
    return {
        "connections": packed.n_edges(0),
        "episodes": candidates * episodes,
        "env_steps": int(out["lanes"][1].sum()),
        "mean_return": float(out["lanes"][0].mean()),
        "lanes_s": seconds["lanes"],
        "scalar_s": seconds["scalar"],
        "lanes_speedup": seconds["scalar"] / seconds["lanes"],
    }


def grow(state: SearchState, rounds: int, activations, seed: int = 0) -> None:
    """Grow ``state.pop`` in place by ``rounds`` rounds of one random mutation per genome
    (the search's mutation probabilities, no selection): a stand-in for a search's later,
    larger networks."""
    from ..wann.search.mutations import MUTATION_NAMES, roulette
    from ..wann.search.population import breed

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
    from ..wann.search.config import load_preset, with_overrides
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


def _env_step_cost(spec, seed: int, n_envs: int) -> float:
    """CPU seconds per environment step alone, constant (zero) actions, one thread: Gymnasium
    steps one environment at a time; EnvPool steps ``n_envs`` environments per call, as the
    backend does."""
    from ..wann.tasks.gym import make_env, to_actions

    zero = to_actions(np.zeros((1, 1 if spec.action == "argmax" else len(spec.low))), spec)[0]
    if spec.backend == "envpool":
        from ..wann.tasks.envpool import open_pool

        env, _ = open_pool(spec.env_id, np.arange(n_envs) + seed, spec.steps)
        ids = np.arange(n_envs, dtype=np.int32)
        acts = np.repeat(zero[None], n_envs, axis=0)
        t0 = time.process_time()
        for _ in range(50):
            env.step(acts, ids)  # a finished env auto-resets: the cost stays a step's
        cost = (time.process_time() - t0) / (50 * n_envs)
        env.close()
        return cost
    env = make_env(spec)
    env.reset(seed=seed)
    steps = 0
    t0 = time.process_time()
    while steps < 2000:
        _, _, terminated, truncated, _ = env.step(zero)
        steps += 1
        if terminated or truncated:
            env.reset(seed=seed + steps)
    return (time.process_time() - t0) / steps


def bench_gym(
    task_name: str,
    pop: int = 32,
    seed: int = 0,
    backends: tuple[str, ...] | None = None,
    workers: int = 2,
    repeats: int = 3,
) -> dict:
    """Cost of a Gymnasium task (``biped``, ``gym:ENV_ID``) on each backend, side by side:
    ``pop`` generation-0 networks (the task's p_init) at the six weights, one episode each
    from common seeds.

    Per backend (default: ``gymnasium`` and, when installed and it implements the task,
    ``envpool``) it reports, in CPU seconds of one core (``time.process_time``, so that a
    machine shared with other jobs does not inflate them): an environment step alone, a network
    step (one row of :func:`~scratchnn.wann.networks.packed.forward_rows`), an episode step of the
    whole loop, and the projected seconds per generation of each preset. Then the wall-clock
    seconds of one whole generation-0 evaluation with ``workers`` worker processes, the backends
    alternating ``repeats`` times (the median is reported), so that both see the same machine.
    ``ratio``: Gymnasium's cost over EnvPool's."""
    from ..wann.networks.packed import forward_rows
    from ..wann.search.config import PRESETS, load_preset
    from ..wann.search.population import Population, pack_population
    from ..wann.tasks import configure_task, make_task
    from ..wann.tasks.envpool import supports
    from ..wann.tasks.gym import run_episodes

    base = make_task(task_name, workers=1)
    if backends is None:
        backends = ("gymnasium", "envpool") if supports(base.spec.env_id) else ("gymnasium",)
    tasks = {b: configure_task(base, {"backend": b}) for b in backends}
    rng = np.random.default_rng(seed)
    packed = pack_population(Population.initial(pop, base.n_in, base.n_out, base.p_init, rng))
    inst = shared_weight_instances(packed, WEIGHTS)
    E = len(inst[0])
    seeds = base.episode_states(1, rng)
    ep_inst, ep_seed = np.arange(E), np.repeat(seeds, E)
    out: dict = {"task": base.name, "episodes": E, "workers": workers, "backends": {}}
    for b, task in tasks.items():
        run_episodes(task.spec, packed, inst, ep_inst[:2], ep_seed[:2])  # compile, import
        with threadpool_limits(1):
            t0 = time.process_time()
            _, n_steps = run_episodes(task.spec, packed, inst, ep_inst, ep_seed)
            loop = time.process_time() - t0
            env_step = _env_step_cost(task.spec, int(seeds[0]), E)
            X = np.resize(np.random.default_rng(0).normal(size=base.n_in), (E, base.n_in))
            t0 = time.process_time()
            for _ in range(200):
                forward_rows(packed, *inst, ep_inst, X)
            net_step = (time.process_time() - t0) / 200 / E
        per_step = loop / int(n_steps.sum())
        presets = {}
        for name in PRESETS:
            cfg = load_preset(base.name, name)
            episodes = cfg.pop * len(cfg.weights) * cfg.reps + len(cfg.weights) * cfg.best_reps
            presets[name] = {
                "pop": cfg.pop,
                "generations": cfg.generations,
                "reps": cfg.reps,
                "episodes_per_generation": episodes,
                "seconds_per_generation_gen0": episodes * float(n_steps.mean()) * per_step,
                "seconds_per_generation_max": episodes * task.spec.steps * per_step,
            }
        out["backends"][b] = {
            "mean_episode_steps": float(n_steps.mean()),
            "seconds_per_env_step": env_step,
            "seconds_per_network_step": net_step,
            "seconds_per_episode_step": per_step,
            "presets": presets,
        }
    # whole generations, wall clock, the backends alternating
    cfg = load_preset(base.name, "laptop")
    gen_pack = pack_population(
        Population.initial(cfg.pop, base.n_in, base.n_out, base.p_init, np.random.default_rng(1))
    )
    walls: dict[str, list[float]] = {b: [] for b in tasks}
    for task in tasks.values():  # warm up: worker processes, compilation
        task.with_options(workers=workers).evaluate(gen_pack, WEIGHTS[:1], rng, reps=1)
    for _ in range(repeats):
        for b, task in tasks.items():
            t0 = time.perf_counter()
            task.with_options(workers=workers).evaluate(
                gen_pack, WEIGHTS, np.random.default_rng(2), reps=cfg.reps
            )
            walls[b].append(time.perf_counter() - t0)
    for b in tasks:
        out["backends"][b]["generation_seconds"] = float(np.median(walls[b]))
        out["backends"][b]["generation_seconds_all"] = walls[b]
    out["generation_pop"] = cfg.pop
    if len(tasks) == 2:
        g, e = out["backends"]["gymnasium"], out["backends"]["envpool"]
        out["ratio"] = {
            "env_step": g["seconds_per_env_step"] / e["seconds_per_env_step"],
            "episode_step": g["seconds_per_episode_step"] / e["seconds_per_episode_step"],
            "generation": g["generation_seconds"] / e["generation_seconds"],
        }
    return out


def format_gym_bench(r: dict) -> str:
    """What ``wann bench --gym`` prints for a result of :func:`bench_gym`."""
    names = list(r["backends"])
    rows = [
        ("environment step alone (us)", "seconds_per_env_step", 1e6, "env_step"),
        ("network step (us)", "seconds_per_network_step", 1e6, None),
        ("episode step, whole loop (us)", "seconds_per_episode_step", 1e6, "episode_step"),
    ]
    lines = [
        f"{r['task']}: {r['episodes']} generation-0 episodes; CPU time of one core, then a "
        f"whole generation-0 evaluation (pop {r['generation_pop']}, six weights) on "
        f"{r['workers']} workers, wall clock, the backends alternating (median)",
        "| | " + " | ".join(names) + (" | gymnasium / envpool |" if "ratio" in r else " |"),
        "|---|" + "---|" * (len(names) + ("ratio" in r)),
    ]
    for label, key, scale, ratio in rows:
        cells = [f"{scale * r['backends'][b][key]:.2f}" for b in names]
        if "ratio" in r:
            cells.append(f"{r['ratio'][ratio]:.1f}x" if ratio else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = [f"{r['backends'][b]['generation_seconds']:.2f}" for b in names]
    if "ratio" in r:
        cells.append(f"{r['ratio']['generation']:.1f}x")
    lines.append("| generation, wall clock (s) | " + " | ".join(cells) + " |")
    lines.append(
        "| mean episode length (steps) | "
        + " | ".join(f"{r['backends'][b]['mean_episode_steps']:.0f}" for b in names)
        + (" | |" if "ratio" in r else " |")
    )
    lines += [
        "",
        "Projected cost of each preset on one core (every episode the full length at most):",
        "| backend | preset | pop | generations | reps | episodes / generation | s / generation "
        "(generation 0) | s / generation (all full length) | core-hours (all full length) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for b in names:
        for name, p in r["backends"][b]["presets"].items():
            hours = p["seconds_per_generation_max"] * p["generations"] / 3600
            lines.append(
                f"| {b} | {name} | {p['pop']} | {p['generations']} | {p['reps']} | "
                f"{p['episodes_per_generation']} | {p['seconds_per_generation_gen0']:.0f} | "
                f"{p['seconds_per_generation_max']:.0f} | {hours:.0f} |"
            )
    return "\n".join(lines)
