"""Each contender trains the same setup and reports per-epoch training seconds and accuracy.

Setup: 784-128-10 sigmoid MLP, minibatch SGD with L2 on weights only, on the faithful MNIST split
(48,000 training images). Every contender runs in its own fresh process (so its peak RSS is its
own), with BLAS and its own thread pools pinned to one thread. Timed: the training pass of each
epoch only; validation accuracy is measured once, after the last epoch. Every contender shuffles
and initialises from :data:`SEED` (scratchnn's initial weights are the reference's, seeded with
1024).

The CNN rows (:data:`CNN_CONTENDERS`, run when ``scratchnn bench --only CNN`` names them) train
one architecture, :data:`CNN_ARCH`, on the same 28 x 28 images, split, batches, learning rate and
L2 (on the convolution's and the head's weights): :class:`scratchnn.cnn.SmallCNN` through
``fit``'s reference step, and the same network in PyTorch (:func:`torch_cnn`). Each row's time
ratio is relative to its own workload's scratchnn baseline (:data:`WORKLOADS`).
"""

from __future__ import annotations

import resource
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# FLOP per training sample: forward X W1, a1 W2; backward dW1 = X^T d1, dW2, d1 = d2 W2^T
FLOP_PER_SAMPLE = 2 * 784 * 128 * 2 + 2 * 128 * 10 * 3
#: the shuffle (and PyTorch's and scikit-learn's initialisation) seed of every contender
SEED = 0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _splits():
    from ..data import faithful_split, load_mnist

    return faithful_split(load_mnist(fetch=False))


def run_scratchnn(
    epochs: int, batch_size: int, lr: float, reg: float, dtype: str, path: str
) -> dict[str, Any]:
    """scratchnn's ``fit``: ``path="fused"`` is the fused step, ``path="reference"`` the reference
    step (plain NumPy in the assignment's style: ``loss_grad`` forms every gradient, then SGD)."""
    from ..models import TwoLayerNet
    from ..optim import SGD
    from ..training import fit

    data = _splits()
    model = TwoLayerNet(dtype=np.dtype(dtype))
    res = fit(model, data, SGD(lr, reg), epochs=epochs, batch_size=batch_size, seed=SEED, path=path)
    return {
        "epoch_seconds": [r.train_seconds for r in res.history],
        "val_acc": res.history[-1].val_acc,
    }


def _torch_fit(
    net: Any, epochs: int, batch_size: int, lr: float, reg: float, shape: tuple[int, ...]
) -> dict[str, Any]:
    """Train ``net`` (PyTorch, CPU, one thread) by ``optim.SGD`` with weight decay ``reg`` on the
    parameters named ``*weight`` only, on the faithful split: uint8 images gathered and scaled
    per batch as scratchnn does, viewed as ``shape`` (``(-1, 784)``; ``(-1, 1, 28, 28)`` for a
    CNN). Returns the epochs' training seconds and the validation accuracy after the last."""
    import torch

    data = _splits()
    with warnings.catch_warnings():  # the images are read-only; the tensor is only read
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        X = torch.from_numpy(np.ascontiguousarray(data.train.X))
    y = torch.from_numpy(data.train.y.astype(np.int64))
    weights = [p for n, p in net.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in net.named_parameters() if n.endswith("bias")]
    opt = torch.optim.SGD(
        [{"params": weights, "weight_decay": reg}, {"params": biases, "weight_decay": 0.0}], lr=lr
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = np.random.default_rng(SEED)
    times = []
    for _ in range(epochs):
        order = torch.from_numpy(gen.permutation(len(y)))
        t0 = time.perf_counter()
        for i in range(0, len(y), batch_size):
            idx = order[i : i + batch_size]
            xb = X[idx].float().div_(255.0).view(shape)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), y[idx])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        xv = (torch.from_numpy(data.val.X).float() / 255.0).view(shape)
        acc = (net(xv).argmax(1).numpy() == data.val.y).mean()
    return {"epoch_seconds": times, "val_acc": float(acc)}


def run_torch(epochs: int, batch_size: int, lr: float, reg: float) -> dict[str, Any]:
    """PyTorch CPU: ``nn.Sequential`` + ``CrossEntropyLoss`` + ``optim.SGD`` (weight decay on
    weights only), one thread, uint8 images gathered and scaled per batch as scratchnn does."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.Sigmoid(), torch.nn.Linear(128, 10)
    )
    return _torch_fit(net, epochs, batch_size, lr, reg, (-1, 784))


# --- the CNN rows ---------------------------------------------------------------------------

#: the CNN rows' architecture: :class:`scratchnn.cnn.SmallCNN`'s arguments
CNN_ARCH: dict[str, Any] = {"image_shape": (28, 28), "channels": 8, "kernel": 3, "num_classes": 10}


def cnn_flop_per_sample(
    image_shape: tuple[int, int] = (28, 28), channels: int = 8, kernel: int = 3,
    num_classes: int = 10,
) -> int:  # fmt: skip
    """Dense FLOP per training sample of the ``"same"``-padded CNN: the convolution forward
    (``2 H W k^2 C``) and its kernel gradient (the same again; no pixel gradient), the head
    forward, its weight gradient and its input gradient (``2 F L`` each, ``F = C (H // 2)
    (W // 2)``). ReLU, pooling and softmax are not counted."""
    H, W = image_shape
    conv = 2 * H * W * kernel * kernel * channels
    head = 2 * channels * (H // 2) * (W // 2) * num_classes
    return 2 * conv + 3 * head


CNN_FLOP_PER_SAMPLE = cnn_flop_per_sample(**CNN_ARCH)


def run_scratchnn_cnn(
    epochs: int, batch_size: int, lr: float, reg: float, dtype: str
) -> dict[str, Any]:
    """:class:`scratchnn.cnn.SmallCNN` (:data:`CNN_ARCH`, He initialisation from its default
    seed) trained by ``fit`` with plain SGD + L2 (the reference step: ``loss_grad`` then SGD)."""
    from ..cnn import SmallCNN
    from ..optim import SGD
    from ..training import fit

    data = _splits()
    model = SmallCNN(**CNN_ARCH, dtype=np.dtype(dtype))
    res = fit(model, data, SGD(lr, reg), epochs=epochs, batch_size=batch_size, seed=SEED)
    return {
        "epoch_seconds": [r.train_seconds for r in res.history],
        "val_acc": res.history[-1].val_acc,
    }


def torch_cnn(
    image_shape: tuple[int, int] = (28, 28), channels: int = 8, kernel: int = 3,
    num_classes: int = 10,
) -> Any:  # fmt: skip
    """:class:`scratchnn.cnn.SmallCNN`'s architecture in PyTorch: ``Conv2d(1, C, k, padding=(k -
    1) / 2)``, ``ReLU``, ``MaxPool2d(2)``, ``Flatten`` (``(C, H_p, W_p)`` order, as SmallCNN's
    head reads its maps), ``Linear(F, L)``; input ``(N, 1, H, W)``."""
    import torch

    H, W = image_shape
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, channels, kernel, padding=(kernel - 1) // 2),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(channels * (H // 2) * (W // 2), num_classes),
    )


def run_torch_cnn(epochs: int, batch_size: int, lr: float, reg: float) -> dict[str, Any]:
    """PyTorch CPU: :func:`torch_cnn` (:data:`CNN_ARCH`) trained as :func:`run_torch` trains
    the MLP, one thread."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    H, W = CNN_ARCH["image_shape"]
    return _torch_fit(torch_cnn(**CNN_ARCH), epochs, batch_size, lr, reg, (-1, 1, H, W))


def run_sklearn(epochs: int, batch_size: int, lr: float, reg: float) -> dict[str, Any]:
    """scikit-learn ``MLPClassifier(solver="sgd")``, one ``partial_fit`` pass per epoch.

    sklearn's penalty is ``alpha / (2 n_batch) ||W||^2`` per batch, so ``alpha = reg * batch``
    gives the same ``reg * W`` gradient term; no momentum, constant learning rate, float32.
    """
    from sklearn.neural_network import MLPClassifier

    data = _splits()
    X = data.train.X.astype(np.float32) / np.float32(255)
    clf = MLPClassifier(
        hidden_layer_sizes=(128,),
        activation="logistic",
        solver="sgd",
        batch_size=batch_size,
        learning_rate_init=lr,
        alpha=reg * batch_size,
        momentum=0.0,
        nesterovs_momentum=False,
        shuffle=True,
        random_state=SEED,
    )
    times = []
    classes = np.arange(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            t0 = time.perf_counter()
            clf.partial_fit(X, data.train.y, classes=classes)
            times.append(time.perf_counter() - t0)
    acc = clf.score(data.val.X.astype(np.float32) / np.float32(255), data.val.y)
    return {"epoch_seconds": times, "val_acc": float(acc)}


def sgemm_ceiling(n: int = 2048, repeats: int = 5) -> float:
    """Best GFLOP/s of an ``n x n`` float32 matrix product on one thread (``2 n^3`` FLOP).

    Both BLAS builds in the process are measured (NumPy's ``matmul`` and SciPy's ``sgemm``, which
    the fused path uses) and the faster one is the ceiling.
    """
    from scipy.linalg import blas

    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    best = float("inf")
    for product in (lambda: a @ b, lambda: blas.sgemm(1.0, a, b)):
        for _ in range(repeats):
            t0 = time.perf_counter()
            product()
            best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


#: the CNN rows: :class:`~scratchnn.cnn.SmallCNN` in float32 and float64, and PyTorch's
CNN_CONTENDERS: dict[str, tuple[Callable[..., dict[str, Any]], dict[str, Any]]] = {
    "scratchnn CNN float32": (run_scratchnn_cnn, {"dtype": "float32"}),
    "scratchnn CNN float64": (run_scratchnn_cnn, {"dtype": "float64"}),
    "PyTorch CNN CPU": (run_torch_cnn, {}),
}
CONTENDERS: dict[str, tuple[Callable[..., dict[str, Any]], dict[str, Any]]] = {
    "scratchnn float32 (fused)": (run_scratchnn, {"dtype": "float32", "path": "fused"}),
    "scratchnn float64 (fused)": (run_scratchnn, {"dtype": "float64", "path": "fused"}),
    "NumPy reference float32": (run_scratchnn, {"dtype": "float32", "path": "reference"}),
    "NumPy reference float64": (run_scratchnn, {"dtype": "float64", "path": "reference"}),
    "PyTorch CPU": (run_torch, {}),
    "scikit-learn MLPClassifier": (run_sklearn, {}),
    **CNN_CONTENDERS,
}
REQUIRES = {
    "PyTorch CPU": "torch",
    "scikit-learn MLPClassifier": "sklearn",
    "PyTorch CNN CPU": "torch",
}
#: contenders left out of a run unless ``only`` names them (``scratchnn bench --only CNN``), so
#: that the default run, and the record ``make bench`` writes, is the MLP's alone
OPT_IN = frozenset(CNN_CONTENDERS)


@dataclass(frozen=True)
class Workload:
    """What a contender trains, for the summary: the architecture, the dense FLOP per training
    sample (forward and backward) and the contender its time ratio is relative to."""

    model: str
    flop_per_sample: int
    baseline: str


MLP_WORKLOAD = Workload("784-128-10 sigmoid", FLOP_PER_SAMPLE, "scratchnn float32 (fused)")
_H, _W = CNN_ARCH["image_shape"]
_C, _K, _L = CNN_ARCH["channels"], CNN_ARCH["kernel"], CNN_ARCH["num_classes"]
CNN_WORKLOAD = Workload(
    f"CNN {_H}x{_W}: conv {_K}x{_K} x {_C} (same), ReLU, 2x2 max-pool, "
    f"{_C * (_H // 2) * (_W // 2)}-{_L}",
    CNN_FLOP_PER_SAMPLE,
    "scratchnn CNN float32",
)
#: each contender's :class:`Workload`
WORKLOADS = {name: CNN_WORKLOAD if name in OPT_IN else MLP_WORKLOAD for name in CONTENDERS}


def selected(only: list[str] | None = None) -> list[str]:
    """The contenders a run measures: those whose name contains one of ``only`` (any case), or,
    without ``only``, every contender but the :data:`OPT_IN` ones."""
    if not only:
        return [name for name in CONTENDERS if name not in OPT_IN]
    return [name for name in CONTENDERS if any(o.lower() in name.lower() for o in only)]


def run_one(name: str, epochs: int, batch_size: int, lr: float, reg: float) -> dict[str, Any]:
    """Run contender ``name`` (in the calling process) with BLAS pinned to one thread."""
    import scipy.linalg  # noqa: F401  (its BLAS loaded before the limit, so that it applies)
    from threadpoolctl import threadpool_limits

    fn, extra = CONTENDERS[name]
    with threadpool_limits(limits=1):
        out = fn(epochs=epochs, batch_size=batch_size, lr=lr, reg=reg, **extra)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out
