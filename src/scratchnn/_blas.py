"""Pin BLAS to one thread for the library's numeric work.

On small matrices (batch 32 x 784 x 128) OpenBLAS's thread pool costs far more than it saves:
on 2-vCPU machines a threaded batch-32 step is 5-50x slower than a single-threaded one. Every
public entry point that does heavy NumPy work is wrapped in :func:`single_thread_blas`, so the
library behaves the same whatever the caller's environment says.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# The limit is process-wide (it sets the BLAS libraries' own thread counts), so it is held while
# any thread is inside the context: a count of the contexts open in every thread, the first to
# open sets the limit, the last to close restores it. The lock makes each open and close atomic.
_lock = threading.Lock()
_open = 0
_limits: list[Any] = []  # the outermost limit, then those set by blas_loaded(), undone in reverse


@contextmanager
def single_thread_blas() -> Iterator[None]:
    """Context in which BLAS (OpenBLAS, MKL, BLIS) uses exactly one thread; nested and
    concurrent uses (several threads each inside it) keep the limit until the last one leaves."""
    global _open
    with _lock:
        if _open == 0:
            from threadpoolctl import threadpool_limits  # on first use, not at import

            _limits.append(threadpool_limits(limits=1, user_api="blas"))
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if _open == 0:
                while _limits:
                    _limits.pop().restore_original_limits()


def blas_loaded() -> None:
    """Pin BLAS libraries loaded *inside* :func:`single_thread_blas` to one thread as well.

    threadpoolctl limits the libraries loaded when the limit is set; a module imported later that
    brings its own BLAS (SciPy's ``scipy.linalg.blas``, imported on first use by the fused kernel)
    would run threaded. Call this right after such an import; outside the context it does nothing.
    """
    with _lock:
        if _open:
            from threadpoolctl import threadpool_limits

            _limits.append(threadpool_limits(limits=1, user_api="blas"))


def blas_single_threaded(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator: run ``fn`` inside :func:`single_thread_blas`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with single_thread_blas():
            return fn(*args, **kwargs)

    return wrapper
