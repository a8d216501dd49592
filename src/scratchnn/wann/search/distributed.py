"""A WANN generation scored on a Ray cluster: chunks of networks out, scores back.

The driver keeps the whole search (mutation, ranking, selection, checkpoints); only
:meth:`Task.evaluate <scratchnn.wann.tasks.Task.evaluate>` moves. The packed population is cut
into chunks of ``chunk`` consecutive networks (:func:`slice_packed`, flat arrays: no genome
objects travel), each chunk is one Ray task, and the score rows are put back in order.

Identical results: a network's score depends only on the network, the weights and the random
draws (initial states, image batches) of the evaluation's generator, never on the other networks
evaluated beside it. Every chunk gets a copy of the generator in the same state, so it draws
what an unchunked evaluation draws, and the assembled scores equal ``task.evaluate``'s (tested:
same champion and ``stats.csv`` as a local search).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..networks.packed import Packed
from ..tasks import EnvironmentTask, Task
from .loop import Evaluator

#: networks per Ray task. Measured (README, "Ray"): a Ray task costs 1.8 ms (200 submitted at
#: once) to 4.1 ms (one at a time) on a local Ray; swingup scores 64 minimal (generation-0)
#: networks in 15 ms, so 128 of them, the smallest networks a search sees, take ~30 ms, well
#: above that cost, while a population of 960 still makes 8 tasks
CHUNK = 128


def remote_form(task: Task) -> tuple[Task, int]:
    """What a Ray task receives of ``task``, and how many networks each Ray task scores. A
    Gymnasium task (``workers``: its own process pool) goes with one worker (the cluster's
    cores are Ray's) and one network per Ray task: a network's episodes cost seconds (a
    BipedalWalker step is 0.44 ms, README), thousands of times Ray's per-task cost, and a
    population of 480 then spreads over up to 480 cores. Every other task: :data:`CHUNK`."""
    if isinstance(task, EnvironmentTask):
        return task.with_options(workers=1), 1
    return task, CHUNK


def slice_packed(packed: Packed, a: int, b: int) -> Packed:
    """Networks ``a`` to ``b - 1`` of ``packed`` as a :class:`Packed` of their own (offsets
    rebased to 0; ``edge_src`` is local to each network, so it is only cut)."""
    ns = packed.node_start
    lo, hi = int(ns[a]), int(ns[b])
    e_lo, e_hi = int(packed.edge_ptr[lo]), int(packed.edge_ptr[hi])
    return Packed(
        packed.n_in,
        packed.n_out,
        ns[a : b + 1] - lo,
        packed.act[lo:hi],
        packed.edge_ptr[lo : hi + 1] - e_lo,
        packed.edge_src[e_lo:e_hi],
    )


def chunk_bounds(n: int, chunk: int) -> list[tuple[int, int]]:
    """``[(0, chunk), (chunk, 2 chunk), ..., (.., n)]``: the networks of each task."""
    return [(a, min(a + chunk, n)) for a in range(0, n, chunk)]


def evaluate_chunk(
    task: Task, packed: Packed, weights: np.ndarray, rng: np.random.Generator, reps: int
) -> np.ndarray:
    """One Ray task: ``task.evaluate`` with BLAS on one thread (the worker's cores are Ray's)."""
    from ..._blas import single_thread_blas

    with single_thread_blas():
        return task.evaluate(packed, weights, rng, reps)


def chunked_evaluator(executor: Any, chunk: int | None = None) -> Evaluator:
    """An :data:`~scratchnn.wann.search.loop.Evaluator` that sends chunks of ``chunk`` networks
    (default: :func:`remote_form`'s choice for the task) to ``executor`` (a
    :class:`~scratchnn.parallel.RayExecutor`: ``submit(fn, *args) -> Future`` and
    ``put(value) -> reference``) and assembles their (chunk, n_weights) scores in order. The
    task (MNIST-256's images with it) goes to the object store once."""
    if chunk is not None and chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    shipped: dict[int, Any] = {}

    def evaluate(
        task: Task, packed: Packed, weights: np.ndarray, rng: np.random.Generator, reps: int
    ) -> np.ndarray:
        if id(task) not in shipped:
            remote, size = remote_form(task)
            shipped.clear()
            shipped[id(task)] = (task, executor.put(remote), chunk or size)
        _, ref, size = shipped[id(task)]
        futures = [
            executor.submit(
                evaluate_chunk, ref, slice_packed(packed, a, b), weights, copy.deepcopy(rng), reps
            )
            for a, b in chunk_bounds(packed.n_nets, size)
        ]
        return np.concatenate([f.result() for f in futures])

    return evaluate
