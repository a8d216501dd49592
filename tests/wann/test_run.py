"""``scratchnn wann search`` and :func:`scratchnn.wann.search.run.search`."""

import json

import numpy as np
import pytest

from scratchnn.wann.networks.genome import (
    Genome,
    express,
    forward,
)


def test_cli_wann_search(tmp_path, capsys):
    import json

    from scratchnn.cli import main

    assert main(["wann", "search", "--task", "and", "--out", str(tmp_path)]) == 0
    assert "solved: the champion computes AND at all six weights" in capsys.readouterr().out
    assert json.loads((tmp_path / "best.json").read_text())["genome"]["n_in"] == 2
    assert (tmp_path / "stats.csv").read_text().startswith("generation,best_mean")
    for name in ("best.csv", "fitness.png", "network.png", "checkpoint.npz"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert main(["wann", "search", "--task", "swingdown"]) == 2
    assert "unknown task 'swingdown'; tasks: swingup, mnist256, " in capsys.readouterr().err
    # a second search into the same folder would overwrite the first: refused
    assert main(["wann", "search", "--task", "and", "--out", str(tmp_path)]) == 2
    assert "already holds a search" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_finds_xor_at_all_six_weights(tmp_path):
    """The acceptance run (under a minute here); its time is reported in the note, not asserted."""
    import json

    from scratchnn.cli import main
    from scratchnn.wann.search.loop import WEIGHTS

    assert main(["wann", "search", "--task", "xor", "--out", str(tmp_path)]) == 0
    g = Genome.from_dict(json.loads((tmp_path / "best.json").read_text())["genome"])
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])
    for w in WEIGHTS:
        y = forward(express(g), X, w)[:, 0]
        assert ((y > 0) == np.array([False, True, True, False])).all(), w


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


def test_ctrl_c_inside_a_kernel_is_an_interrupt_with_the_resume_hint(tmp_path, capsys, monkeypatch):
    from scratchnn.cli import main
    from scratchnn.wann.tasks import SwingUpTask

    calls = []

    def interrupted(self, packed, weights, rng, reps=1):
        calls.append(1)
        if len(calls) == 3:  # what Numba raises when SIGINT arrives inside a kernel
            message = "CPUDispatcher(<_rollouts>) returned a result with an exception set"
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt:
                raise SystemError(message)  # noqa: B904 (implicit context, as from Numba)
        return np.zeros((packed.n_nets, len(weights)))

    monkeypatch.setattr(SwingUpTask, "evaluate", interrupted)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("pop: 8\nbest_reps: 0\ncheckpoint_every: 1\n")
    args = ["wann", "search", "--task", "swingup", "--config", str(cfg), "--out", str(tmp_path)]
    assert main(args) == 130
    err = capsys.readouterr().err
    assert "interrupted: the last checkpoint is in" in err and "--resume" in err
    assert (tmp_path / "checkpoint.npz").exists()


def test_a_second_search_on_the_same_folder_is_refused(tmp_path, capsys):
    from scratchnn.cli import main
    from scratchnn.wann.search.run import search_lock

    with search_lock(tmp_path):  # a search holding the folder
        args = ["wann", "search", "--task", "and", "--out", str(tmp_path)]
        assert main(args) == 2
        assert "another search is running in" in capsys.readouterr().err
    assert main(["wann", "search", "--task", "and", "--out", str(tmp_path)]) == 0  # released
