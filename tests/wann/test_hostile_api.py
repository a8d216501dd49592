"""Hostile input at the WANN library's doors: ``search``, ``evaluate``, ``load_champion`` and the
task constructors. Whatever they are given (wrong types, NaN and infinities, zero, negative and
huge sizes, unknown names, empty and misshapen arrays), a call ends in a correct result or a
clean :class:`~scratchnn.errors.ScratchnnError` whose message is one bounded line: never another
exception from inside NumPy, Numba or Gymnasium."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scratchnn.errors import MAX_MESSAGE, ScratchnnError
from scratchnn.wann.evaluate import evaluate
from scratchnn.wann.networks.formats import edge_pairs
from scratchnn.wann.search.config import (
    FILE_KEYS,
    Drawing,
    SearchConfig,
    TaskOptions,
    from_file_keys,
)
from scratchnn.wann.search.run import search
from scratchnn.wann.tasks import (
    BooleanTask,
    Mnist256Task,
    SwingUpTask,
    configure_task,
    make_task,
)
from scratchnn.wann.zoo import load_champion, zoo_names

from .helpers import random_nets

FAST = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: a CI failure reproduces locally
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

#: values of every kind a caller might pass by mistake
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.binary(max_size=8),
    st.lists(st.integers(-3, 3), max_size=4),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.just(object()),
    st.just(SearchConfig),  # a class, not an instance
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)),
)
#: whole numbers out of every range: zero, negative, huge
BAD_COUNTS = st.one_of(st.integers(-(10**30), 0), st.integers(10**10, 10**40))
NUMBERS = st.floats(allow_nan=True, allow_infinity=True)


def clean(call: Callable[[], Any]) -> Any:
    """``call()``'s result, or None when it raised a clean, bounded ScratchnnError; any other
    exception fails the test."""
    try:
        return call()
    except ScratchnnError as exc:
        message = str(exc)
        assert message and len(message) <= MAX_MESSAGE + 60, message
        return None


class _Folder:
    """A fresh temporary folder per example (function-scoped fixtures do not reset between
    Hypothesis examples)."""

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="hostile-"))
        return self.path / "run"

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


# --- search -------------------------------------------------------------------------------------

#: every file key (the search's own, the task's options, the drawing's labels) with its type,
#: and the two parts themselves (replaced whole by anything)
_KINDS = {
    f.name: str(f.type)
    for cls in (SearchConfig, TaskOptions, Drawing)
    for f in dataclasses.fields(cls)
}
_KEYS = [*FILE_KEYS, "task", "drawing"]
SMALL = SearchConfig(pop=8, generations=1)


def _hostile_value(kind: str) -> st.SearchStrategy:
    """Wrong or out-of-range values, and a few right ones, for a key of type ``kind``."""
    if kind == "int":
        return st.one_of(BAD_COUNTS, st.integers(1, 6), NUMBERS, ANYTHING)
    if kind in ("float", "float | None"):
        return st.one_of(NUMBERS, st.floats(0, 1), ANYTHING)
    if kind == "str":
        return st.one_of(st.text(max_size=12), st.sampled_from(["", "clip", "nsga2"]), ANYTHING)
    return st.one_of(
        st.lists(NUMBERS, max_size=4),
        st.lists(st.text(max_size=3), max_size=3),
        st.just(()),
        ANYTHING,
    )


@st.composite
def hostile_configs(draw: st.DrawFn) -> SearchConfig:
    """A small XOR config with one or two keys set to hostile values (built without checks, as
    a caller may build one)."""
    keys = draw(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=2, unique=True))
    values = {k: draw(_hostile_value(_KINDS[k])) for k in keys}
    parts = {k: values.pop(k) for k in ("task", "drawing") if k in values}
    return dataclasses.replace(from_file_keys(values, SMALL), **parts)


@FAST
@given(cfg=hostile_configs())
def test_search_with_hostile_config_keys(cfg):
    with _Folder() as out:
        run = clean(lambda: search(BooleanTask("XOR"), out, cfg, time_limit=0))
        if run is not None:  # accepted: a real (one-seed, short) search
            assert run.state.champion is not None and (out / "best.json").exists()
            assert run.state.config.pop == cfg.pop


@FAST
@given(
    task=st.one_of(ANYTHING, st.just(BooleanTask("XOR"))),
    out=st.one_of(ANYTHING, st.just("OUT")),
    generations=st.one_of(st.none(), BAD_COUNTS, NUMBERS, ANYTHING, st.just(1)),
    time_limit=st.one_of(st.none(), NUMBERS, ANYTHING, st.just(0)),
    engine=st.one_of(st.sampled_from(["array", "reference"]), ANYTHING),
    resume=st.one_of(st.booleans(), ANYTHING),
    log=st.one_of(st.none(), ANYTHING),
)
def test_search_with_hostile_arguments(task, out, generations, time_limit, engine, resume, log):
    with _Folder() as folder:
        where = folder if isinstance(out, str) and out == "OUT" else out
        if time_limit is None:
            time_limit = 0  # the Boolean default (110 s of restarts) is too long for a test

        def call():
            return search(
                task,
                where,
                SMALL,
                resume=resume,
                generations=generations,
                time_limit=time_limit,
                engine=engine,
                log=log,
            )

        run = clean(call)
        if run is not None:
            assert run.state.champion is not None


# --- evaluate -----------------------------------------------------------------------------------

XOR_GENOME = random_nets(2, 1, 1, seed=3)[0]
XOR_EDGES = len(edge_pairs(XOR_GENOME))

WEIGHT_ARRAYS = st.one_of(
    st.none(),
    hnp.arrays(
        st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=XOR_EDGES + 1),
    ),
    hnp.arrays(np.float64, st.just((XOR_EDGES,)), elements=NUMBERS),
    hnp.arrays(np.float64, st.just((XOR_EDGES,)), elements=st.floats(-3, 3)),
    st.lists(NUMBERS, max_size=XOR_EDGES + 1),
    ANYTHING,
)


@FAST
@given(
    genome=st.one_of(st.just(XOR_GENOME), ANYTHING, st.builds(lambda: random_nets(3, 2, 1)[0])),
    episodes=st.one_of(st.integers(1, 3), BAD_COUNTS, NUMBERS, ANYTHING),
    seed=st.one_of(st.integers(0, 5), st.integers(-(10**6), -1), NUMBERS, ANYTHING),
    weights=WEIGHT_ARRAYS,
    tune_episodes=st.one_of(st.none(), st.integers(1, 2), BAD_COUNTS, ANYTHING),
    task=st.one_of(st.just(BooleanTask("XOR")), ANYTHING),
)
def test_evaluate_with_hostile_arguments(genome, episodes, seed, weights, tune_episodes, task):
    result = clean(lambda: evaluate(task, genome, episodes, seed, weights, tune_episodes))
    if result is not None:
        rows = result.rows
        assert all(0.0 <= r.mean <= 1.0 and r.n == episodes for r in rows)
        assert len(rows) == 9 + (weights is not None)  # 2 random, 6 weights, tuned (+ trained)


# --- the zoo ------------------------------------------------------------------------------------


@FAST
@given(spec=st.one_of(ANYTHING, st.sampled_from([*zoo_names(), "swingup:trained", "nope:x"])))
def test_load_champion_with_hostile_names(spec):
    champ = clean(lambda: load_champion(spec))
    if champ is not None:
        assert isinstance(spec, str) and champ.name == spec.split(":")[0]


# --- the tasks ----------------------------------------------------------------------------------

TASK_NAMES = st.sampled_from(["xor", "and", "swingup", "mnist256", "gym:", "nope", "XOR"])


@FAST
@given(
    name=st.one_of(TASK_NAMES, ANYTHING),
    p_init=st.one_of(st.none(), NUMBERS, st.floats(0.01, 1), ANYTHING),
    workers=st.one_of(st.none(), st.integers(1, 4), BAD_COUNTS, ANYTHING),
    data_dir=st.one_of(st.none(), st.just("data"), ANYTHING),
)
def test_make_task_with_hostile_arguments(name, p_init, workers, data_dir):
    task = clean(lambda: make_task(name, data_dir=data_dir, p_init=p_init, workers=workers))
    if task is not None:
        assert task.name == name and (p_init is None or task.p_init == p_init)


@FAST
@given(
    function=st.one_of(st.sampled_from(["XOR", "AND", "xor"]), ANYTHING),
    steps=st.one_of(st.integers(1, 2000), BAD_COUNTS, NUMBERS, ANYTHING),
    batch=st.one_of(st.integers(1, 60_000), BAD_COUNTS, ANYTHING),
    p_init=st.one_of(st.floats(0.01, 1), NUMBERS, ANYTHING),
)
def test_task_dataclasses_with_hostile_fields(function, steps, batch, p_init):
    """A task is built only from fields it can run with."""
    from scratchnn.theory.boolean import TABLES

    def fits(x: Any, low: int, high: int) -> bool:
        return isinstance(x, int) and not isinstance(x, bool) and low <= x <= high

    if clean(lambda: BooleanTask(function, p_init=p_init)) is not None:
        assert function in TABLES and 0 < p_init <= 1
    if clean(lambda: SwingUpTask(steps=steps, p_init=p_init)) is not None:
        assert fits(steps, 1, 10**8) and 0 < p_init <= 1
    if clean(lambda: Mnist256Task(batch=batch, p_init=p_init)) is not None:
        assert fits(batch, 1, 60_000) and 0 < p_init <= 1


@FAST
@given(
    steps=st.one_of(st.none(), st.integers(1, 500), BAD_COUNTS, NUMBERS, ANYTHING),
    action=st.one_of(st.none(), st.sampled_from(["argmax", "clip", "tanh"]), ANYTHING),
    reward=st.one_of(st.sampled_from(["standard", "reference"]), ANYTHING),
    p_init=st.one_of(st.floats(0.01, 1), NUMBERS, ANYTHING),
    labels=st.one_of(st.just(()), st.lists(st.text(max_size=3), max_size=7), ANYTHING),
    workers=st.one_of(st.none(), st.integers(1, 3), BAD_COUNTS, ANYTHING),
    backend=st.one_of(st.none(), st.sampled_from(["gymnasium", "envpool"]), ANYTHING),
)
def test_gym_task_with_hostile_arguments(steps, action, reward, p_init, labels, workers, backend):
    from scratchnn.wann.tasks.gym import gym_task

    def build():
        return gym_task(
            "CartPole-v1",
            steps=steps,
            action=action,
            reward=reward,
            p_init=p_init,
            labels=labels,
            workers=workers,
            backend=backend,
        )

    task = clean(build)
    if task is not None:
        assert task.spec.backend == (backend or "gymnasium")
        assert task.spec.action == "argmax" and (steps is None or task.spec.steps == steps)


@FAST
@given(
    options=st.one_of(
        st.dictionaries(
            st.sampled_from(["steps", "action", "reward", "labels", "backend", "other"]),
            st.one_of(BAD_COUNTS, st.integers(1, 100), ANYTHING),
            max_size=3,
        ),
        ANYTHING,
    ),
    task=st.sampled_from(["swingup", "xor"]),
)
def test_configure_task_with_hostile_options(options, task):
    configured = clean(lambda: configure_task(make_task(task), options))
    if configured is not None and options:
        assert configured.name == task
