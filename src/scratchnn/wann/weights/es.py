"""What the two evolution strategies (PGPE, :mod:`~scratchnn.wann.weights.pgpe`; CMA-ES,
:mod:`~scratchnn.wann.weights.cma`) share: candidate weight vectors scored on episodes
(:func:`~scratchnn.wann.weights.es.episode_returns`), fitness shaped to centred ranks, the
step-size schedule, the settings (:class:`~scratchnn.wann.weights.es.ESConfig`), the best-so-far
record (:class:`~scratchnn.wann.weights.es.Best`) and the checkpoint file (``.npz``
arrays + a JSON header, no pickle).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DataError, ScratchnnError
from ...fileio import atomic_write_bytes, read_npz
from ..networks.packed import Packed, instances
from ..tasks import EpisodeTask


def episode_returns(
    task: EpisodeTask, packed: Packed, candidates: np.ndarray, states: np.ndarray | None
) -> np.ndarray:
    """(C, S) score of candidate weight vector ``c`` (rows of ``candidates`` (C, E)) from each
    of the ``S`` initial states (network 0 of ``packed``)."""
    C = len(candidates)
    S = 1 if states is None else len(states)
    wflat = np.repeat(candidates, S, axis=0)
    inst = instances(packed, np.zeros(C * S, np.int64), wflat)
    if states is None:
        st = None
    else:  # (S,) episode seeds (Gymnasium tasks) or (S, d) initial states, once per candidate
        states = np.asarray(states)
        st = np.tile(states, C) if states.ndim == 1 else np.tile(states, (C, 1))
    return task.episode_scores(packed, inst, st).reshape(C, S)


def centred_ranks(f: np.ndarray) -> np.ndarray:
    """Ranks of ``f`` (any shape) mapped to [-1/2, 1/2] (ties broken by position)."""
    flat = f.ravel()
    ranks = np.empty(len(flat))
    ranks[np.argsort(flat, kind="stable")] = np.arange(len(flat))
    return (ranks / max(len(flat) - 1, 1) - 0.5).reshape(f.shape)


#: values of ``ESConfig.lr_schedule``
LR_SCHEDULES = ("constant", "cosine")


def scheduled_lr(lr: float, schedule: str, t: int, horizon: int) -> float:
    """The Adam step size at generation ``t`` (1-based) of ``horizon`` (module docstring)."""
    if schedule == "cosine":
        return lr * 0.5 * (1.0 + np.cos(np.pi * min(t - 1, horizon) / max(horizon, 1)))
    return lr


#: values of ``ESConfig.method``
METHODS = ("pgpe", "cma")


@dataclass
class ESConfig:
    """Settings of the evolution strategy that trains a control task's weights (either
    method: ``2 pairs`` candidates per generation, each scored on the same ``episodes``
    fresh initial states; ``sigma0`` the initial spread of every weight)."""

    pairs: int = 32  # m: 2 m candidates per generation
    episodes: int = 16  # initial states per generation, shared by all candidates
    sigma0: float = 0.1
    lr: float = 0.02  # PGPE: Adam step on mu
    lr_sigma: float = 0.1  # PGPE
    max_sigma_change: float = 0.2  # PGPE
    seed: int = 0
    lr_schedule: str = "constant"  # PGPE: or "cosine" (module docstring)
    horizon: int = 0  # cosine: generations of the schedule (0: the run's, set when it starts)
    method: str = "pgpe"  # or "cma" (CMA-ES, module docstring)
    validate_every: int = 25  # score the mean on the validation states every K generations (0: off)
    validation_episodes: int = 100  # fixed initial states, drawn from their own stream

    def check(self) -> None:
        bad = [
            f"{k} must be > 0"
            for k in ("pairs", "episodes", "sigma0", "lr", "lr_sigma", "max_sigma_change",
                      "validation_episodes")
            if not getattr(self, k) > 0
        ]  # fmt: skip
        if self.horizon < 0:
            bad.append("horizon must be >= 0")
        if self.validate_every < 0:
            bad.append("validate_every must be >= 0 (0: no validation, the last mean)")
        if self.lr_schedule not in LR_SCHEDULES:
            bad.append(f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}")
        if self.method not in METHODS:
            bad.append(f"method must be one of {', '.join(METHODS)}")
        elif self.method == "cma" and self.lr_schedule != "constant":
            bad.append("lr_schedule applies to pgpe only (CMA-ES has no step size to decay)")
        if bad:
            raise ScratchnnError("weight training: " + "; ".join(bad))


@dataclass
class Best:
    """The mean with the highest validation score so far (``mu`` None before the first)."""

    mu: np.ndarray | None = None
    score: float = -np.inf
    generation: int = 0

    def header(self) -> dict:
        return {"score": self.score if self.mu is not None else None, "generation": self.generation}

    def array(self) -> np.ndarray:
        """``mu`` for the checkpoint (empty before the first validation)."""
        return self.mu if self.mu is not None else np.zeros(0)

    @staticmethod
    def read(header: dict, z: Any, n_weights: int) -> Best:
        """From a checkpoint (one written before validation existed has none)."""
        h = header.get("best")
        if h is None or h["score"] is None:
            return Best()
        mu = np.array(z["best_mu"], float)
        if mu.shape != (n_weights,):
            raise ValueError(f"best_mu of shape {mu.shape} for {n_weights} weights")
        return Best(mu, float(h["score"]), int(h["generation"]))


def _header(state: Any, **extra: object) -> dict:
    """The JSON header both methods' checkpoints share (plus ``extra``)."""
    return {
        "config": state.config.__dict__,
        "generation": state.generation,
        "history": state.history,
        "rng": state.rng.bit_generator.state,
        "best": state.best.header(),
        **extra,
    }


def _write_checkpoint(path: Path, header: dict, **arrays: np.ndarray) -> None:
    """``.npz`` of ``arrays`` plus the JSON ``header``, written atomically."""
    buf = io.BytesIO()
    np.savez(buf, header=np.frombuffer(json.dumps(header).encode(), np.uint8), **arrays)
    atomic_write_bytes(path, buf.getvalue())


@contextmanager
def _reading_checkpoint(path: Path) -> Iterator[None]:
    """Turn what a missing or damaged checkpoint raises into a :class:`ScratchnnError`."""
    try:
        yield
    except FileNotFoundError:
        raise ScratchnnError(f"no weight-training checkpoint at {path}") from None
    except (
        DataError, KeyError, ValueError, TypeError, AttributeError, OverflowError,
        ZeroDivisionError, IndexError,
    ) as exc:  # fmt: skip
        raise ScratchnnError(
            f"weight-training checkpoint {path} is damaged ({type(exc).__name__}: {exc}); "
            "delete it to start again"
        ) from exc


def _read_header(path: Path) -> tuple[dict, Any]:
    z = read_npz(path)
    return json.loads(z["header"].tobytes().decode()), z


def _config(header: dict) -> ESConfig:
    """The run's settings; a checkpoint from before validation existed resumes without it."""
    return ESConfig(**{"validate_every": 0, **header["config"]})
