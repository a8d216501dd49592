"""Search configs: presets and errors."""

import pytest

from scratchnn.errors import ConfigError
from scratchnn.wann.search.config import config_from_dict, load_preset


def test_presets_and_config_errors(tmp_path):
    lap = load_preset("swingup", "laptop")
    assert (lap.pop, lap.reps, lap.tournament, lap.elite) == (64, 3, 4, 0.05)
    paper = load_preset("swingup", "paper")
    assert (paper.pop, paper.generations, paper.tournament) == (192, 1024, 8)
    m = load_preset("mnist256", "paper")
    assert (m.pop, m.generations, m.tournament, m.p_init) == (960, 4096, 32, 0.05)
    # the reference's bestReps (20) re-scores each generation's best, for every task it runs
    assert paper.best_reps == m.best_reps == 20 and lap.best_reps == 16  # laptop_swing.json
    assert load_preset("xor", "laptop").pop == 64
    with pytest.raises(ConfigError, match="unknown key 'popsize'; valid keys: pop, "):
        config_from_dict({"popsize": 10})
    with pytest.raises(ConfigError, match="elite must be in"):
        config_from_dict({"elite": 1.5})
    with pytest.raises(ConfigError, match="pop must be an integer"):
        config_from_dict({"pop": "many"})
    with pytest.raises(ConfigError, match="unknown preset"):
        load_preset("swingup", "desktop")


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path):
    import resource

    from scratchnn.wann.search.config import load_config_file

    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 16):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("pop: *a15")  # 9^16 elements if expanded
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ConfigError) as info:
        load_config_file(path)
    assert len(str(info.value)) < 400
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 200
    (tmp_path / "w.yaml").write_text("weights: *a\n".replace("*a", "[[1, [2, [3, [4]]]]]"))
    with pytest.raises(ConfigError, match="weights"):
        load_config_file(tmp_path / "w.yaml")


def test_preset_file_refuses_an_unknown_task_naming_the_known_ones():
    from scratchnn.wann.search.config import preset_file

    assert preset_file("gym:CartPole-v1") == "gym.yaml"
    assert preset_file("a_and_not_b") == preset_file("a and not b") == "boolean.yaml"
    assert preset_file("biped") == "biped.yaml"
    for name in ("majority", "Swingup", "", None):
        with pytest.raises(ConfigError, match=r"no preset for task .*swingup, mnist256, biped"):
            preset_file(name)


# the flat file keys of a search config as scratchnn wrote them before the config was split into
# the search's own settings, the task's options and the drawing's labels
FLAT_KEYS_BEFORE_THE_SPLIT = (
    "pop",
    "generations",
    "reps",
    "tournament",
    "tournaments",
    "elite",
    "cull",
    "p_init",
    "p_conn_objective",
    "best_reps",
    "crowding",
    "disabled_hidden",
    "checkpoint_every",
    "p_add_connection",
    "p_insert_node",
    "p_reenable",
    "p_change_activation",
    "weights",
    "seed",
    "episode_steps",
    "action",
    "reward",
    "labels",
    "backend",
)


def test_the_config_holds_three_kinds_of_setting_apart():
    from dataclasses import fields

    from scratchnn.wann.search.config import Drawing, SearchConfig, TaskOptions

    own = {f.name for f in fields(SearchConfig)} - {"task", "drawing"}
    task = {f.name for f in fields(TaskOptions)}
    assert task == {"episode_steps", "action", "reward", "backend"}
    assert {f.name for f in fields(Drawing)} == {"labels"}
    assert not own & task and "labels" not in own
    cfg = load_preset("biped", "paper").replace(episode_steps=50, reward="reference")
    assert cfg.task == TaskOptions(episode_steps=50, reward="reference")
    assert cfg.task.as_options() == {"steps": 50, "reward": "reference"}
    assert cfg.replace(labels=["x", "y"]).drawing.as_options() == {"labels": ("x", "y")}
    assert cfg.replace(pop=8).task == cfg.task  # a search key leaves the task's options alone
    # every task option and drawing label is a key the tasks take, and every such key is one
    from scratchnn.wann.tasks.base import TASK_OPTIONS

    full = TaskOptions(episode_steps=1, action="clip", reward="standard", backend="gymnasium")
    assert {*full.as_options(), *Drawing(labels=("x",)).as_options()} == set(TASK_OPTIONS)


def test_files_stay_flat_and_load_as_before(tmp_path):
    from scratchnn.wann.search.config import FILE_KEYS, SearchConfig, load_config_file

    assert sorted(FILE_KEYS) == sorted(FLAT_KEYS_BEFORE_THE_SPLIT)
    cfg = SearchConfig(pop=8, seed=3).replace(episode_steps=20, backend="gymnasium", labels=["a"])
    flat = cfg.to_dict()
    assert sorted(flat) == sorted(FLAT_KEYS_BEFORE_THE_SPLIT)
    assert flat["episode_steps"] == 20 and flat["labels"] == ["a"] and flat["pop"] == 8
    assert config_from_dict(flat) == cfg
    # a file written with every key, in the old order, loads to the same config
    old = {k: flat[k] for k in FLAT_KEYS_BEFORE_THE_SPLIT}
    path = tmp_path / "old.yaml"
    path.write_text("".join(f"{k}: {v!r}\n".replace("None", "null") for k, v in old.items()))
    assert load_config_file(path) == cfg


def test_overrides_and_parts_are_checked():
    from scratchnn.errors import ConfigTypeError
    from scratchnn.wann.search.config import SearchConfig, check

    with pytest.raises(ConfigError, match="unknown key 'steps'; valid keys: pop, "):
        SearchConfig().replace(steps=10)
    with pytest.raises(ConfigError, match="episode_steps must be >= 0"):
        SearchConfig().replace(episode_steps=-1)
    with pytest.raises(ConfigError, match="backend must be one of"):
        SearchConfig().replace(backend="ray")
    with pytest.raises(ConfigTypeError, match=r"cfg\.task must be a TaskOptions"):
        check(SearchConfig(task={"episode_steps": 5}))
