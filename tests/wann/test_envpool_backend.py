"""The EnvPool backend of the Gymnasium tasks (``scratchnn.wann.tasks.envpool``)."""

import json
from pathlib import Path

import numpy as np
import pytest

from scratchnn.errors import ConfigError, ScratchnnError
from scratchnn.wann.networks.genome import express
from scratchnn.wann.networks.packed import pack_networks, shared_weight_instances
from scratchnn.wann.search.loop import WEIGHTS
from scratchnn.wann.search.population import Population, pack_population
from scratchnn.wann.tasks import biped_reward, configure_task, make_task
from scratchnn.wann.tasks import envpool as ep
from scratchnn.wann.tasks.biped import biped_task
from scratchnn.wann.tasks.gym import (
    NoFallPenalty,
    compare_backends,
    gym_task,
    make_env,
    run_episodes,
)

pytest.importorskip("envpool")
ROOT = Path(__file__).resolve().parents[2]
FALLS = np.array([0.0, 1.0, 0.0, -1.0])  # a fixed action that falls within 100 steps


def test_gymnasium_is_the_default_backend_even_with_envpool_installed():
    """A fixed default: the same seed gives the same search on every machine."""
    assert biped_task(workers=1).spec.backend == "gymnasium"
    assert gym_task("CartPole-v1", workers=1).spec.backend == "gymnasium"
    task = biped_task(workers=1, backend="envpool")
    assert task.spec.backend == "envpool"
    assert "backend: envpool" in task.reward_text
    assert "backend: gymnasium" in biped_task(workers=1, backend="gymnasium").reward_text


def test_backend_option_is_checked(monkeypatch):
    task = biped_task(workers=1)
    assert task.with_options(backend="gymnasium").spec.backend == "gymnasium"
    with pytest.raises(ConfigError, match="backend must be one of 'gymnasium', 'envpool'"):
        task.with_options(backend="jax")
    swingup = make_task("swingup")
    with pytest.raises(ConfigError, match="backend: only for Gymnasium tasks"):
        configure_task(swingup, {"backend": "envpool"})
    # an environment EnvPool does not implement: the default stays Gymnasium, envpool is refused
    own = "scratchnn/CartPoleSwingUp-v0"
    assert gym_task(own, workers=1).spec.backend == "gymnasium"
    with pytest.raises(ScratchnnError, match=f"does not implement {own}; use --backend gym"):
        gym_task(own, workers=1, backend="envpool")


def test_envpool_missing_gives_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setattr(ep, "available", lambda: False)
    ep.supported_ids.cache_clear()
    try:
        assert biped_task(workers=1).spec.backend == "gymnasium"  # the default, unchanged
        with pytest.raises(ScratchnnError) as err:
            biped_task(workers=1, backend="envpool")
        msg = str(err.value)
        assert "\n" not in msg and "pip install 'scratchnn[envpool]'" in msg
    finally:
        ep.supported_ids.cache_clear()


def _zeros(idx, obs):
    return np.zeros((len(idx), 4))


def test_common_seeds_same_terrain_whatever_the_pool():
    """An episode depends on its seed alone: equal seeds give equal returns wherever they sit in
    the pool and whatever else runs beside them; different seeds give different terrains."""
    a, na = ep.run_pool("BipedalWalker-v3", 300, False, _zeros, np.array([5, 5, 7]))
    b, nb = ep.run_pool("BipedalWalker-v3", 300, False, _zeros, np.array([7, 11, 13, 5]))
    assert a[0] == a[1] == b[3] and na[0] == nb[3]
    assert a[2] == b[0]
    assert a[0] != a[2]


def test_finished_envs_are_never_stepped_again():
    """Each step passes only the live episodes to the policy (and to EnvPool); an episode that
    ended is never stepped again (EnvPool would auto-reset it and draw a new terrain), so its
    step count is its length, and the same as when it runs alone."""
    seen: list[np.ndarray] = []

    def act(idx, obs):
        seen.append(idx.copy())
        out = np.zeros((len(idx), 4))
        out[idx % 2 == 0] = FALLS  # even episodes fall early, odd ones stand
        return out

    total, steps = ep.run_pool("BipedalWalker-v3", 100, True, act, np.arange(6))
    assert np.all(steps[::2] < 80) and np.all(steps[1::2] == 100)  # fallen / truncated
    for e in range(6):
        stepped = sum(int(e in s) for s in seen)
        assert stepped == steps[e]
    alone, n_alone = ep.run_pool("BipedalWalker-v3", 100, True, act, np.array([4]))
    # idx is 0 here (even): the same falling policy, the same seed
    assert n_alone[0] == steps[4] and alone[0] == total[4]


def test_scores_do_not_depend_on_workers_or_threads():
    pop = Population.initial(6, 24, 4, 0.25, np.random.default_rng(1))
    packed = pack_population(pop)
    task = biped_task(workers=1, backend="envpool").with_options(steps=120)
    one = task.evaluate(packed, WEIGHTS, np.random.default_rng(0), reps=2)
    for workers in (2, 3):
        other = task.with_options(workers=workers).evaluate(
            packed, WEIGHTS, np.random.default_rng(0), 2
        )
        assert np.array_equal(one, other)
    assert one.shape == (6, 6) and len(np.unique(one)) > 1
    inst = shared_weight_instances(packed, WEIGHTS)
    seeds = np.arange(36) + 100
    a = run_episodes(task.spec, packed, inst, np.arange(36), seeds, threads=1)
    b = run_episodes(task.spec, packed, inst, np.arange(36), seeds, threads=2)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_pool_chunks_give_the_same_scores(monkeypatch):
    pop = Population.initial(4, 24, 4, 0.25, np.random.default_rng(2))
    packed = pack_population(pop)
    task = biped_task(workers=1, backend="envpool").with_options(steps=60)
    whole = task.evaluate(packed, WEIGHTS, np.random.default_rng(0), reps=1)
    monkeypatch.setattr(ep, "MAX_POOL", 5)
    chunked = task.evaluate(packed, WEIGHTS, np.random.default_rng(0), reps=1)
    assert np.array_equal(whole, chunked)


def _gym_falls(seed: int, rng: np.random.Generator):
    """A Gymnasium episode of the reference reward (exact) under random actions; returns the
    falling step's exact reward and its estimate, or None when the episode did not fall."""
    env = NoFallPenalty(make_env(biped_task(workers=1, backend="gymnasium").spec))
    obs, _ = env.reset(seed=seed)
    scale = rng.uniform(0.2, 1.5)
    for _ in range(1600):
        a = np.clip(rng.normal(0, scale, 4), -1, 1)
        prev = obs
        obs, r, terminated, truncated, _ = env.step(a)
        if terminated or truncated:
            break
    base = env.unwrapped
    if not (terminated and (base.game_over or base.hull.position[0] < 0)):
        return None
    est = biped_reward.fall_step_reward(prev[None], obs[None], a[None])[0]
    return r, est


def test_fall_step_estimate_against_gymnasium_exact_reward():
    rng = np.random.default_rng(0)
    pairs = [p for s in range(40) if (p := _gym_falls(s, rng)) is not None]
    assert len(pairs) >= 25
    exact, est = np.array(pairs).T
    err = np.abs(est - exact)
    assert err.mean() < 0.05 and err.max() < 0.15  # the documented bound
    assert np.abs(exact).mean() > 5 * err.mean()  # the estimate carries the reward's signal


def test_reference_reward_on_envpool_keeps_the_falling_steps_own_reward():
    """Same seed, same falling actions: the reference return is the standard return with the
    -100 replaced by the estimated ordinary reward of the falling step."""

    def falls(idx, obs):
        return np.tile(FALLS, (len(idx), 1))

    std, n_std = ep.run_pool("BipedalWalker-v3", 1600, False, falls, np.arange(4))
    ref, n_ref = ep.run_pool("BipedalWalker-v3", 1600, True, falls, np.arange(4))
    assert np.array_equal(n_std, n_ref) and np.all(n_std < 100)
    gap = ref - std - 100.0
    assert np.all(np.abs(gap) < 1)  # one step's ordinary reward in place of -100
    # and the Gymnasium backend, where the same actions fall on the flat start pad, agrees on
    # the reference return within the initial push's spread
    env = make_env(biped_task(workers=1, backend="gymnasium").spec)
    env.reset(seed=0)
    total, done = 0.0, False
    while not done:
        _, r, term, trunc, _ = env.step(FALLS)
        total += r
        done = term or trunc
    assert abs(total - ref.mean()) < 2.0


def _cartpole_champion():
    from scratchnn.wann.networks.formats import load_network

    task = gym_task("CartPole-v1", workers=2)
    g, _ = load_network(ROOT / "champions" / "cartpole" / "best.json", task.n_in, task.n_out)
    return task, pack_networks([express(g)])


@pytest.mark.slow
def test_backends_agree_in_distribution_cartpole():
    """The shipped CartPole champion over 300 episodes per backend at w = -1.5: the means
    differ by less than two standard errors."""
    task, packed = _cartpole_champion()
    res = compare_backends(task, packed, weight=-1.5, episodes=300, seed=0)
    assert res["gymnasium"]["n"] == res["envpool"]["n"] == 300
    assert abs(res["difference"]) < 2 * res["se"], res


@pytest.mark.slow
def test_backends_agree_in_distribution_biped():
    """The biped walker search's champion (results/wann-biped-walker) at its tuned shared
    weight over 200 episodes per backend, the reference reward (EnvPool's falling step
    estimated): the means differ by less than two standard errors."""
    from scratchnn.wann.networks.formats import load_network

    task = biped_task(workers=2)
    g, _ = load_network(ROOT / "results" / "wann-biped-walker" / "best.json", 24, 4)
    res = compare_backends(task, pack_networks([express(g)]), weight=-0.5, episodes=200, seed=1)
    assert res["gymnasium"]["n"] == res["envpool"]["n"] == 200
    assert abs(res["difference"]) < 2 * res["se"], res


def test_cli_backend_option_search_eval_and_resume(tmp_path, capsys):
    from scratchnn.cli import main
    from scratchnn.wann.search.loop import CHECKPOINT, load_checkpoint

    out = tmp_path / "run"
    small = ["--task", "gym:CartPole-v1", "--pop", "4", "--generations", "1", "--workers", "1"]
    assert main(["wann", "search", *small, "--backend", "gymnasium", "--out", str(out)]) == 0
    assert "backend: gymnasium" in capsys.readouterr().out
    assert load_checkpoint(out / CHECKPOINT).config.task.backend == "gymnasium"
    # the default (gymnasium, whatever is installed) is recorded, so a resume keeps it
    out2 = tmp_path / "run2"
    assert main(["wann", "search", *small, "--out", str(out2)]) == 0
    assert load_checkpoint(out2 / CHECKPOINT).config.task.backend == "gymnasium"
    resume = ["wann", "search", "--task", "gym:CartPole-v1", "--out", str(out), "--resume"]
    assert main([*resume, "--backend", "envpool"]) != 0
    assert "--backend" in capsys.readouterr().err
    short = ["--episodes", "2", "--tune-episodes", "1", "--workers", "1"]
    best = str(out / "best.json")
    for backend in ("envpool", "gymnasium"):
        args = ["wann", "eval", best, "--task", "gym:CartPole-v1", *short, "--backend", backend]
        assert main(args) == 0
        assert f"backend: {backend}" in capsys.readouterr().out
    assert main(["wann", "search", "--task", "swingup", "--backend", "envpool"]) != 0
    err = capsys.readouterr().err
    assert "backend: only for Gymnasium tasks" in err and len(err.strip().splitlines()) == 1


def test_cli_agree_prints_both_backends_and_the_verdict(tmp_path, capsys):
    from scratchnn.cli import main

    js = tmp_path / "agree.json"
    args = ["wann", "bench", "--gym", "gym:CartPole-v1", "--agree", "cartpole"]
    code = main([*args, "--episodes", "30", "--weight", "-1.5", "--json", str(js)])
    out = capsys.readouterr().out
    assert "| gymnasium | 30 |" in out and "| envpool | 30 |" in out
    r = json.loads(js.read_text())
    assert code == (0 if r["agree"] else 1)
    assert r["agree"] == (abs(r["envpool"]["mean"] - r["gymnasium"]["mean"]) < 2 * r["se"])
    assert main(["wann", "bench", "--agree", "cartpole"]) != 0
    assert "--agree needs --gym" in capsys.readouterr().err
