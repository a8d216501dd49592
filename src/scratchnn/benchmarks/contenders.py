"""Each contender trains the same setup and reports per-epoch training seconds and accuracy.

Setup: 784-128-10 sigmoid MLP, minibatch SGD with L2 on weights only, on the faithful MNIST split
(48,000 training images). Every contender runs in its own fresh process (so its peak RSS is its
own), with BLAS and its own thread pools pinned to one thread. Timed: the training pass of each
epoch only; validation accuracy is measured once, after the last epoch. Every contender shuffles
and initialises from :data:`SEED` (scratchnn's initial weights are the reference's, seeded with
1024).
"""

from __future__ import annotations

import resource
import time
import warnings
from collections.abc import Callable
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


def run_torch(epochs: int, batch_size: int, lr: float, reg: float) -> dict[str, Any]:
    """PyTorch CPU: ``nn.Sequential`` + ``CrossEntropyLoss`` + ``optim.SGD`` (weight decay on
    weights only), one thread, uint8 images gathered and scaled per batch as scratchnn does."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    data = _splits()
    with warnings.catch_warnings():  # the images are read-only; the tensor is only read
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        X = torch.from_numpy(np.ascontiguousarray(data.train.X))
    y = torch.from_numpy(data.train.y.astype(np.int64))
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.Sigmoid(), torch.nn.Linear(128, 10)
    )
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
            xb = X[idx].float().div_(255.0)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), y[idx])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        xv = torch.from_numpy(data.val.X).float() / 255.0
        acc = (net(xv).argmax(1).numpy() == data.val.y).mean()
    return {"epoch_seconds": times, "val_acc": float(acc)}


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


CONTENDERS: dict[str, tuple[Callable[..., dict[str, Any]], dict[str, Any]]] = {
    "scratchnn float32 (fused)": (run_scratchnn, {"dtype": "float32", "path": "fused"}),
    "scratchnn float64 (fused)": (run_scratchnn, {"dtype": "float64", "path": "fused"}),
    "NumPy reference float32": (run_scratchnn, {"dtype": "float32", "path": "reference"}),
    "NumPy reference float64": (run_scratchnn, {"dtype": "float64", "path": "reference"}),
    "PyTorch CPU": (run_torch, {}),
    "scikit-learn MLPClassifier": (run_sklearn, {}),
}
REQUIRES = {"PyTorch CPU": "torch", "scikit-learn MLPClassifier": "sklearn"}


def run_one(name: str, epochs: int, batch_size: int, lr: float, reg: float) -> dict[str, Any]:
    """Run contender ``name`` (in the calling process) with BLAS pinned to one thread."""
    import scipy.linalg  # noqa: F401  (its BLAS loaded before the limit, so that it applies)
    from threadpoolctl import threadpool_limits

    fn, extra = CONTENDERS[name]
    with threadpool_limits(limits=1):
        out = fn(epochs=epochs, batch_size=batch_size, lr=lr, reg=reg, **extra)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out
