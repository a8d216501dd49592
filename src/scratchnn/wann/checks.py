"""Checks at the doors of the WANN library: the arguments of ``search``, ``evaluate``,
``load_champion`` and the task constructors, checked once before any kernel runs.

Each check returns the value (as the type the code below it needs) or raises a
:class:`~scratchnn.errors.ConfigError` that names the argument, quotes the bad value (cut short
by :func:`~scratchnn.errors.shown`) and says what would fit. Nothing here imports the rest of
:mod:`scratchnn.wann`, so every room (``networks``, ``tasks``, ``search``) may use it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError, shown


def is_int(value: Any) -> bool:
    """Whether ``value`` is a whole number (a Python or NumPy integer, not a bool)."""
    import numpy as np

    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def is_real(value: Any) -> bool:
    """Whether ``value`` is a real number (an int or float, Python or NumPy, not a bool)."""
    import numpy as np

    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``[low, high]`` (``high`` None: no upper bound)."""
    span = f">= {low:,}" if high is None else f"in [{low:,}, {high:,}]"
    if not is_int(value):
        raise ConfigError(f"{name} must be a whole number {span}, got {shown(value)}")
    if value < low or (high is not None and value > high):
        raise ConfigError(f"{name} must be {span}, got {shown(value)}")
    return int(value)


def check_optional_int(name: str, value: Any, low: int, high: int | None = None) -> int | None:
    """:func:`check_int`, or None when ``value`` is None."""
    return None if value is None else check_int(name, value, low, high)


def check_real(
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` between ``low`` and ``high`` (each end open or closed)."""
    span = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if not is_real(value):
        raise ConfigError(f"{name} must be a number in {span}, got {shown(value)}")
    x = float(value)
    inside = (low < x if low_open else low <= x) and (x < high if high_open else x <= high)
    if not math.isfinite(x) or not inside:
        raise ConfigError(f"{name} must be a finite number in {span}, got {shown(value)}")
    return x


def check_name(name: str, value: Any, known: Sequence[str]) -> str:
    """``value`` when it is one of the strings ``known``."""
    if not isinstance(value, str) or value not in known:
        raise ConfigError(f"{name} must be one of {', '.join(known)}, got {shown(value)}")
    return value


def check_names(name: str, value: Any) -> tuple[str, ...]:
    """``value`` (a list or tuple of strings) as a tuple."""
    if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
        raise ConfigError(f"{name} must be a list of strings, got {shown(value)}")
    return tuple(value)


def check_path(name: str, value: Any) -> Path:
    """``value`` (a string or path-like, not empty) as a :class:`~pathlib.Path`."""
    if not isinstance(value, str | os.PathLike) or not str(value) or "\0" in str(value):
        raise ConfigError(f"{name} must be a path (a string or pathlib.Path), got {shown(value)}")
    return Path(value)


def check_optional_path(name: str, value: Any) -> Path | None:
    """:func:`check_path`, or None when ``value`` is None."""
    return None if value is None else check_path(name, value)


def check_flag(name: str, value: Any) -> bool:
    """``value`` when it is ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be True or False, got {shown(value)}")
    return value


def check_callable(name: str, value: Any, optional: bool = True) -> Any:
    """``value`` when it can be called (or is None and ``optional``)."""
    if (value is None and optional) or callable(value):
        return value
    raise ConfigError(
        f"{name} must be a function{' or None' if optional else ''}, got {shown(value)}"
    )
