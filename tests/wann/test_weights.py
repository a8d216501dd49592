"""Training individual weights: PGPE and CMA-ES for control tasks, baselines, the CLI."""

import dataclasses
import itertools
import json

import numpy as np
import pytest

from scratchnn.errors import ScratchnnError
from scratchnn.wann.networks.genome import express
from scratchnn.wann.networks.packed import pack_networks
from scratchnn.wann.tasks import SwingUpTask
from scratchnn.wann.weights import (
    CMAState,
    ESConfig,
    PGPEState,
    centred_ranks,
    dense_genome,
    episode_returns,
    load_state,
    train_episode_weights,
    trained_weights,
    validation_rng,
)

from .helpers import random_nets

SHORT = SwingUpTask(steps=150)  # short episodes: a cheap control task


def _score(task, g, w, n=24, seed=99):
    states = task.episode_states(n, np.random.default_rng(seed))
    return episode_returns(task, pack_networks([express(g)]), np.asarray(w)[None], states)[0].mean()


def test_centred_ranks():
    assert centred_ranks(np.array([3.0, -1.0, 10.0])).tolist() == [0.0, -0.5, 0.5]


def test_pgpe_improves_a_small_network_on_a_short_budget():
    g = random_nets(5, 1, 1, seed=5, max_mutations=12)[0]
    E = g.n_enabled()
    cfg = ESConfig(pairs=8, episodes=6, sigma0=0.3, lr=0.05, seed=1)
    state = train_episode_weights(SHORT, g, 0.5, cfg, 40, log=lambda s: None)
    assert state.generation == 40 and len(state.history) == 40
    before, after = _score(SHORT, g, np.full(E, 0.5)), _score(SHORT, g, state.mu)
    assert after > before + 5, (before, after)


def test_pgpe_checkpoint_resumes_bit_for_bit(tmp_path):
    g = random_nets(5, 1, 1, seed=6, max_mutations=8)[0]
    cfg = ESConfig(pairs=4, episodes=3, seed=2, validate_every=2, validation_episodes=5)
    quiet = {"log": lambda s: None}
    whole = train_episode_weights(SHORT, g, -1.0, cfg, 6, **quiet)
    ck = tmp_path / "checkpoint.npz"
    train_episode_weights(SHORT, g, -1.0, cfg, 4, checkpoint=ck, **quiet)
    resumed = train_episode_weights(SHORT, g, -1.0, cfg, 6, checkpoint=ck, resume=True, **quiet)
    assert np.array_equal(resumed.mu, whole.mu) and np.array_equal(resumed.sigma, whole.sigma)
    assert np.array_equal(resumed.best.mu, whole.best.mu)
    strip = [{k: v for k, v in h.items() if k != "seconds"} for h in whole.history]
    assert [{k: v for k, v in h.items() if k != "seconds"} for h in resumed.history] == strip
    assert PGPEState.load(ck).generation == 6
    # a checkpoint written before CMA-ES and validation existed (no "method", "validate_every"
    # or "best") is a PGPE one, and resumes without validation
    z = dict(np.load(ck))
    header = json.loads(z["header"].tobytes().decode())
    del header["config"]["method"], header["config"]["validate_every"], header["best"]
    z["header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    np.savez(ck, **z)
    old = load_state(ck)
    assert isinstance(old, PGPEState) and old.config.method == "pgpe"
    assert old.config.validate_every == 0 and old.best.mu is None
    assert np.array_equal(old.mu, whole.mu)
    ck.write_bytes(b"garbage")
    with pytest.raises(ScratchnnError, match="damaged"):
        PGPEState.load(ck)


def test_cosine_schedule_decays_the_step_and_resumes_bit_for_bit(tmp_path):
    from scratchnn.wann.weights import scheduled_lr

    assert scheduled_lr(0.02, "cosine", 1, 100) == 0.02
    assert scheduled_lr(0.02, "cosine", 51, 100) == pytest.approx(0.01)
    assert scheduled_lr(0.02, "cosine", 101, 100) == pytest.approx(0.0)
    assert scheduled_lr(0.02, "constant", 101, 100) == 0.02
    g = random_nets(5, 1, 1, seed=6, max_mutations=8)[0]
    quiet = {"log": lambda s: None}
    cfg = ESConfig(pairs=4, episodes=3, seed=2, lr_schedule="cosine", validate_every=2)
    whole = train_episode_weights(SHORT, g, -1.0, cfg, 6, **quiet)
    assert whole.config.horizon == 6 and cfg.horizon == 0  # the caller's config is not changed
    lrs = [h["lr"] for h in whole.history]
    assert lrs[0] == cfg.lr and all(a > b for a, b in itertools.pairwise(lrs))
    constant = train_episode_weights(SHORT, g, -1.0, ESConfig(pairs=4, episodes=3, seed=2), 6,
                                     **quiet)  # fmt: skip
    assert not np.array_equal(constant.mu, whole.mu)
    # interrupted at 4 of a 6-generation schedule, then resumed: the uninterrupted run
    ck = tmp_path / "checkpoint.npz"
    train_episode_weights(SHORT, g, -1.0, dataclasses.replace(cfg, horizon=6), 4, checkpoint=ck,
                          **quiet)  # fmt: skip
    resumed = train_episode_weights(SHORT, g, -1.0, cfg, 6, checkpoint=ck, resume=True, **quiet)
    assert np.array_equal(resumed.mu, whole.mu)
    with pytest.raises(ScratchnnError, match="cosine schedule ends at generation 6"):
        train_episode_weights(SHORT, g, -1.0, cfg, 8, checkpoint=ck, resume=True, **quiet)


def test_cma_improves_a_small_network_on_a_short_budget():
    g = random_nets(5, 1, 1, seed=5, max_mutations=12)[0]
    E = g.n_enabled()
    cfg = ESConfig(pairs=8, episodes=6, sigma0=0.5, seed=1, method="cma")
    state = train_episode_weights(SHORT, g, 0.5, cfg, 40, log=lambda s: None)
    assert isinstance(state, CMAState) and state.generation == 40 and len(state.history) == 40
    before, after = _score(SHORT, g, np.full(E, 0.5)), _score(SHORT, g, state.mu)
    assert after > before + 5, (before, after)


def test_cma_checkpoint_replays_to_the_same_state(tmp_path):
    g = random_nets(5, 1, 1, seed=6, max_mutations=8)[0]
    cfg = ESConfig(pairs=4, episodes=3, seed=2, method="cma", sigma0=0.5, validate_every=2,
                   validation_episodes=5)  # fmt: skip
    quiet = {"log": lambda s: None}
    whole = train_episode_weights(SHORT, g, -1.0, cfg, 7, **quiet)
    ck = tmp_path / "checkpoint.npz"
    part = train_episode_weights(SHORT, g, -1.0, cfg, 4, checkpoint=ck, **quiet)
    assert not np.array_equal(part.mu, whole.mu)
    resumed = train_episode_weights(SHORT, g, -1.0, cfg, 7, checkpoint=ck, resume=True, **quiet)
    assert np.array_equal(resumed.mu, whole.mu)
    assert np.array_equal(resumed.es.C, whole.es.C) and resumed.es.sigma == whole.es.sigma
    strip = [{k: v for k, v in h.items() if k != "seconds"} for h in whole.history]
    assert [{k: v for k, v in h.items() if k != "seconds"} for h in resumed.history] == strip
    loaded = load_state(ck)  # the method comes from the checkpoint
    assert isinstance(loaded, CMAState) and loaded.generation == 7
    assert np.array_equal(loaded.mu, whole.mu)
    # the same seed gives the same run; another seed another one
    again = train_episode_weights(SHORT, g, -1.0, cfg, 7, **quiet)
    assert np.array_equal(again.mu, whole.mu)
    other = train_episode_weights(SHORT, g, -1.0, dataclasses.replace(cfg, seed=3), 7, **quiet)
    assert not np.array_equal(other.mu, whole.mu)


def test_cma_checkpoint_of_another_cma_version_or_damaged_is_refused(tmp_path):
    import cma

    g = random_nets(5, 1, 1, seed=6, max_mutations=8)[0]
    cfg = ESConfig(pairs=2, episodes=2, seed=2, method="cma")
    ck = tmp_path / "checkpoint.npz"
    train_episode_weights(SHORT, g, -1.0, cfg, 2, checkpoint=ck, log=lambda s: None)
    z = dict(np.load(ck))
    header = json.loads(z["header"].tobytes().decode())
    header["cma_version"] = "0.0.1"
    z["header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    np.savez(ck, **z)
    with pytest.raises(ScratchnnError, match=r"written with cma 0\.0\.1 .*Install cma==0\.0\.1"):
        load_state(ck)
    header["cma_version"] = cma.__version__
    z["header"] = np.frombuffer(json.dumps({**header, "rng": 5}).encode(), np.uint8)
    np.savez(ck, **z)
    with pytest.raises(ScratchnnError, match="is damaged"):
        load_state(ck)  # met after the replay: an error, not a traceback
    z["header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    np.savez(ck, **{**z, "best_mu": z["best_mu"][:1]})
    with pytest.raises(ScratchnnError, match=r"is damaged .*best_mu of shape \(1,\)"):
        load_state(ck)
    z["scores"] = z["scores"][:1]  # fewer rows than its generations
    np.savez(ck, **z)
    with pytest.raises(ScratchnnError, match="is damaged"):
        load_state(ck)
    ck.write_bytes(b"garbage")
    with pytest.raises(ScratchnnError, match=r"is damaged .*delete it"):
        load_state(ck)


@pytest.mark.parametrize("method", ["pgpe", "cma"])
def test_the_result_is_the_mean_with_the_best_validation_score(method):
    g = random_nets(5, 1, 1, seed=5, max_mutations=12)[0]
    cfg = ESConfig(pairs=4, episodes=3, sigma0=0.3, seed=1, method=method, validate_every=3,
                   validation_episodes=8)  # fmt: skip
    state = train_episode_weights(SHORT, g, 0.5, cfg, 10, log=lambda s: None)
    scored = {h["generation"]: h["validation"] for h in state.history if "validation" in h}
    assert sorted(scored) == [3, 6, 9, 10]  # every 3 generations, and the last
    assert state.best.score == max(scored.values())
    assert scored[state.best.generation] == state.best.score
    val = SHORT.episode_states(8, validation_rng(1))
    packed = pack_networks([express(g)])
    again = episode_returns(SHORT, packed, state.best.mu[None], val).mean()
    assert again == state.best.score  # the kept mean is the one that scored it
    assert trained_weights(state) is state.best.mu
    # validation's states are not eval's (default_rng(seed)) nor training's
    assert not np.array_equal(val, SHORT.episode_states(8, np.random.default_rng(1)))
    off = train_episode_weights(SHORT, g, 0.5, dataclasses.replace(cfg, validate_every=0), 10,
                                log=lambda s: None)  # fmt: skip
    assert off.best.mu is None and np.array_equal(trained_weights(off), off.mu)
    assert np.array_equal(off.mu, state.mu)  # validation does not change the training
    assert not any("validation" in h for h in off.history)


def test_bad_pgpe_settings_are_refused():
    with pytest.raises(ScratchnnError, match="pairs must be > 0"):
        dataclasses.replace(ESConfig(), pairs=0).check()
    with pytest.raises(ScratchnnError, match="lr_schedule must be one of constant, cosine"):
        dataclasses.replace(ESConfig(), lr_schedule="step").check()
    with pytest.raises(ScratchnnError, match="validate_every must be >= 0"):
        ESConfig(validate_every=-1).check()
    with pytest.raises(ScratchnnError, match="validation_episodes must be > 0"):
        ESConfig(validation_episodes=0).check()
    with pytest.raises(ScratchnnError, match="method must be one of pgpe, cma"):
        dataclasses.replace(ESConfig(), method="sgd").check()
    with pytest.raises(ScratchnnError, match="lr_schedule applies to pgpe only"):
        ESConfig(method="cma", lr_schedule="cosine").check()


def test_dense_baseline_genome():
    g = dense_genome(5, 1, 10)
    assert g.n_enabled() == 6 * 10 + 11 and len(g.hidden) == 10
    assert {n.act for n in g.hidden} == {5}
    with pytest.raises(ScratchnnError, match="hidden"):
        dense_genome(5, 1, 0)


def test_cli_train_weights_and_eval_the_fourth_row(tmp_path, capsys):
    from scratchnn.cli import main

    g = random_nets(5, 1, 1, seed=5, max_mutations=12)[0]
    (tmp_path / "g.json").write_text(json.dumps({"genome": g.to_dict()}))
    out = tmp_path / "tw"
    args = ["wann", "train-weights", str(tmp_path / "g.json"), "--task", "swingup"]
    args += ["--out", str(out), "--generations", "2", "--pairs", "2", "--episodes", "2"]
    assert main([*args, "--shared-weight", "0.5"]) == 0
    trained = json.loads((out / "trained.json").read_text())
    assert trained["training"]["generations"] == 2 and len(trained["weights"]) == g.n_enabled()
    assert (out / "trained.csv").exists() and (out / "checkpoint.npz").exists()
    assert main(["wann", "eval", str(out / "trained.json"), "--task", "swingup",
                 "--episodes", "2"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "with individual weights" in printed and "tuned individual weights" in printed
    # a file with individual weights starts from them (to go on with other settings)
    again = [*args[:5], "--out", str(tmp_path / "tw2"), "--sigma", "0.01", "--lr", "0.001"]
    assert main([str(out / "trained.json") if a == args[2] else a for a in again]
                + ["--generations", "1", "--pairs", "2", "--episodes", "2"]) == 0  # fmt: skip
    assert "start at the file's individual weights" in capsys.readouterr().out
    second = json.loads((tmp_path / "tw2" / "trained.json").read_text())
    assert second["training"]["start_weight"] == "the file's individual weights"
    before = np.array([w for _, _, w in trained["weights"]])
    after = np.array([w for _, _, w in second["weights"]])
    assert 0 < np.abs(after - before).max() < 0.01  # one Adam step of 0.001 per weight
    (tmp_path / "file").write_text("")
    assert main([*args[:-6], "--out", str(tmp_path / "file")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_cli_train_weights_with_cma_and_resume(tmp_path, capsys):
    from scratchnn.cli import main

    g = random_nets(5, 1, 1, seed=5, max_mutations=12)[0]
    (tmp_path / "g.json").write_text(json.dumps({"genome": g.to_dict()}))
    out = tmp_path / "tw"
    args = ["wann", "train-weights", str(tmp_path / "g.json"), "--task", "swingup", "--out",
            str(out), "--method", "cma", "--pairs", "2", "--episodes", "2", "--shared-weight",
            "0.5"]  # fmt: skip
    assert main([*args, "--generations", "2"]) == 0
    training = json.loads((out / "trained.json").read_text())["training"]
    assert training["method"] == "CMA-ES" and training["generations"] == 2
    assert training["config"]["method"] == "cma" and training["config"]["sigma0"] == 0.5
    # validated at the last generation (fewer than --validate-every 25): chosen by validation
    assert training["chosen_generation"] == 2 and training["validation_score"] is not None
    assert "the result: the mean of generation 2 (validation" in capsys.readouterr().out
    assert main([*args, "--generations", "3", "--resume"]) == 0
    said = capsys.readouterr().out
    assert "resuming weight training (cma) at generation 2" in said and "note:" not in said
    # flags that differ from the checkpoint's settings are named, not silently dropped
    assert main([*args[:-8], "--generations", "4", "--resume", "--pairs", "3"]) == 0
    said = capsys.readouterr().out
    assert "not used: pairs 3 (checkpoint: 2), episodes 16 (checkpoint: 2), sigma0 0.1" in said
    assert "method pgpe (checkpoint: cma)" in said
    assert "choosing the start" not in said  # resuming does not score a start it will not use
    assert json.loads((out / "trained.json").read_text())["training"]["start_weight"] == 0.5
    assert json.loads((out / "trained.json").read_text())["training"]["config"]["pairs"] == 2
    assert main([*args, "--generations", "2", "--lr-schedule", "cosine"]) == 2
    assert "lr_schedule applies to pgpe only" in capsys.readouterr().err


def test_cli_baseline_writes_the_dense_network(tmp_path, capsys):
    from scratchnn.cli import main

    assert main(["wann", "baseline", "--task", "swingup", "--out", str(tmp_path / "d.json")]) == 0
    assert "71 connections" in capsys.readouterr().out
    g = json.loads((tmp_path / "d.json").read_text())["genome"]
    assert len(g["conns"]) == 71


def _learnable_mnist256(n_train=2_000, n_test=500, seed=0):
    """Fake MNIST-256 whose label is a linear function of the pixels (learnable)."""
    from scratchnn.wann.tasks.mnist256 import Mnist256

    rng = np.random.default_rng(seed)
    proj = rng.normal(size=(256, 10))
    X = rng.random((n_train + n_test, 256))
    y = (X @ proj).argmax(axis=1)
    return Mnist256(X[:n_train], y[:n_train], X[n_train:], y[n_train:])


def test_gradient_training_of_a_topology_and_the_logistic_baseline():
    from scratchnn.wann.tasks import Mnist256Task
    from scratchnn.wann.weights import logistic_regression, train_classifier_weights

    task = Mnist256Task()
    task.__dict__["data"] = data = _learnable_mnist256()
    g = random_nets(256, 10, 1, seed=3, max_mutations=30)[0]
    net = pack_networks([express(g)])
    shared = episode_free_accuracy(task, g, np.full(net.n_edges(0), 1.0), data)
    w, result, selection = train_classifier_weights(task, g, 1.0, epochs=4, val_size=500)
    m = result.metrics()
    assert selection is result
    assert m["best_epoch"] is not None and m["test_acc"] == episode_free_accuracy(task, g, w, data)
    assert m["test_acc"] > shared + 0.05, (shared, m["test_acc"])
    # refit: the selection run never sees the test set; the refit trains on every training
    # image for the chosen number of epochs and is the one run that is tested
    w2, refit, sel = train_classifier_weights(task, g, 1.0, epochs=4, val_size=500, refit=True)
    assert sel.test_acc is None and sel.best_epoch is not None
    assert len(refit.history) == sel.best_epoch
    assert refit.metrics()["test_acc"] == episode_free_accuracy(task, g, w2, data)
    assert refit.metrics()["test_acc"] > shared + 0.05
    lr = logistic_regression(task, epochs=4, val_size=500).metrics()
    assert lr["test_acc"] > 0.5  # learnable: a linear model does well


def episode_free_accuracy(task, g, w, data):
    from scratchnn.wann.networks.backprop import GenomeNet

    net = GenomeNet(g)
    net.params["w"][:] = w
    return float((net.logits(data.X_test).argmax(axis=1) == data.y_test).mean())


def test_weight_vectors_mean_the_same_edges_to_every_packer():
    """Weights are stored in the edge order of ``pack_networks([express(g)])``; ``wann eval`` packs
    through the population arrays: both layouts must agree edge for edge."""
    from scratchnn.wann.search.population import Population, pack_population

    for seed in range(10):
        g = random_nets(5, 2, 1, seed=seed, max_mutations=40)[0]
        a, b = pack_networks([express(g)]), pack_population(Population.from_genomes([g]))
        for f in ("node_start", "act", "edge_ptr", "edge_src"):
            assert np.array_equal(getattr(a, f), getattr(b, f)), f
