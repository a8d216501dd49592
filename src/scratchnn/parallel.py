"""Where independent pieces of work run: worker processes on this machine, or a Ray cluster.

Both executors hand out :class:`concurrent.futures.Future` objects, so the jobs that use them
(:func:`~scratchnn.experiments.runner.run_plan`, the tune study, the WANN search's evaluation)
wait on futures and never care which executor made them; the parent process (Ray's driver)
alone writes every output.

- ``local``: a :class:`~concurrent.futures.ProcessPoolExecutor` with the ``spawn`` start method:
  a worker is a fresh interpreter that inherits no thread, lock or Numba state from the parent
  (``fork`` after NumPy/Numba have started threads can deadlock; ``spawn`` is also what macOS
  and Windows use, so the behaviour is the same everywhere) and, unlike joblib/loky, it is in
  the standard library. Each worker pins BLAS to one thread for its whole life, ignores Ctrl-C
  (the parent handles it and stops the pool) and exits on its own when the parent dies
  (kill -9), so no orphan keeps training. :func:`local_pool` makes a pool for one job (a
  sweep, a study), closed with :func:`stop_pool`; :func:`shared_pool` is the process's one
  reusable pool, for work that comes again and again (the Gymnasium tasks' episodes, generation
  after generation), started on first use and stopped at exit.
- ``ray``: every piece of work is one Ray task (``pip install 'scratchnn[ray]'``); ``address``
  is a running cluster's (``auto``, ``HOST:6379``), or ``None`` to start a local one.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from ._optional import require
from .errors import ScratchnnError

EXECUTORS = ("local", "ray")

_WORKER: dict[str, Any] = {}  # per-worker globals set by the initializer (data, progress queue)


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity mask; a container's CPU set), >= 1."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS, Windows
        return max(os.cpu_count() or 1, 1)


def check_jobs(jobs: int | None) -> int:
    """``--jobs``: ``None`` means :func:`usable_cores`; anything below 1 is refused."""
    if jobs is None:
        return usable_cores()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ScratchnnError(f"--jobs must be a whole number >= 1, got {jobs!r}")
    return jobs


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)  # the parent died (kill -9): stop at once, write nothing
        time.sleep(0.5)


def worker_init(parent: int, globals_: dict[str, Any]) -> None:
    """Initializer of every local worker process: BLAS on one thread, Ctrl-C left to the parent,
    exit when the parent dies, and ``globals_`` (the training data, a progress queue) kept for
    :func:`worker_global`."""
    from threadpoolctl import threadpool_limits

    # one Numba thread per worker, set here in the worker (before it imports Numba): setting it
    # in the parent's environment would make the parent's own Numba refuse its next compile
    # ("Cannot set NUMBA_NUM_THREADS to a different value once the threads have been launched")
    os.environ["NUMBA_NUM_THREADS"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(limits=1, user_api="blas")  # for the worker's whole life
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    _WORKER.update(globals_)


def worker_global(name: str, default: Any = None) -> Any:
    """A value :func:`worker_init` stored (``default`` in the parent or a Ray worker)."""
    return _WORKER.get(name, default)


def local_pool(jobs: int, globals_: dict[str, Any] | None = None) -> cf.ProcessPoolExecutor:
    """``jobs`` spawned worker processes (see the module docstring)."""
    import multiprocessing as mp

    return cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=mp.get_context("spawn"),
        initializer=worker_init,
        initargs=(os.getpid(), globals_ or {}),
    )


_SHARED: list[tuple[int, cf.ProcessPoolExecutor]] = []  # the reusable pool and its size


def shared_pool(jobs: int) -> cf.ProcessPoolExecutor:
    """The process's reusable pool of ``jobs`` workers (a :func:`local_pool`): started on first
    use and kept between calls, since starting workers costs seconds (imports, compiles); a call
    with another ``jobs`` stops the old pool first. Closed at exit, at once
    (:func:`stop_shared_pool`)."""
    if _SHARED and _SHARED[0][0] != jobs:
        stop_shared_pool()
    if not _SHARED:
        _SHARED.append((jobs, local_pool(jobs)))
    return _SHARED[0][1]


@atexit.register
def stop_shared_pool() -> None:
    """Stop the reusable pool now, without waiting for its work (after Ctrl-C a chunk of long
    episodes could take a minute; their results are not needed)."""
    while _SHARED:
        stop_pool(_SHARED.pop()[1], now=True)


def progress_queue() -> Any:
    """A queue the local workers may put progress ticks into (spawn context)."""
    import multiprocessing as mp

    return mp.get_context("spawn").SimpleQueue()


def stop_pool(pool: cf.Executor, now: bool = True) -> None:
    """Close ``pool``: after the work (``now`` False), or at once (Ctrl-C, an error: cancel what
    has not started and end the workers)."""
    if not now:
        pool.shutdown(wait=True)
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:  # running work: end it now
        with contextlib.suppress(OSError, ValueError):
            proc.terminate()
    for proc in procs:
        with contextlib.suppress(OSError, ValueError):
            proc.join(timeout=5)


def require_ray() -> Any:
    """``import ray``, or one clear line saying how to install it."""
    return require("ray", "ray", "--executor ray")


def check_executor(executor: str, address: str | None) -> None:
    """``--executor``/``--address`` checked before any work (Ray installed when asked for)."""
    if executor not in EXECUTORS:
        raise ScratchnnError(f"--executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    if address is not None and executor != "ray":
        raise ScratchnnError("--address is the Ray cluster's address: give it with --executor ray")
    if executor == "ray":
        require_ray()


@contextlib.contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None) -> Iterator[Any]:
    """Connect to the Ray cluster at ``address`` (``auto``: the one started on this machine with
    ``ray start``), or start a local one (``num_cpus``: its size; default all cores) when
    ``address`` is None. Already connected (a test, a notebook): that session is used and left
    open. Ray's own log lines are kept off the terminal."""
    ray = require_ray()
    started = False
    if not ray.is_initialized():
        src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = {"PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
        env["NUMBA_NUM_THREADS"] = "1"
        try:
            ray.init(
                address=address,
                num_cpus=num_cpus if address is None else None,
                include_dashboard=False,
                log_to_driver=False,
                logging_level="ERROR",
                configure_logging=True,
                runtime_env={"env_vars": env},
            )
        except ConnectionError as exc:
            raise ScratchnnError(
                f"cannot connect to the Ray cluster at {address} ({str(exc).splitlines()[0]}); "
                "start it with `ray start --head`, or leave --address out for a local one"
            ) from None
        started = True
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()


class RayExecutor(cf.Executor):
    """``submit(fn, *args)`` runs ``fn`` as one Ray task (one CPU) and returns a
    :class:`concurrent.futures.Future`; BLAS is pinned to one thread inside the task."""

    def __init__(self, ray: Any) -> None:
        self.ray = ray
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_ray_call)
        self._refs: list[Any] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        ref = self._remote.remote(fn, *args, **kwargs)
        self._refs.append(ref)
        return ref.future()

    def put(self, value: Any) -> Any:
        """``value`` in Ray's object store once (pass the reference to many tasks)."""
        return self.ray.put(value)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            for ref in self._refs:
                with contextlib.suppress(Exception):
                    self.ray.cancel(ref, force=True)
        self._refs.clear()


def _ray_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    from ._blas import single_thread_blas

    with single_thread_blas():
        return fn(*args, **kwargs)


def ray_pool(
    stack: contextlib.ExitStack, address: str | None, data: Any
) -> tuple[RayExecutor, Any, int]:
    """A :class:`RayExecutor` on the cluster at ``address`` (session and executor closed by
    ``stack``), ``data`` put once in its object store, and the cluster's CPU count:
    ``(pool, data_ref, cpus)``."""
    ray = stack.enter_context(ray_session(address))
    pool = RayExecutor(ray)
    stack.callback(pool.shutdown, cancel_futures=True)
    return pool, pool.put(data), int(ray.cluster_resources().get("CPU", 1))


def stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
