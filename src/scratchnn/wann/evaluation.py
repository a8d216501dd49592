"""The result of :func:`~scratchnn.wann.evaluate.evaluate`, typed: :class:`Evaluation`.

One frozen dataclass for both kinds of task (episode tasks and the classification task
``mnist256``). Its rows (:class:`Row`) carry a condition key beside the label shown; code finds
a condition by its key (:meth:`Evaluation.row`, :attr:`Evaluation.by_key`), never by its label,
so labels may change. :meth:`Evaluation.to_dict` gives the JSON ``wann eval --json`` writes (the
zoo's ``eval.json`` files and the run records under ``results/`` hold it), and
:meth:`Evaluation.from_dict` reads that JSON back, from every version (rows written before
keys were recorded are recognised by their label in :func:`row_key` alone).

Condition keys: ``random_weights``, ``random_shared``, ``w=<w>`` (one per search weight),
``tuned_shared``, ``trained`` (:data:`CONDITIONS`), and for classification ``shared_mean`` and
``ensemble`` (:data:`CLASSIFICATION_CONDITIONS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from ..errors import DataError, ScratchnnError, shown
from . import weights_word

__all__ = [
    "CLASSIFICATION_CONDITIONS",
    "CONDITIONS",
    "LEGACY_LABELS",
    "DigitAccuracy",
    "Evaluation",
    "Row",
    "WeightSweep",
    "classification_rows",
    "row_key",
]

#: the episode tasks' conditions: key -> the label shown for it (the rows at the search's weights
#: are keyed ``w=<w>`` and labelled ``w = <w>``; the tuned row's label adds its weight). Readers
#: find a row by its key (:meth:`Evaluation.row`; in raw JSON :func:`row_key`), never by its
#: label.
CONDITIONS = {
    "random_weights": "random weights U(-2,2)",
    "random_shared": "random shared weight U(-2,2)",
    "tuned_shared": "tuned shared weight",
    "trained": "tuned individual weights",
}


#: the labels of rows written without a key (they never change: the files are written)
LEGACY_LABELS = {
    "random_weights": "random weights",
    "random_shared": "random shared weight",
    "tuned_shared": "tuned shared weight",
    "trained": "tuned individual weights",
}


#: the classification task's own conditions: key -> label (``{n}``: the number of search
#: weights, in words). Its other rows are keyed as in :data:`CONDITIONS` and ``w=<w>``.
CLASSIFICATION_CONDITIONS = {
    "shared_mean": "mean ± std over the {n} weights",
    "ensemble": "ensemble vote of the {n} weights",
}


@dataclass(frozen=True)
class Row:
    """One condition of an evaluation.

    Attributes
    ----------
    condition : str
        The label shown (may change between versions: never read a row by it).
    mean, std : float
        Episode tasks: the mean and standard deviation of the episode score. Classification:
        test accuracy (mean and std over the draws, or over the search weights for
        ``shared_mean``; std 0 for a single accuracy).
    n : int
        How many scores ``mean`` and ``std`` are over: episodes; classification: random
        weights drawn, search weights (``shared_mean``), else 1 (one test-set accuracy).
    key : str
        The name code reads the row by: a key of :data:`CONDITIONS` or
        :data:`CLASSIFICATION_CONDITIONS`, or ``w=<w>`` for a search weight.
    """

    condition: str
    mean: float
    std: float
    n: int
    key: str = ""


def row_key(row: dict) -> str:
    """The condition key of a row of an episode task's evaluation JSON (``"rows"``). Rows
    written before the key was recorded (older ``eval.json`` files and run records) are
    recognised by their label, here and nowhere else."""
    if row.get("key"):
        return str(row["key"])
    label = str(row["condition"])
    for key, text in LEGACY_LABELS.items():
        if label.startswith(text):
            return key
    return "w=" + label[4:] if label.startswith("w = ") else label


@dataclass(frozen=True)
class WeightSweep:
    """The mean score on the tuning episodes (``mean``) at each shared weight of
    :data:`~scratchnn.wann.evaluate.SWEEP_GRID` (``weights``)."""

    weights: tuple[float, ...]
    mean: tuple[float, ...]


@dataclass(frozen=True)
class DigitAccuracy:
    """Test accuracy of each digit (``accuracy[i][d]``) at each shared weight ``weights[i]``
    of :data:`~scratchnn.wann.evaluate.SWEEP_GRID`: the paper's accuracy-by-digit figure."""

    weights: tuple[float, ...]
    accuracy: tuple[tuple[float, ...], ...]


def _data_error(message: str) -> DataError:
    return DataError(f"not a wann eval result: {message}")


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`~scratchnn.wann.evaluate.evaluate`, for both kinds of task.

    Attributes
    ----------
    kind : "episodes" or "classification"
        Episode tasks (control, Boolean, Gymnasium) or a classification task (mnist256).
    rows : tuple of Row
        The conditions in display order. Episode tasks: ``random_weights``,
        ``random_shared``, ``w=<w>`` per search weight, ``tuned_shared`` and ``trained`` when
        there are individual weights. Classification: ``random_shared`` (absent from the
        oldest files), ``w=<w>`` per search weight, ``shared_mean``, ``ensemble``,
        ``tuned_shared``, ``trained``. Find one with :meth:`row` or :attr:`by_key`.
    tuned_weight : float
        The tuned shared weight (the ``tuned_shared`` row's weight).
    sweep : WeightSweep or None
        Episode tasks: the mean score on the tuning episodes at every weight of
        :data:`~scratchnn.wann.evaluate.SWEEP_GRID`; None for classification and where a file
        leaves it out (run records).
    tune_episodes : int or None
        Episode tasks: episodes per weight of the tuning grid and the sweep (None where an
        older file does not say).
    digit_accuracy : DigitAccuracy or None
        Classification: test accuracy by digit along
        :data:`~scratchnn.wann.evaluate.SWEEP_GRID` (None elsewhere).
    reward : str or None
        Gymnasium tasks evaluated by ``wann eval``: the reward it used, in words.
    keyed : bool
        Whether the JSON carries each row's key (False for files written before keys were
        recorded: their keys come from :func:`row_key`, and :meth:`to_dict` leaves them out).
    """

    kind: Literal["episodes", "classification"]
    rows: tuple[Row, ...]
    tuned_weight: float
    sweep: WeightSweep | None = None
    tune_episodes: int | None = None
    digit_accuracy: DigitAccuracy | None = None
    reward: str | None = None
    keyed: bool = True

    def __post_init__(self) -> None:
        if self.kind not in ("episodes", "classification"):
            raise ScratchnnError(f"kind must be episodes or classification, got {self.kind!r}")
        keys = [r.key for r in self.rows]
        if len(set(keys)) != len(keys):
            raise _data_error(f"rows with the same condition key: {keys}")

    @property
    def by_key(self) -> Mapping[str, Row]:
        """The rows by condition key (read-only)."""
        return MappingProxyType({r.key: r for r in self.rows})

    def row(self, key: str) -> Row:
        """The row of condition ``key``; a :class:`~scratchnn.errors.ScratchnnError` naming
        the keys there are when it has none."""
        for r in self.rows:
            if r.key == key:
                return r
        have = ", ".join(r.key for r in self.rows)
        raise ScratchnnError(f"the {self.kind} evaluation has no row {key!r} (it has: {have})")

    def to_dict(self, sweeps: bool = True) -> dict[str, Any]:
        """The JSON-able dict ``wann eval --json`` writes (and the zoo and ``results/`` hold),
        key for key as :meth:`from_dict` read it. ``sweeps=False``: without ``weight_sweep``
        and ``digit_accuracy`` (what a run record keeps)."""
        if self.kind == "classification":
            return self._classification_dict(sweeps)
        out: dict[str, Any] = {
            "rows": [
                {"condition": r.condition, "mean": r.mean, "std": r.std, "n": r.n}
                | ({"key": r.key} if self.keyed else {})
                for r in self.rows
            ],
            "tuned_weight": self.tuned_weight,
        }
        if self.tune_episodes is not None:
            out["tune_episodes"] = self.tune_episodes
        if sweeps and self.sweep is not None:
            out["weight_sweep"] = {
                "weights": list(self.sweep.weights),
                "mean": list(self.sweep.mean),
            }
        if self.reward is not None:
            out["reward"] = self.reward
        return out

    def _classification_dict(self, sweeps: bool) -> dict[str, Any]:
        by = self.by_key
        out: dict[str, Any] = {}
        rand = by.get("random_shared")
        if rand is not None:
            out["random_shared"] = {"mean": rand.mean, "std": rand.std, "n": rand.n}
        out["per_weight"] = {r.key[2:]: r.mean for r in self.rows if r.key.startswith("w=")}
        out["mean"], out["std"] = self.row("shared_mean").mean, self.row("shared_mean").std
        out["ensemble"] = self.row("ensemble").mean
        out["tuned_weight"] = self.tuned_weight
        out["tuned_accuracy"] = self.row("tuned_shared").mean
        if sweeps and self.digit_accuracy is not None:
            d = self.digit_accuracy
            out["digit_accuracy"] = {
                "weights": list(d.weights),
                "accuracy": [list(a) for a in d.accuracy],
            }
        trained = by.get("trained")
        if trained is not None or rand is not None:  # the oldest files had neither field
            out["trained_accuracy"] = None if trained is None else trained.mean
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        """An evaluation from its JSON (:meth:`to_dict`; ``eval.json`` files and run records of
        every version: rows without keys, no ``tune_episodes``, no sweeps, mnist256 files
        without ``random_shared``). A :class:`~scratchnn.errors.DataError` when ``data`` is
        none of these."""
        if not isinstance(data, Mapping) or not ("rows" in data or "per_weight" in data):
            raise _data_error("no rows or per_weight")
        try:
            read = cls._from_episodes if "rows" in data else cls._from_classification
            ev = read(data)
        except DataError:
            raise
        except KeyError as exc:
            raise _data_error(f"no {exc}") from None
        except (TypeError, ValueError, AttributeError, ArithmeticError) as exc:
            raise _data_error(f"a field of the wrong kind ({type(exc).__name__}: {exc})") from None
        return _checked(ev)

    @classmethod
    def _from_episodes(cls, data: Mapping[str, Any]) -> Evaluation:
        raw = list(data["rows"])
        rows = tuple(Row(r["condition"], r["mean"], r["std"], r["n"], row_key(r)) for r in raw)
        sweep = data.get("weight_sweep")
        if sweep is not None:
            sweep = WeightSweep(tuple(sweep["weights"]), tuple(sweep["mean"]))
        return cls(
            "episodes",
            rows,
            data["tuned_weight"],
            sweep=sweep,
            tune_episodes=data.get("tune_episodes"),
            reward=data.get("reward"),
            keyed=all("key" in r for r in raw),
        )

    @classmethod
    def _from_classification(cls, data: Mapping[str, Any]) -> Evaluation:
        rand = data.get("random_shared")
        digits = data.get("digit_accuracy")
        rows = classification_rows(
            None if rand is None else (rand["mean"], rand["std"], rand["n"]),
            dict(data["per_weight"]),
            (data["mean"], data["std"]),
            data["ensemble"],
            data["tuned_weight"],
            data["tuned_accuracy"],
            data.get("trained_accuracy"),
        )
        if digits is not None:
            accuracy = tuple(tuple(a) for a in digits["accuracy"])
            digits = DigitAccuracy(tuple(digits["weights"]), accuracy)
        return cls("classification", rows, data["tuned_weight"], digit_accuracy=digits)


def classification_rows(
    random_shared: tuple[float, float, int] | None,
    per_weight: dict[str, float],
    shared_mean: tuple[float, float],
    ensemble: float,
    tuned_weight: float,
    tuned_accuracy: float,
    trained_accuracy: float | None,
) -> tuple[Row, ...]:
    """The keyed rows of a classification evaluation: ``random_shared`` (mean, std and number
    of draws; None for none), the accuracy per search weight (``{"<w>": accuracy}``), their
    mean and std, the ensemble vote, the tuned shared weight and the individual weights."""
    n = weights_word(len(per_weight))
    rows = []
    if random_shared is not None:
        mean, std, draws = random_shared
        label = f"{CONDITIONS['random_shared']}, {draws} draws"
        rows.append(Row(label, mean, std, draws, "random_shared"))
    rows += [Row(f"w = {w}", acc, 0.0, 1, f"w={w}") for w, acc in per_weight.items()]
    label = CLASSIFICATION_CONDITIONS["shared_mean"].format(n=n)
    rows.append(Row(label, shared_mean[0], shared_mean[1], len(per_weight), "shared_mean"))
    label = CLASSIFICATION_CONDITIONS["ensemble"].format(n=n)
    rows.append(Row(label, ensemble, 0.0, 1, "ensemble"))
    label = f"{CONDITIONS['tuned_shared']} (w = {tuned_weight:g})"
    rows.append(Row(label, tuned_accuracy, 0.0, 1, "tuned_shared"))
    if trained_accuracy is not None:
        rows.append(Row(CONDITIONS["trained"], trained_accuracy, 0.0, 1, "trained"))
    return tuple(rows)


def _json_number(v: Any) -> bool:
    """Whether ``v`` is a number JSON holds (Python's int or float, not a bool): what
    :meth:`Evaluation.to_dict` writes back."""
    return isinstance(v, int | float) and not isinstance(v, bool)


def _checked(ev: Evaluation) -> Evaluation:
    """``ev`` if every value read from a file has its type (labels strings, scores numbers,
    counts whole numbers >= 0), else a :class:`~scratchnn.errors.DataError` naming the first
    that does not."""
    for r in ev.rows:
        if not isinstance(r.condition, str):
            raise _data_error(f"a row's condition must be text, got {shown(r.condition)}")
        if not (_json_number(r.mean) and _json_number(r.std)):
            raise _data_error(f"row {r.key!r}: mean and std must be numbers, got {shown(r.mean)}, "
                              f"{shown(r.std)}")  # fmt: skip
        if not isinstance(r.n, int) or isinstance(r.n, bool) or r.n < 0:
            raise _data_error(f"row {r.key!r}: n must be a whole number >= 0, got {shown(r.n)}")
    if not _json_number(ev.tuned_weight):
        raise _data_error(f"tuned_weight must be a number, got {shown(ev.tuned_weight)}")
    episodes = ev.tune_episodes
    if episodes is not None and (
        not isinstance(episodes, int) or isinstance(episodes, bool) or episodes < 0
    ):
        raise _data_error(f"tune_episodes must be a whole number >= 0, got {shown(episodes)}")
    if ev.reward is not None and not isinstance(ev.reward, str):
        raise _data_error(f"reward must be text, got {shown(ev.reward)}")
    series = [] if ev.sweep is None else [ev.sweep.weights, ev.sweep.mean]
    if ev.digit_accuracy is not None:
        series += [ev.digit_accuracy.weights, *ev.digit_accuracy.accuracy]
    if not all(_json_number(v) for values in series for v in values):
        raise _data_error("weight_sweep and digit_accuracy must hold numbers only")
    if ev.sweep is not None and len(ev.sweep.weights) != len(ev.sweep.mean):
        raise _data_error("weight_sweep: as many means as weights")
    if ev.digit_accuracy is not None and len(ev.digit_accuracy.weights) != len(
        ev.digit_accuracy.accuracy
    ):
        raise _data_error("digit_accuracy: as many rows of accuracies as weights")
    return ev
