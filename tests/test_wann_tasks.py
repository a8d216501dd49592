"""WANN tasks and surface: packed evaluation, CartPoleSwingUp, MNIST-256 preprocessing,
checkpoints, the reference champion format, presets, ``wann eval``, the Gymnasium env."""

import json
import math

import numpy as np
import pytest

from scratchnn.errors import ConfigError, ScratchnnError
from scratchnn.wann import swingup as su
from scratchnn.wann.activations import ALL_IDS
from scratchnn.wann.config import SearchConfig, config_from_dict, load_preset
from scratchnn.wann.genome import HIDDEN, Conn, Genome, Node, express, forward, initial_genome
from scratchnn.wann.mutations import mutate
from scratchnn.wann.packed import forward_shared, pack, shared_weight_instances

WEIGHTS = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])


def random_nets(n_in, n_out, count, seed=0, max_mutations=40):
    rng = np.random.default_rng(seed)
    genomes = []
    for _ in range(count):
        g = initial_genome(n_in, n_out, 0.5, rng)
        for _ in range(int(rng.integers(0, max_mutations))):
            g, _ = mutate(g, rng, ALL_IDS)
        genomes.append(g)
    return genomes


# --- packed evaluation ---------------------------------------------------------------------


def test_packed_forward_equals_the_node_by_node_forward():
    nets = [express(g) for g in random_nets(5, 3, 30)]
    X = np.random.default_rng(1).normal(size=(50, 5))
    out = forward_shared(pack(nets), X, WEIGHTS)
    assert out.shape == (30, 6, 50, 3)
    with np.errstate(all="ignore"):
        for k, e in enumerate(nets):
            for i, w in enumerate(WEIGHTS):
                np.testing.assert_allclose(out[k, i], forward(e, X, w), rtol=1e-10, atol=1e-10)


# --- CartPoleSwingUp -----------------------------------------------------------------------


def hand_step(x, x_dot, th, th_dot, a):
    """The reference equations, written out with math (g 9.82, m_c = m_p = 0.5, l 0.6, b 0.1)."""
    F = 10.0 * max(-1.0, min(1.0, a))
    s, c = math.sin(th), math.cos(th)
    M, mp, L, g, b = 1.0, 0.5, 0.6, 9.82, 0.1
    xa = (-2 * mp * L * th_dot**2 * s + 3 * mp * g * s * c + 4 * F - 4 * b * x_dot) / (
        4 * M - 3 * mp * c * c
    )
    ta = (-3 * mp * L * th_dot**2 * s * c + 6 * M * g * s + 6 * (F - b * x_dot) * c) / (
        4 * L * M - 3 * mp * L * c * c
    )
    return x + 0.01 * x_dot, x_dot + 0.01 * xa, th + 0.01 * th_dot, th_dot + 0.01 * ta


def test_swingup_physics_against_steps_by_hand():
    # hanging at rest, no force: nothing moves
    assert su.physics_step(0.0, 0.0, math.pi, 0.0, 0.0) == pytest.approx((0, 0, math.pi, 0))
    # hanging at rest, full force: x_acc = 4F / (4M - 3 m_p) = 40 / 2.5 = 16,
    # th_acc = 6 F cos(pi) / (4 l M - 3 m_p l) = -60 / 1.5 = -40
    assert su.physics_step(0.0, 0.0, math.pi, 0.0, 1.0) == pytest.approx((0, 0.16, math.pi, -0.4))
    # the action is clipped to [-1, 1]
    assert su.physics_step(0.0, 0.0, math.pi, 0.0, 7.0) == pytest.approx((0, 0.16, math.pi, -0.4))
    # a few steps from a general state agree with the equations written out by hand
    mine = hand = (0.3, -0.7, 2.5, 1.3)
    for a in (0.4, -1.0, 0.9, 0.0, -0.2):
        mine = su.physics_step(*mine, a)
        hand = hand_step(*hand, a)
        assert mine == pytest.approx(hand, rel=1e-12)
    # reward on the new state: upright at the centre 1, hanging 0, at the track's end 0
    assert su.reward(0.0, 0.0) == pytest.approx(1.0)
    assert su.reward(0.0, math.pi) == pytest.approx(0.0)
    assert su.reward(2.4, 0.0) == pytest.approx(0.0, abs=1e-12)
    assert su.reward(1.2, math.pi / 2) == pytest.approx(0.5 * math.cos(math.pi / 4))


def test_vector_env_stops_past_the_track_and_counts_that_step():
    env = su.SwingUpEnv(2)
    env.reset(np.random.default_rng(0), state=[[2.39, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    obs, r, done = env.step(np.zeros(2))
    assert done.tolist() == [True, False]  # 2.39 + 0.02 > 2.4
    assert r[0] == pytest.approx(su.reward(2.41, 0.0)) and r[0] < 0
    obs2, r2, _ = env.step(np.zeros(2))
    assert r2[0] == 0.0 and np.array_equal(obs2[0], obs[0])  # finished: frozen, no reward
    states = su.reset_states(20000, np.random.default_rng(0))
    assert np.allclose(states.mean(axis=0), [0, 0, math.pi, 0], atol=0.01)
    assert np.allclose(states.std(axis=0), 0.2, atol=0.01)


def test_compiled_rollouts_equal_the_vector_env_with_the_plain_forward():
    nets = [express(g) for g in random_nets(5, 1, 6, seed=3, max_mutations=25)]
    packed = pack(nets)
    inst = shared_weight_instances(packed, WEIGHTS)
    init = su.reset_states(2, np.random.default_rng(9))
    n_inst = len(inst[0])
    ep_inst, ep_state = np.repeat(np.arange(n_inst), 2), np.tile(np.arange(2), n_inst)
    # 150 steps: over 1000 steps the last-bit differences of the two float summation orders can
    # grow (the controlled pendulum is chaotic), so the comparison stays on a horizon where
    # they cannot
    fast = su.rollouts(packed, *inst, ep_inst, ep_state, init, steps=150).reshape(6, 6, 2)
    assert np.ptp(fast) > 1  # the networks do different things
    for k, e in enumerate(nets):
        for i, w in enumerate(WEIGHTS):
            env = su.SwingUpEnv(2)
            obs, total = env.reset(None, state=init), np.zeros(2)
            with np.errstate(all="ignore"):
                for _ in range(150):
                    obs, r, done = env.step(forward(e, obs, w)[:, 0])
                    total += r
                    if done.all():
                        break
            np.testing.assert_allclose(fast[k, i], total, rtol=1e-9, atol=1e-9)


def test_swingup_task_uses_common_initial_states():
    from scratchnn.wann.tasks import SwingUpTask

    nets = [express(g) for g in random_nets(5, 1, 4, seed=5)]
    task = SwingUpTask()
    a = task.evaluate(nets, WEIGHTS, np.random.default_rng(1), reps=3)
    b = task.evaluate(nets[::-1], WEIGHTS, np.random.default_rng(1), reps=3)
    assert a.shape == (4, 6) and np.array_equal(a, b[::-1])  # same states for every network
    c = task.evaluate(nets, WEIGHTS, np.random.default_rng(2), reps=3)
    assert not np.array_equal(a, c)


# --- MNIST-256 -----------------------------------------------------------------------------


def test_deskew_straightens_a_sheared_bar():
    from scratchnn.wann.mnist256 import deskew, skew

    img = np.zeros((1, 16, 16))
    for y in range(2, 14):  # a bar leaning right: column 8 + 0.5 (y - 8)
        c = 8 + 0.5 * (y - 8)
        x0 = int(np.floor(c))
        img[0, y, x0] += 1 - (c - x0)
        img[0, y, x0 + 1] += c - x0
    assert skew(img)[0] == pytest.approx(0.5)
    out = deskew(img)[0]
    cols = (out * np.arange(16)).sum(axis=1)[2:14] / out.sum(axis=1)[2:14]
    assert np.allclose(cols, 8.0, atol=1e-9)  # every row's ink now sits in column 8
    assert abs(skew(out[None])[0]) < 1e-9
    assert out.sum() == pytest.approx(img.sum())  # a shear moves ink, it does not lose it
    blank = np.zeros((1, 16, 16))
    assert np.isnan(skew(blank)[0]) and np.array_equal(deskew(blank), blank)


def test_resize_is_bilinear_with_aligned_centres():
    from scratchnn.wann.mnist256 import preprocess, resize

    ramp = np.tile(np.arange(28.0), (1, 28, 1))  # value = column index
    out = resize(ramp)
    expected = np.clip((np.arange(16) + 0.5) * 28 / 16 - 0.5, 0, 27)
    assert out.shape == (1, 16, 16) and np.allclose(out[0], expected[None, :])
    assert np.allclose(resize(np.full((2, 28, 28), 3.0)), 3.0)
    img = (np.random.default_rng(0).random((3, 28, 28)) * 255).astype(np.uint8)
    X = preprocess(img)
    assert X.shape == (3, 256) and X.min() >= 0 and X.max() <= 1


def fake_mnist256(n_train=300, n_test=200, seed=0):
    from scratchnn.wann.mnist256 import Mnist256

    rng = np.random.default_rng(seed)
    return Mnist256(
        rng.random((n_train, 256)),
        rng.integers(0, 10, n_train),
        rng.random((n_test, 256)),
        rng.integers(0, 10, n_test),
    )


def test_mnist256_fitness_is_minus_the_cross_entropy():
    from scratchnn.wann.tasks import Mnist256Task

    task = Mnist256Task(batch=100)
    task.__dict__["data"] = data = fake_mnist256()
    nets = [express(g) for g in random_nets(256, 10, 3, seed=2, max_mutations=10)]
    scores = task.evaluate(nets, WEIGHTS, np.random.default_rng(4))
    idx = np.random.default_rng(4).choice(300, size=100, replace=False)  # the same batch
    for k, e in enumerate(nets):
        for i, w in enumerate(WEIGHTS):
            z = forward(e, data.X_train[idx], w)
            logp = z - z.max(1, keepdims=True)
            logp -= np.log(np.exp(logp).sum(1, keepdims=True))
            assert scores[k, i] == pytest.approx(logp[np.arange(100), data.y_train[idx]].mean())


# --- checkpoints, presets, formats -----------------------------------------------------------


def test_checkpoint_resume_gives_the_uninterrupted_search(tmp_path):
    from scratchnn.wann.search import load_checkpoint, run_search
    from scratchnn.wann.tasks import SwingUpTask

    task = SwingUpTask(steps=200)
    cfg = SearchConfig(pop=12, generations=7, reps=2, best_reps=2, checkpoint_every=3, seed=4)
    whole = run_search(task, cfg)

    class CrashError(Exception):
        pass

    def crash_after_5(state):
        if state.generation == 5:
            raise CrashError

    ckpt = tmp_path / "checkpoint.json"
    with pytest.raises(CrashError):
        run_search(task, cfg, checkpoint=ckpt, on_generation=crash_after_5)
    saved = load_checkpoint(ckpt)
    assert saved.generation == 3  # the last checkpoint before the crash
    resumed = run_search(task, cfg, state=saved, checkpoint=ckpt)

    def strip(stats):
        return [{k: v for k, v in s.__dict__.items() if k != "seconds"} for s in stats]

    assert resumed.generation == whole.generation == 7
    assert strip(resumed.stats) == strip(whole.stats)
    assert resumed.champion.to_dict() == whole.champion.to_dict()
    assert [g.to_dict() for g in resumed.pop] == [g.to_dict() for g in whole.pop]
    assert resumed.rng.bit_generator.state == whole.rng.bit_generator.state
    ckpt.write_text("{not json")
    with pytest.raises(ScratchnnError, match="damaged"):
        load_checkpoint(ckpt)


def test_cli_resume_continues_and_matches_an_uninterrupted_run(tmp_path, capsys):
    from scratchnn.cli import main

    cfg = tmp_path / "small.yaml"
    cfg.write_text("pop: 8\nreps: 1\nbest_reps: 1\ncheckpoint_every: 2\n")
    base = ["wann", "search", "--task", "swingup", "--config", str(cfg)]
    a, b = tmp_path / "a", tmp_path / "b"
    assert main([*base, "--generations", "4", "--out", str(a)]) == 0
    resume = ["wann", "search", "--task", "swingup", "--resume", "--generations", "6"]
    assert main([*resume, "--out", str(a)]) == 0
    assert "resuming" in capsys.readouterr().out
    assert main([*base, "--generations", "6", "--out", str(b)]) == 0

    def rows(d):
        lines = (d / "stats.csv").read_text().splitlines()
        return [line.rsplit(",", 1)[0] for line in lines]  # without the seconds column

    assert len(rows(a)) == 7 and rows(a) == rows(b)
    assert json.loads((a / "best.json").read_text()) == json.loads((b / "best.json").read_text())
    assert main([*base, "--resume", "--out", str(a)]) == 2
    assert "only --generations may be given" in capsys.readouterr().err
    assert main(["wann", "search", "--task", "xor", "--resume", "--out", str(a)]) == 2
    assert "is a search for task 'swingup'" in capsys.readouterr().err


def test_presets_and_config_errors(tmp_path):
    lap = load_preset("swingup", "laptop")
    assert (lap.pop, lap.reps, lap.tournament, lap.elite) == (64, 3, 4, 0.05)
    paper = load_preset("swingup", "paper")
    assert (paper.pop, paper.generations, paper.tournament) == (192, 1024, 8)
    m = load_preset("mnist256", "paper")
    assert (m.pop, m.generations, m.tournament, m.p_init) == (960, 4096, 32, 0.05)
    assert load_preset("xor", "laptop").pop == 64
    with pytest.raises(ConfigError, match="unknown key 'popsize'; valid keys: pop, "):
        config_from_dict({"popsize": 10})
    with pytest.raises(ConfigError, match="elite must be in"):
        config_from_dict({"elite": 1.5})
    with pytest.raises(ConfigError, match="pop must be an integer"):
        config_from_dict({"pop": "many"})
    with pytest.raises(ConfigError, match="unknown preset"):
        load_preset("swingup", "desktop")


def hidden_net():
    """bias, x1, x2 -> h (tanh) -> out, plus x2 -> out."""
    g = initial_genome(2, 1, 0.0, np.random.default_rng(0))
    for c in g.conns:
        c.enabled = False
    g.nodes.append(Node(4, HIDDEN, 5))
    g.conns += [Conn(10, 0, 4), Conn(11, 1, 4), Conn(12, 4, 3), Conn(13, 2, 3)]
    return g


def test_reference_champion_format_round_trip(tmp_path):
    from scratchnn.wann.formats import from_reference_matrix, load_genome, save_reference_csv

    for g in [hidden_net(), *random_nets(5, 1, 5, seed=8)]:
        path = tmp_path / "champion.csv"
        save_reference_csv(g, path)
        M = np.loadtxt(path, delimiter=",")
        N = len(g.nodes)
        assert M.shape == (N, N + 1)
        back = load_genome(path, g.n_in, g.n_out)
        e, eb = express(g), express(back)
        assert np.array_equal(e.W, eb.W) and np.array_equal(e.act, eb.act)
        X = np.random.default_rng(0).normal(size=(7, g.n_in))
        with np.errstate(all="ignore"):
            assert np.array_equal(forward(e, X, 1.5), forward(eb, X, 1.5), equal_nan=True)
    # topology only: any nonzero value (the reference stores trained weights) is a connection
    M = np.loadtxt(path, delimiter=",")
    M[:, :-1] *= np.random.default_rng(1).uniform(0.5, 2, M[:, :-1].shape)
    assert np.array_equal(express(from_reference_matrix(M, 5, 1)).W, express(back).W)


def test_malformed_genome_files_are_named(tmp_path):
    from scratchnn.wann.formats import load_genome, save_reference_csv

    g = hidden_net()
    js = tmp_path / "g.json"
    js.write_text(json.dumps({"genome": g.to_dict()}))
    with pytest.raises(ScratchnnError, match="2 inputs and 1 outputs; the task needs 5 and 1"):
        load_genome(js, 5, 1)
    csv = tmp_path / "g.csv"
    save_reference_csv(g, csv)
    with pytest.raises(ScratchnnError, match="fewer than bias \\+ 5 inputs"):
        load_genome(csv, 5, 1)
    M = np.loadtxt(csv, delimiter=",")
    M[3, 4] = M[4, 3] = 1  # hidden (row 3) <-> output (row 4): output -> hidden is not allowed
    np.savetxt(csv, M, delimiter=",")
    with pytest.raises(ScratchnnError, match="starts at an output node"):
        load_genome(csv, 2, 1)
    cyc = Genome(2, 1, [*g.nodes, Node(5, HIDDEN, 1)], [*g.conns, Conn(20, 4, 5), Conn(21, 5, 4)])
    js.write_text(json.dumps(cyc.to_dict()))
    with pytest.raises(ScratchnnError, match="cycle through node"):
        load_genome(js, 2, 1)
    M = np.loadtxt(tmp_path / "g.csv", delimiter=",")
    save_reference_csv(g, csv)
    M = np.loadtxt(csv, delimiter=",")
    M[3, -1] = 11
    np.savetxt(csv, M, delimiter=",")
    with pytest.raises(ScratchnnError, match="unknown activation id 11"):
        load_genome(csv, 2, 1)
    csv.write_text("0,1,0\n0,0\n")
    with pytest.raises(ScratchnnError, match="same number of columns"):
        load_genome(csv, 2, 1)
    csv.write_text("garbage\n")
    with pytest.raises(ScratchnnError, match="neither our JSON nor a reference champion CSV"):
        load_genome(csv, 2, 1)
    with pytest.raises(ScratchnnError, match="cannot read genome file"):
        load_genome(tmp_path / "missing.json", 2, 1)


# --- wann eval ---------------------------------------------------------------------------------


def test_eval_swingup_rows_and_cli(tmp_path, capsys):
    from scratchnn.cli import main
    from scratchnn.wann.evaluate import TUNE_GRID, evaluate_control
    from scratchnn.wann.tasks import SwingUpTask

    assert len(TUNE_GRID) == 80 and 0 not in TUNE_GRID and TUNE_GRID.min() == -2
    g = random_nets(5, 1, 1, seed=11, max_mutations=15)[0]
    rows, w_best = evaluate_control(SwingUpTask(), g, episodes=8, seed=1)
    names = [r.condition for r in rows]
    assert names[:2] == ["random weights U(-2,2)", "random shared weight U(-2,2)"]
    assert names[2:8] == [f"w = {w:g}" for w in WEIGHTS] and w_best in TUNE_GRID
    assert all(r.n == 8 and np.isfinite(r.mean) for r in rows)
    again, _ = evaluate_control(SwingUpTask(), g, episodes=8, seed=1)
    assert again == rows  # seeded
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"genome": g.to_dict()}))
    out = tmp_path / "eval.json"
    args = ["wann", "eval", str(path), "--task", "swingup", "--episodes", "8", "--seed", "1"]
    assert main([*args, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "random shared weight U(-2,2)" in text and "tuned shared weight" in text
    assert json.loads(out.read_text())["rows"][0]["mean"] == pytest.approx(rows[0].mean)
    assert main(["wann", "eval", str(path), "--task", "xor"]) == 2
    assert "the task needs 2 and 1" in capsys.readouterr().err


def test_eval_boolean_counts_right_answers():
    from scratchnn.wann.evaluate import evaluate_control
    from scratchnn.wann.tasks import BooleanTask

    g = initial_genome(2, 1, 0.0, np.random.default_rng(0))
    for c in g.conns:
        c.enabled = c.src == 0  # out = w * 1: TRUE for w > 0, FALSE for w < 0
    rows, _ = evaluate_control(BooleanTask("TRUE"), g, episodes=4)
    by = {r.condition: r.mean for r in rows}
    assert by["w = 2"] == 1.0 and by["w = -2"] == 0.0


def test_eval_mnist256_per_weight_mean_and_ensemble():
    from scratchnn.wann.evaluate import evaluate_mnist
    from scratchnn.wann.tasks import Mnist256Task

    task = Mnist256Task()
    data = fake_mnist256(n_train=10_000, n_test=300)
    task.__dict__["data"] = data
    g = random_nets(256, 10, 1, seed=3, max_mutations=20)[0]
    r = evaluate_mnist(task, g)
    e = express(g)
    accs = [(forward(e, data.X_test, w).argmax(1) == data.y_test).mean() for w in WEIGHTS]
    assert list(r["per_weight"].values()) == pytest.approx(accs)
    assert r["mean"] == pytest.approx(np.mean(accs)) and r["std"] == pytest.approx(np.std(accs))
    assert 0 <= r["ensemble"] <= 1 and 0 <= r["tuned_accuracy"] <= 1


# --- Gymnasium -----------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_gymnasium_registration_and_env_checker():
    import gymnasium
    from gymnasium.utils.env_checker import check_env

    import scratchnn.wann.gym_env  # noqa: F401  (registers the id)

    env = gymnasium.make("scratchnn/CartPoleSwingUp-v0")
    check_env(env.unwrapped)
    obs, _ = env.reset(seed=3)
    ref = su.SwingUpEnv(1)
    ref.reset(None, state=env.unwrapped._env.state.copy())
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated):
        obs, r, terminated, truncated, _ = env.step(np.array([0.5], dtype=np.float32))
        obs_ref, r_ref, _ = ref.step(np.array([0.5]))
        assert np.allclose(obs, obs_ref[0]) and r == pytest.approx(r_ref[0])
        steps += 1
    assert terminated and steps < su.T_LIMIT  # pushing one way runs off the track
    env2 = gymnasium.make("scratchnn.wann.gym_env:scratchnn/CartPoleSwingUp-v0")
    assert env2.spec.max_episode_steps == 1000


def test_wann_bench_runs_both_paths_on_the_same_episodes(capsys):
    from scratchnn.benchmarks.wann import bench_swingup, reference_style_episode
    from scratchnn.cli import main

    r = bench_swingup(pop_size=4, mutations=10, sample=3)
    assert r["episodes"] == 4 * 6 * 3 and 4 * 6 * 3 <= r["env_steps"] <= 4 * 6 * 3 * 1000
    assert r["speedup"] == pytest.approx(
        r["reference_style_us_per_step"] / r["scratchnn_us_per_step"]
    )
    # the reference-style episode is the same episode as the compiled one
    g = random_nets(5, 1, 1, seed=2, max_mutations=10)[0]
    init = su.reset_states(1, np.random.default_rng(0))
    packed = pack([express(g)])
    inst = shared_weight_instances(packed, np.array([0.5]))
    fast, steps = su.rollouts(packed, *inst, [0], [0], init, steps=100, return_steps=True)
    total, n = reference_style_episode(express(g), 0.5, init[0], max_steps=100)
    assert n == steps[0] and total == pytest.approx(fast[0], rel=1e-9)
    assert main(["wann", "bench", "--pop", "4", "--mutations", "5", "--sample", "2"]) == 0
    assert "speed-up" in capsys.readouterr().out


def test_scores_do_not_depend_on_the_number_of_threads():
    import numba

    from scratchnn.wann.tasks import SwingUpTask

    nets = [express(g) for g in random_nets(5, 1, 8, seed=6)]
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = SwingUpTask().evaluate(nets, WEIGHTS, np.random.default_rng(0), reps=2)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = SwingUpTask().evaluate(nets, WEIGHTS, np.random.default_rng(0), reps=2)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one, many)


def test_network_drawing_lays_out_layers_and_hides_unused_mnist_inputs(tmp_path):
    from scratchnn.wann.genome import layers
    from scratchnn.wann.plots import draw_network, node_positions

    g = hidden_net()
    pos = node_positions(g)
    depth = layers(g)
    assert all(pos[v][0] == depth[v] for v in pos) and len(pos) == len(g.nodes)
    big = random_nets(256, 10, 1, seed=1, max_mutations=5)[0]
    used = {c.src for c in big.conns if c.enabled}
    shown = {v for v in node_positions(big) if 1 <= v <= 256}
    assert shown == used & set(range(1, 257))
    draw_network(big, tmp_path / "n.png", [f"p{i}" for i in range(256)], list("0123456789"))
    assert (tmp_path / "n.png").stat().st_size > 1000
