"""The one-thread BLAS guard under threads: correct limits, and fit's results bit for bit."""

from __future__ import annotations

import threading

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from scratchnn import _blas
from scratchnn.models import TwoLayerNet
from scratchnn.optim import SGD
from scratchnn.training import fit
from tests.conftest import make_splits


def _blas_threads() -> set[int]:
    return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def test_the_limit_holds_while_any_thread_is_inside_and_is_restored_after():
    """Thread A enters, B enters, A leaves, B leaves: the limit is held until B leaves, then
    released, and the next use limits again (a shared depth counter went to -1 in this order,
    turning the limit off for the rest of the process). BLAS thread counts are read in the thread
    that set them (OpenMP builds of OpenBLAS keep them per thread)."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def thread_a() -> None:
        with _blas.single_thread_blas():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def thread_b() -> None:
        a_in.wait(5)
        with _blas.single_thread_blas():
            b_in.set()
            a_out.wait(5)
            seen["held after a left"] = (_blas._open, len(_blas._limits))

    with threadpool_limits(limits=2, user_api="blas"):  # detectable on any machine
        threads = [threading.Thread(target=f) for f in (thread_a, thread_b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        seen["released"] = (_blas._open, len(_blas._limits))
        with _blas.single_thread_blas():
            seen["next use"] = _blas_threads()
        seen["after next"] = _blas_threads()
    assert seen == {
        "held after a left": (1, 1),
        "released": (0, 0),
        "next use": {1},
        "after next": {2},
    }


def _train(results: dict, key: str, barrier: threading.Barrier | None = None) -> None:
    data = make_splits(n_train=600, dim=64, classes=4, seed=1)
    model = TwoLayerNet(64, 32, 4)
    if barrier is not None:
        barrier.wait(10)
    result = fit(model, data, SGD(0.3, 1e-3), epochs=3, batch_size=16, seed=5)
    results[key] = (result.metrics(), {k: v.copy() for k, v in model.params.items()})


def test_fit_in_two_threads_gives_the_single_threaded_result_bit_for_bit():
    alone: dict = {}
    _train(alone, "alone")
    together: dict = {}
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_train, args=(together, k, barrier)) for k in ("t1", "t2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    metrics, params = alone["alone"]
    for key in ("t1", "t2"):
        m, p = together[key]
        assert {k: v for k, v in m.items() if k != "seconds"} == {
            k: v for k, v in metrics.items() if k != "seconds"
        }
        for name, value in params.items():
            assert np.array_equal(p[name], value), (key, name)
    assert _blas._open == 0
