"""
A CNN from scratch: convolution as a matrix product, on MNIST-256
==================================================================

After the MLP comes the convolutional network. :class:`scratchnn.cnn.SmallCNN` is the smallest
useful one: a layer of ``k x k`` filters, a ReLU, 2x2 max-pooling and a linear layer to the
ten classes, in NumPy with a hand-written backward pass. This tutorial shows how the
convolution becomes one matrix product (im2col), checks the gradients, trains the network on
MNIST-256 (the WANN paper's 16 x 16 deskewed digits) beside an MLP with as many parameters, and
looks at the filters it learned.
"""

# %%
# The data: MNIST-256
# -------------------
# :func:`~scratchnn.data.load_mnist` reads MNIST from its cache (fetched once, each file checked
# against its published MD5); :func:`~scratchnn.wann.tasks.mnist256.preprocess` scales the
# pixels to [0, 1], resizes each image to 16 x 16 and deskews it, as the WANN paper does. To keep
# this page fast we train on the first 10,000 training images and test on the first 2,000 test
# images; :func:`scratchnn.cnn.train_mnist256` runs the same on all 70,000.
import matplotlib.pyplot as plt
import numpy as np

from scratchnn import Adam, SmallCNN, TwoLayerNet, fit, load_mnist
from scratchnn.cnn import conv2d, im2col, maxpool2x2
from scratchnn.data import Split, Splits
from scratchnn.models import mlp_hidden_for
from scratchnn.wann.tasks.mnist256 import preprocess

mnist = load_mnist()
train = Split(preprocess(mnist.train_images[:10_000]), mnist.train_labels[:10_000].astype(int))
test = Split(preprocess(mnist.test_images[:2_000]), mnist.test_labels[:2_000].astype(int))
data = Splits(train, None, test)  # no validation split: the last epoch's model is tested
print(f"train {train.X.shape} {train.X.dtype} in [{train.X.min():.1f}, {train.X.max():.1f}]")

# %%
# Convolution as a matrix product
# -------------------------------
# A convolution slides each ``k x k`` filter over the image. :func:`~scratchnn.cnn.im2col` lays
# every ``k x k`` patch of the zero-padded images out as a column, so that all filters at all
# positions are one product: with kernels :math:`K \in \mathbb{R}^{C \times k^2}` and patches
# :math:`P \in \mathbb{R}^{k^2 \times N H W}`,
#
# .. math::
#
#    Z = K P + b_k \mathbf{1}^\top \in \mathbb{R}^{C \times N H W}.
#
# With ``"same"`` padding each image gives :math:`H W = 256` patches.
x = train.X[:2].reshape(2, 16, 16)
cols = im2col(x, kernel=3, padding="same")
print(f"images {x.shape} -> patches {cols.shape}: 9 pixels per patch, 2 x 256 patches")
K = np.array([[-1.0, 0, 1, -2, 0, 2, -1, 0, 1]])  # one filter: a Sobel edge detector
z, _ = conv2d(x, K, np.zeros(1))
m, arg = maxpool2x2(np.maximum(z, 0))
print(f"feature map {z.shape} (channels, images, rows, columns); pooled {m.shape}")

# %%
# The backward pass
# -----------------
# With :math:`D = \partial L / \partial Z` the gradients are again products: :math:`\partial L /
# \partial K = D P^\top` and :math:`\partial L / \partial b_k = D \mathbf{1}`; the gradient for
# the pixels, :math:`\operatorname{col2im}(K^\top D)`, sums each patch's gradient back where the
# patch came from (:func:`~scratchnn.cnn.col2im` is the adjoint of ``im2col``). Max-pooling
# sends each window's gradient to the entry that was its maximum. A finite-difference check of
# the whole model's backward pass on a tiny network, at each parameter's largest gradient entry
# (``tests/test_cnn.py`` checks every entry):
small = SmallCNN((6, 6), channels=2, kernel=3, num_classes=3, seed=0)
Xs, ys = np.random.default_rng(0).random((4, 36)), np.array([0, 1, 2, 0])
grads = small.loss_grad(Xs, ys).grads
for name, p in small.params.items():
    i = tuple(int(j) for j in np.unravel_index(np.abs(grads[name]).argmax(), p.shape))
    old, h = p[i], 1e-6
    p[i] = old + h
    up = small.loss_grad(Xs, ys).loss
    p[i] = old - h
    down = small.loss_grad(Xs, ys).loss
    p[i] = old
    print(f"d loss / d {name}{list(i)}: backward {grads[name][i]:+.8f}, "
          f"finite differences {(up - down) / (2 * h):+.8f}")  # fmt: skip

# %%
# Training beside an MLP of the same size
# ---------------------------------------
# Eight 3 x 3 filters on 16 x 16 images give 8 x 8 x 8 = 512 pooled features and 5,210
# parameters in all. :func:`~scratchnn.models.mlp_hidden_for` sizes a two-layer MLP (ReLU, He
# initialisation) to the nearest parameter count. Both train with Adam (learning rate 0.001,
# batch 64, 5 epochs) through the same :func:`~scratchnn.fit`.
cnn = SmallCNN((16, 16), channels=8, kernel=3, num_classes=10, seed=0)
hidden = mlp_hidden_for(cnn.n_parameters)
mlp = TwoLayerNet(256, hidden, 10, activation="relu", init="he", seed=0)
results = {}
for name, model in (("CNN", cnn), (f"MLP 256-{hidden}-10", mlp)):
    res = fit(model, data, Adam(1e-3), epochs=5, batch_size=64, seed=0)
    n = sum(p.size for p in model.params.values())
    results[name] = res
    print(f"{name:14s} {n:,} parameters: test accuracy {res.test_acc:.4f} ({res.seconds:.1f} s)")

fig, ax = plt.subplots(figsize=(5, 3.2))
for name, res in results.items():
    ax.plot([r.epoch for r in res.history], [r.train_acc for r in res.history], "o-", label=name)
ax.set(xlabel="epoch", ylabel="training accuracy", title="matched parameter counts")
ax.legend()
fig.tight_layout()

# %%
# What the filters learned
# ------------------------
# Each row of ``K`` is one 3 x 3 filter; beside it, its feature map on a test digit (after the
# ReLU and before pooling). Most filters learn oriented edge and stroke detectors.
K, bk = cnn.params["K"], cnn.params["bk"]
digit = test.X[:1].reshape(1, 16, 16)
maps = np.maximum(conv2d(digit, K, bk)[0][:, 0], 0)
fig, axes = plt.subplots(2, 9, figsize=(11, 2.8))
axes[0, 0].imshow(digit[0], cmap="gray_r")
axes[0, 0].set_title(f"digit {test.y[0]}", fontsize=8)
axes[1, 0].axis("off")
for c in range(8):
    lim = np.abs(K[c]).max()
    axes[0, c + 1].imshow(K[c].reshape(3, 3), cmap="RdBu_r", vmin=-lim, vmax=lim)
    axes[0, c + 1].set_title(f"filter {c}", fontsize=8)
    axes[1, c + 1].imshow(maps[c], cmap="gray_r")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])

# %%
# On the full data (60,000 training images, 10,000 test images) the same comparison is one call
# each: ``scratchnn.cnn.train_mnist256(channels=8, epochs=5, seed=0)`` and
# ``scratchnn.cnn.train_mlp_mnist256(5210, epochs=5, seed=0)``. The training speed against
# PyTorch, for the same CNN on 28 x 28 MNIST: ``scratchnn bench --only CNN``.
