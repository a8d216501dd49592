"""``scratchnn wann bench``."""

import numpy as np
import pytest

from scratchnn.wann.networks.genome import (
    express,
)
from scratchnn.wann.networks.packed import pack_networks, shared_weight_instances
from scratchnn.wann.tasks import swingup as su

from .helpers import random_nets


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
    packed = pack_networks([express(g)])
    inst = shared_weight_instances(packed, np.array([0.5]))
    fast, steps = su.rollouts(packed, *inst, [0], [0], init, steps=100, return_steps=True)
    total, n = reference_style_episode(express(g), 0.5, init[0], max_steps=100)
    assert n == steps[0] and total == pytest.approx(fast[0], rel=1e-9)
    assert main(["wann", "bench", "--pop", "4", "--mutations", "5", "--sample", "2"]) == 0
    assert "speed-up" in capsys.readouterr().out


def test_search_bench_times_both_engines_from_the_same_state(capsys):
    from scratchnn.benchmarks.wann import bench_search, format_search_table
    from scratchnn.cli import main

    rows = bench_search("swingup", preset="laptop", pop=12, grown=20, generations=1)
    assert [r["engine"] for r in rows] == ["array", "reference"]
    assert all(r["same_as_first_engine"] and r["s_per_generation"] > 0 for r in rows)
    assert rows[0]["median_conns"] > 3  # grown
    table = format_search_table(rows)
    assert "| swingup | 12 | 20 |" in table and "x reference" in table
    assert main(["wann", "bench", "--pop", "0"]) == 2
    assert "--pop and --sample must be >= 1" in capsys.readouterr().err


def test_weights_bench_times_both_kernels_on_the_same_episodes(tmp_path, capsys):
    from scratchnn.benchmarks.wann import bench_weights
    from scratchnn.cli import main
    from scratchnn.wann.networks.formats import save_reference_csv

    g = random_nets(5, 1, 1, seed=5, max_mutations=15)[0]
    r = bench_weights(express(g), 0.5, candidates=3, episodes=4)
    assert r["episodes"] == 12 and 12 <= r["env_steps"] <= 12 * 1000
    assert r["lanes_speedup"] == pytest.approx(r["scalar_s"] / r["lanes_s"])
    path = tmp_path / "net.csv"
    save_reference_csv(g, path)
    assert main(["wann", "bench", "--genome", str(path), "--weight", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "32 candidates x 128 episodes" in out and "scalar kernel" in out
