"""--executor ray (issue 15): a sweep and WANN searches give the numbers of local execution, on a
local Ray (``num_cpus=2``) and on a two-node cluster on 127.0.0.1. Ray runs on this machine
only; skipped when Ray is not installed (``pip install 'scratchnn[ray]'``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import make_splits
from tests.helpers import store_rows

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray

GRID = {"learning_rate": [0.05, 0.3], "hidden_size": [8]}
OVERRIDES = ["epochs=2", "batch_size=16", "dtype=float64"]


def _sweep(out: Path, executor: str, address: str | None = None):
    from scratchnn.experiments.sweep import run_sweep

    data = make_splits(n_train=600, n_val=100, n_test=100, dim=16, classes=3)
    return run_sweep(
        None,
        GRID,
        overrides=OVERRIDES,
        out=out,
        data=data,
        progress=False,
        log=lambda m: None,
        executor=executor,
        address=address,
    )


def _search(task_name: str, out: Path, evaluate=None):
    from scratchnn.wann.search.config import load_preset
    from scratchnn.wann.search.loop import evaluate_here
    from scratchnn.wann.search.run import search
    from scratchnn.wann.tasks import make_task

    task = make_task(task_name)
    cfg = load_preset(task.name, "laptop").replace(pop=24, seed=3)
    cfg = replace(cfg, reps=1, generations=3) if task_name == "swingup" else cfg
    # xor, time_limit 0: one search, no restarts (how many fit in a time limit depends on
    # speed); other tasks: no time limit (all three generations)
    limit = 0 if task_name == "xor" else None
    run = search(
        task, out, cfg, generations=3, time_limit=limit, evaluate=evaluate or evaluate_here
    )
    assert run.state.generation == 3 or task_name == "xor"
    return (out / "stats.csv").read_text(), run.state.champion.to_dict()


def _same_stats(a: str, b: str) -> None:
    """stats.csv equal but for the seconds column."""

    def strip(text: str) -> list[list[str]]:
        return [line.split(",")[:-1] for line in text.splitlines()]

    assert strip(a) == strip(b)


@pytest.fixture
def local_ray():
    from scratchnn.parallel import ray_session

    if ray.is_initialized():
        ray.shutdown()
    with ray_session(None, num_cpus=2) as r:
        yield r
        r.shutdown()


def test_chunks_of_a_packed_population_score_as_the_whole(local_ray, tmp_path):
    from scratchnn.parallel import RayExecutor
    from scratchnn.wann.search.distributed import chunked_evaluator

    local = _sweep(tmp_path / "local", "local")
    on_ray = _sweep(tmp_path / "ray", "ray")
    assert on_ray.table == local.table
    assert store_rows(tmp_path / "ray" / "results.sqlite") == store_rows(
        tmp_path / "local" / "results.sqlite"
    )
    for task in ("xor", "swingup"):
        ref = _search(task, tmp_path / f"{task}-local")
        got = _search(task, tmp_path / f"{task}-ray", chunked_evaluator(RayExecutor(local_ray), 5))
        _same_stats(got[0], ref[0])
        assert got[1] == ref[1]  # the same champion
    # a Gymnasium task: one network per Ray task, each scored with one worker process
    ref = _search("gym:CartPole-v1", tmp_path / "cartpole-local")
    got = _search(
        "gym:CartPole-v1", tmp_path / "cartpole-ray", chunked_evaluator(RayExecutor(local_ray))
    )
    _same_stats(got[0], ref[0])
    assert got[1] == ref[1]


def test_a_gymnasium_task_goes_to_ray_one_network_and_one_worker_at_a_time():
    from scratchnn.wann.search.distributed import CHUNK, remote_form
    from scratchnn.wann.tasks import make_task

    remote, size = remote_form(make_task("gym:CartPole-v1", workers=2))
    assert (remote.workers, size) == (1, 1)
    swingup = make_task("swingup")
    assert remote_form(swingup) == (swingup, CHUNK)


def test_a_two_node_cluster_on_localhost_gives_the_local_numbers(tmp_path):
    from ray.cluster_utils import Cluster

    from scratchnn.parallel import RayExecutor, ray_session
    from scratchnn.wann.search.distributed import chunked_evaluator

    if ray.is_initialized():
        ray.shutdown()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    try:
        cluster.add_node(num_cpus=1)
        with ray_session(cluster.address) as r:
            assert len([n for n in r.nodes() if n["Alive"]]) == 2
            on_ray = _sweep(tmp_path / "ray", "ray")
            got = _search("swingup", tmp_path / "s-ray", chunked_evaluator(RayExecutor(r), 6))
            r.shutdown()
    finally:
        cluster.shutdown()
    local = _sweep(tmp_path / "local", "local")
    assert on_ray.table == local.table
    assert store_rows(tmp_path / "ray" / "results.sqlite") == store_rows(
        tmp_path / "local" / "results.sqlite"
    )
    ref = _search("swingup", tmp_path / "s-local")
    _same_stats(got[0], ref[0])
    assert got[1] == ref[1]


def test_slice_packed_keeps_each_network():
    from scratchnn.wann.search.distributed import chunk_bounds, slice_packed
    from scratchnn.wann.search.population import Population, checked_depths, pack_population

    pop = Population.initial(10, 3, 1, 0.5, np.random.default_rng(0))
    packed = pack_population(pop, checked_depths(pop))
    assert chunk_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    parts = [slice_packed(packed, a, b) for a, b in chunk_bounds(10, 4)]
    assert [p.n_nets for p in parts] == [4, 4, 2]
    np.testing.assert_array_equal(
        np.concatenate([p.edges_per_net for p in parts]), packed.edges_per_net
    )
    np.testing.assert_array_equal(np.concatenate([p.edge_src for p in parts]), packed.edge_src)
