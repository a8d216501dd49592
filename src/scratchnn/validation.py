"""The checks at the library's doors: every public function validates its arguments here, once per
call, before any kernel runs (as scikit-learn's ``check_array`` / ``validate_data`` do).

Each check returns the value it accepted (converted where that is lossless: a NumPy integer to
``int``) or raises a :class:`~scratchnn.errors.ScratchnnError` that names the argument, quotes the
bad value (bounded, through :func:`~scratchnn.errors.shown`) and says what to give instead:

* :class:`~scratchnn.errors.ConfigError` (a :class:`ValueError`): a size, count or rate out of
  range, an unknown name; :class:`~scratchnn.errors.ConfigTypeError` (also a :class:`TypeError`):
  a setting of the wrong type;
* :class:`~scratchnn.errors.DataError` (a :class:`ValueError`): arrays with the wrong shape,
  non-finite features, labels outside ``[0, C)``, lengths that disagree;
  :class:`~scratchnn.errors.DataTypeError` (also a :class:`TypeError`): not an array, or a dtype
  the function cannot use.

The checks cost one pass over the data at most (the features' ``min`` and ``max``, which are NaN
or infinite exactly when some feature is), never a copy, and never run inside a training loop.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from .errors import ConfigError, ConfigTypeError, DataError, DataTypeError, shown

#: The dtypes a model computes in.
FLOAT_DTYPES = ("float32", "float64")


def is_integer(value: Any) -> bool:
    """Whether ``value`` is an integer, Python's or NumPy's, and not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """Whether ``value`` is a real number, Python's or NumPy's, and not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return " and ".join(parts)


def integer(
    value: Any, name: str, *, low: int | None = None, high: int | None = None, fix: str = ""
) -> int:
    """``value`` as an ``int`` if it is an integer (Python's or NumPy's, not a bool) with
    ``low <= value <= high``; else a :class:`ConfigTypeError` or :class:`ConfigError`."""
    bounds = _range_text(low, high, False, False)
    want = "an integer" + (f" {bounds}" if bounds else "")
    if not is_integer(value):
        raise ConfigTypeError(_message(name, want, value, fix))
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(_message(name, want, value, fix))
    return value


def real(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    fix: str = "",
) -> float:
    """``value`` as a ``float`` if it is a finite real number (not a bool) within the bounds
    (``low_open`` / ``high_open``: the bound itself is excluded); else a :class:`ConfigError`
    (:class:`ConfigTypeError` for a non-number)."""
    bounds = _range_text(low, high, low_open, high_open)
    want = "a finite number" + (f" {bounds}" if bounds else "")
    if not is_real(value):
        raise ConfigTypeError(_message(name, want, value, fix))
    value = float(value)
    if (
        not math.isfinite(value)
        or (low is not None and (value <= low if low_open else value < low))
        or (high is not None and (value >= high if high_open else value > high))
    ):
        raise ConfigError(_message(name, want, value, fix))
    return value


def flag(value: Any, name: str) -> bool:
    """``value`` if it is a bool (NumPy's included); else a :class:`ConfigTypeError`."""
    if not isinstance(value, (bool, np.bool_)):
        raise ConfigTypeError(_message(name, "True or False", value))
    return bool(value)


def choice(value: Any, name: str, options: Iterable[str]) -> str:
    """``value`` if it is one of ``options``; else a :class:`ConfigError` listing them, with the
    closest one suggested (``"cosin"``: did you mean ``"cosine"``?)."""
    options = tuple(options)
    if isinstance(value, str) and value in options:
        return value
    want = "one of " + ", ".join(repr(o) for o in options)
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, options, n=1)
        hint = f"did you mean {close[0]!r}?" if close else ""
        raise ConfigError(_message(name, want, value, hint))
    raise ConfigTypeError(_message(name, want, value))


def float_dtype(value: Any, name: str = "dtype") -> np.dtype:
    """``np.dtype(value)`` if it is float32 or float64 (a name, a type or a dtype)."""
    try:
        dt = np.dtype(value)
    except (TypeError, ValueError):
        dt = None
    if dt is None or dt.name not in FLOAT_DTYPES:
        raise ConfigError(_message(name, "float32 or float64", value))
    return dt


def instance(value: Any, name: str, kinds: type | tuple[type, ...], want: str) -> Any:
    """``value`` if it is an instance of ``kinds``; else a :class:`ConfigTypeError`."""
    if not isinstance(value, kinds):
        raise ConfigTypeError(_message(name, want, value, f"got a {type(value).__name__}"))
    return value


def _message(name: str, want: str, value: Any, fix: str = "") -> str:
    return f"{name} must be {want}, got {shown(value)}" + (f"; {fix}" if fix else "")


# --- data ----------------------------------------------------------------------------------------


def array(value: Any, name: str) -> np.ndarray:
    """``value`` if it is a NumPy array; else a :class:`DataTypeError`."""
    if not isinstance(value, np.ndarray):
        raise DataTypeError(
            f"{name} must be a NumPy array, got a {type(value).__name__}; convert it with "
            "numpy.asarray"
        )
    return value


def feature_dtype(X: np.ndarray, name: str = "X") -> None:
    """A :class:`DataTypeError` unless ``X`` is an array of uint8 pixels or floats."""
    array(X, name)
    if X.dtype != np.uint8 and not np.issubdtype(X.dtype, np.floating):
        raise DataTypeError(
            f"{name} has dtype {X.dtype}: give uint8 pixels (0..255, scaled by 1/255) or float "
            "features (used as given, e.g. already scaled to [0, 1])"
        )


def features(X: Any, name: str = "X", *, n_features: int | None = None) -> np.ndarray:
    """``X`` if it is a non-empty 2-D array ``(N, D)`` of uint8 pixels or finite floats, with
    ``D == n_features`` when that is given.

    uint8 is read as pixels 0..255 (scaled by ``1 / 255``, :func:`scratchnn.to_features`); float
    features are used as given. Other dtypes are refused because whether they need scaling
    cannot be told from the data.
    """
    X = array(X, name)
    feature_dtype(X, name)
    if X.ndim != 2:
        raise DataError(
            f"{name} must be 2-D (samples, features), got shape {shown(X.shape)}; "
            "flatten images with X.reshape(len(X), -1)"
        )
    if X.shape[0] == 0:
        raise DataError(f"{name} has no rows")
    if n_features is not None and X.shape[1] != n_features:
        raise DataError(
            f"{name} has {X.shape[1]} features per row, the model takes {n_features}; "
            f"build the model with input_size={X.shape[1]} or give matching data"
        )
    if X.dtype != np.uint8:
        low, high = X.min(), X.max()  # NaN or infinite exactly when some feature is
        if not (np.isfinite(low) and np.isfinite(high)):
            bad = "NaN" if np.isnan(low) or np.isnan(high) else "infinite values"
            raise DataError(f"{name} holds {bad}; every feature must be finite")
    return X


def labels(
    y: Any, name: str = "y", *, n_classes: int | None = None, n_rows: int | None = None
) -> np.ndarray:
    """``y`` if it is a 1-D integer array of class indices in ``[0, n_classes)`` with ``n_rows``
    entries (when given)."""
    y = array(y, name)
    if not np.issubdtype(y.dtype, np.integer):
        raise DataTypeError(
            f"{name} has dtype {y.dtype}: labels must be integer class indices 0..C-1 "
            "(y.astype(int) if they are whole numbers stored as floats)"
        )
    if y.ndim != 1:
        raise DataError(f"{name} must be 1-D (samples,), got shape {shown(y.shape)}")
    if n_rows is not None and len(y) != n_rows:
        raise DataError(f"{name} has {len(y)} labels for {n_rows} rows; give one label per row")
    if len(y) and n_classes is not None:
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= n_classes:
            bad = low if low < 0 else high
            fix = (
                "labels 1..C look 1-based: subtract 1"
                if low >= 1 and high == n_classes
                else f"build the model with num_classes={high + 1} or more"
                if low >= 0
                else "labels are class indices, never negative"
            )
            raise DataError(
                f"{name} holds the label {bad}, outside 0..{n_classes - 1} for a model with "
                f"{n_classes} classes; {fix}"
            )
    return y


def split(value: Any, name: str, *, n_features: int | None, n_classes: int | None) -> None:
    """A :class:`~scratchnn.data.Split`'s features and labels: each checked, lengths equal."""
    X, y = getattr(value, "X", None), getattr(value, "y", None)
    if X is None or y is None:
        raise DataTypeError(
            f"{name} must be a scratchnn.data.Split(X, y), got a {type(value).__name__}"
        )
    X = features(X, f"{name}.X", n_features=n_features)
    labels(y, f"{name}.y", n_classes=n_classes, n_rows=len(X))


def splits(
    value: Any, name: str = "data", *, n_features: int | None, n_classes: int | None
) -> None:
    """A :class:`~scratchnn.data.Splits`: a training split, and validation and test splits or
    ``None``, each checked by :func:`split` (``n_features`` ``None``: the training split's)."""
    if not all(hasattr(value, part) for part in ("train", "val", "test")):
        raise DataTypeError(
            f"{name} must be a scratchnn.data.Splits(train, val, test), got a "
            f"{type(value).__name__}"
        )
    if value.train is None:
        raise DataError(f"{name}.train is None: training needs a training split")
    for part in ("train", "val", "test"):
        data = getattr(value, part)
        if data is not None:
            split(data, f"{name}.{part}", n_features=n_features, n_classes=n_classes)
            n_features = data.X.shape[1]


# --- models and optimizers ----------------------------------------------------------------------


def protocol_members(proto: type) -> tuple[str, ...]:
    """The names a :class:`typing.Protocol` class declares: its annotated attributes, then its
    methods, in the order of the class body."""
    names = list(getattr(proto, "__annotations__", {}))
    names += [n for n, v in vars(proto).items() if callable(v) and not n.startswith("_")]
    return tuple(dict.fromkeys(names))


def conforming(value: Any, proto: type, name: str, what: str) -> Any:
    """``value`` if it has every member of ``proto`` (:func:`protocol_members`), else a
    :class:`ConfigTypeError` naming the missing ones; ``what`` says what is expected (e.g. "a
    scratchnn model (TwoLayerNet, SoftmaxRegression or your own)")."""
    members = protocol_members(proto)
    missing = [a for a in members if not hasattr(value, a)]
    if missing:
        raise ConfigTypeError(
            f"{name} must be {what}: an object with {', '.join(members)}; got a "
            f"{type(value).__name__} without {', '.join(missing)}"
        )
    return value
