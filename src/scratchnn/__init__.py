"""scratchnn: a from-scratch neural-network lab in NumPy.

Quick start::

    from scratchnn import TwoLayerNet, SGD, fit, load_mnist, faithful_split
    data = faithful_split(load_mnist())
    model = TwoLayerNet(hidden_size=128)
    result = fit(model, data, SGD(learning_rate=0.1, reg=1e-3), epochs=10, batch_size=64)
    print(result.metrics()["test_acc"])
"""

from .config import RunConfig, load_config
from .data import faithful_split, fetch_mnist, load_mnist, scale_pixels
from .errors import ConfigError, DataError, ScratchnnError
from .models import SoftmaxRegression, TwoLayerNet
from .optim import SGD
from .training import EpochRecord, FitResult, evaluate, fit

__version__ = "0.1.0"

__all__ = [
    "SGD",
    "ConfigError",
    "DataError",
    "EpochRecord",
    "FitResult",
    "RunConfig",
    "ScratchnnError",
    "SoftmaxRegression",
    "TwoLayerNet",
    "evaluate",
    "faithful_split",
    "fetch_mnist",
    "fit",
    "load_config",
    "load_mnist",
    "scale_pixels",
]
