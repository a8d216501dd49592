"""The paper's fourth condition: a found topology with *individually trained* weights.

A trained network is a genome plus one weight per enabled connection (stored in the genome JSON
as ``"weights": [[src, dst, w], ...]``, node ids, or in the reference's champion CSV matrix, as the
authors' tuned ``swing.out`` does: :mod:`scratchnn.wann.networks.formats`). Where the trainers
live:

- control tasks (episode scores, no gradient): :mod:`~scratchnn.wann.weights.episodes`
  (:func:`train_episode_weights`: the loop, validation, checkpoints) runs one of two evolution
  strategies, :mod:`~scratchnn.wann.weights.pgpe` (PGPE, the default) or
  :mod:`~scratchnn.wann.weights.cma` (CMA-ES); what they share (the settings
  :class:`ESConfig`, rank shaping, the checkpoint file) is :mod:`~scratchnn.wann.weights.es`;
- classification (MNIST-256): :mod:`~scratchnn.wann.weights.gradient`, gradient descent through
  the graph (:func:`train_classifier_weights`);
- the paper's fixed-topology baselines: :mod:`~scratchnn.wann.weights.baselines`.

The names below are re-exported here, so ``from scratchnn.wann.weights import ESConfig`` works.
"""

from __future__ import annotations

from .baselines import dense_genome, logistic_regression
from .cma import CMAState
from .episodes import load_state, train_episode_weights, trained_weights, validation_rng
from .es import (
    LR_SCHEDULES,
    METHODS,
    Best,
    ESConfig,
    centred_ranks,
    episode_returns,
    scheduled_lr,
)
from .gradient import held_out_splits, train_classifier_weights
from .pgpe import PGPEState, pgpe_generation

__all__ = [
    "LR_SCHEDULES",
    "METHODS",
    "Best",
    "CMAState",
    "ESConfig",
    "PGPEState",
    "centred_ranks",
    "dense_genome",
    "episode_returns",
    "held_out_splits",
    "load_state",
    "logistic_regression",
    "pgpe_generation",
    "scheduled_lr",
    "train_classifier_weights",
    "train_episode_weights",
    "trained_weights",
    "validation_rng",
]
