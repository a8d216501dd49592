"""A small convolutional network from scratch: conv -> ReLU -> 2x2 max-pool -> linear -> softmax.

Everything is NumPy with a hand-written backward pass, in the style of :mod:`scratchnn.models`.
Shapes: ``N`` images of ``H x W`` pixels (one channel), ``k x k`` kernels (stride 1, ``"same"``
or ``"valid"`` zero padding), ``C`` output channels (filters), ``H_o x W_o`` convolution
outputs, ``H_p x W_p`` after pooling, ``L`` classes.

* :func:`im2col` lays every ``k x k`` patch of the (zero-padded) images out as a column, so that
  the convolution is one matrix product (GEMM); :func:`col2im` is its adjoint (it sums every
  patch back where it came from) and carries the gradient back to the pixels.
* :func:`conv2d` / :func:`conv2d_backward`, :func:`maxpool2x2` / :func:`maxpool2x2_backward`: the
  layers, forward and backward, as pure functions.
* :class:`SmallCNN`: the model, with the interface :func:`scratchnn.fit` drives (``params``,
  ``weight_names``, ``dtype``, ``log_probs``, ``loss_grad``), so ``fit``, ``evaluate`` and
  ``predict`` train and score it as they do the MLP. Inputs are flattened images ``(N, H W)``.
* :func:`train_mnist256` and :func:`train_mlp_mnist256`: the CNN and an MLP of matched
  parameter count (:func:`scratchnn.models.mlp_hidden_for`) trained on MNIST-256 (16 x 16,
  deskewed), for comparisons with WANN.

Feature maps are channels-first, ``(C, N, H_o, W_o)``: the output of ``K @ im2col(x)`` as it
comes. The head reads each image's pooled maps flattened in ``(channel, row, column)`` order, as
PyTorch's ``Flatten`` does, so the same weights give the same network in both.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import validation as check
from .errors import ConfigError, ConfigTypeError, shown
from .functional import cross_entropy, cross_entropy_grad, log_softmax
from .models import (
    INIT_SCALE,
    INIT_SEED,
    INITS,
    MAX_PARAMETERS,
    MAX_SEED,
    LossGrad,
    TwoLayerNet,
    init_weight,
    mlp_hidden_for,
    n_parameters,
)

if TYPE_CHECKING:
    from .data.mnist import Splits
    from .wann.tasks.mnist256 import Mnist256

PADDINGS = ("same", "valid")


def pad_width(kernel: int, padding: str) -> int:
    """Zero rows and columns added on each side: ``(k - 1) / 2`` for ``"same"`` (odd ``k``: the
    output keeps the input's size), 0 for ``"valid"`` (the output shrinks by ``k - 1``)."""
    return (kernel - 1) // 2 if padding == "same" else 0


def im2col(x: np.ndarray, kernel: int, padding: str = "same") -> np.ndarray:
    """Image to columns: ``(N, H, W)`` images -> ``cols`` ``(k k, N H_o W_o)``, stride 1.

    With ``xp`` the images zero-padded by ``p = pad_width(k, padding)`` on each side,
    ``cols[a k + b, (n, i, j)] = xp[n, i + a, j + b]`` for the output positions ``0 <= i < H_o =
    H + 2p - k + 1``, ``0 <= j < W_o`` (``(n, i, j)`` flattened row-major): one column per
    patch. A convolution (a cross-correlation, as in every deep-learning library) with kernels
    ``K`` ``(C, k k)`` is then one matrix product, ``K @ cols``: ``(C, N H_o W_o)``.
    Built from a strided view (:func:`numpy.lib.stride_tricks.sliding_window_view`), copied once.
    """
    p = pad_width(kernel, padding)
    xp = np.pad(x, ((0, 0), (p, p), (p, p))) if p else x
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kernel, kernel), axis=(1, 2))
    # (N, H_o, W_o, k, k) -> (k, k, N, H_o, W_o) -> columns; the reshape copies
    return windows.transpose(3, 4, 0, 1, 2).reshape(kernel * kernel, -1)


def col2im(
    cols: np.ndarray, x_shape: tuple[int, int, int], kernel: int, padding: str = "same"
) -> np.ndarray:
    """The adjoint of :func:`im2col`: ``(k k, N H_o W_o)`` -> ``(N, H, W)``.

    ``x[n, r, c] = sum of cols[a k + b, (n, i, j)] over i + a - p = r, j + b - p = c``: every
    patch entry is added back to the pixel it was read from (a pixel inside several patches
    receives the sum), and what fell on the zero padding is dropped. So ``<im2col(x), c> = <x,
    col2im(c)>`` for all ``x``, ``c``, and the gradient of a loss through ``cols = im2col(x)``
    is ``dx = col2im(dcols)``. One vectorised addition per kernel offset ``(a, b)``, ``k^2`` in
    all.
    """
    N, H, W = x_shape
    p = pad_width(kernel, padding)
    Ho, Wo = H + 2 * p - kernel + 1, W + 2 * p - kernel + 1
    c = cols.reshape(kernel, kernel, N, Ho, Wo)
    xp = np.zeros((N, H + 2 * p, W + 2 * p), dtype=cols.dtype)
    for a in range(kernel):
        for b in range(kernel):
            xp[:, a : a + Ho, b : b + Wo] += c[a, b]
    return xp[:, p : p + H, p : p + W]


def _kernel_size(K: np.ndarray) -> int:
    k = round(K.shape[1] ** 0.5)
    if k * k != K.shape[1]:
        raise ConfigError(f"kernels K must be (C, k k) for a square k x k, got {K.shape}")
    return k


def conv2d(
    x: np.ndarray, K: np.ndarray, bk: np.ndarray, padding: str = "same"
) -> tuple[np.ndarray, np.ndarray]:
    """Convolution by im2col + GEMM: ``z[c, n, i, j] = bk[c] + sum_{a,b} K[c, a k + b]
    xp[n, i + a, j + b]``, i.e. ``z = K @ im2col(x) + bk``.

    ``x`` (N, H, W), ``K`` (C, k k), ``bk`` (C,) -> ``z`` (C, N, H_o, W_o), channels first, and
    the patches ``cols`` (k k, N H_o W_o), kept for the backward pass.
    """
    kernel = _kernel_size(K)
    cols = im2col(x, kernel, padding)
    N, H, W = x.shape
    p = pad_width(kernel, padding)
    z = K @ cols
    z += bk[:, None]
    return z.reshape(len(K), N, H + 2 * p - kernel + 1, W + 2 * p - kernel + 1), cols


def conv2d_backward(
    dz: np.ndarray,
    cols: np.ndarray,
    K: np.ndarray,
    x_shape: tuple[int, int, int],
    padding: str = "same",
    input_grad: bool = True,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of :func:`conv2d` given ``dz = dloss / dz`` (C, N, H_o, W_o): ``(dx, dK, dbk)``.

    With ``D = dz`` reshaped to ``(C, N H_o W_o)``: ``dK = D cols^T`` (C, k k); ``dbk =
    sum_columns D`` (C,); ``dx = col2im(K^T D)`` (N, H, W), or ``None`` when ``input_grad`` is
    False (a first layer needs no gradient for its pixels).
    """
    D = dz.reshape(len(K), -1)
    dK = D @ cols.T
    dbk = D.sum(axis=1)
    dx = col2im(K.T @ D, x_shape, _kernel_size(K), padding) if input_grad else None
    return dx, dK, dbk


def maxpool2x2(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max-pooling, stride 2, over the last two axes: ``(..., H, W)`` -> ``m`` ``(...,
    H // 2, W // 2)`` with ``m[..., i, j] = max_{u, v in {0, 1}} a[..., 2i + u, 2j + v]`` (an
    odd last row or column is left out), and ``arg`` (same shape, int8): the position ``2u + v``
    of the maximum in its window, the first in row-major order on ties.

    Two rounds of pairs: the larger of each pair of columns (``v = 1`` where the right one is
    strictly larger), then of each pair of rows.
    """
    H, W = a.shape[-2:]
    a = a[..., : H - H % 2, : W - W % 2]
    left, right = a[..., 0::2], a[..., 1::2]
    v = right > left  # (..., H, W // 2)
    cm = np.maximum(left, right)
    top, bottom = cm[..., 0::2, :], cm[..., 1::2, :]
    u = bottom > top
    arg = 2 * u.astype(np.int8) + np.where(u, v[..., 1::2, :], v[..., 0::2, :])
    return np.maximum(top, bottom), arg


def maxpool2x2_backward(dm: np.ndarray, arg: np.ndarray, a_shape: tuple[int, ...]) -> np.ndarray:
    """Gradient of :func:`maxpool2x2`: ``dm`` (..., H // 2, W // 2) -> ``da`` (..., H, W).

    Each window's gradient goes, whole, to the entry that was its maximum:
    ``da[..., 2i + u, 2j + v] = dm[..., i, j] 1[2u + v = arg[..., i, j]]``; every other entry
    (an odd last row or column included) gets 0.
    """
    da = np.zeros(a_shape, dtype=dm.dtype)
    Hp, Wp = dm.shape[-2:]
    for t in range(4):
        u, v = divmod(t, 2)
        da[..., u : 2 * Hp : 2, v : 2 * Wp : 2] = dm * (arg == t)
    return da


def _image_shape(value: Any) -> tuple[int, int]:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise ConfigTypeError(
            f"image_shape must be (height, width), two integers, got {shown(value)}"
        )
    return (
        check.integer(value[0], "image_shape[0] (height)", low=1),
        check.integer(value[1], "image_shape[1] (width)", low=1),
    )


class SmallCNN:
    """``p = softmax(flatten(maxpool2x2(relu(conv(x, K) + bk))) W + b)``.

    Shapes: ``X`` (N, H W), reshaped to images ``x`` (N, H, W); ``K`` (C, k k), ``bk`` (C,);
    ``W`` (F, L), ``b`` (L,) with ``F = C H_p W_p``, ``H_p = H_o // 2``, ``W_p = W_o // 2``
    (``H_o = H`` with ``"same"`` padding, ``H - k + 1`` with ``"valid"``).

    Forward: ``z = conv2d(x, K, bk)`` (C, N, H_o, W_o); ``m = maxpool2x2(z)`` (C, N, H_p, W_p);
    ``h = relu(m)``; ``f = h`` flattened per image in ``(c, i, j)`` order (N, F), as PyTorch's
    ``Flatten`` reads ``(N, C, H_p, W_p)``; ``s = f W + b``; ``p = softmax(s)``.
    Pooling before the ReLU gives exactly ``maxpool2x2(relu(z))`` (``max`` commutes with the
    non-decreasing ``relu``) on a quarter of the entries, and the same gradients.
    Backward, with ``Y = onehot(y)``: ``ds = (p - Y) / N``; ``dW = f^T ds``; ``db = sum_rows
    ds``; ``dh = ds W^T`` (reshaped to (C, N, H_p, W_p)); ``dm = dh * 1[m > 0]``;
    ``dz = maxpool2x2_backward(dm)`` (each window's gradient goes to its maximum);
    ``dK = D cols^T``, ``dbk = sum D`` with ``D = dz`` as (C, N H_o W_o)
    (:func:`conv2d_backward`; no gradient for the pixels).

    L2 regularisation (``weight_names``) applies to ``K`` and ``W``, never to biases.
    Initialisation (``init``, :func:`scratchnn.models.init_weight`): ``"he"`` draws
    ``N(0, 2 / fan_in)`` (``fan_in`` ``k k`` for ``K``, ``F`` for ``W``), ``"xavier"``
    ``N(0, 2 / (fan_in + fan_out))``, ``"faithful"`` ``init_scale N(0, 1)``; ``K`` from
    ``RandomState(seed)``, ``W`` from ``RandomState(seed + 1)``; biases zero.
    """

    weight_names: tuple[str, ...] = ("K", "W")

    def __init__(
        self,
        image_shape: Sequence[int] = (16, 16),
        channels: int = 8,
        kernel: int = 3,
        num_classes: int = 10,
        *,
        padding: str = "same",
        dtype: np.dtype | type = np.float64,
        seed: int = INIT_SEED,
        init: str = "he",
        init_scale: float = INIT_SCALE,
    ) -> None:
        H, W = _image_shape(image_shape)
        channels = check.integer(channels, "channels", low=1)
        kernel = check.integer(kernel, "kernel", low=1, high=min(H, W))
        num_classes = check.integer(num_classes, "num_classes", low=2)
        self.padding = check.choice(padding, "padding", PADDINGS)
        if padding == "same" and kernel % 2 == 0:
            raise ConfigError(
                f"kernel must be odd with padding='same' (it centres the kernel), got {kernel}; "
                "choose an odd kernel or padding='valid'"
            )
        check.integer(seed, "seed", low=0, high=MAX_SEED)
        init_scale = check.real(init_scale, "init_scale", low=0, low_open=True)
        self.init = check.choice(init, "init", INITS)
        self.dtype = check.float_dtype(dtype)
        p = pad_width(kernel, padding)
        Ho, Wo = H + 2 * p - kernel + 1, W + 2 * p - kernel + 1
        if min(Ho, Wo) < 2:
            raise ConfigError(
                f"a {kernel}x{kernel} kernel with padding={padding!r} leaves {Ho}x{Wo} maps of "
                f"{H}x{W} images, too small for 2x2 pooling; use a smaller kernel or 'same'"
            )
        n_feat = (Ho // 2) * (Wo // 2) * channels
        n = channels * (kernel * kernel + 1) + (n_feat + 1) * num_classes
        if n > MAX_PARAMETERS:
            raise ConfigError(
                f"image_shape={(H, W)}, channels={channels}, kernel={kernel} makes {n:,} "
                f"parameters, more than {MAX_PARAMETERS:,}; choose smaller sizes"
            )
        self.image_shape, self.kernel = (H, W), kernel
        seed_w = (seed + 1) % (MAX_SEED + 1)
        dt = self.dtype
        self.params: dict[str, np.ndarray] = {
            "K": init_weight((kernel * kernel, channels), init, dt, seed, init_scale).T.copy(),
            "bk": np.zeros(channels, dt),
            "W": init_weight((n_feat, num_classes), init, dt, seed_w, init_scale),
            "b": np.zeros(num_classes, dt),
        }

    @property
    def n_features(self) -> int:
        """``H W``, the pixels per image (the inputs per sample)."""
        return self.image_shape[0] * self.image_shape[1]

    @property
    def n_classes(self) -> int:
        """``L``, the classes."""
        return self.params["W"].shape[1]

    @property
    def channels(self) -> int:
        """``C``, the convolution's filters."""
        return self.params["K"].shape[0]

    @property
    def n_parameters(self) -> int:
        """Trainable numbers in all: ``C (k k + 1) + (F + 1) L``."""
        return n_parameters(self)

    def _forward(self, X: np.ndarray) -> tuple[np.ndarray, ...]:
        P = self.params
        x = np.asarray(X, dtype=self.dtype).reshape(len(X), *self.image_shape)
        z, cols = conv2d(x, P["K"], P["bk"], self.padding)  # (C, N, H_o, W_o)
        m, arg = maxpool2x2(z)  # (C, N, H_p, W_p)
        h = np.maximum(m, 0)
        f = h.transpose(1, 0, 2, 3).reshape(len(X), -1)  # (N, C H_p W_p)
        return log_softmax(f @ P["W"] + P["b"]), f, z.shape, m, cols, arg

    def log_probs(self, X: np.ndarray) -> np.ndarray:
        """``(N, H W)`` -> ``(N, L)`` log class probabilities."""
        return self._forward(X)[0]

    def loss_grad(self, X: np.ndarray, y: np.ndarray) -> LossGrad:
        """The batch's mean cross-entropy, the gradient of every parameter (see the class
        docstring for the formulas) and the probabilities."""
        logp, f, z_shape, m, cols, arg = self._forward(X)
        P = self.params
        p = np.exp(logp)
        ds = cross_entropy_grad(p, y)
        C, N, Hp, Wp = m.shape
        dm = (ds @ P["W"].T).reshape(N, C, Hp, Wp).transpose(1, 0, 2, 3) * (m > 0)
        dz = maxpool2x2_backward(dm, arg, z_shape)
        x_shape = (N, *self.image_shape)
        _, dK, dbk = conv2d_backward(dz, cols, P["K"], x_shape, self.padding, input_grad=False)
        grads = {"K": dK, "bk": dbk, "W": f.T @ ds, "b": ds.sum(axis=0)}
        return LossGrad(cross_entropy(logp, y), grads, p)

    def __repr__(self) -> str:
        (H, W), k = self.image_shape, self.kernel
        return (
            f"SmallCNN(image_shape=({H}, {W}), channels={self.channels}, kernel={k}, "
            f"num_classes={self.n_classes}, padding={self.padding!r}, dtype={self.dtype.name})"
        )


# --- MNIST-256: the CNN and an MLP of matched size -----------------------------------------------


def mnist256_splits(data: Mnist256 | None = None) -> Splits:
    """MNIST-256 (:func:`scratchnn.wann.tasks.mnist256.load_mnist256` when ``data`` is None) as
    :func:`scratchnn.fit`'s splits: all 60,000 training images train, no validation split (the
    last epoch's model is kept), the 10,000 test images test."""
    from .data.mnist import Split, Splits

    if data is None:
        from .wann.tasks.mnist256 import load_mnist256

        data = load_mnist256()
    return Splits(Split(data.X_train, data.y_train), None, Split(data.X_test, data.y_test))


def _train(
    model: SmallCNN | TwoLayerNet,
    name: str,
    data: Mnist256 | None,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    reg: float,
    seed: int,
) -> dict[str, Any]:
    from .optim import Adam
    from .training import fit

    splits = mnist256_splits(data)
    t0 = time.perf_counter()
    optimizer = Adam(learning_rate, reg)
    res = fit(model, splits, optimizer, epochs=epochs, batch_size=batch_size, seed=seed)
    return {
        "model": name,
        "n_parameters": n_parameters(model),
        "test_acc": res.test_acc,
        "test_loss": res.test_loss,
        "train_acc": res.history[-1].train_acc if res.history else None,
        "status": res.status,
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "reg": reg,
        "seed": seed,
        "seconds": time.perf_counter() - t0,
    }


def train_mnist256(
    channels: int = 8,
    kernel: int = 3,
    *,
    epochs: int = 5,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    reg: float = 0.0,
    seed: int = 0,
    dtype: np.dtype | type = np.float64,
    data: Mnist256 | None = None,
) -> dict[str, Any]:
    """Train a :class:`SmallCNN` (16 x 16 images, ``channels`` filters of ``kernel x kernel``)
    on MNIST-256 with Adam and return its test accuracy.

    ``seed`` seeds the initial weights and the shuffle; the same seed gives the same numbers bit
    for bit. ``data``: a :class:`~scratchnn.wann.tasks.mnist256.Mnist256` (loaded when None).
    Returns ``model`` (its repr), ``n_parameters``, ``test_acc``, ``test_loss``, ``train_acc``
    (the last epoch's running accuracy), ``status``, the settings and ``seconds`` (training and
    the test pass).
    """
    model = SmallCNN((16, 16), channels, kernel, 10, dtype=dtype, seed=seed)
    return _train(model, repr(model), data, epochs, batch_size, learning_rate, reg, seed)


def train_mlp_mnist256(
    n_params: int,
    *,
    epochs: int = 5,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    reg: float = 0.0,
    seed: int = 0,
    activation: str = "relu",
    dtype: np.dtype | type = np.float64,
    data: Mnist256 | None = None,
) -> dict[str, Any]:
    """The same as :func:`train_mnist256` for a :class:`~scratchnn.models.TwoLayerNet` ``256 ->
    hidden -> 10`` of about ``n_params`` parameters (``hidden = mlp_hidden_for(n_params)``),
    ``activation`` (ReLU by default, as the CNN) and He initialisation."""
    hidden = mlp_hidden_for(n_params, 256, 10)
    model = TwoLayerNet(256, hidden, 10, dtype=dtype, seed=seed, activation=activation, init="he")
    name = f"TwoLayerNet(256, {hidden}, 10, activation={activation!r}, init='he')"
    return _train(model, name, data, epochs, batch_size, learning_rate, reg, seed)
