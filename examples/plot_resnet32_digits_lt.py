"""
Images: ResNet-32 on long-tailed digits
=======================================

The same estimator trains a convolutional network on images: pass ``(N, C, H, W)``
arrays and ``module="resnet32"``, the CIFAR ResNet-32 of the LDAM-DRW paper
(:class:`~sklearn_imbalance_dl.modules.ResNet32`, about 0.46M parameters; its adaptive
average pooling takes any image size). Here the images are scikit-learn's 8x8 digits,
long-tailed at ratio 100 by :func:`~sklearn_imbalance_dl.datasets.load_digits_lt` with
``as_images=True``; the same code runs on CIFAR-10-LT
(:func:`~sklearn_imbalance_dl.datasets.load_cifar10_lt`), on a GPU with
``device="auto"``.

Cross-entropy against LDAM-DRW with the long-tailed recipe's optimiser (SGD with
momentum, warm-up then steps), 15 epochs on one CPU thread for the documentation
build. No crop-and-flip augmentation: flipping a digit changes what it shows, and
``augment="crop_flip"`` is meant for natural images.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.datasets import load_digits_lt
from sklearn_imbalance_dl.metrics import rank_split_accuracy

torch.set_num_threads(1)

X, y, X_test, y_test = load_digits_lt(imbalance_ratio=100, as_images=True)
print("images:", X.shape, X.dtype, "- training images per digit:", np.bincount(y))

fig, axes = plt.subplots(1, 10, figsize=(8, 1.2))
for digit, ax in enumerate(axes):
    ax.imshow(X[y == digit][0, 0], cmap="gray_r")
    ax.set(title=f"{digit}: {np.sum(y == digit)}", xticks=[], yticks=[])

# %%
# Two methods on ResNet-32
# ------------------------
common = dict(
    module="resnet32",
    max_epochs=15,
    batch_size=64,
    optimizer="sgd",
    lr=0.05,
    lr_schedule="warmup_step",
    lr_schedule__warmup_epochs=2,
    device="cpu",
    random_state=0,
)
models = {
    "CE": ImbalancedNetClassifier(loss="ce", **common),
    "LDAM-DRW": ImbalancedNetClassifier(loss="ldam", schedule="drw", **common),
}
for name, clf in models.items():
    clf.fit(X, y)
    print(f"{name}: test balanced accuracy {clf.score(X_test, y_test):.3f}")

# %%
# The training history is skorch's, on the fitted net (``net_``):
for name, clf in models.items():
    print(name, "train loss per epoch:", np.round(clf.net_.history[:, "train_loss"], 3))

# %%
# Head, middle and tail
# ---------------------
# :func:`~sklearn_imbalance_dl.metrics.rank_split_accuracy` splits the classes by the
# rank of their training count, as the CIFAR-10-LT papers do: the 3 largest classes
# (many), the next 4 (medium) and the 3 smallest (few).
counts = np.bincount(y)
fig, ax = plt.subplots(figsize=(5, 3))
for offset, (name, clf) in zip((-0.2, 0.2), models.items()):
    groups = rank_split_accuracy(y_test, clf.predict(X_test), counts)
    ax.bar(np.arange(3) + offset, list(groups.values()), width=0.4, label=name)
ax.set_xticks(range(3), list(groups))
ax.set_ylabel("test accuracy")
ax.legend()
fig.tight_layout()
