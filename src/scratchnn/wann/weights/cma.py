"""CMA-ES over a topology's weight vector (``method: cma``): Hansen's ``cma`` package behind
:class:`~scratchnn.wann.weights.cma.CMAState`, the trainer the authors' WANNTool recommends for
swingup (popsize 32, ``sigma0`` 0.5). Its candidates are scored as PGPE's are (common initial
states, mean over ``episodes``), from the same start, and its result is the same (the mean); the
loop that runs it is :func:`~scratchnn.wann.weights.episodes.train_episode_weights`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..._optional import require
from ...errors import ScratchnnError
from .es import (
    Best,
    ESConfig,
    _config,
    _header,
    _read_header,
    _reading_checkpoint,
    _write_checkpoint,
)


class CMAState:
    """CMA-ES over the weight vector: Hansen's ``cma`` package (the method the authors'
    WANNTool recommends for swingup), minimising minus the candidates' mean scores.

    Per generation, ``lambda = 2 pairs`` candidates ``x_k = m + sigma B D z_k`` with
    ``z_k ~ N(0, I)`` drawn from a generator of ours (``seed``), scored on common fresh initial
    states as PGPE's; ``tell`` updates ``m``, ``sigma`` and ``C = B D^2 B^T`` (Hansen 2016).
    The result is the mean ``m``, which starts at the shared weight with ``sigma = sigma0``.

    The ``cma`` object is not written to disk (it only serialises by pickle). The checkpoint
    holds the start ``x0`` and every generation's (lambda,) scores; :meth:`load` rebuilds the
    strategy and replays ``ask`` / ``tell`` through them (about 1 ms a generation), which gives
    the same state bit for bit with the same ``cma`` version (the version is checked)."""

    def __init__(self, config: ESConfig, x0: np.ndarray) -> None:
        cma = require("cma", "wann", "wann train-weights --method cma")

        self.config, self.x0 = config, np.array(x0, float)
        self.rng = np.random.default_rng(config.seed)  # initial states, as PGPE's
        self.generation, self.history, self.best = 0, [], Best()
        self.scores: list[np.ndarray] = []
        sampler = np.random.default_rng([config.seed, 1])
        self.es = cma.CMAEvolutionStrategy(
            self.x0, config.sigma0,
            {"popsize": 2 * config.pairs, "randn": lambda *shape: sampler.standard_normal(shape),
             "seed": np.nan, "verbose": -9},
        )  # fmt: skip

    @property
    def mu(self) -> np.ndarray:
        """(E,) the distribution's mean: the trained weights."""
        return np.array(self.es.mean, float)

    def generation_step(
        self, score: Callable[[np.ndarray, np.random.Generator], np.ndarray]
    ) -> dict:
        """One generation; ``score`` as in :func:`pgpe_generation`."""
        t0 = time.perf_counter()
        cand = np.asarray(self.es.ask())
        raw = np.asarray(score(cand, self.rng), float)
        self._tell(cand, raw)
        stats = {
            "generation": self.generation,
            "mean": float(raw.mean()),
            "best": float(raw.max()),
            "sigma": float(np.mean(self.es.stds)),
            "seconds": time.perf_counter() - t0,
        }
        self.history.append(stats)
        return stats

    def _tell(self, cand: np.ndarray, raw: np.ndarray) -> None:
        self.es.tell(list(cand), list(-raw))
        self.scores.append(raw)
        self.generation += 1

    def save(self, path: Path) -> None:
        """Checkpoint as a ``.npz`` (``x0``, the (G, lambda) scores, a JSON header), atomically."""
        cma = require("cma", "wann", "wann train-weights --method cma")

        lam = 2 * self.config.pairs
        scores = np.array(self.scores, float).reshape(len(self.scores), lam)
        _write_checkpoint(path, _header(self, cma_version=cma.__version__), x0=self.x0,
                          scores=scores, best_mu=self.best.array())  # fmt: skip

    @staticmethod
    def load(path: Path) -> CMAState:
        cma = require("cma", "wann", "wann train-weights --method cma")

        with _reading_checkpoint(path):
            h, z = _read_header(path)
            config, x0, scores = _config(h), z["x0"], z["scores"]
            config.check()
            written = h["cma_version"]
            rng_state, history, best = h["rng"], list(h["history"]), Best.read(h, z, len(x0))
            if scores.shape != (int(h["generation"]), 2 * config.pairs) or x0.ndim != 1:
                raise ValueError(f"x0 of shape {x0.shape}, scores of shape {scores.shape}")
        if written != cma.__version__:
            raise ScratchnnError(
                f"checkpoint {path} was written with cma {written} and cma {cma.__version__} is "
                f"installed: its replay would not give the same state. Install cma=={written} "
                "to resume, or train a new stage from its trained.json"
            )
        with _reading_checkpoint(path):  # what the replay meets in a damaged file
            state = CMAState(config, x0)
            for raw in scores:
                state._tell(np.asarray(state.es.ask()), np.asarray(raw, float))
            state.rng.bit_generator.state = rng_state
            state.history, state.best = history, best
            return state
