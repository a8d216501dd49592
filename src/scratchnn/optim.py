"""Optimizers (SGD, momentum, Nesterov, Adam) with L2 on weights only, and learning-rate schedules.

The regularised objective is ``L = CE + (reg / 2) * sum_W ||W||^2`` over the weight matrices (never
the biases), so its gradient adds ``reg * W`` to each weight's gradient (``g`` below includes it).
The logged loss stays the plain cross-entropy, as in the reference.

* ``SGD``: ``theta <- theta - lr g`` (the reference).
* ``SGD(momentum=mu)``: ``v <- mu v + g``; ``theta <- theta - lr v``.
* ``SGD(momentum=mu, nesterov=True)``: ``v <- mu v + g``; ``theta <- theta - lr (g + mu v)``.
* ``Adam``: ``m <- b1 m + (1 - b1) g``; ``s <- b2 s + (1 - b2) g^2``;
  ``theta <- theta - lr m_hat / (sqrt(s_hat) + eps)`` with ``m_hat = m / (1 - b1^t)``,
  ``s_hat = s / (1 - b2^t)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from . import validation as check


def add_l2(
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    weight_names: Iterable[str],
    reg: float,
) -> dict[str, np.ndarray]:
    """Return new gradients with ``reg * W`` added to each weight named in ``weight_names``."""
    weights = set(weight_names)
    return {k: (g + reg * params[k] if k in weights and reg else g) for k, g in grads.items()}


def _check_lr_reg(learning_rate: float, reg: float) -> tuple[float, float]:
    return (
        check.real(learning_rate, "learning_rate", low=0, low_open=True),
        check.real(reg, "reg", low=0),
    )


class SGD:
    """Minibatch SGD, plain (the reference) or with (Nesterov) momentum; updates in place."""

    def __init__(
        self,
        learning_rate: float,
        reg: float = 0.0,
        momentum: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        self.learning_rate, self.reg = _check_lr_reg(learning_rate, reg)
        self.momentum = check.real(momentum, "momentum", low=0, high=1, high_open=True)
        self.nesterov = check.flag(nesterov, "nesterov")
        self.velocity: dict[str, np.ndarray] = {}

    @property
    def is_plain(self) -> bool:
        """The reference's optimizer: no momentum."""
        return self.momentum == 0

    def step(
        self,
        params: dict[str, np.ndarray],
        grads: Mapping[str, np.ndarray],
        weight_names: Iterable[str],
    ) -> None:
        lr = params[next(iter(params))].dtype.type(self.learning_rate)
        for name, g in add_l2(params, grads, weight_names, self.reg).items():
            if self.momentum:
                v = self.velocity.setdefault(name, np.zeros_like(g))
                v *= self.momentum
                v += g
                g = g + self.momentum * v if self.nesterov else v
            params[name] -= lr * g


class Adam:
    """Adam (Kingma & Ba, 2015) with L2 added to the gradient; updates in place."""

    def __init__(
        self,
        learning_rate: float = 1e-3,
        reg: float = 0.0,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        self.learning_rate, self.reg = _check_lr_reg(learning_rate, reg)
        self.beta1 = check.real(beta1, "beta1", low=0, high=1, high_open=True)
        self.beta2 = check.real(beta2, "beta2", low=0, high=1, high_open=True)
        self.eps = check.real(eps, "eps", low=0, low_open=True)
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.s: dict[str, np.ndarray] = {}

    is_plain = False

    def step(
        self,
        params: dict[str, np.ndarray],
        grads: Mapping[str, np.ndarray],
        weight_names: Iterable[str],
    ) -> None:
        self.t += 1
        c1 = 1 - self.beta1**self.t
        c2 = 1 - self.beta2**self.t
        for name, g in add_l2(params, grads, weight_names, self.reg).items():
            m = self.m.setdefault(name, np.zeros_like(g))
            s = self.s.setdefault(name, np.zeros_like(g))
            m *= self.beta1
            m += (1 - self.beta1) * g
            s *= self.beta2
            s += (1 - self.beta2) * g * g
            params[name] -= self.learning_rate * (m / c1) / (np.sqrt(s / c2) + self.eps)


@runtime_checkable
class Optimizer(Protocol):
    """What :func:`scratchnn.fit` needs of an optimizer: :class:`SGD`, :class:`Adam` or your own.

    ``learning_rate`` (the base rate; a schedule sets it before each step and ``fit`` restores
    it after), ``reg`` (the L2 strength, for the record) and ``step(params, grads,
    weight_names)``, which updates the arrays of ``params`` in place from ``grads`` (the mean
    cross-entropy's gradients, same names and shapes; the L2 term is the optimizer's to add, on
    the parameters named in ``weight_names``).
    """

    learning_rate: float
    reg: float

    def step(
        self,
        params: dict[str, np.ndarray],
        grads: Mapping[str, np.ndarray],
        weight_names: Iterable[str],
    ) -> None: ...


#: the optimizers by name, as configs (``Train.optimizer``) and the estimators take them
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")


def make_optimizer(
    name: str, learning_rate: float, reg: float = 0.0, momentum: float = 0.9
) -> Optimizer:
    """The optimizer called ``name`` (:data:`OPTIMIZERS`): plain ``SGD``, SGD with
    ``momentum`` (``"momentum"``) or Nesterov momentum (``"nesterov"``), or ``Adam``; ``momentum``
    is used by the two momentum variants only."""
    check.choice(name, "optimizer", OPTIMIZERS)
    if name == "adam":
        return Adam(learning_rate, reg)
    mu = momentum if name in ("momentum", "nesterov") else 0.0
    return SGD(learning_rate, reg, momentum=mu, nesterov=name == "nesterov")


SCHEDULES = ("constant", "step", "cosine")


@dataclass(frozen=True)
class Schedule:
    """Learning-rate multiplier as a function of the training progress.

    ``constant``: 1. ``step``: ``gamma ** floor(epoch / step_size)``. ``cosine``:
    ``(1 + cos(pi t / T)) / 2`` over all ``T`` steps. ``warmup_epochs = w > 0`` multiplies by a
    linear ramp ``min(1, (t + 1) / (w * steps_per_epoch))`` first. ``t`` counts steps from 0.
    """

    kind: str = "constant"
    warmup_epochs: float = 0.0
    step_size: int = 10
    gamma: float = 0.1

    def __post_init__(self) -> None:
        check.choice(self.kind, "Schedule kind", SCHEDULES)
        check.real(self.warmup_epochs, "warmup_epochs", low=0)
        check.integer(self.step_size, "step_size", low=1)
        check.real(self.gamma, "gamma", low=0, low_open=True)

    def factor(self, step: int, steps_per_epoch: int, total_steps: int) -> float:
        epoch = step // steps_per_epoch
        if self.kind == "step":
            f = self.gamma ** (epoch // self.step_size)
        elif self.kind == "cosine":
            f = 0.5 * (1 + math.cos(math.pi * step / total_steps))
        else:
            f = 1.0
        if self.warmup_epochs > 0:
            f *= min(1.0, (step + 1) / (self.warmup_epochs * steps_per_epoch))
        return f

    @property
    def is_constant(self) -> bool:
        return self.kind == "constant" and self.warmup_epochs == 0
