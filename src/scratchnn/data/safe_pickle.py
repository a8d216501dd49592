"""A restricted unpickler for the one pickle we read from outside: ``mnist.pkl.gz``.

``pickle.load`` executes whatever callables a file names, so it must never see untrusted bytes.
:class:`RestrictedUnpickler` resolves only the three NumPy globals that an array pickle needs and
refuses every other global with :class:`~scratchnn.errors.DataError`.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import numpy as np

from ..errors import DataError


def _reconstruct() -> Any:
    try:  # NumPy >= 2 moved it to numpy._core; the pickle names the old path
        from numpy._core.multiarray import _reconstruct as fn
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core.multiarray import _reconstruct as fn
    return fn


ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct(),
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct(),
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that admits only :data:`ALLOWED_GLOBALS`."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise DataError(
                f"refusing to unpickle global {module}.{name}: only NumPy array globals are "
                "allowed in a data pickle"
            ) from None


def restricted_loads(data: bytes, encoding: str = "latin1") -> Any:
    """Unpickle ``data`` admitting only NumPy array globals (Python 2 pickles need latin1)."""
    try:
        return RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()
    except DataError:
        raise
    except Exception as exc:  # malformed stream: any of several pickle/struct errors
        raise DataError(f"malformed pickle: {exc}") from exc
