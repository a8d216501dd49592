"""Small helpers shared by the tests: finite differences and random parameters."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numeric_grad(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences ``(f(x + h e_i) - f(x - h e_i)) / 2h`` of ``f`` in every entry of
    ``x`` (changed in place and restored)."""
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest ``|a - b| / (|a| + |b|)`` over the entries."""
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def randomise(model, rng: np.random.Generator, scale: float = 0.5) -> None:
    """Overwrite every parameter of ``model`` with ``scale * N(0, 1)`` draws."""
    for v in model.params.values():
        v[...] = scale * rng.standard_normal(v.shape)


def untimed(x):
    """``x`` (JSON-like: dicts, lists, scalars) without any key naming a timing (``*seconds*``):
    the part of a run's record that must be equal between two runs of the same seed."""
    if isinstance(x, dict):
        return {k: untimed(v) for k, v in x.items() if "seconds" not in k}
    return [untimed(v) for v in x] if isinstance(x, list) else x


def store_rows(path) -> dict[str, tuple]:
    """A results store's runs without their timings: key -> (config, seed, status, metrics,
    history), metrics and history as sorted JSON."""
    import json
    import sqlite3

    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT key, config, seed, status, metrics, history FROM runs").fetchall()
    finally:
        db.close()
    return {
        key: (
            config,
            seed,
            status,
            json.dumps(untimed(json.loads(metrics)), sort_keys=True),
            json.dumps(untimed(json.loads(history)), sort_keys=True),
        )
        for key, config, seed, status, metrics, history in rows
    }
