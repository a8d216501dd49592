"""PGPE (Sehnke et al. 2010, the method the authors' own weight tuner offers): an evolution
strategy over a topology's weight vector (``method: pgpe``, the default). Per
generation, ``m`` perturbations ``eps_i ~ N(0, diag(sigma^2))`` are drawn and the ``2 m``
candidates ``mu +- eps_i`` are scored on the same fresh initial states (common random numbers,
as in the search); with fitness shaped to centred ranks ``f`` in [-1/2, 1/2]:

    g_mu    = (1/m) sum_i eps_i (f+_i - f-_i) / 2                  (Adam ascent on mu)
    g_sigma = (1/m) sum_i ((eps_i^2 - sigma^2) / sigma) ((f+_i + f-_i) / 2 - mean f)
    sigma  += clip(lr_sigma g_sigma, -0.2 sigma, +0.2 sigma)

The Adam step size is ``lr`` throughout (``lr_schedule: constant``) or, with ``cosine``,
``lr_t = lr (1 + cos(pi (t - 1) / T)) / 2`` at generation ``t`` of a run of ``T``
generations (``horizon``: the run's generations when it starts, kept by its checkpoint), so
that ``mu`` settles instead of jittering by about ``lr`` per generation around the optimum.

``mu`` starts at the tuned shared weight (every connection ``w``), where the shared-weight
network already works. The result is ``mu``. The state (``mu``, ``sigma``, Adam moments, the
generator) is checkpointed as ``.npz`` + JSON and resumes bit for bit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .es import (
    Best,
    ESConfig,
    _config,
    _header,
    _read_header,
    _reading_checkpoint,
    _write_checkpoint,
    centred_ranks,
    scheduled_lr,
)


@dataclass
class PGPEState:
    config: ESConfig
    mu: np.ndarray
    sigma: np.ndarray
    m: np.ndarray  # Adam first moment
    v: np.ndarray  # Adam second moment
    rng: np.random.Generator
    generation: int = 0
    history: list[dict] = field(default_factory=list)  # per generation: mean/best/sigma/seconds
    best: Best = field(default_factory=Best)

    @staticmethod
    def start(w0: np.ndarray, config: ESConfig) -> PGPEState:
        n = len(w0)
        return PGPEState(
            config, np.array(w0, float), np.full(n, config.sigma0), np.zeros(n), np.zeros(n),
            np.random.default_rng(config.seed),
        )  # fmt: skip

    def save(self, path: Path) -> None:
        """Checkpoint as a ``.npz`` (arrays + a JSON header), written atomically."""
        _write_checkpoint(path, _header(self), mu=self.mu, sigma=self.sigma, m=self.m, v=self.v,
                          best_mu=self.best.array())  # fmt: skip

    @staticmethod
    def load(path: Path) -> PGPEState:
        with _reading_checkpoint(path):
            h, z = _read_header(path)
            arrays = {k: z[k] for k in ("mu", "sigma", "m", "v")}
            rng = np.random.default_rng()
            rng.bit_generator.state = h["rng"]
            return PGPEState(
                _config(h), **arrays, rng=rng, generation=int(h["generation"]),
                history=list(h["history"]), best=Best.read(h, z, len(arrays["mu"])),
            )  # fmt: skip


def pgpe_generation(
    state: PGPEState, score: Callable[[np.ndarray, np.random.Generator], np.ndarray]
) -> dict:
    """One PGPE generation (module docstring). ``score(candidates (C, E), rng)`` returns the
    (C,) mean scores of the candidates on initial states drawn once from ``rng`` for all of
    them. Returns this generation's statistics."""
    cfg, t0 = state.config, time.perf_counter()
    eps = state.rng.standard_normal((cfg.pairs, len(state.mu))) * state.sigma
    cand = np.concatenate([state.mu + eps, state.mu - eps])
    raw = score(cand, state.rng)
    f = centred_ranks(raw)
    fp, fm = f[: cfg.pairs], f[cfg.pairs :]
    g_mu = eps.T @ (fp - fm) / (2 * cfg.pairs)
    state.generation += 1
    b1, b2, t = 0.9, 0.999, state.generation
    state.m = b1 * state.m + (1 - b1) * g_mu
    state.v = b2 * state.v + (1 - b2) * g_mu * g_mu
    lr = scheduled_lr(cfg.lr, cfg.lr_schedule, t, cfg.horizon)
    step = lr * (state.m / (1 - b1**t)) / (np.sqrt(state.v / (1 - b2**t)) + 1e-8)
    s_grad = ((eps * eps - state.sigma**2) / state.sigma).T @ ((fp + fm) / 2 - f.mean())
    change = np.clip(cfg.lr_sigma * s_grad / cfg.pairs, -cfg.max_sigma_change * state.sigma,
                     cfg.max_sigma_change * state.sigma)  # fmt: skip
    state.mu = state.mu + step
    state.sigma = state.sigma + change
    stats = {
        "generation": state.generation,
        "mean": float(raw.mean()),
        "best": float(raw.max()),
        "sigma": float(state.sigma.mean()),
        "lr": float(lr),
        "seconds": time.perf_counter() - t0,
    }
    state.history.append(stats)
    return stats
