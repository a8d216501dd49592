"""scikit-learn estimators backed by scratchnn's own models and training loop.

:class:`TwoLayerClassifier` (``p = softmax(f(X W1 + b1) W2 + b2)``) and :class:`SoftmaxClassifier`
(``p = softmax(g(X W))``, ``g`` the ReLU or the identity) wrap
:class:`~scratchnn.models.TwoLayerNet` and :class:`~scratchnn.models.SoftmaxRegression`, trained
by :func:`scratchnn.training.fit` (SGD, momentum, Nesterov or Adam, L2, the fused step), so they
work in :class:`~sklearn.pipeline.Pipeline`, :class:`~sklearn.model_selection.GridSearchCV` and
:func:`~sklearn.model_selection.cross_val_score`::

    from sklearn.model_selection import cross_val_score
    from scratchnn.sklearn import TwoLayerClassifier

    clf = TwoLayerClassifier(random_state=0)  # Adam, ReLU, an epoch count sized to the data
    cross_val_score(clf, X, y, cv=5)

**Defaults for small tabular data, as in scikit-learn's**
:class:`~sklearn.neural_network.MLPClassifier`.
``TwoLayerClassifier()`` is 100 ReLU units (He initialisation), Adam at learning rate 1e-3,
``reg=1e-4``, ``batch_size="auto"`` (``min(200, n_train)``) and ``epochs="auto"``: enough epochs
for about :data:`AUTO_STEPS` (2,000) steps, at least 10 and at most 200 (10 on MNIST's 48,000
training rows, 200 on a few hundred rows), trained on every row. Early stopping is one setting
away: ``validation_fraction=0.1, patience=10, restore_best=True`` holds out 10% of the rows, stops
after 10 epochs without a better validation accuracy and keeps the best epoch.
``SoftmaxClassifier()`` is multinomial logistic regression with the same training defaults.

**The assignment's semantics in one line.** ``TwoLayerClassifier.faithful()`` is what ``scratchnn
train --config config_exp`` trains: 128 sigmoid units from the ``0.001 * N(0, 1)`` init, plain SGD
at learning rate 0.1, ``reg=1e-3``, batch 64, 10 epochs (``SoftmaxClassifier.faithful()``:
``config_softmax``'s ReLU softmax regression), with a random 10% of the rows held out. Overrides
go in the call: ``faithful(epochs=50, dtype="float32")``. Sized for MNIST (7,500 steps), these
settings make a few dozen steps on a few hundred rows, too few for the sigmoid net.

**Input scaling is explicit.** ``X`` (n_samples, n_features) is used as given when it is float (or
any other numeric type, converted to float): there is no hidden ``/ 255``. ``uint8`` input is the
one exception, and only with ``scale_uint8=True`` (the default): it is read as pixel intensities
0..255 and scaled by ``1 / 255`` batch by batch, exactly as :func:`scratchnn.to_features` does for
MNIST (so ``X`` straight from :func:`scratchnn.load_mnist` trains as ``scratchnn train`` does,
on the fused step where it applies: ``path``). ``scale_uint8=False`` uses uint8 values as given.
Labels ``y`` may be any hashable values (ints, strings, ...); ``classes_`` holds them sorted and
the network has one output per class.

**Seeds.** ``random_state`` fixes everything random about a fit, as in scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier`: the initial weights, the hold-out split and the
per-epoch shuffle (``random_state=s`` shuffles exactly as ``scratchnn train --seed s``), so an
ensemble over ``random_state`` differs in its starting points too. ``init_seed`` fixes the
initial weights apart from it: :meth:`faithful` sets it to 1024, the reference's seed, so that
``faithful()`` starts from the writeup's ``0.001 * N(0, 1)`` weights whatever ``random_state``
says. An integer ``random_state`` gives bit-identical parameters run to run (BLAS runs on one
thread inside training).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError:  # pragma: no cover - exercised by a subprocess test
    from ._optional import require

    require("sklearn", "sklearn", "scratchnn.sklearn", "scikit-learn>=1.6")
    raise  # scikit-learn is there, older than 1.6

import numpy as np

from . import validation as check
from ._blas import blas_single_threaded
from .data.mnist import Split, Splits, to_features
from .errors import ConfigError, DataError, DataTypeError, ScratchnnError, shown
from .models import INIT_SEED, INITS, MAX_SEED, Model, SoftmaxRegression, TwoLayerNet
from .optim import OPTIMIZERS, SCHEDULES, Optimizer, Schedule, make_optimizer
from .training import EVAL_CHUNK, PATHS, EpochRecord, FitResult, batch_slices, fit

__all__ = ["SoftmaxClassifier", "TwoLayerClassifier"]

DTYPES = ("float32", "float64")

#: ``"auto"``: batches of ``min(AUTO_BATCH, n_train)`` rows (MLPClassifier's rule), and
#: ``ceil(AUTO_STEPS / steps per epoch)`` epochs clipped to ``AUTO_EPOCHS``
AUTO_BATCH, AUTO_STEPS, AUTO_EPOCHS = 200, 2000, (10, 200)

#: The writeup's reference training setup (``faithful()``), shared by both classifiers.
FAITHFUL_TRAINING: dict[str, Any] = {
    "learning_rate": 0.1,
    "reg": 1e-3,
    "batch_size": 64,
    "epochs": 10,
    "optimizer": "sgd",
    "schedule": "constant",
    "validation_fraction": 0.1,
}


def _auto(value: Any) -> bool:
    return isinstance(value, str) and value == "auto"


def _auto_or(rule: Callable[..., Any]) -> Callable[[Any, str], Any]:
    return lambda value, name: value if _auto(value) else rule(value, name)


#: parameter -> its check (:mod:`scratchnn.validation`), shared by both classifiers
PARAM_RULES: dict[str, Callable[[Any, str], Any]] = {
    "learning_rate": partial(check.real, low=0, low_open=True),
    "reg": partial(check.real, low=0),
    "batch_size": _auto_or(partial(check.integer, low=1)),
    "epochs": _auto_or(partial(check.integer, low=1)),
    "optimizer": partial(check.choice, options=OPTIMIZERS),
    "momentum": partial(check.real, low=0, high=1, high_open=True),
    "schedule": partial(check.choice, options=SCHEDULES),
    "validation_fraction": partial(check.real, low=0, high=1, high_open=True),
    "patience": partial(check.integer, low=0),
    "restore_best": check.flag,
    "dtype": partial(check.choice, options=DTYPES),
    "scale_uint8": check.flag,
    "path": partial(check.choice, options=PATHS),
    "verbose": lambda v, name: v if isinstance(v, int) else check.flag(v, name),
    "init_seed": lambda v, name: v if v is None else check.integer(v, name, low=0, high=MAX_SEED),
    "hidden_size": partial(check.integer, low=1),
    "init": partial(check.choice, options=INITS),
    "dropout": partial(check.real, low=0, high=1, high_open=True),
    "random_state": partial(
        check.instance,
        kinds=(numbers.Integral, np.random.RandomState, type(None)),
        want="None, an integer or a numpy.random.RandomState",
    ),
}


def auto_batch_size(batch_size: int | str, n_train: int) -> int:
    """The rows per step: ``batch_size``, or for ``"auto"`` ``min(200, n_train)``."""
    return min(AUTO_BATCH, n_train) if _auto(batch_size) else int(batch_size)


def auto_epochs(epochs: int | str, n_train: int, batch_size: int) -> int:
    """The epochs of :meth:`fit`: ``epochs``, or for ``"auto"`` enough for about
    :data:`AUTO_STEPS` steps of ``ceil(n_train / batch_size)`` per epoch, at least 10 and at most
    200 (MNIST's 48,000 rows in batches of 200: 10 epochs; 270 rows: 200 epochs, 400 steps)."""
    if not _auto(epochs):
        return int(epochs)
    steps_per_epoch = math.ceil(n_train / batch_size)
    low, high = AUTO_EPOCHS
    return min(high, max(low, math.ceil(AUTO_STEPS / steps_per_epoch)))


class _ScratchnnClassifier(ClassifierMixin, BaseEstimator):
    """What both classifiers share: data checks, the hold-out split, fit, partial_fit, predict.

    Subclasses define ``_model(n_features, n_classes, seed)`` and ``_ACTIVATIONS``.
    """

    # set by subclasses' __init__ (plain assignments, as scikit-learn requires)
    learning_rate: float
    reg: float
    batch_size: int | str
    epochs: int | str
    optimizer: str
    momentum: float
    schedule: str
    validation_fraction: float
    patience: int
    restore_best: bool
    dtype: str
    scale_uint8: bool
    path: str
    verbose: bool
    random_state: Any
    init_seed: int | None

    #: the model settings of :meth:`faithful`, beside :data:`FAITHFUL_TRAINING`
    _FAITHFUL_MODEL: ClassVar[dict[str, Any]] = {}

    @classmethod
    def faithful(cls, **params: Any) -> _ScratchnnClassifier:
        """The assignment's model and setup (``scratchnn train``'s semantics, see the module's
        docstring); ``params`` override any of it, e.g. ``faithful(epochs=50)``."""
        return cls(**{**FAITHFUL_TRAINING, **cls._FAITHFUL_MODEL, **params})

    # --- parameters --------------------------------------------------------------------------

    #: the hidden activations the model takes
    _ACTIVATIONS: ClassVar[tuple[str, ...]] = ()

    def _check_params(self) -> None:
        """Every parameter checked (at fit, as scikit-learn does, not in ``__init__``); a bad one
        is a :class:`~scratchnn.errors.ConfigError` (a ``ValueError``) naming it."""
        try:
            for name, value in self.get_params().items():
                if name in PARAM_RULES:
                    PARAM_RULES[name](value, name)
            check.choice(self.activation, "activation", self._ACTIVATIONS)
        except ConfigError as exc:
            raise type(exc)(f"{type(self).__name__}: {exc}") from None
        for name in ("patience", "restore_best"):
            if getattr(self, name) and not self.validation_fraction:
                raise ConfigError(
                    f"{type(self).__name__}: {name}={getattr(self, name)} needs a hold-out split "
                    "(validation_fraction > 0)"
                )

    def _model(self, n_features: int, n_classes: int, seed: int) -> Model:  # pragma: no cover
        raise NotImplementedError

    def _init_seed(self, seed: int) -> int:
        """The initial weights' seed: ``init_seed``, or else the fit's ``seed`` (from
        ``random_state``), folded into ``RandomState``'s range."""
        return int(self.init_seed) if self.init_seed is not None else seed % (MAX_SEED + 1)

    def _optimizer(self) -> Optimizer:
        return make_optimizer(
            self.optimizer, float(self.learning_rate), float(self.reg), float(self.momentum)
        )

    def _schedule(self) -> Schedule:
        return Schedule(self.schedule)

    # --- data --------------------------------------------------------------------------------

    def _input_dtypes(self) -> list[type]:
        """Dtypes kept as they are; anything else becomes float64 (used as given)."""
        kept: list[type] = [np.float64, np.float32]
        return [*kept, np.uint8] if self.scale_uint8 else kept

    def _validate(self, *arrays: Any, reset: bool = True) -> Any:
        """scikit-learn's ``validate_data`` (and, with labels, ``check_classification_targets``),
        its ValueError and TypeError raised again as :class:`~scratchnn.errors.DataError` and
        :class:`~scratchnn.errors.DataTypeError`: one family of errors for every bad input."""
        try:
            out = validate_data(self, *arrays, reset=reset, dtype=self._input_dtypes())
            if len(arrays) == 2:
                check_classification_targets(out[1])
            return out
        except ScratchnnError:
            raise
        except TypeError as exc:
            raise DataTypeError(f"{type(self).__name__}: {exc}") from exc
        except ValueError as exc:
            raise DataError(f"{type(self).__name__}: {exc}") from exc

    def _validate_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return self._validate(X, reset=False)

    def _seed(self) -> int:
        """The shuffle seed: ``random_state`` itself if it is an int, else drawn from it."""
        if check.is_integer(self.random_state):
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(2**31 - 1))

    def _holdout(
        self, X: np.ndarray, y: np.ndarray, n_classes: int, seed: int
    ) -> tuple[Split, Split | None]:
        """Split off ``ceil(validation_fraction * n)`` rows (at least one) for validation.

        Stratified by class where every class has two rows or more and both parts can hold
        every class; otherwise a plain random split. Both parts keep the rows' original order.
        """
        if not self.validation_fraction:
            return Split(X, y), None
        n = len(y)
        n_val = max(1, math.ceil(self.validation_fraction * n))
        if n - n_val < 1:
            raise DataError(
                f"{type(self).__name__}: {n} samples leave none for training after holding out "
                f"validation_fraction={self.validation_fraction}; give more samples or set "
                "validation_fraction=0"
            )
        counts = np.bincount(y, minlength=n_classes)
        stratify = y if counts.min() >= 2 and min(n_val, n - n_val) >= n_classes else None
        idx_train, idx_val = train_test_split(
            np.arange(n), test_size=n_val, random_state=seed, stratify=stratify
        )
        idx_train.sort()
        idx_val.sort()
        return Split(X[idx_train], y[idx_train]), Split(X[idx_val], y[idx_val])

    @staticmethod
    def _label_dtype(n_classes: int) -> type:
        # uint8 labels, as MNIST's, where they fit (the fused kernel is compiled for them)
        return np.uint8 if n_classes <= 256 else np.intp

    # --- training ----------------------------------------------------------------------------

    def _train(
        self,
        model: Model,
        optimizer: Optimizer,
        train: Split,
        val: Split | None,
        *,
        epochs: int,
        batch_size: int,
        seed: int,
        schedule: Schedule,
        patience: int,
    ) -> FitResult:
        on_epoch: Callable[[EpochRecord], None] | None = None
        if self.verbose:

            def on_epoch(r: EpochRecord) -> None:
                val_text = f", validation accuracy {r.val_acc:.4f}" if val is not None else ""
                print(
                    f"epoch {r.epoch}: loss {r.train_loss:.4f}, accuracy {r.train_acc:.4f}"
                    f"{val_text} ({r.seconds:.2f} s)"
                )

        try:
            result = fit(
                model,
                Splits(train, val, None),
                optimizer,
                epochs=epochs,
                batch_size=batch_size,
                seed=seed,
                path=self.path,  # type: ignore[arg-type]
                schedule=schedule,
                patience=patience,
                on_epoch=on_epoch,
            )
        except ScratchnnError as exc:  # e.g. path="fused" where it does not apply
            raise type(exc)(f"{type(self).__name__}: {exc}") from exc
        if result.status != "ok":
            raise ConfigError(
                f"{type(self).__name__}: training diverged ({result.message}); lower "
                "learning_rate or scale the features"
            )
        return result

    def fit(self, X: Any, y: Any) -> _ScratchnnClassifier:
        """Train a fresh network on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,).

        ``validation_fraction`` of the rows is held out (``validation_scores_``); the rest trains
        for ``epochs`` epochs (``"auto"``: :func:`auto_epochs`) of minibatches of ``batch_size``
        rows (``"auto"``: ``min(200, n_train)``) with ``optimizer`` on the mean cross-entropy plus
        ``(reg / 2) sum_W ||W||^2``. The parameters kept are the last epoch's, or with
        ``restore_best=True`` those of the epoch with the best validation accuracy.
        """
        self._check_params()
        X, y = self._validate(X, y)
        classes, y_enc = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise DataError(
                f"{type(self).__name__} needs samples of at least 2 classes, but the data "
                f"contains only one class: {classes[0]!r}"
            )
        y_enc = y_enc.astype(self._label_dtype(len(classes)))
        seed = self._seed()
        train, val = self._holdout(X, y_enc, len(classes), seed)
        model = self._model(X.shape[1], len(classes), self._init_seed(seed))
        optimizer = self._optimizer()
        batch_size = auto_batch_size(self.batch_size, len(train))
        epochs = auto_epochs(self.epochs, len(train), batch_size)
        result = self._train(
            model,
            optimizer,
            train,
            val,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            schedule=self._schedule(),
            patience=int(self.patience),
        )
        if self.restore_best and result.best_params is not None:
            for k, v in result.best_params.items():
                model.params[k][...] = v
        self.classes_ = classes
        self.model_ = model
        self.optimizer_ = optimizer
        self.fit_result_ = result
        self.path_ = result.path
        self.loss_curve_ = [r.train_loss for r in result.history]
        self.validation_scores_ = [r.val_acc for r in result.history] if val is not None else None
        self.n_iter_ = len(result.history)
        self.batch_size_, self.epochs_ = batch_size, epochs
        self._seed_ = seed
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> _ScratchnnClassifier:
        """One epoch of training on ``X`` (n_samples, n_features), ``y`` (n_samples,), all rows.

        The first call (on an unfitted estimator) needs ``classes``, every label that will ever
        be seen; it builds the network. Each call then runs one epoch over its rows (shuffled,
        in minibatches of ``batch_size``), continuing from the current weights and optimizer
        state (momentum, Adam moments), at the constant ``learning_rate`` (``schedule``,
        ``validation_fraction`` and ``patience`` apply to :meth:`fit` only). Appends to
        ``loss_curve_``.
        """
        first = not hasattr(self, "classes_")
        if first:
            self._check_params()
            if classes is None:
                raise ConfigError(
                    f"{type(self).__name__}: classes must be passed on the first call to "
                    "partial_fit"
                )
        X, y = self._validate(X, y, reset=first)
        if first:
            known = np.unique(np.asarray(classes))
            if len(known) < 2:
                raise ConfigError(f"{type(self).__name__}: classes must name at least 2 classes")
        else:
            known = self.classes_
            if classes is not None and not np.array_equal(np.unique(classes), known):
                raise ConfigError(
                    f"classes={shown(classes)} differ from the first call's {known!r}"
                )
        unseen = np.setdiff1d(y, known)
        if len(unseen):
            raise DataError(f"y has labels not in classes: {shown(unseen)}")
        y_enc = np.searchsorted(known, y).astype(self._label_dtype(len(known)))
        if first:
            self.classes_ = known
            self._seed_ = self._seed()
            self.model_ = self._model(X.shape[1], len(known), self._init_seed(self._seed_))
            self.optimizer_ = self._optimizer()
            self.loss_curve_ = []
            self.validation_scores_ = None
            self.n_iter_ = 0
        # one shuffle seed per epoch, from the estimator's seed and the epoch number
        seed = int(np.random.SeedSequence([self._seed_, self.n_iter_]).generate_state(1)[0])
        result = self._train(
            self.model_,
            self.optimizer_,
            Split(X, y_enc),
            None,
            epochs=1,
            batch_size=auto_batch_size(self.batch_size, len(X)),
            seed=seed,
            schedule=Schedule(),
            patience=0,
        )
        self.fit_result_ = result
        self.path_ = result.path
        self.loss_curve_.append(result.history[0].train_loss)
        self.n_iter_ += 1
        return self

    # --- prediction --------------------------------------------------------------------------

    @blas_single_threaded
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log p(k | x)`` for each class of ``classes_``: (n_samples, n_features) ->
        (n_samples, n_classes), float64, computed stably as ``log_softmax`` of the logits."""
        X = self._validate_X(X)
        model = self.model_
        out = np.empty((len(X), len(self.classes_)), np.float64)
        for s in batch_slices(len(X), EVAL_CHUNK):
            out[s] = model.log_probs(to_features(X[s], model.dtype))
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """``p(k | x)`` for each class of ``classes_``: (n_samples, n_features) ->
        (n_samples, n_classes), float64; rows sum to 1."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class, ``classes_[argmax_k p(k | x)]``: (n_samples,)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    @property
    def params_(self) -> dict[str, np.ndarray]:
        """The trained parameters by name (``W1, b1, W2, b2`` or ``W``): the model's arrays."""
        check_is_fitted(self)
        return self.model_.params


class TwoLayerClassifier(_ScratchnnClassifier):
    """A one-hidden-layer network, scratchnn's :class:`~scratchnn.models.TwoLayerNet`.

    ``p = softmax(f(X W1 + b1) W2 + b2)`` with ``X`` (n_samples, n_features), ``W1``
    (n_features, hidden_size), ``W2`` (hidden_size, n_classes); trained on the mean cross-entropy
    plus ``(reg / 2) (||W1||^2 + ||W2||^2)`` (biases are not regularised). The defaults suit small
    tabular data, as :class:`~sklearn.neural_network.MLPClassifier`'s: 100 ReLU units, Adam at
    learning rate 1e-3, ``reg=1e-4``, ``batch_size="auto"`` and ``epochs="auto"``, every row
    trained on. :meth:`faithful` gives the writeup's reference setup instead (128 sigmoid units,
    plain SGD at learning rate 0.1, ``reg=1e-3``, batch 64, 10 epochs).

    Parameters
    ----------
    hidden_size : int, default=100
        Units in the hidden layer.
    activation : {"sigmoid", "tanh", "relu"}, default="relu"
        The hidden activation ``f``.
    init : {"faithful", "xavier", "he"}, default="he"
        Initial weights: ``0.001 * N(0, 1)`` (the reference), ``N(0, 2 / (fan_in + fan_out))``
        or ``N(0, 2 / fan_in)``, drawn with ``init_seed`` (biases 0).
    dropout : float, default=0.0
        Inverted dropout on the hidden layer during training, in [0, 1).
    learning_rate : float, default=1e-3
        Step size ``lr`` (the base rate when ``schedule`` is not constant).
    reg : float, default=1e-4
        L2 strength on the weights, ``(reg / 2) ||W||^2`` added to the mean loss (scikit-learn's
        ``alpha``, which MLPClassifier divides by the batch size).
    batch_size : int or "auto", default="auto"
        Rows per step, ``"auto"``: ``min(200, n_train)``; the last batch of an epoch may be
        smaller.
    epochs : int or "auto", default="auto"
        Passes over the training rows in :meth:`fit` (scikit-learn's ``max_iter``); ``"auto"``:
        enough for about 2,000 steps, at least 10 and at most 200 (:func:`auto_epochs`).
    optimizer : {"sgd", "momentum", "nesterov", "adam"}, default="adam"
        Plain SGD (the reference), SGD with (Nesterov) momentum ``momentum``, or Adam.
    momentum : float, default=0.9
        Momentum of ``"momentum"`` and ``"nesterov"``; unused by the others.
    schedule : {"constant", "step", "cosine"}, default="constant"
        Learning-rate schedule over the :meth:`fit` epochs (step: x0.1 every 10 epochs).
    validation_fraction : float, default=0.0
        Share of the rows held out from training in :meth:`fit` to measure
        ``validation_scores_`` (accuracy after each epoch); 0 trains on every row. Early
        stopping: ``validation_fraction=0.1, patience=10, restore_best=True``.
    patience : int, default=0
        Stop after this many epochs without a better validation accuracy; 0 never stops early
        (needs ``validation_fraction > 0``).
    restore_best : bool, default=False
        Keep the parameters of the epoch with the best validation accuracy, not the last.
    dtype : {"float64", "float32"}, default="float64"
        Precision of the parameters and the arithmetic; float32 is faster.
    scale_uint8 : bool, default=True
        uint8 input is pixels: scaled by 1/255 (as ``scratchnn.to_features``). False: as given.
    path : {"auto", "fused", "reference"}, default="auto"
        The training step (see :func:`scratchnn.fit`); ``"auto"`` fuses where it applies: a
        sigmoid net without dropout, ``optimizer="sgd"``, a constant schedule, uint8 input with
        ``scale_uint8=True``. Both steps give the same numbers up to float rounding.
    verbose : bool, default=False
        Print one line per epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights (unless ``init_seed`` is set), the hold-out split and the
        per-epoch shuffle; an int gives bit-identical fits.
    init_seed : int or None, default=None
        Seeds the initial weights apart from ``random_state``; None: from ``random_state``.
        :meth:`faithful` sets 1024, the reference's seed.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names, when ``X`` had string column names (a DataFrame).
    loss_curve_ : list of float
        Mean training cross-entropy of each epoch (mean over its batches, before each update;
        without the L2 term).
    validation_scores_ : list of float or None
        Accuracy on the held-out rows after each epoch of :meth:`fit`; None without a hold-out.
    n_iter_ : int
        Epochs run in total.
    batch_size_, epochs_ : int
        The batch size and the epoch count of the last :meth:`fit` (``"auto"`` resolved).
    model_ : scratchnn.models.TwoLayerNet
        The trained network.
    optimizer_ : scratchnn.optim.SGD or scratchnn.optim.Adam
        The optimizer, with its state (for :meth:`partial_fit`).
    fit_result_ : scratchnn.training.FitResult
        The last training call's history and best epoch.
    path_ : str
        The training step that ran last: ``"fused"`` or ``"reference"``.
    """

    _FAITHFUL_MODEL: ClassVar[dict[str, Any]] = {
        "hidden_size": 128,
        "activation": "sigmoid",
        "init": "faithful",
        "init_seed": INIT_SEED,
    }

    def __init__(
        self,
        hidden_size: int = 100,
        *,
        activation: str = "relu",
        init: str = "he",
        dropout: float = 0.0,
        learning_rate: float = 1e-3,
        reg: float = 1e-4,
        batch_size: int | str = "auto",
        epochs: int | str = "auto",
        optimizer: str = "adam",
        momentum: float = 0.9,
        schedule: str = "constant",
        validation_fraction: float = 0.0,
        patience: int = 0,
        restore_best: bool = False,
        dtype: str = "float64",
        scale_uint8: bool = True,
        path: str = "auto",
        verbose: bool = False,
        random_state: Any = None,
        init_seed: int | None = None,
    ) -> None:
        self.hidden_size = hidden_size
        self.activation = activation
        self.init = init
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.reg = reg
        self.batch_size = batch_size
        self.epochs = epochs
        self.optimizer = optimizer
        self.momentum = momentum
        self.schedule = schedule
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.restore_best = restore_best
        self.dtype = dtype
        self.scale_uint8 = scale_uint8
        self.path = path
        self.verbose = verbose
        self.random_state = random_state
        self.init_seed = init_seed

    _ACTIVATIONS: ClassVar[tuple[str, ...]] = ("sigmoid", "tanh", "relu")

    def _model(self, n_features: int, n_classes: int, seed: int) -> TwoLayerNet:
        return TwoLayerNet(
            n_features,
            int(self.hidden_size),
            n_classes,
            seed=seed,
            dtype=np.dtype(self.dtype),
            activation=self.activation,
            init=self.init,
            dropout=float(self.dropout),
        )


class SoftmaxClassifier(_ScratchnnClassifier):
    """Softmax regression, scratchnn's :class:`~scratchnn.models.SoftmaxRegression`.

    ``p = softmax(g(X W))`` with ``X`` (n_samples, n_features), ``W`` (n_features, n_classes), no
    bias, ``g`` the identity (``activation="linear"``, textbook multinomial logistic regression)
    or the ReLU (``"relu"``, the writeup's model, in which a class whose logit is <= 0 for every
    input gets no gradient again); trained on the mean cross-entropy plus ``(reg / 2) ||W||^2``;
    ``W`` starts at ``0.001 * N(0, 1)`` (drawn with ``init_seed``, or from ``random_state``).
    The training defaults are :class:`TwoLayerClassifier`'s (Adam at 1e-3, ``reg=1e-4``,
    ``batch_size="auto"``, ``epochs="auto"``); :meth:`faithful` gives the writeup's model and
    setup (ReLU, SGD at learning rate 0.1, ``reg=1e-3``, batch 64, 10 epochs).

    Parameters and attributes are those of :class:`TwoLayerClassifier` without ``hidden_size``,
    ``init`` and ``dropout``; ``model_`` is a :class:`~scratchnn.models.SoftmaxRegression`.
    ``path="fused"`` never applies (the fused step is for the two-layer net).
    """

    _FAITHFUL_MODEL: ClassVar[dict[str, Any]] = {"activation": "relu", "init_seed": INIT_SEED}

    def __init__(
        self,
        *,
        activation: str = "linear",
        learning_rate: float = 1e-3,
        reg: float = 1e-4,
        batch_size: int | str = "auto",
        epochs: int | str = "auto",
        optimizer: str = "adam",
        momentum: float = 0.9,
        schedule: str = "constant",
        validation_fraction: float = 0.0,
        patience: int = 0,
        restore_best: bool = False,
        dtype: str = "float64",
        scale_uint8: bool = True,
        path: str = "auto",
        verbose: bool = False,
        random_state: Any = None,
        init_seed: int | None = None,
    ) -> None:
        self.activation = activation
        self.learning_rate = learning_rate
        self.reg = reg
        self.batch_size = batch_size
        self.epochs = epochs
        self.optimizer = optimizer
        self.momentum = momentum
        self.schedule = schedule
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.restore_best = restore_best
        self.dtype = dtype
        self.scale_uint8 = scale_uint8
        self.path = path
        self.verbose = verbose
        self.random_state = random_state
        self.init_seed = init_seed

    _ACTIVATIONS: ClassVar[tuple[str, ...]] = ("linear", "relu")

    def _model(self, n_features: int, n_classes: int, seed: int) -> SoftmaxRegression:
        return SoftmaxRegression(
            n_features, n_classes, seed=seed, dtype=np.dtype(self.dtype), activation=self.activation
        )
