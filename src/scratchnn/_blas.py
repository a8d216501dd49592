"""Pin BLAS to one thread for the library's numeric work.

On small matrices (batch 32 x 784 x 128) OpenBLAS's thread pool costs far more than it saves:
on 2-vCPU machines a threaded batch-32 step is 5-50x slower than a single-threaded one. Every
public entry point that does heavy NumPy work is wrapped in :func:`single_thread_blas`, so the
library behaves the same whatever the caller's environment says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_depth = 0  # nesting depth, so that inner calls do not re-query the thread pools
_late: list = []  # limits set by blas_loaded() inside the outermost context, undone when it ends


@contextmanager
def single_thread_blas() -> Iterator[None]:
    """Context in which BLAS (OpenBLAS, MKL, BLIS) uses exactly one thread."""
    global _depth
    if _depth:
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return
    from threadpoolctl import threadpool_limits  # on first use, not at ``import scratchnn``

    with threadpool_limits(limits=1, user_api="blas"):
        _depth = 1
        try:
            yield
        finally:
            _depth = 0
            while _late:
                _late.pop().restore_original_limits()


def blas_loaded() -> None:
    """Pin BLAS libraries loaded *inside* :func:`single_thread_blas` to one thread as well.

    threadpoolctl limits the libraries loaded when the limit is set; a module imported later that
    brings its own BLAS (SciPy's ``scipy.linalg.blas``, imported on first use by the fused kernel)
    would run threaded. Call this right after such an import; outside the context it does nothing.
    """
    if _depth:
        from threadpoolctl import threadpool_limits

        _late.append(threadpool_limits(limits=1, user_api="blas"))


def blas_single_threaded(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator: run ``fn`` inside :func:`single_thread_blas`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with single_thread_blas():
            return fn(*args, **kwargs)

    return wrapper
