"""A hostile suite for the library's doors: every public entry point of the MLP side, called with
wrong dtypes and shapes, NaN and inf, huge and negative labels, empty arrays, zero, negative and
huge sizes, wrong types and unknown names, ends in a clean :class:`ScratchnnError` (a
``ValueError`` or ``TypeError`` too) or a correct result: never a signal, a hang, or another
exception from inside NumPy, Numba or the kernels.

Bounded in time: a fixed number of examples per door, small arrays, at most two epochs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scratchnn import SGD, Adam, Schedule, SoftmaxRegression, TwoLayerNet, evaluate, fit, predict
from scratchnn.data import Split, Splits, to_features
from scratchnn.errors import MAX_MESSAGE, ScratchnnError

HOSTILE = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
D, C = 6, 3  # the models' inputs and classes

# --- strategies ----------------------------------------------------------------------------------

DTYPES = st.sampled_from(
    [np.uint8, np.int8, np.int64, np.uint64, np.float16, np.float32, np.float64, np.bool_,
     np.complex128]
)  # fmt: skip
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7)


@st.composite
def arrays(draw: st.DrawFn, shape: Any = SHAPES) -> np.ndarray:
    """Any small array: every dtype above, NaN, inf and extreme values included."""
    dtype = np.dtype(draw(DTYPES))
    return draw(hnp.arrays(dtype, shape, elements=hnp.from_dtype(dtype)))


def features() -> st.SearchStrategy[Any]:
    """Features: mostly (N, D) arrays of any dtype and values, some of other shapes, some not
    arrays at all."""
    return st.one_of(
        arrays(st.tuples(st.integers(0, 9), st.just(D))),
        arrays(),
        st.lists(st.lists(st.floats(), max_size=D), max_size=4),
        st.none(),
        st.text(max_size=5),
    )


def labels(n: int | None = None) -> st.SearchStrategy[Any]:
    """Labels: integer arrays with values anywhere (negative, past the classes, huge), floats,
    other shapes, non-arrays."""
    int_dtypes = st.sampled_from([np.uint8, np.int8, np.int64, np.uint64])
    length = st.just(n) if n is not None else st.integers(0, 9)
    return st.one_of(
        length.flatmap(lambda k: hnp.arrays(int_dtypes, k)),
        length.flatmap(lambda k: hnp.arrays(np.int64, k, elements=st.integers(0, C - 1))),
        arrays(),
        st.lists(st.integers(), max_size=5),
        st.none(),
    )


def sizes() -> st.SearchStrategy[Any]:
    """Counts and sizes: small valid ones, zero, negative, huge, floats, bools, strings."""
    return st.one_of(
        st.integers(1, 4),
        st.integers(-(2**70), 0),
        st.integers(2**40, 2**70),
        st.floats(),
        st.booleans(),
        st.text(max_size=4),
        st.none(),
    )


def rates() -> st.SearchStrategy[Any]:
    """Rates: any float (NaN, inf, negative, tiny, huge), integers, strings, None."""
    return st.one_of(st.floats(), st.integers(-5, 5), st.text(max_size=4), st.none())


def names() -> st.SearchStrategy[Any]:
    return st.one_of(st.text(max_size=12), st.integers(), st.none())


# --- the contract ---------------------------------------------------------------------------


def clean(call: Callable[[], Any]) -> Any:
    """Run ``call``: its result, or None when it raised a clean, bounded ScratchnnError that is
    also a ValueError or TypeError. Anything else fails the test with the exception."""
    try:
        return call()
    except ScratchnnError as exc:
        assert isinstance(exc, (ValueError, TypeError)), type(exc)
        text = str(exc)
        assert text and len(text) <= MAX_MESSAGE + 60 and "\n" not in text, text
        return None


def _split(X: Any, y: Any) -> Split:
    return Split(X, y)


@HOSTILE
@given(X=features(), y=labels(), data=st.data())
def test_fit_refuses_bad_data_cleanly(X, y, data):
    """fit on hostile features and labels: a clean error, or a correct run."""
    val = data.draw(st.sampled_from(["none", "same", "empty"]))
    empty = _split(np.zeros((0, D), np.uint8), np.zeros(0, np.uint8))
    v = None if val == "none" else _split(X, y) if val == "same" else empty
    model = TwoLayerNet(D, 4, C)
    result = clean(lambda: fit(model, Splits(_split(X, y), v, None), SGD(0.1), epochs=1,
                               batch_size=2))  # fmt: skip
    if result is not None:  # accepted: it really was (N, D) finite features and labels in [0, C)
        assert isinstance(X, np.ndarray) and X.ndim == 2 and X.shape == (len(y), D)
        assert X.dtype == np.uint8 or np.isfinite(X).all()
        assert y.min() >= 0 and y.max() < C and np.issubdtype(y.dtype, np.integer)
        assert result.status in ("ok", "diverged")


@HOSTILE
@given(X=features(), y=labels(), softmax=st.booleans())
def test_evaluate_and_predict_refuse_bad_data_cleanly(X, y, softmax):
    model = SoftmaxRegression(D, C) if softmax else TwoLayerNet(D, 4, C)
    out = clean(lambda: predict(model, X))
    if out is not None:
        assert out.shape == (len(X),) and out.min() >= 0 and out.max() < C
    score = clean(lambda: evaluate(model, _split(X, y), 4))
    if score is not None:
        assert 0 <= score[1] <= 1 and math.isfinite(score[0])


@HOSTILE
@given(
    epochs=sizes(),
    batch_size=sizes(),
    seed=st.one_of(sizes(), st.integers(0, 2**80)),
    path=names(),
    patience=sizes(),
    schedule=st.one_of(st.none(), st.just(Schedule()), names()),
)
def test_fit_refuses_bad_settings_cleanly(epochs, batch_size, seed, path, patience, schedule):
    data = Splits(
        Split(np.arange(24 * D, dtype=np.uint8).reshape(24, D), np.arange(24) % C), None, None
    )
    if isinstance(epochs, int) and not isinstance(epochs, bool) and epochs > 2:
        epochs = 2  # a valid huge epoch count is a long run, not a hang
    result = clean(lambda: fit(TwoLayerNet(D, 4, C), data, SGD(0.1), epochs=epochs,
                               batch_size=batch_size, seed=seed, path=path, patience=patience,
                               schedule=schedule))  # fmt: skip
    if result is not None:
        assert result.status in ("ok", "diverged") and len(result.history) == epochs


@HOSTILE
@given(
    input_size=sizes(),
    hidden_size=sizes(),
    num_classes=sizes(),
    dtype=st.one_of(names(), st.sampled_from([np.float32, np.int64, "float16", object])),
    seed=st.one_of(sizes(), st.integers(0, 2**40)),
    init_scale=rates(),
    activation=names(),
    init=names(),
    dropout=rates(),
)
def test_model_constructors_refuse_bad_settings_cleanly(
    input_size, hidden_size, num_classes, dtype, seed, init_scale, activation, init, dropout
):
    for build in (
        lambda: TwoLayerNet(input_size, hidden_size, num_classes, dtype=dtype, seed=seed,
                            init_scale=init_scale, activation=activation, init=init,
                            dropout=dropout),
        lambda: SoftmaxRegression(input_size, num_classes, dtype=dtype, seed=seed,
                                  init_scale=init_scale, activation=activation),
    ):  # fmt: skip
        model = clean(build)
        if model is not None:
            assert all(np.isfinite(v).all() for v in model.params.values())


@HOSTILE
@given(
    lr=rates(), reg=rates(), momentum=rates(), nesterov=st.one_of(st.booleans(), names()),
    beta=rates(), eps=rates(),
    kind=names(), warmup=rates(), step_size=sizes(), gamma=rates(),
)  # fmt: skip
def test_optimizers_and_schedules_refuse_bad_settings_cleanly(
    lr, reg, momentum, nesterov, beta, eps, kind, warmup, step_size, gamma
):
    sgd = clean(lambda: SGD(lr, reg, momentum=momentum, nesterov=nesterov))
    if sgd is not None:
        assert sgd.learning_rate > 0 and sgd.reg >= 0 and 0 <= sgd.momentum < 1
    clean(lambda: Adam(lr, reg, beta1=beta, beta2=beta, eps=eps))
    schedule = clean(lambda: Schedule(kind, warmup, step_size, gamma))
    if schedule is not None:
        assert schedule.factor(3, 4, 20) >= 0 and math.isfinite(schedule.factor(3, 4, 20))


@HOSTILE
@given(X=st.one_of(arrays(), st.none(), st.text(max_size=3)))
def test_to_features_refuses_what_it_cannot_scale(X):
    out = clean(lambda: to_features(X))
    if out is not None:
        assert X.dtype == np.uint8 or np.issubdtype(X.dtype, np.floating)


# --- the cases that used to fail, one by one ---------------------------------------------


def _mnist_like(n: int = 64, dtype: Any = np.uint8) -> Splits:
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (n, 784)).astype(dtype)
    y = rng.integers(0, 10, n).astype(np.uint8)
    return Splits(Split(X, y), Split(X[:16], y[:16]), None)


@pytest.mark.parametrize("label", [10, 1_000_000, -1])
@pytest.mark.parametrize("model", [TwoLayerNet, SoftmaxRegression])
def test_a_label_outside_the_classes_is_refused_before_any_kernel(label, model):
    """A label of 10 used to train (reading and writing outside the fused kernel's arrays),
    1,000,000 killed the process, -1 was accepted, and SoftmaxRegression raised IndexError."""
    data = _mnist_like()
    y = data.train.y.astype(np.int64)
    y[5] = label
    bad = Splits(Split(data.train.X, y), data.val, None)
    with pytest.raises(ValueError, match=f"label {label}, outside 0..9"):
        fit(model(), bad, SGD(0.1), epochs=1, batch_size=32)


def test_one_based_labels_are_named_as_such():
    data = _mnist_like()
    bad = Splits(Split(data.train.X, data.train.y % 10 + 1), None, None)
    with pytest.raises(ValueError, match="1-based: subtract 1"):
        fit(TwoLayerNet(), bad, SGD(0.1), epochs=1, batch_size=32)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: Splits(Split(d.train.X[:, :700], d.train.y), None, None), "700 features"),
        (lambda d: Splits(Split(d.train.X / 255.0 * np.nan, d.train.y), None, None), "NaN"),
        (lambda d: Splits(Split(d.train.X, d.train.y[:-1]), None, None), "63 labels for 64"),
        (lambda d: Splits(Split(d.train.X.astype(np.int64), d.train.y), None, None), "int64"),
    ],
)
def test_bad_features_are_refused_with_the_fix(change, match):
    with pytest.raises(ValueError, match=match):
        fit(TwoLayerNet(), change(_mnist_like()), SGD(0.1), epochs=1, batch_size=32)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: fit(TwoLayerNet(), _mnist_like(), SGD(0.1), epochs=1, batch_size=0), "batch_size"),
        (lambda: TwoLayerNet(hidden_size=0), "hidden_size"),
        (lambda: Schedule("cosin"), "did you mean 'cosine'"),
        (lambda: SGD(float("nan")), "learning_rate"),
        (lambda: TwoLayerNet(dtype="float16"), "float32 or float64"),
        (lambda: TwoLayerNet(784, 2**20, 10), "weights, more than"),
    ],
)
def test_bad_settings_are_refused_with_the_fix(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_strong_l2_trains_on_the_fused_path_as_on_the_reference(dtype):
    """The writeup's regularisation row (lr 0.1, reg 1.0) over an epoch of 1,500 steps: the
    fused path used to end with W1 all NaN (float32) and lr x reg = 1 raised ZeroDivisionError;
    both now end as the reference does."""
    data = _mnist_like(1500)
    for lr, reg in ((0.1, 1.0), (1.0, 1.0)):
        runs = []
        for path in ("fused", "reference"):
            model = TwoLayerNet(dtype=dtype)
            result = fit(model, data, SGD(lr, reg), epochs=1, batch_size=1, path=path)
            runs.append((result, model.params["W1"]))
        (fused, w_fused), (ref, w_ref) = runs
        assert fused.status == ref.status == "ok"
        assert np.isfinite(w_fused).all()
        np.testing.assert_allclose(w_fused, w_ref, rtol=1e-3, atol=1e-6)
