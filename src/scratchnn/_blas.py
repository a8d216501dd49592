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


def blas_single_threaded(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator: run ``fn`` inside :func:`single_thread_blas`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with single_thread_blas():
            return fn(*args, **kwargs)

    return wrapper
