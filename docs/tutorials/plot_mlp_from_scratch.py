"""
An MLP from scratch: the writeup's two-layer network on MNIST
==============================================================

The assignment's network is ``784-128-10`` with a sigmoid hidden layer, trained by minibatch
SGD with L2 regularisation on the weights. scratchnn implements it in NumPy with a
hand-written backward pass. This tutorial trains it, reads its learning curves, and looks at
what the first layer learned.
"""

# %%
# The data: the assignment's split
# --------------------------------
# :func:`~scratchnn.data.load_mnist` fetches MNIST once (several sources, each file checked
# against its published MD5) and caches it. :func:`~scratchnn.data.faithful_split` makes the
# assignment's split: the first 48,000 training images for training, the last 12,000 for
# validation, no shuffling. Images stay ``uint8``; training scales them by ``1 / 255`` batch by
# batch.
import matplotlib.pyplot as plt
import numpy as np

from scratchnn import SGD, TwoLayerNet, faithful_split, fit, load_mnist

data = faithful_split(load_mnist())
print(
    f"train {data.train.X.shape} {data.train.X.dtype}, validation {data.val.X.shape}, "
    f"test {data.test.X.shape}"
)

# %%
# The model
# ---------
# For a batch :math:`X \in \mathbb{R}^{B \times 784}` the network computes
#
# .. math::
#
#    h = \sigma(X W_1 + b_1), \qquad p = \operatorname{softmax}(h W_2 + b_2),
#
# with :math:`W_1 \in \mathbb{R}^{784 \times 128}` and :math:`W_2 \in \mathbb{R}^{128 \times
# 10}`, and the loss is the mean cross-entropy plus :math:`\tfrac{\lambda}{2}(\lVert W_1
# \rVert^2 + \lVert W_2 \rVert^2)` (biases are not regularised). ``loss_grad`` returns the loss
# and the gradient of every parameter, computed by the chain rule by hand.
model = TwoLayerNet(hidden_size=128)
out = model.loss_grad(data.train.X[:64] / 255, data.train.y[:64])
print(f"initial loss {out.loss:.4f} (log 10 = {np.log(10):.4f})")
print({name: g.shape for name, g in out.grads.items()})

# %%
# Training
# --------
# The writeup's default setting: batch 64, learning rate 0.1, L2 ``reg`` 0.001. The assignment
# trains 10 epochs; five keep this page fast. ``fit`` keeps the parameters of the epoch with
# the best validation accuracy and reports the test accuracy of that model. For a plain-SGD
# sigmoid network on ``uint8`` images it takes the fused path: the same arithmetic with the
# update inside the gradient's matrix product.
result = fit(model, data, SGD(learning_rate=0.1, reg=1e-3), epochs=5, batch_size=64, seed=0)
m = result.metrics()
print(
    f"path {result.path}; best epoch {m['best_epoch']}; validation {m['val_acc_best']:.4f}; "
    f"test {m['test_acc']:.4f}"
)

# %%
# Learning curves
# ---------------
# Training accuracy is the running accuracy over each epoch's batches, measured before each
# update, as the assignment logs it; validation accuracy is measured after the epoch.
epochs = [r.epoch for r in result.history]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.plot(epochs, [r.train_loss for r in result.history], "o-", label="training")
ax1.plot(epochs, [r.val_loss for r in result.history], "s--", label="validation")
ax1.set(xlabel="epoch", ylabel="cross-entropy")
ax1.legend()
ax2.plot(epochs, [r.train_acc for r in result.history], "o-", label="training")
ax2.plot(epochs, [r.val_acc for r in result.history], "s--", label="validation")
ax2.set(xlabel="epoch", ylabel="accuracy")
ax2.legend()
fig.tight_layout()

# %%
# What the first layer learned
# ----------------------------
# Column :math:`j` of :math:`W_1` holds the 784 weights of hidden unit :math:`j`: reshaped to
# 28 x 28 it is the image that unit responds to most strongly.
W1 = model.params["W1"]
fig, axes = plt.subplots(2, 8, figsize=(10, 2.8))
for j, ax in enumerate(axes.ravel()):
    w = W1[:, j].reshape(28, 28)
    lim = np.abs(w).max()
    ax.imshow(w, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(f"unit {j}", fontsize=8)
    ax.axis("off")

# %%
# The same from the command line: ``scratchnn train --config config_exp`` trains the
# assignment's configuration and writes the run's folder (``history.csv``, ``metrics.json``,
# ``model.npz``, the curves). The full study, every setting over three seeds beside the
# writeup's numbers, is ``make reproduce``.
