"""The search loop: determinism, restarts, checkpoints and resume."""

import json

import numpy as np
import pytest

from scratchnn.errors import ScratchnnError
from scratchnn.wann.networks.genome import (
    express,
    forward,
)
from scratchnn.wann.networks.packed import pack_networks
from scratchnn.wann.search.config import SearchConfig

from .helpers import WEIGHTS, fake_mnist256, hidden_links, random_nets


def test_search_is_deterministic_and_solves_and_at_every_weight():
    from scratchnn.wann.search.config import SearchConfig
    from scratchnn.wann.search.loop import WEIGHTS, run_search
    from scratchnn.wann.tasks import BooleanTask

    task = BooleanTask("AND")
    a = run_search(task, SearchConfig(seed=6, generations=100))  # solves AND at gen 43
    b = run_search(task, SearchConfig(seed=6, generations=100))
    assert [s.best_mean for s in a.stats] == [s.best_mean for s in b.stats]
    assert a.solved_at is not None and a.solved_at == b.solved_at
    assert task.solved(express(a.champion), WEIGHTS)
    y = forward(
        express(a.champion),
        np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]]).repeat(6, 0),
        np.tile(WEIGHTS, 4),
    )[:, 0].reshape(4, 6)
    assert (y[:3] < 0).all() and (y[3] > 0).all()  # AND, read as y > 0, at all six weights


def test_restarts_move_to_the_next_seed_until_solved():
    from scratchnn.wann.search.config import SearchConfig
    from scratchnn.wann.search.loop import WEIGHTS, search_with_restarts
    from scratchnn.wann.tasks import BooleanTask

    task = BooleanTask("AND")
    logs = []
    result = search_with_restarts(task, SearchConfig(generations=40), 60, log=logs.append)
    assert result.config.seed > 0 and result.solved_at is not None  # seed 0 needs 58
    assert "seed 0: not solved in 40 generations; restarting" in logs
    assert task.solved(express(result.champion), WEIGHTS)


def test_checkpoint_resume_gives_the_uninterrupted_search(tmp_path):
    from scratchnn.wann.search.loop import load_checkpoint, run_search
    from scratchnn.wann.tasks import SwingUpTask

    task = SwingUpTask(steps=200)
    cfg = SearchConfig(pop=12, generations=7, reps=2, best_reps=2, checkpoint_every=3, seed=4)
    whole = run_search(task, cfg)

    class CrashError(Exception):
        pass

    def crash_after_5(state):
        if state.generation == 5:
            raise CrashError

    ckpt = tmp_path / "checkpoint.npz"
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
    genomes = [g.to_dict() for g in whole.pop.genomes()]
    assert [g.to_dict() for g in resumed.pop.genomes()] == genomes
    assert resumed.rng.bit_generator.state == whole.rng.bit_generator.state
    ckpt.write_text("{not json")
    with pytest.raises(ScratchnnError, match="damaged"):
        load_checkpoint(ckpt)


def test_scores_do_not_depend_on_the_number_of_threads():
    import numba

    from scratchnn.wann.tasks import SwingUpTask

    nets = [express(g) for g in random_nets(5, 1, 8, seed=6)]
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = SwingUpTask().evaluate(pack_networks(nets), WEIGHTS, np.random.default_rng(0), reps=2)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = SwingUpTask().evaluate(
            pack_networks(nets), WEIGHTS, np.random.default_rng(0), reps=2
        )
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one, many)


def _strip(stats):
    return [{k: v for k, v in s.__dict__.items() if k != "seconds"} for s in stats]


@pytest.mark.parametrize(
    "task_name,disabled_hidden",
    [("xor", "off"), ("swingup", "off"), ("mnist256", "off"), ("swingup", "reference")],
)
def test_array_engine_equals_the_per_genome_reference(task_name, disabled_hidden):
    from scratchnn.wann.search.loop import run_search
    from scratchnn.wann.tasks import Mnist256Task, SwingUpTask, make_task

    if task_name == "swingup":
        task = SwingUpTask(steps=150)
        cfg = SearchConfig(pop=24, generations=12, reps=2, best_reps=2, elite=0.1, seed=2)
    elif task_name == "mnist256":
        task = Mnist256Task(batch=60, p_init=0.2)
        task.__dict__["data"] = fake_mnist256(n_train=200)
        cfg = SearchConfig(pop=20, generations=10, tournament=6, best_reps=1, seed=1)
    else:
        task = make_task(task_name)
        cfg = SearchConfig(pop=32, generations=40, seed=3)
    if disabled_hidden == "reference":  # insert-node often: hidden -> hidden genes get split
        cfg = cfg.replace(
            disabled_hidden=disabled_hidden, generations=30, p_insert_node=0.6,
            p_change_activation=0.2,
        )  # fmt: skip
    a = run_search(task, cfg, engine="array", stop_when_solved=False)
    b = run_search(task, cfg, engine="reference", stop_when_solved=False)
    assert _strip(a.stats) == _strip(b.stats)
    assert [g.to_dict() for g in a.pop.genomes()] == [g.to_dict() for g in b.pop.genomes()]
    assert a.champion.to_dict() == b.champion.to_dict()
    assert (np.diff(a.pop.node_ptr) > 1 + task.n_in + task.n_out).any()  # hidden nodes grew
    assert sum(s.unchanged for s in a.stats) > 0  # the reference's unchanged copies happen
    if disabled_hidden == "reference":
        assert not all(hidden_links(a.pop.genomes()))  # disabled hidden -> hidden genes


def test_the_disabled_hidden_key_is_checked_and_changes_the_search():
    from scratchnn.errors import ConfigError
    from scratchnn.wann.search.config import config_from_dict
    from scratchnn.wann.search.loop import run_search
    from scratchnn.wann.tasks import SwingUpTask

    with pytest.raises(ConfigError, match="disabled_hidden must be one of off, reference"):
        config_from_dict({"disabled_hidden": "on"})
    task = SwingUpTask(steps=50)
    runs = {}
    for value in ("off", "reference"):
        # insert-node often, so that hidden -> hidden genes get split (disabled) early
        cfg = config_from_dict(
            {"pop": 32, "generations": 40, "reps": 1, "tournament": 4, "seed": 3,
             "p_insert_node": 0.6, "p_change_activation": 0.2, "disabled_hidden": value}
        )  # fmt: skip
        state = run_search(task, cfg, log=None)
        runs[value] = [g.to_dict() for g in state.pop.genomes()]
        # the population holds disabled hidden -> hidden genes
        assert not all(hidden_links([state.champion, *state.pop.genomes()]))
        if value == "reference":  # the champion is kept as it was scored
            assert all(hidden_links([state.champion]))
    assert runs["off"] != runs["reference"]


def test_selection_follows_the_reference_counts():
    from scratchnn.wann.search.loop import select
    from scratchnn.wann.search.population import M_COPY

    cfg = SearchConfig(pop=192, elite=0.2, cull=0.2, tournament=8)
    order = np.random.default_rng(0).permutation(192)
    parents, mutation, u = select(order, cfg, np.random.default_rng(1))
    survivors = order[: 192 - 38]  # floor(0.2 * 192) = 38 culled
    n_elite = 30  # floor(0.2 * 154), not round(0.2 * 192) = 38
    assert len(parents) == 192 and (mutation == M_COPY).sum() == n_elite
    assert parents[:n_elite].tolist() == survivors[:n_elite].tolist()
    assert set(parents[n_elite:]) <= set(survivors)
    assert (mutation[n_elite:] >= 0).all() and u.shape == (192, 3)
    # tournaments draw entrants with replacement, and a parent is the better of two
    # tournaments' winners: with 2 survivors and tournament 4, the second survivor is a parent
    # only when all 2 x 4 draws are it (1/256), so it still is sometimes; with one tournament
    # (tournaments: 1), 1/16
    order = np.arange(10)
    shares = {}
    for t in (2, 1):
        small = SearchConfig(pop=10, elite=0.0, cull=0.8, tournament=4, tournaments=t)
        wins = [select(order, small, np.random.default_rng(s))[0] for s in range(400)]
        shares[t] = np.mean(np.concatenate(wins) == 1)
    assert 0 < shares[2] < 0.01 and 0.04 < shares[1] < 0.09, shares


def test_compact_checkpoint_round_trip_old_and_damaged_files(tmp_path):
    from scratchnn.wann.search.loop import (
        initial_state,
        load_checkpoint,
        save_checkpoint,
        step,
    )
    from scratchnn.wann.tasks import make_task

    task = make_task("xor")
    state = initial_state(task, SearchConfig(pop=16, seed=5))
    for _ in range(3):
        step(task, state)
    path = tmp_path / "checkpoint.npz"
    save_checkpoint(state, path)
    back = load_checkpoint(path)
    assert back.header() == state.header()
    assert [g.to_dict() for g in back.pop.genomes()] == [g.to_dict() for g in state.pop.genomes()]
    with np.load(path, allow_pickle=False) as z:  # plain arrays, no pickle
        assert z["conn_src"].dtype == np.int32 and z["header"].dtype == np.uint8
        arrays = dict(z)
    assert back.config.tournaments == 2
    # a checkpoint written before the `tournaments` key resumes with the one tournament it ran
    header = json.loads(arrays["header"].tobytes())
    del header["config"]["tournaments"]
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    old = tmp_path / "old.npz"
    np.savez(old, **arrays)
    assert load_checkpoint(old).config.tournaments == 1
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ScratchnnError, match="damaged"):
        load_checkpoint(path)
    path.write_bytes(b"\x00" * 50)
    with pytest.raises(ScratchnnError, match="damaged"):
        load_checkpoint(path)
    path.unlink()
    (tmp_path / "checkpoint.json").write_text("{}")
    with pytest.raises(ScratchnnError, match=r"written by scratchnn 0\.1"):
        load_checkpoint(path)
