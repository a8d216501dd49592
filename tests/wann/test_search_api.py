"""The library's search does what ``scratchnn wann search`` does: every config key applies, the
Gymnasium backend is fixed and recorded, and restarts keep one checkpoint per seed."""

import json
import sys

import numpy as np
import pytest

from scratchnn.wann.search.config import SearchConfig, load_config_file
from scratchnn.wann.search.loop import (
    CHECKPOINT,
    load_checkpoint,
    save_checkpoint,
    search_with_restarts,
    seed_checkpoint,
)
from scratchnn.wann.search.run import search
from scratchnn.wann.tasks import BooleanTask, make_task


def _best(out):
    return json.loads((out / "best.json").read_text())


def test_library_and_cli_give_the_same_champion_with_task_keys(tmp_path, capsys):
    """A config whose task key differs from the default (50 steps per SwingUp episode, not
    1000): the library applies it as the command line does, to the same genome and score."""
    from scratchnn.cli import main

    cfg = tmp_path / "short.yaml"
    cfg.write_text("pop: 8\ngenerations: 2\nreps: 1\nseed: 1\nepisode_steps: 50\n")
    cli, lib = tmp_path / "cli", tmp_path / "lib"
    assert (
        main(["wann", "search", "--task", "swingup", "--config", str(cfg), "--out", str(cli)]) == 0
    )
    capsys.readouterr()
    run = search(make_task("swingup"), lib, load_config_file(cfg))
    a, b = _best(cli), _best(lib)
    assert a["genome"] == b["genome"]
    assert a["champion_mean"] == b["champion_mean"]
    assert run.task.steps == 50
    # the score is over 50-step episodes: a 1000-step search of the same seed scores otherwise
    full = search(
        make_task("swingup"), tmp_path / "full", load_config_file(cfg).replace(episode_steps=1000)
    )
    assert full.state.champion_mean != b["champion_mean"]


CART = ["--task", "gym:CartPole-v1", "--pop", "4", "--generations", "1", "--workers", "1"]


def test_library_search_records_the_backend_in_checkpoint_and_best_json(tmp_path, capsys):
    from scratchnn.cli import main

    cfg = SearchConfig(pop=4, generations=1, reps=1)
    run = search(make_task("gym:CartPole-v1", workers=1), tmp_path / "lib", cfg)
    assert run.state.config.task.backend == "gymnasium"
    assert load_checkpoint(tmp_path / "lib" / CHECKPOINT).config.task.backend == "gymnasium"
    assert _best(tmp_path / "lib")["backend"] == "gymnasium"
    assert main(["wann", "search", *CART, "--out", str(tmp_path / "cli")]) == 0
    assert "backend: gymnasium" in capsys.readouterr().out
    assert load_checkpoint(tmp_path / "cli" / CHECKPOINT).config.task.backend == "gymnasium"
    assert _best(tmp_path / "cli")["backend"] == "gymnasium"
    # a task without a backend records none
    search(BooleanTask("AND"), tmp_path / "and", SearchConfig(pop=8, generations=1), time_limit=0)
    assert "backend" not in _best(tmp_path / "and")


def test_default_backend_does_not_depend_on_envpool_being_importable(monkeypatch):
    from scratchnn.wann.tasks import envpool as ep
    from scratchnn.wann.tasks.gym import gym_task

    ep.supported_ids.cache_clear()
    with_envpool = gym_task("CartPole-v1", workers=1).spec.backend
    monkeypatch.setitem(sys.modules, "envpool", None)  # `import envpool` fails
    ep.supported_ids.cache_clear()
    try:
        assert not ep.available()
        without = gym_task("CartPole-v1", workers=1).spec.backend
        assert with_envpool == without == "gymnasium"
        assert make_task("biped", workers=1).spec.backend == "gymnasium"
    finally:
        ep.supported_ids.cache_clear()


def test_checkpoint_without_a_backend_resumes_on_the_old_default(tmp_path):
    """A checkpoint written before searches recorded their backend resumes on the backend an
    unnamed one then meant (EnvPool when it is installed and implements the environment)."""
    from scratchnn.wann.tasks.gym import legacy_backend

    out = tmp_path / "old"
    task = make_task("gym:CartPole-v1", workers=1)
    search(task, out, SearchConfig(pop=4, generations=1, reps=1))
    state = load_checkpoint(out / CHECKPOINT)
    state.config = state.config.replace(backend="")  # as the old library wrote it
    save_checkpoint(state, out / CHECKPOINT)
    run = search(task, out, resume=True, generations=2)
    assert run.state.config.task.backend == legacy_backend("CartPole-v1")
    assert load_checkpoint(out / CHECKPOINT).config.task.backend == legacy_backend("CartPole-v1")


def test_library_refuses_a_task_key_the_task_cannot_take_before_writing(tmp_path):
    from scratchnn.errors import ConfigError

    with pytest.raises(ConfigError, match="backend: only for Gymnasium tasks"):
        search(make_task("swingup"), tmp_path / "x", SearchConfig(pop=4).replace(backend="envpool"))
    assert not (tmp_path / "x").exists()


# --- restarts -----------------------------------------------------------------------------------

XOR_SHORT = SearchConfig(pop=8, generations=3, seed=0)  # unsolved; seed 0 scores best of 0..2


class _StopBefore:
    """A log that interrupts the search when it is about to start seed ``seed``."""

    def __init__(self, seed: int) -> None:
        self.lines: list[str] = []
        self.seed = seed

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        if line.startswith(f"seed {self.seed - 1}: not solved"):
            raise KeyboardInterrupt


def test_restarts_keep_one_checkpoint_per_seed_and_resume_keeps_the_best_seed(tmp_path):
    task = BooleanTask("XOR")
    ckpt = tmp_path / CHECKPOINT
    stop = _StopBefore(3)
    with pytest.raises(KeyboardInterrupt):
        search_with_restarts(task, XOR_SHORT, 1e6, log=stop, checkpoint=ckpt)
    seeds = {s: load_checkpoint(seed_checkpoint(ckpt, s)) for s in range(3)}
    assert [seeds[s].config.seed for s in range(3)] == [0, 1, 2]
    assert all(st.generation == 3 for st in seeds.values())
    means = [seeds[s].champion_mean for s in range(3)]
    assert int(np.argmax(means)) == 0 and means[0] > means[2]  # the best is not the last
    # resume (time limit 0: no new seed): the best earlier seed, not the last one run
    state = load_checkpoint(ckpt)
    assert state.config.seed == 2
    best = search_with_restarts(task, XOR_SHORT, 0, state=state, checkpoint=ckpt)
    assert best.config.seed == 0 and best.champion_mean == means[0]
    assert best.champion.to_dict() == seeds[0].champion.to_dict()


def test_resumed_library_search_writes_the_best_seed(tmp_path):
    """Through :func:`search`: the resumed run's best.json is the best seed's."""
    task = BooleanTask("XOR")
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        search(task, out, XOR_SHORT, log=_StopBefore(3), time_limit=1e6)
    run = search(task, out, resume=True, time_limit=0)
    assert run.state.config.seed == 0
    assert _best(out)["seed"] == 0


def test_time_limit_stops_the_seed_in_progress_and_starts_no_other(tmp_path):
    task = BooleanTask("XOR")
    logs: list[str] = []
    cfg = SearchConfig(pop=8, generations=50, seed=1)
    state = search_with_restarts(task, cfg, 0, log=logs.append, checkpoint=tmp_path / CHECKPOINT)
    assert state.generation == 1 and state.config.seed == 1
    assert not any("restarting" in line for line in logs)
    assert any(line.startswith("time limit 0 s reached after generation 1") for line in logs)
    # resuming continues that seed where it stopped
    resumed = search_with_restarts(
        task, cfg, 0, state=load_checkpoint(tmp_path / CHECKPOINT), checkpoint=tmp_path / CHECKPOINT
    )
    assert resumed.generation == 2 and resumed.config.seed == 1
