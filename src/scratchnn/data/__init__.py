"""MNIST: genuine, verified, cached; and the assignment's split and scaling."""

from .mnist import (
    MNIST,
    Split,
    Splits,
    faithful_split,
    load_mnist,
    scale_pixels,
    to_features,
)
from .sources import FetchReport, default_data_dir, fetch_mnist, mnist_dir

__all__ = [
    "MNIST",
    "FetchReport",
    "Split",
    "Splits",
    "default_data_dir",
    "faithful_split",
    "fetch_mnist",
    "load_mnist",
    "mnist_dir",
    "scale_pixels",
    "to_features",
]
