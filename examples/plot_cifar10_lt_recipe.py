"""
The CIFAR-10-LT recipe of LDAM-DRW, at a tiny size
==================================================

:mod:`sklearn_imbalance_dl.recipes` holds the published training recipes of the
long-tailed methods on CIFAR-10-LT (ResNet-32, SGD with momentum, 200 epochs, warm-up
then learning-rate steps, crop and flip), each with its source, the number the paper
reports and the places where the implementation departs from the authors' code.

CIFAR-10 is not available when this documentation is built (nothing is downloaded),
so this example runs the recipe **at a tiny size** on stand-in data: the long-tailed
digits, upsampled to 16x16 and copied into three colour channels, standardised with the
CIFAR-10 channel statistics, for 2 epochs instead of 200 on one CPU thread. The
accuracy it prints says nothing about the method; the end of the page shows the same
code on the real data.
"""

# %%
# The recipes
# -----------
import numpy as np
import torch

from sklearn_imbalance_dl.datasets import load_digits_lt
from sklearn_imbalance_dl.recipes import (
    CIFAR10_MEAN,
    CIFAR10_STD,
    get_recipe,
    list_recipes,
    make_estimator,
    recipe_notes,
)

torch.set_num_threads(1)

print("CIFAR-10-LT recipes:", list_recipes("cifar10_lt"))

params = get_recipe("ldam_drw", "cifar10_lt")
for key, value in params.items():
    print(f"  {key} = {value!r}")

notes = recipe_notes("ldam_drw", "cifar10_lt")
print("source:", notes.source)
print("published top-1 at imbalance ratio 100:", notes.reference)
for departure in notes.departures:
    print("departure:", departure)

# %%
# Stand-in images
# ---------------
# Digits 0-9 play the ten CIFAR classes, long-tailed at ratio 100 (154 images of
# digit 0 down to 1 of digit 9); pixel values in [0, 1] as ``load_cifar10_lt(...,
# as_float=True)`` gives them, then standardised per channel as the recipe expects.
X, y, X_test, y_test = load_digits_lt(imbalance_ratio=100, as_images=True, test_per_class=20)


def to_cifar_like(images):
    rgb = np.repeat(images.repeat(2, axis=2).repeat(2, axis=3), 3, axis=1)  # (N, 3, 16, 16)
    mean = np.asarray(CIFAR10_MEAN, dtype=np.float32)[None, :, None, None]
    std = np.asarray(CIFAR10_STD, dtype=np.float32)[None, :, None, None]
    return (rgb - mean) / std


X, X_test = to_cifar_like(X), to_cifar_like(X_test)
print("training images:", X.shape, "per class:", np.bincount(y))

# %%
# The recipe, shrunk
# ------------------
# :func:`~sklearn_imbalance_dl.recipes.make_estimator` builds the estimator; keyword
# arguments override the recipe. The schedule (DRW from 80% of the epochs) and the
# learning-rate steps are laid out on ``max_epochs``. In two epochs, 80% rounds to
# epoch 2, after the run (the estimator warns that the re-weighting would never
# start), so ``schedule__start=0.5`` moves it to the second epoch; the 5 warm-up
# epochs are shortened to one.
clf = make_estimator(
    "ldam_drw",
    "cifar10_lt",
    random_state=0,
    max_epochs=2,
    schedule__start=0.5,
    lr_schedule__warmup_epochs=1,
    device="cpu",
)
clf.fit(X, y)
for row in clf.net_.history:
    print(f"epoch {row['epoch']}: train loss {row['train_loss']:.3f} ({row['dur']:.1f} s)")
print(f"test balanced accuracy after 2 epochs: {clf.score(X_test, y_test):.3f}")

# %%
# On the real data
# ----------------
# With CIFAR-10 on disk (the ``cifar-10-batches-py`` directory of the official
# download, or an ``.npz`` file) and a GPU, the full recipe is::
#
#     from sklearn_imbalance_dl.datasets import load_cifar10_lt
#
#     X, y, X_test, y_test = load_cifar10_lt("data/cifar-10-batches-py",
#                                            imbalance_ratio=100, as_float=True)
#     mean = np.asarray(CIFAR10_MEAN, dtype=np.float32)[None, :, None, None]
#     std = np.asarray(CIFAR10_STD, dtype=np.float32)[None, :, None, None]
#     X, X_test = (X - mean) / std, (X_test - mean) / std
#     clf = make_estimator("ldam_drw", "cifar10_lt", random_state=0,
#                          device="cuda", precision="bf16", channels_last=True)
#     clf.fit(X, y).score(X_test, y_test)   # 77.0 in Cao et al. (2019)
#
# ``benchmarks/reproduce_cifar10_lt.py`` in the repository runs every recipe this way
# (see :doc:`/user_guide/gpu`).
