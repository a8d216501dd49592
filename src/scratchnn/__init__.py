"""scratchnn: a from-scratch neural-network lab in NumPy.

Quick start::

    from scratchnn import TwoLayerNet, SGD, fit, load_mnist, faithful_split
    data = faithful_split(load_mnist())
    model = TwoLayerNet(hidden_size=128)
    result = fit(model, data, SGD(learning_rate=0.1, reg=1e-3), epochs=10, batch_size=64)
    print(result.metrics()["test_acc"], result.path)  # path: "fused" (the reference setup)

Inputs: uint8 images are scaled by ``1 / 255`` (the assignment's scaling); float features are
used as given (e.g. pixels you already scaled to [0, 1]); other dtypes are refused.

``import scratchnn`` loads NumPy and the library only: Numba and SciPy (the fused kernel),
matplotlib (figures), Optuna (tuning) and tqdm (progress bars) are imported where they are used.
"""

from .config import RunConfig, load_config
from .data import faithful_split, fetch_mnist, load_mnist, scale_pixels, to_features
from .errors import ConfigError, DataError, ScratchnnError
from .models import SoftmaxRegression, TwoLayerNet
from .optim import SGD, Adam, Optimizer, Schedule
from .training import EpochRecord, FitResult, evaluate, fit, predict

__version__ = "0.1.0"

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
