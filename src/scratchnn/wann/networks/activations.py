"""The WANN activations: one table, by the reference's ids, from which every evaluator is made.

Each entry of :data:`ACTIVATIONS_BY_ID` (an :class:`Activation`) holds one activation's formula
twice, side by side: ``numpy`` on arrays (the plain reference forward pass, :func:`apply`) and
``scalar`` on one float, compiled, for the kernels. The compiled twins compute exp, tanh, sin and
cos with :mod:`scratchnn.wann.networks.elementary` (vectorisable, within 3 ulp of the C
library's); both twins reduce the argument of ``sin(pi x)`` and ``cos(pi x)`` exactly (so
``sin(pi k) = 0`` for every integer ``k``). They are tested id by id to agree within 3 ulp. An
entry also gives the derivative (for training individual weights), the symmetry the
shared-weight kernel uses (``f(-x) = -f(x)``: odd, ``f(-x) = f(x)``: even) and, optionally, a
``pair`` function giving ``f(x)`` and ``f(-x)`` from one evaluation.

The compiled dispatch by id is generated from the table, as an ``if`` chain over its entries
(:func:`activate`, :func:`activate_row`, :func:`derivative`, :func:`parity`, :func:`has_pair`,
:func:`pair_row`); an id not in the table gives NaN there (:func:`apply` and the genome checks
refuse it). The kernels read these through this module's attributes, so they compile against
the table as it is when they first run. The documentation's table of ids
(``{activation-ids}``) and the ids a search may mutate to (:data:`ALL_IDS`) come from it too.

Adding an activation is one entry in :data:`ACTIVATIONS_BY_ID` plus its test. Numba's on-disk
cache keys the kernels on their own files, not on this table: after changing an entry, remove
the cached kernels (``find src -name '*.nb[ic]' -delete``). :func:`register` adds entries at run
time (experiments, tests), in a fresh process, before any kernel compiles.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from .elementary import cospi, exp_nonpos, sinpi, tanh

#: the symmetry of an activation (and the parity of a node's value over the weights):
#: ``f(-x) = f(x)``, ``f(-x) = -f(x)``, or neither
EVEN, ODD, NO_PARITY = 0, 1, 2


@dataclass(frozen=True)
class Activation:
    """One activation ``f``: its reference id and name, ``formula`` (as the docs print it),
    ``numpy`` (``f`` on an array), ``scalar`` (``f`` on one float, compiled with
    ``inline="always"``), ``derivative`` (``f'(x)`` given ``x`` and ``v = f(x)``, compiled),
    ``parity`` (:data:`ODD`, :data:`EVEN` or :data:`NO_PARITY`) and ``pair`` (None, or a
    compiled ``x -> (f(x), f(-x))`` bit-identical to two ``scalar`` calls and cheaper)."""

    id: int
    name: str
    formula: str
    numpy: Callable[[np.ndarray], np.ndarray]
    scalar: Any
    derivative: Any
    parity: int = NO_PARITY
    pair: Any = None


_compiled = numba.njit(cache=True, nogil=True, inline="always", error_model="numpy")


def _sinpi(x: np.ndarray) -> np.ndarray:
    """``sin(pi x)`` with the argument reduced exactly: ``x = n + r``, ``|r| <= 1/2``,
    ``sin(pi x) = (-1)^n sin(pi r)`` (``np.sin(np.pi * x)`` rounds ``pi x`` first: 1.2e-16 at
    ``x = 1``, 3.5e-10 at ``x = 1e6``)."""
    n = np.rint(x)
    return np.where(np.fmod(n, 2) == 0, 1.0, -1.0) * np.sin(np.pi * (x - n))


def _cospi(x: np.ndarray) -> np.ndarray:
    """``cos(pi x) = (-1)^n sin(pi (1/2 - |r|))``, reduced exactly as :func:`_sinpi`."""
    n = np.rint(x)
    return np.where(np.fmod(n, 2) == 0, 1.0, -1.0) * np.sin(np.pi * (0.5 - np.abs(x - n)))


# --- the compiled twins and derivatives (``x``: the pre-activation, ``v = f(x)``) ---------------


@_compiled
def _linear(x: float) -> float:
    return x


@_compiled
def _step(x: float) -> float:
    return 1.0 if x > 0.0 else 0.0


@_compiled
def _gaussian(x: float) -> float:
    return exp_nonpos(-(x * x) / 2.0)


@_compiled
def _sigmoid(x: float) -> float:
    return (tanh(x / 2.0) + 1.0) / 2.0


@_compiled
def _sigmoid_pair(x: float) -> tuple[float, float]:
    """``s(x), s(-x)`` from one ``t = tanh(x / 2)``: ``(t + 1) / 2`` and ``(-t + 1) / 2``,
    exactly :func:`_sigmoid` of ``x`` and ``-x`` (tanh is exactly odd)."""
    t = tanh(x / 2.0)
    return (t + 1.0) / 2.0, (-t + 1.0) / 2.0


@_compiled
def _inverse(x: float) -> float:
    return -x


@_compiled
def _abs(x: float) -> float:
    return abs(x)


@_compiled
def _relu(x: float) -> float:
    return x if x > 0.0 or x != x else 0.0  # NaN stays NaN, as np.maximum


@_compiled
def _d_one(x: float, v: float) -> float:
    return 1.0


@_compiled
def _d_zero(x: float, v: float) -> float:
    return 0.0  # almost everywhere


@_compiled
def _d_sin(x: float, v: float) -> float:
    return np.pi * cospi(x)


@_compiled
def _d_gaussian(x: float, v: float) -> float:
    return -x * v


@_compiled
def _d_tanh(x: float, v: float) -> float:
    return 1.0 - v * v


@_compiled
def _d_sigmoid(x: float, v: float) -> float:
    return v * (1.0 - v)


@_compiled
def _d_inverse(x: float, v: float) -> float:
    return -1.0


@_compiled
def _d_abs(x: float, v: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)  # sign(x), 0 at 0


@_compiled
def _d_relu(x: float, v: float) -> float:
    return 1.0 if x > 0.0 else 0.0


@_compiled
def _d_cos(x: float, v: float) -> float:
    return -np.pi * sinpi(x)


#: the table: id -> :class:`Activation` (the reference's ids 1-10)
ACTIVATIONS_BY_ID: dict[int, Activation] = {
    a.id: a
    for a in (
        Activation(1, "linear", "x", lambda x: x, _linear, _d_one, ODD),
        Activation(2, "step", "1[x > 0]", lambda x: (x > 0).astype(x.dtype), _step, _d_zero),
        Activation(3, "sin", "sin(pi x)", _sinpi, sinpi, _d_sin, ODD),
        Activation(
            4,
            "gaussian",
            "exp(-x^2 / 2)",
            lambda x: np.exp(-(x * x) / 2),
            _gaussian,
            _d_gaussian,
            EVEN,
        ),
        Activation(5, "tanh", "tanh(x)", np.tanh, tanh, _d_tanh, ODD),
        Activation(
            6,
            "sigmoid",
            "(tanh(x / 2) + 1) / 2",
            lambda x: (np.tanh(x / 2) + 1) / 2,
            _sigmoid,
            _d_sigmoid,
            NO_PARITY,
            _sigmoid_pair,
        ),
        Activation(7, "inverse", "-x", lambda x: -x, _inverse, _d_inverse, ODD),
        Activation(8, "abs", "|x|", np.abs, _abs, _d_abs, EVEN),
        Activation(9, "relu", "max(0, x)", lambda x: np.maximum(0, x), _relu, _d_relu),
        Activation(10, "cos", "cos(pi x)", _cospi, cospi, _d_cos, EVEN),
    )
}
LINEAR = 1
STEP = 2
ALL_IDS: tuple[int, ...] = tuple(ACTIVATIONS_BY_ID)
NO_STEP: tuple[int, ...] = tuple(i for i in ACTIVATIONS_BY_ID if i != STEP)  # MNIST excludes step


def apply(act_id: int, x: np.ndarray) -> np.ndarray:
    """Activation ``act_id`` applied elementwise (the reference: its ``numpy`` twin)."""
    try:
        return ACTIVATIONS_BY_ID[act_id].numpy(x)
    except KeyError:
        raise ValueError(
            f"unknown activation id {act_id}; valid ids are {id_range(ACTIVATIONS_BY_ID)}"
        ) from None


def id_range(ids: Sequence[int] | dict[int, Any]) -> str:
    """The ids as a message names them: ``1-10`` when consecutive, else listed."""
    ids = sorted(ids)
    if ids == list(range(ids[0], ids[-1] + 1)):
        return f"{ids[0]}-{ids[-1]}"
    return ", ".join(map(str, ids))


# --- the compiled dispatch, generated from the table ------------------------------------------


def _branches(entries: Sequence[Activation], body: str, fallback: str) -> str:
    """An ``if a == id`` chain: ``body`` (indented, ``{i}`` the id) per entry, then
    ``fallback``."""
    lines = []
    for k, e in enumerate(entries):
        lines.append(f"    {'if' if k == 0 else 'elif'} a == {e.id}:")
        lines += ["        " + line for line in body.format(i=e.id).splitlines()]
    lines += ["    else:" if entries else "    if True:"]
    lines += ["        " + line for line in fallback.splitlines()]
    return "\n".join(lines)


def _generate(name: str, params: str, chain: str, names: dict[str, Any], **flags: Any) -> Any:
    """Compile ``def name(params): chain`` (``names``: the functions it calls)."""
    source = f"def {name}({params}):\n{chain}\n"
    namespace = {"nan": math.nan, **names}
    exec(compile(source, f"<activations: {name}>", "exec"), namespace)
    return numba.njit(nogil=True, error_model="numpy", **flags)(namespace[name])


def _build() -> None:
    """(Re)generate the compiled dispatch from :data:`ACTIVATIONS_BY_ID`; the kernels read it
    through this module's attributes when they compile."""
    entries = [ACTIVATIONS_BY_ID[i] for i in sorted(ACTIVATIONS_BY_ID)]
    paired = [e for e in entries if e.pair is not None]
    names = {f"f_{e.id}": e.scalar for e in entries}
    names |= {f"d_{e.id}": e.derivative for e in entries}
    names |= {f"p_{e.id}": e.pair for e in paired}
    row_loop = "for b in range(n):\n    row[b] = {body}"
    g = globals()
    g["activate"] = _generate(
        "activate", "a, x", _branches(entries, "return f_{i}(x)", "return nan"), names,
        inline="always",
    )  # fmt: skip
    g["derivative"] = _generate(
        "derivative", "a, x, v", _branches(entries, "return d_{i}(x, v)", "return nan"), names,
        inline="always",
    )  # fmt: skip
    g["activate_row"] = _generate(
        "activate_row", "a, w, row, n",
        _branches(entries, row_loop.format(body="f_{i}(w * row[b])"), row_loop.format(body="nan")),
        names,
    )  # fmt: skip
    g["pair_row"] = _generate(
        "pair_row", "a, w, row, twin, n",
        _branches(
            paired, "for b in range(n):\n    row[b], twin[b] = p_{i}(w * row[b])",
            row_loop.format(body="nan") + "\n    twin[b] = nan",
        ),
        names,
    )  # fmt: skip
    symmetric = [e for e in entries if e.parity != NO_PARITY]
    g["parity"] = _generate(
        "parity", "a",
        "\n".join(
            [f"    if a == {e.id}:\n        return {e.parity}" for e in symmetric]
            + [f"    return {NO_PARITY}"]
        ),
        names, inline="always",
    )  # fmt: skip
    g["has_pair"] = _generate(
        "has_pair", "a",
        "\n".join(
            [f"    if a == {e.id}:\n        return True" for e in paired] + ["    return False"]
        ),
        names, inline="always",
    )  # fmt: skip


#: ``activate(a, x)``: ``f_a(x)`` of one float (NaN for an unknown id); the compiled twin of
#: :func:`apply`
activate: Any
#: ``derivative(a, x, v)``: ``f_a'(x)`` given the pre-activation ``x`` and ``v = f_a(x)``
derivative: Any
#: ``activate_row(a, w, row, n)``: ``row[b] = f_a(w * row[b])`` for ``b < n``, in place; one
#: branch per row, not per element, and loops that the compiler vectorises (in place, because
#: with two arrays that might overlap the vectoriser falls back to scalar code when they do)
activate_row: Any
#: ``pair_row(a, w, row, twin, n)``: ``row[b], twin[b] = f_a(x), f_a(-x)`` with
#: ``x = w * row[b]``, for an activation with a ``pair`` function (:func:`has_pair`)
pair_row: Any
#: ``parity(a)``: the symmetry of ``f_a``, :data:`ODD`, :data:`EVEN` or :data:`NO_PARITY`
parity: Any
#: ``has_pair(a)``: whether ``f_a`` has a ``pair`` function
has_pair: Any
_build()


def register(*entries: Activation) -> None:
    """Add activations to the table at run time (an experiment, a test) and regenerate the
    compiled dispatch. Call it first thing in a fresh process: before any kernel compiles (a
    compiled kernel keeps the table it was compiled with), with a ``NUMBA_CACHE_DIR`` of that
    process's own (Numba's on-disk cache does not know the table), and before importing the
    tasks (their default sets of ids are :data:`ALL_IDS` as it was). A permanent activation is
    an entry in :data:`ACTIVATIONS_BY_ID` instead."""
    for e in entries:
        if e.id in ACTIVATIONS_BY_ID or e.id < 1:
            raise ValueError(f"activation id {e.id} is taken or not positive")
        ACTIVATIONS_BY_ID[e.id] = e
    global ALL_IDS, NO_STEP
    ALL_IDS = tuple(ACTIVATIONS_BY_ID)
    NO_STEP = tuple(i for i in ACTIVATIONS_BY_ID if i != STEP)
    _build()
