"""The WANN library's own checks at its doors, beside :mod:`scratchnn.validation` (sizes, rates,
names and flags): optional counts, lists of names, paths and callbacks, for the arguments of
``search``, ``evaluate``, ``load_champion`` and the task constructors, checked once before any
kernel runs.

Each check returns the value (as the type the code below it needs) or raises a
:class:`~scratchnn.errors.ConfigError` that names the argument, quotes the bad value (cut short
by :func:`~scratchnn.errors.shown`) and says what would fit. Nothing here imports the rest of
:mod:`scratchnn.wann`, so every room (``networks``, ``tasks``, ``search``) may use it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import ConfigTypeError, shown
from ..validation import integer


def check_optional_int(name: str, value: Any, low: int, high: int | None = None) -> int | None:
    """:func:`scratchnn.validation.integer` in ``[low, high]``, or None when ``value`` is."""
    return None if value is None else integer(value, name, low=low, high=high)


def check_names(name: str, value: Any) -> tuple[str, ...]:
    """``value`` (a list or tuple of strings) as a tuple."""
    if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
        raise ConfigTypeError(f"{name} must be a list of strings, got {shown(value)}")
    return tuple(value)


def check_path(name: str, value: Any) -> Path:
    """``value`` (a string or path-like, not empty) as a :class:`~pathlib.Path`."""
    if not isinstance(value, str | os.PathLike) or not str(value) or "\0" in str(value):
        raise ConfigTypeError(
            f"{name} must be a path (a string or pathlib.Path), got {shown(value)}"
        )
    return Path(value)


def check_optional_path(name: str, value: Any) -> Path | None:
    """:func:`check_path`, or None when ``value`` is None."""
    return None if value is None else check_path(name, value)


def check_callable(name: str, value: Any, optional: bool = True) -> Any:
    """``value`` when it can be called (or is None and ``optional``)."""
    if (value is None and optional) or callable(value):
        return value
    raise ConfigTypeError(
        f"{name} must be a function{' or None' if optional else ''}, got {shown(value)}"
    )
