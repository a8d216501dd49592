"""Tasks: Boolean scores, swingup common random numbers, MNIST-256 fitness."""

import numpy as np
import pytest

from scratchnn.wann.networks.genome import (
    HIDDEN,
    Conn,
    Node,
    express,
    forward,
    initial_genome,
)
from scratchnn.wann.networks.packed import pack_networks

from .helpers import WEIGHTS, fake_mnist256, random_nets


def test_boolean_task_scores_and_solved():
    from scratchnn.wann.search.loop import WEIGHTS
    from scratchnn.wann.tasks import BooleanTask

    # out = w * tanh(w * bias): positive at every weight, so it computes TRUE and never FALSE
    g = initial_genome(2, 1, 0.0, np.random.default_rng(0))
    for c in g.conns:
        c.enabled = False
    g.nodes.append(Node(4, HIDDEN, 5))
    g.conns += [Conn(10, 0, 4), Conn(11, 4, 3)]
    e = express(g)
    assert BooleanTask("TRUE").solved(e, WEIGHTS)
    assert not BooleanTask("FALSE").solved(e, WEIGHTS)
    scores = BooleanTask("TRUE").evaluate(pack_networks([e]), WEIGHTS, np.random.default_rng(0))
    expected = np.clip(WEIGHTS * np.tanh(WEIGHTS), -1, 1)
    assert scores.shape == (1, 6) and np.allclose(scores[0], expected)


def test_swingup_task_uses_common_initial_states():
    from scratchnn.wann.tasks import SwingUpTask

    nets = [express(g) for g in random_nets(5, 1, 4, seed=5)]
    task = SwingUpTask()
    a = task.evaluate(pack_networks(nets), WEIGHTS, np.random.default_rng(1), reps=3)
    b = task.evaluate(pack_networks(nets[::-1]), WEIGHTS, np.random.default_rng(1), reps=3)
    assert a.shape == (4, 6) and np.array_equal(a, b[::-1])  # same states for every network
    c = task.evaluate(pack_networks(nets), WEIGHTS, np.random.default_rng(2), reps=3)
    assert not np.array_equal(a, c)


def test_mnist256_fitness_is_minus_the_cross_entropy():
    from scratchnn.wann.tasks import Mnist256Task

    task = Mnist256Task(batch=100)
    task.__dict__["data"] = data = fake_mnist256()
    nets = [express(g) for g in random_nets(256, 10, 3, seed=2, max_mutations=10)]
    scores = task.evaluate(pack_networks(nets), WEIGHTS, np.random.default_rng(4))
    idx = np.random.default_rng(4).choice(300, size=100, replace=False)  # the same batch
    for k, e in enumerate(nets):
        for i, w in enumerate(WEIGHTS):
            z = forward(e, data.X_train[idx], w)
            logp = z - z.max(1, keepdims=True)
            logp -= np.log(np.exp(logp).sum(1, keepdims=True))
            assert scores[k, i] == pytest.approx(logp[np.arange(100), data.y_train[idx]].mean())


def test_callers_read_task_capabilities_through_the_protocols():
    """No module of the package probes a task with ``hasattr`` or special-cases a task class:
    the optional capabilities are the protocols of ``scratchnn.wann.tasks.base``."""
    from pathlib import Path

    import scratchnn

    root = Path(scratchnn.__file__).parent
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "hasattr(task" in line or "isinstance(task, SwingUpTask)" in line
    ]
    assert not found, found


def test_every_task_of_the_package_takes_options_or_names_the_refused_ones():
    from scratchnn.errors import ConfigError
    from scratchnn.wann.tasks import ConfigurableTask, configure_task, make_task

    for name in ("xor", "swingup", "mnist256"):
        task = make_task(name)
        assert isinstance(task, ConfigurableTask)
        assert configure_task(task, {}) is task
        with pytest.raises(ConfigError, match="action: only for Gymnasium tasks"):
            task.with_options(action="clip")
    assert make_task("swingup").with_options(steps=50).steps == 50
    assert make_task("xor").with_options() == make_task("xor")
