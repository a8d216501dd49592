"""scratchnn: a from-scratch neural-network lab in NumPy.

Quick start::

    from scratchnn import TwoLayerNet, SGD, fit, load_mnist, faithful_split
    data = faithful_split(load_mnist())
    model = TwoLayerNet(hidden_size=128)
    result = fit(model, data, SGD(learning_rate=0.1, reg=1e-3), epochs=10, batch_size=64)
    print(result.metrics()["test_acc"], result.path)  # path: "fused" (the reference setup)

Inputs: uint8 images are scaled by ``1 / 255`` (the assignment's scaling); float features are
used as given (e.g. pixels you already scaled to [0, 1]); other dtypes are refused.

``import scratchnn`` is instant: each public name imports its module on first use. The library
itself loads NumPy only; Numba and SciPy (the fused kernel), matplotlib (figures), Optuna
(tuning), tqdm (progress bars) and PyYAML (configs) are imported where they are used.
``scratchnn.__version__`` is the installed distribution's version (``pyproject.toml``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it. The package imports its modules on first use of a
# name (PEP 562), so ``import scratchnn`` and ``scratchnn --help`` load neither NumPy nor anything
# else heavy; ``from scratchnn import fit`` loads what ``fit`` needs.
_EXPORTS = {
    "SmallCNN": ".cnn",
    "RunConfig": ".config",
    "load_config": ".config",
    "faithful_split": ".data",
    "fetch_mnist": ".data",
    "load_mnist": ".data",
    "scale_pixels": ".data",
    "to_features": ".data",
    "ConfigError": ".errors",
    "DataError": ".errors",
    "ScratchnnError": ".errors",
    "SoftmaxRegression": ".models",
    "TwoLayerNet": ".models",
    "SGD": ".optim",
    "Adam": ".optim",
    "Optimizer": ".optim",
    "Schedule": ".optim",
    "EpochRecord": ".training",
    "FitResult": ".training",
    "evaluate": ".training",
    "fit": ".training",
    "predict": ".training",
}

if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from .cnn import SmallCNN
    from .config import RunConfig, load_config
    from .data import faithful_split, fetch_mnist, load_mnist, scale_pixels, to_features
    from .errors import ConfigError, DataError, ScratchnnError
    from .models import SoftmaxRegression, TwoLayerNet
    from .optim import SGD, Adam, Optimizer, Schedule
    from .training import EpochRecord, FitResult, evaluate, fit, predict

    __version__: str


def __getattr__(name: str) -> Any:
    if name == "__version__":  # the installed distribution's, declared in pyproject.toml only
        from ._optional import version

        globals()[name] = version()
        return globals()[name]
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, "__version__"})


__all__ = [
    "SGD",
    "Adam",
    "ConfigError",
    "DataError",
    "EpochRecord",
    "FitResult",
    "Optimizer",
    "RunConfig",
    "Schedule",
    "ScratchnnError",
    "SmallCNN",
    "SoftmaxRegression",
    "TwoLayerNet",
    "evaluate",
    "faithful_split",
    "fetch_mnist",
    "fit",
    "load_config",
    "load_mnist",
    "predict",
    "scale_pixels",
    "to_features",
]
