"""The two-input Boolean functions as WANN tasks (``--task xor``, ``and``, ...; the writeup's
XOR among them): the truth tables of :mod:`scratchnn.theory.boolean`, scored by margins."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import ConfigError, shown
from ...theory.boolean import INPUTS, TABLES
from ...validation import choice, real
from ..networks.activations import ALL_IDS
from ..networks.genome import Expressed
from ..networks.packed import Packed, forward_batch, forward_shared, pack_networks
from .base import refuse_options


@dataclass(frozen=True)
class BooleanTask:
    """A two-input Boolean function; one linear output, read as true when it is > 0.

    Score per weight: the mean over the four inputs of ``clip((2 t - 1) * y, -1, 1)`` for target
    ``t`` and output ``y``: positive margins on every input mean the function is computed.
    """

    function: str = "XOR"
    n_in: int = 2
    n_out: int = 1
    p_init: float = 0.5
    activations: tuple[int, ...] = ALL_IDS
    input_names: tuple[str, ...] = ("a", "b")
    output_names: tuple[str, ...] = ("out",)

    def __post_init__(self) -> None:
        """Checks: a known function, the two inputs and one output, ``p_init`` in (0, 1]."""
        choice(self.function, "function", tuple(TABLES))
        if (self.n_in, self.n_out) != (2, 1):
            raise ConfigError(
                f"a Boolean task has 2 inputs and 1 output, got n_in={shown(self.n_in)}, "
                f"n_out={shown(self.n_out)}"
            )
        real(self.p_init, "p_init", low=0.0, high=1.0, low_open=True)

    @property
    def name(self) -> str:
        return self.function.lower()

    def margins(self, packed: Packed, weights: np.ndarray) -> np.ndarray:
        """(n_nets, n_weights, 4) signed margins ``(2 t - 1) * y``."""
        t = 2.0 * TABLES[self.function] - 1.0
        with np.errstate(all="ignore"):
            y = forward_shared(packed, INPUTS, np.asarray(weights, float))[..., 0]
            return np.nan_to_num(t * y, nan=-1.0, posinf=1.0, neginf=-1.0)

    def evaluate(
        self,
        packed: Packed,
        weights: np.ndarray,
        rng: np.random.Generator,
        reps: int = 1,
    ) -> np.ndarray:
        return np.clip(self.margins(packed, weights), -1, 1).mean(axis=2)

    def with_options(self, **options: object) -> BooleanTask:
        """This task; a search config's task keys are for other tasks (a ConfigError)."""
        refuse_options(self.name, options)
        return self

    def solved(self, net: Expressed, weights: np.ndarray) -> bool:
        """True when the network computes the function at every weight."""
        return bool((self.margins(pack_networks([net]), weights) > 0).all())

    def episode_states(self, n: int, rng: np.random.Generator) -> None:
        """No initial states: every episode runs the four inputs."""
        return None

    def episode_scores(
        self, packed: Packed, instances: tuple[np.ndarray, ...], states: None = None
    ) -> np.ndarray:
        """Fraction of the four inputs instance ``i`` answers right (one episode per instance)."""
        y = forward_batch(packed, *instances, INPUTS)[..., 0]
        return ((y > 0) == TABLES[self.function].astype(bool)).mean(axis=1)


def boolean_task_names() -> dict[str, str]:
    """``{"xor": "XOR", "and": "AND", ...}``: CLI names of the Boolean functions."""
    return {name.lower().replace(" ", "_"): name for name in TABLES}
