"""Sweeps (scratchnn.experiments.sweep): grids, cells, run_sweep and the sweep command."""

import pytest

from scratchnn.cli import main
from scratchnn.errors import ConfigError
from scratchnn.experiments.sweep import Cell, expand, parse_grid


def test_parse_grid_and_expand_validate_before_running():
    grid = parse_grid(["learning_rate=1,0.1", "reg=1e-4"])
    assert grid == {"learning_rate": [1, 0.1], "reg": ["1e-4"]}  # YAML 1.1; the config coerces
    combos = expand({}, grid, seeds=[0, 1])
    assert len(combos) == 2 and all(len(runs) == 2 for _, runs in combos)
    cfg = combos[1][1][1].cfg
    assert cfg.train.learning_rate == 0.1 and cfg.train.reg == 1e-4 and cfg.train.seed == 1
    with pytest.raises(ConfigError, match="learning_rate must be > 0"):
        expand({}, parse_grid(["learning_rate=0.1,-1"]), seeds=[0])
    with pytest.raises(ConfigError, match="expects key=v1,v2"):
        parse_grid(["learning_rate"])


def test_cell_mean_and_sample_std():
    c = Cell([0.9, 0.92, 0.94])
    assert c.mean == pytest.approx(0.92) and c.std == pytest.approx(0.02)
    assert Cell([0.5]).std == 0.0


def test_run_sweep_from_python(tiny_splits, tmp_path):
    from scratchnn.experiments.sweep import run_sweep

    logs: list[str] = []
    kw = dict(
        overrides=["epochs=2", "batch_size=16", "hidden_size=8", "debug=false"],
        seeds=2,
        out=tmp_path / "sw",
        data=tiny_splits,
        progress=False,
        log=logs.append,
    )
    res = run_sweep(None, {"learning_rate": [0.5, 1.0]}, **kw)
    assert [label for label, _ in res.rows] == ["learning_rate=0.5", "learning_rate=1.0"]
    assert all(len(recs) == 2 and recs[0].seed == 0 for _, recs in res.rows)
    assert (res.out / "table.txt").read_text() == res.table + "\n"
    assert "learning_rate=0.5" in res.table and "2/2" in res.table
    assert (res.out / "sweep.png").stat().st_size > 1000
    assert len(list((res.out / "runs").iterdir())) == 2
    again = run_sweep(None, ["learning_rate=0.5,1.0"], **kw)  # the CLI's form of the grid
    assert "4 already in results.sqlite (skipped), 0 to run" in logs[-1]
    assert again.table == res.table
    with pytest.raises(ConfigError, match="seeds"):
        run_sweep(None, {"learning_rate": [0.5]}, **{**kw, "seeds": 0})


@pytest.mark.mnist
def test_sweep_command(mnist, tmp_path, capsys):
    out = tmp_path / "sw"
    argv = [
        "sweep",
        "--config",
        "configs/config_exp.yaml",
        "--grid",
        "learning_rate=1,0.5",
        "--set",
        "epochs=1",
        "--set",
        "debug=false",
        "--seeds",
        "2",
        "--out",
        str(out),
        "--no-progress",
    ]
    assert main(argv) == 0
    table = capsys.readouterr().out
    assert "learning_rate=1 " in table and "learning_rate=0.5" in table and "2/2" in table
    assert (out / "sweep.png").exists() and len(list((out / "runs").iterdir())) == 2
    assert main(argv) == 0  # again: everything skipped
    assert "4 already in results.sqlite (skipped), 0 to run" in capsys.readouterr().err
