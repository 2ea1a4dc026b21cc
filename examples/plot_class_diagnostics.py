"""
Per-class diagnostics: where the tail is lost
=============================================

Balanced accuracy is one number; the head and the tail classes usually tell
different stories. This example records, at every epoch, the per-class training
accuracy and the per-class norm of the loss gradient with respect to the penultimate
feature with the :class:`~sklearn_imbalance_dl.callbacks.ClassDiagnostics` callback,
plots them with :func:`~sklearn_imbalance_dl.callbacks.plot_class_diagnostics`, and
scores the test set per class and per shot group with
:mod:`sklearn_imbalance_dl.metrics`.

Ye et al. (2021) argue that with plain cross-entropy the network first fits the head
classes and then has to push the tail's features across the head's decision
boundaries, so that the tail classes get much larger feature gradients, and that
Procrustean major feature weakening (``mixing="mfw"``) balances the training accuracy
and the feature-gradient norms across classes; the diagnostics let you check that
claim on your own data. Tiny budget (40 epochs on one CPU thread).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.callbacks import (
    ClassDiagnostics,
    class_diagnostics,
    plot_class_diagnostics,
)
from sklearn_imbalance_dl.datasets import load_digits_lt
from sklearn_imbalance_dl.metrics import per_class_accuracy, shot_accuracy

torch.set_num_threads(1)

X, y, X_test, y_test = load_digits_lt(imbalance_ratio=100)
counts = np.bincount(y)
print("training images per digit:", counts)

# %%
# Two methods, with the callback
# ------------------------------
# The callback needs a network that exposes its stages and head (the staged-module
# protocol of :doc:`/methods`); the built-in TabularNet (trained here), MLP and ResNet-32
# do.
methods = {
    "CE": {"loss": "ce"},
    "LDAM-DRW + MFW": {
        "loss": "ldam",
        "schedule": "drw",
        "mixing": "mfw",
        "mixing__label_policy": "mix",
    },
}
fitted = {
    name: ImbalancedNetClassifier(
        max_epochs=40, callbacks=[ClassDiagnostics()], device="cpu", random_state=0, **params
    ).fit(X, y)
    for name, params in methods.items()
}

# %%
# Training curves per class
# -------------------------
# One line per digit, dark for the head, light for the tail.
for name, clf in fitted.items():
    fig = plot_class_diagnostics(clf)
    fig.suptitle(name)
    fig.tight_layout()

# %%
# The arrays behind the plots, one row per epoch and one column per class. With
# cross-entropy the mean feature-gradient norm of a tail digit ends many times that of
# the head digits:
data = class_diagnostics(fitted["CE"])
print({key: np.shape(value) for key, value in data.items()})
last = data["grad_norm"][-1]
print("CE, last epoch, feature-gradient norm per digit:", np.round(last, 3))

# %%
# Test accuracy per class and per shot group
# ------------------------------------------
# Many-shot digits have more than 50 training images, few-shot fewer than 10.
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, clf in fitted.items():
    pred = clf.predict(X_test)
    groups = shot_accuracy(y_test, pred, counts, many_threshold=50, few_threshold=10)
    print(name, {k: round(float(v), 3) for k, v in groups.items()})
    ax.plot(range(10), per_class_accuracy(y_test, pred), "o-", label=name)
ax.set(xlabel="digit (training count decreasing)", ylabel="test accuracy", xticks=range(10))
ax.legend()
fig.tight_layout()
