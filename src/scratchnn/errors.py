"""User-facing errors.

Every problem a user can cause or fix (a corrupt data file, a bad config value, a missing file)
raises a subclass of :class:`ScratchnnError` whose message says what is wrong and how to fix it.
The CLI prints that message as one line and exits non-zero; anything else is a bug.

The library follows scikit-learn's conventions as well: a value out of range is a
:class:`ValueError` (:class:`DataError`, :class:`ConfigError`), a value of the wrong type a
:class:`TypeError` too (:class:`DataTypeError`, :class:`ConfigTypeError`), so ``except
ValueError`` catches what it would catch in scikit-learn. The checks themselves live in
:mod:`scratchnn.validation`.
"""

from __future__ import annotations

import reprlib
from typing import Any

_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxtuple, _SHORT.maxdict = 3, 6, 6, 6
_SHORT.maxstring = _SHORT.maxother = 60


MAX_MESSAGE = 1000
"""The longest error message shown, in characters: a longer one keeps its first 70% and its last
20%, with the count of the characters left out between (:func:`bounded`)."""


def shown(value: Any) -> str:
    """``repr(value)`` cut short (a few items per level, 3 levels, 60 characters per string):
    safe to put in a message whatever the value is, a YAML alias bomb of 9^16 elements included,
    because only the items shown are visited."""
    return _SHORT.repr(value)


def bounded(message: str, limit: int = MAX_MESSAGE) -> str:
    """``message`` when it has at most ``limit`` characters; else its head and tail around
    ``... [N characters left out] ...``, so that an error that quotes input of any size or shape
    (a huge CSV cell, a genome node of 100,000 items, a long command-line value) stays one
    readable line."""
    message = str(message)
    if len(message) <= limit:
        return message
    head, tail = limit * 7 // 10, limit // 5
    left_out = len(message) - head - tail
    return f"{message[:head]} ... [{left_out:,} characters left out] ... {message[-tail:]}"


class ScratchnnError(Exception):
    """Base class of every error that is the user's to fix. Its text is :func:`bounded`:
    whatever input a message quotes, ``str(error)`` has at most :data:`MAX_MESSAGE` characters
    (plus the count of those left out)."""

    def __str__(self) -> str:
        return bounded(super().__str__())


class DataError(ScratchnnError, ValueError):
    """Data is unusable: a file missing, malformed or failing its checksum, or arrays given to a
    function with bad shapes, labels or values (NaN, a label out of range, a width mismatch)."""


class DataTypeError(DataError, TypeError):
    """Data of a type or dtype the function cannot use (a list where an array is needed, int64
    features, float labels)."""


class ConfigError(ScratchnnError, ValueError):
    """A setting is invalid: a configuration file or value, a size, rate or count out of range,
    or an unknown name."""


class ConfigTypeError(ConfigError, TypeError):
    """A setting of the wrong type (a string where a number is needed, a float where an integer
    count is)."""


def caused_by_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` is Ctrl-C or was raised because of it: Ctrl-C inside a compiled (Numba)
    kernel surfaces as a ``SystemError`` ("returned a result with an exception set"), possibly
    wrapping another such ``SystemError``, whose cause or context is the ``KeyboardInterrupt``."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, KeyboardInterrupt):
            return True
        if not isinstance(exc, SystemError):
            return False
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
