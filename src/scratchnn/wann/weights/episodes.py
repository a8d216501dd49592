"""Training a topology's individual weights on an episode task (swingup, the Gymnasium tasks):
:func:`train_episode_weights` runs PGPE (:mod:`~scratchnn.wann.weights.pgpe`) or CMA-ES
(:mod:`~scratchnn.wann.weights.cma`) generation by generation, with checkpoints and a time limit.

Either way the result is chosen by **validation**, as the authors' tuner (estool) keeps its
best parameters: every ``validate_every`` generations (25) the current mean is scored on
``validation_episodes`` (100) fixed initial states drawn once from a stream of their own
(:func:`validation_rng`), and the run's result is the mean with the best validation score.
The validation states are neither training's nor ``wann eval``'s. (The training states come
from ``default_rng(seed)``, the generator ``wann eval`` also starts from, so with the same
seed the first generations' states repeat eval's: with CMA-ES, generations 1-7 draw exactly
eval's first 100; PGPE's draws are offset by its perturbations. A few generations in
thousands; kept so that the shipped runs stay reproducible.) ``validate_every: 0``
returns the last mean (the behaviour before validation existed, and of older checkpoints).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from ...errors import ScratchnnError
from ..networks.genome import Genome, express
from ..networks.packed import pack_networks
from ..tasks import EpisodeTask
from .cma import CMAState
from .es import Best, ESConfig, _read_header, _reading_checkpoint, episode_returns
from .pgpe import PGPEState, pgpe_generation


def _ignored_settings(saved: ESConfig, given: ESConfig) -> str:
    """The settings of ``given`` that differ from a resumed checkpoint's ``saved`` ones, as
    ``"pairs 8 (checkpoint: 16), ..."`` (``horizon`` is set by the run, not by the user)."""
    return ", ".join(
        f"{k} {getattr(given, k)} (checkpoint: {v})"
        for k, v in saved.__dict__.items()
        if k != "horizon" and getattr(given, k) != v
    )


def load_state(path: Path) -> PGPEState | CMAState:
    """A weight-training checkpoint of either method (its header's ``config.method``)."""
    with _reading_checkpoint(path):
        method = _read_header(path)[0]["config"].get("method")
    return CMAState.load(path) if method == "cma" else PGPEState.load(path)


def validation_rng(seed: int) -> np.random.Generator:
    """The stream of the validation states (fixed per run, apart from the training states and
    from ``wann eval``'s, which come from ``default_rng(seed)``)."""
    return np.random.default_rng([seed, 2])


def trained_weights(state: PGPEState | CMAState) -> np.ndarray:
    """The result of a run: the mean with the best validation score, or the last mean when
    the run did not validate."""
    return state.best.mu if state.best.mu is not None else state.mu


def train_episode_weights(
    task: EpisodeTask,
    genome: Genome,
    w0: float | np.ndarray,
    config: ESConfig,
    generations: int,
    checkpoint: Path | None = None,
    resume: bool = False,
    time_limit: float | None = None,
    log: Callable[[str], None] = print,
    checkpoint_every: int = 10,
) -> PGPEState | CMAState:
    """Train ``genome``'s weights with PGPE or CMA-ES (``config.method``) until
    ``generations`` (or ``time_limit`` seconds of this call), starting at ``w0`` (a shared
    weight, or a vector in packed edge order); checkpointed to ``checkpoint`` every
    ``checkpoint_every`` generations and at the end. A resumed run keeps its checkpoint's
    settings."""
    config.check()
    packed = pack_networks([express(genome)])
    E = packed.n_edges(0)
    if resume and checkpoint is not None and Path(checkpoint).exists():
        state = load_state(Path(checkpoint))
        if len(state.mu) != E:
            raise ScratchnnError(
                f"checkpoint {checkpoint} holds {len(state.mu)} weights; this network has {E}"
            )
        h = state.config.horizon
        if state.config.lr_schedule == "cosine" and generations > h:
            raise ScratchnnError(
                f"checkpoint {checkpoint}: its cosine schedule ends at generation {h} (step size "
                f"0 after it), so it cannot go on to {generations}; train a new stage from its "
                "trained.json instead"
            )
        log(f"resuming weight training ({state.config.method}) at generation {state.generation}")
        ignored = _ignored_settings(state.config, config)
        if ignored:
            log(
                f"note: --resume keeps the checkpoint's settings, so these of this command are "
                f"not used: {ignored} (start a new run in another --out to change them)"
            )
    else:
        w_start = np.broadcast_to(np.asarray(w0, float), (E,))
        if config.lr_schedule == "cosine" and config.horizon == 0:
            config = replace(config, horizon=generations)
        state = (CMAState(config, w_start) if config.method == "cma"
                 else PGPEState.start(w_start, config))  # fmt: skip

    def score(cand: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        states = task.episode_states(state.config.episodes, rng)
        return episode_returns(task, packed, cand, states).mean(axis=1)

    cfg = state.config
    val_states = (task.episode_states(cfg.validation_episodes, validation_rng(cfg.seed))
                  if cfg.validate_every else None)  # fmt: skip
    t_start = time.perf_counter()
    while state.generation < generations:
        if isinstance(state, CMAState):
            s = state.generation_step(score)
        else:
            s = pgpe_generation(state, score)
        t = s["generation"]
        if cfg.validate_every and (t % cfg.validate_every == 0 or t == generations):
            mu = np.array(state.mu)
            s["validation"] = float(episode_returns(task, packed, mu[None], val_states).mean())
            if s["validation"] > state.best.score:
                state.best = Best(mu, s["validation"], t)
        if t % 10 == 0 or t == generations or "validation" in s:
            log(
                f"gen {t:5d}  mean {s['mean']:9.2f}  best {s['best']:9.2f}  "
                f"sigma {s['sigma']:.4f}  {s['seconds']:.2f} s"
                + (f"  validation {s['validation']:.2f}" if "validation" in s else "")
            )
        if checkpoint is not None and state.generation % checkpoint_every == 0:
            state.save(Path(checkpoint))
        if time_limit is not None and time.perf_counter() - t_start > time_limit:
            log(f"time limit reached at generation {state.generation}")
            break
    if checkpoint is not None:
        state.save(Path(checkpoint))
    return state
