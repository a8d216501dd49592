"""WANN on Gymnasium environments (``gym:ENV_ID``) and BipedalWalker (``biped``)."""

import json

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from scratchnn.errors import ConfigError, ScratchnnError
from scratchnn.wann.networks.genome import express
from scratchnn.wann.networks.packed import pack_networks
from scratchnn.wann.search.loop import WEIGHTS, initial_state, step
from scratchnn.wann.search.population import Population, pack_population
from scratchnn.wann.tasks import configure_task, make_task
from scratchnn.wann.tasks.biped import biped_task
from scratchnn.wann.tasks.gym import EnvSpec, gym_task, make_env, to_actions

from .helpers import random_nets


class _DictObs(gym.Env):
    observation_space = spaces.Dict({"a": spaces.Box(-1, 1, (2,))})
    action_space = spaces.Discrete(2)


class _MultiAct(gym.Env):
    observation_space = spaces.Box(-1, 1, (3,))
    action_space = spaces.MultiDiscrete([2, 3])


for _id, _cls in (("test/DictObs-v0", _DictObs), ("test/MultiAct-v0", _MultiAct)):
    if _id not in gym.registry:
        gym.register(id=_id, entry_point=_cls)


def _population(task, n=6, seed=0, mutations=12):
    """``n`` small random networks for ``task``, packed."""
    from scratchnn.wann.networks.genome import express

    nets = random_nets(task.n_in, task.n_out, n, seed=seed, max_mutations=mutations)
    return pack_networks([express(g) for g in nets])


def test_supported_spaces_and_the_action_mappings():
    cart = gym_task("CartPole-v1", workers=1)
    assert (cart.n_in, cart.n_out, cart.spec.action, cart.spec.steps) == (4, 2, "argmax", 500)
    pend = gym_task("Pendulum-v1", workers=1)
    assert (pend.n_in, pend.n_out, pend.spec.action) == (3, 1, "tanh")
    assert pend.spec.low == (-2.0,) and pend.spec.high == (2.0,)
    y = np.array([[-1e9], [0.0], [np.nan], [1e9]])
    assert np.allclose(to_actions(y, pend.spec)[:, 0], [-2.0, 0.0, 0.0, 2.0])
    clip = pend.with_options(action="clip").spec
    assert np.array_equal(to_actions(np.array([[-3.0], [1.5]]), clip)[:, 0], [-2.0, 1.5])
    argmax = to_actions(np.array([[0.1, 0.2], [np.nan, -1.0], [3.0, 3.0]]), cart.spec)
    assert argmax.tolist() == [1, 0, 0]  # NaN counts as 0, ties go to the first


@pytest.mark.parametrize(
    ("env_id", "what"),
    [("test/DictObs-v0", "Dict observation space"), ("test/MultiAct-v0", "MultiDiscrete action")],
)
def test_unsupported_spaces_are_one_line_errors(env_id, what, capsys):
    from scratchnn.cli import main

    with pytest.raises(ScratchnnError, match=what + r".*support a Box observation space and a Box"):
        gym_task(env_id)
    assert main(["wann", "search", "--task", f"gym:{env_id}", "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and what in err


def test_bad_task_options_are_config_errors():
    cart = gym_task("CartPole-v1", workers=1)
    with pytest.raises(ConfigError, match="does not fit CartPole-v1's Discrete"):
        cart.with_options(action="tanh")
    with pytest.raises(ConfigError, match="applies to BipedalWalker only"):
        cart.with_options(reward="reference")
    with pytest.raises(ConfigError, match="needs 4 input and 2 output names"):
        cart.with_options(labels=("a", "b"))
    with pytest.raises(ConfigError, match="only for Gymnasium tasks"):
        configure_task(make_task("xor"), {"action": "clip"})
    with pytest.raises(ScratchnnError, match="needs an environment id"):
        make_task("gym:")


def test_scores_use_common_seeds_and_do_not_depend_on_the_workers():
    task = gym_task("CartPole-v1", workers=1)
    packed = _population(task)
    one = task.evaluate(packed, WEIGHTS, np.random.default_rng(3), reps=3)
    two = configure_task(task, {}).with_options(workers=2)
    assert np.array_equal(one, two.evaluate(packed, WEIGHTS, np.random.default_rng(3), reps=3))
    # every network sees the same seeds: reordering the networks reorders the scores
    from scratchnn.wann.networks.genome import express

    nets = random_nets(task.n_in, task.n_out, 6, seed=0, max_mutations=12)
    reversed_nets = pack_networks([express(g) for g in nets[::-1]])
    rev = task.evaluate(reversed_nets, WEIGHTS, np.random.default_rng(3), 3)
    assert np.array_equal(one, rev[::-1])
    assert len(np.unique(one)) > 1  # not a degenerate population


def test_biped_runs_a_few_steps_for_a_small_population_same_for_any_workers():
    task = biped_task(workers=1).with_options(steps=40)
    assert (task.n_in, task.n_out, task.p_init, task.spec.reward) == (24, 4, 0.25, "reference")
    assert task.input_names[0] == "hull_angle" and task.output_names == (
        "hip_1", "knee_1", "hip_2", "knee_2",
    )  # fmt: skip
    pop = Population.initial(4, 24, 4, 0.25, np.random.default_rng(0))
    packed = pack_population(pop)
    a = task.evaluate(packed, WEIGHTS, np.random.default_rng(0), reps=1)
    b = task.with_options(workers=2).evaluate(packed, WEIGHTS, np.random.default_rng(0), reps=1)
    assert a.shape == (4, 6) and np.all(np.isfinite(a)) and np.array_equal(a, b)


def test_reference_biped_reward_drops_only_the_fall_penalty():
    """Same seed and actions: the two rewards agree on every step but the fall, where the
    standard one is -100 and the reference's the ordinary shaping reward."""
    box = ((-1.0,) * 4, (1.0,) * 4)
    action = np.array([0.0, 1.0, 0.0, -1.0])  # falls within 60 steps from seed 3
    rewards = {}
    for reward in ("standard", "reference"):
        env = make_env(EnvSpec("BipedalWalker-v3", 1600, "clip", reward, *box))
        env.reset(seed=3)
        rs, terminated = [], False
        while not terminated:
            _, r, terminated, truncated, _ = env.step(action)
            rs.append(r)
            assert not truncated
        rewards[reward] = np.array(rs)
    std, ref = rewards["standard"], rewards["reference"]
    assert len(std) == len(ref) < 100 and std[-1] == -100
    assert np.array_equal(std[:-1], ref[:-1])
    assert -1 < ref[-1] < 1  # a step's ordinary reward, not the penalty


def test_a_short_cartpole_search_improves():
    from scratchnn.wann.search.config import load_preset

    task = gym_task("CartPole-v1", workers=1).with_options(steps=200)
    cfg = load_preset("gym:CartPole-v1").replace(pop=24, generations=8, seed=0)
    state = initial_state(task, cfg)
    stats = [step(task, state) for _ in range(cfg.generations)]
    first = np.mean([s.best_mean for s in stats[:2]])
    assert stats[-1].champion_mean > first
    assert np.mean([s.best_mean for s in stats[-2:]]) > first


def test_a_tiny_gym_search_and_eval_end_to_end(tmp_path, capsys):
    from scratchnn.cli import main

    out = tmp_path / "run"
    args = ["--task", "gym:CartPole-v1", "--workers", "1"]
    small = ["--pop", "8", "--generations", "2", "--out", str(out), "--time-limit", "0"]
    assert main(["wann", "search", *args, *small]) == 0
    text = capsys.readouterr().out
    assert "CartPole-v1's standard reward" in text and "time limit 0 s reached after gen" in text
    assert "gen    2" not in text  # stopped by the time limit; --resume continues
    assert main(["wann", "search", *args, "--out", str(out), "--resume"]) == 0
    assert "gen    2" in capsys.readouterr().out
    best = json.loads((out / "best.json").read_text())
    assert best["task"] == "gym:CartPole-v1" and best["genome"]["n_in"] == 4
    for name in ("best.csv", "stats.csv", "network.png", "checkpoint.npz"):
        assert (out / name).stat().st_size > 0
    js = tmp_path / "eval.json"
    evargs = ["--episodes", "4", "--tune-episodes", "2", "--episode-steps", "50", "--json", str(js)]
    assert main(["wann", "eval", str(out / "best.json"), *args, *evargs]) == 0
    text = capsys.readouterr().out
    assert "chosen on 2 separate episodes" in text and "standard reward" in text
    result = json.loads(js.read_text())
    assert result["tune_episodes"] == 2 and result["rows"][0]["n"] == 4


def test_bench_gym_reports_the_costs(capsys):
    from scratchnn.cli import main

    assert main(["wann", "bench", "--gym", "gym:CartPole-v1", "--pop", "2"]) == 0
    out = capsys.readouterr().out
    assert "gym:CartPole-v1: 12 generation-0 episodes" in out and "environment step" in out
    assert "| | gymnasium | envpool | gymnasium / envpool |" in out
    assert "| generation, wall clock (s) |" in out
    assert "| gymnasium | laptop | 64 | 128 | 2 | 768 |" in out
    assert "| envpool | paper | 128 | 2048 | 4 |" in out


def test_wann_eval_biped_reads_the_reference_champion_format_and_names_the_reward(tmp_path, capsys):
    from scratchnn.cli import main
    from scratchnn.wann.networks.formats import save_reference_csv

    pop = Population.initial(1, 24, 4, 0.25, np.random.default_rng(1))
    save_reference_csv(pop.genome(0), tmp_path / "champ.csv")  # N rows, N + 1 columns
    short = ["--episodes", "2", "--tune-episodes", "1", "--episode-steps", "20", "--workers", "1"]
    assert main(["wann", "eval", str(tmp_path / "champ.csv"), "--task", "biped", *short]) == 0
    out = capsys.readouterr().out
    assert "reward: the WANN reference's BipedalWalker-v3 (no -100 fall penalty" in out
    assert "tuned shared weight" in out and "chosen on 1 separate episodes" in out
    std = [*short, "--reward", "standard"]
    assert main(["wann", "eval", str(tmp_path / "champ.csv"), "--task", "biped", *std]) == 0
    assert "reward: BipedalWalker-v3's standard reward" in capsys.readouterr().out


def test_train_weights_scores_gym_candidates_on_their_episode_seeds():
    """episode_returns on a Gymnasium task: (C, S) returns, candidate c on seed s equal to
    running that weight vector alone on that seed (the seeds are 1-D, not initial states)."""
    from scratchnn.wann.networks.packed import instances
    from scratchnn.wann.weights import episode_returns

    task = gym_task("CartPole-v1", workers=1, backend="gymnasium")
    net = pack_networks([express(random_nets(4, 2, 1, seed=5, max_mutations=6)[0])])
    E = net.n_edges(0)
    cands = np.random.default_rng(0).normal(size=(3, E))
    seeds = np.array([11, 12])
    R = episode_returns(task, net, cands, seeds)
    assert R.shape == (3, 2)
    for c in range(3):
        for s in range(2):
            inst = instances(net, np.zeros(1, np.int64), cands[c][None])
            alone = task.episode_scores(net, inst, seeds[s : s + 1])
            assert alone[0] == R[c, s]
