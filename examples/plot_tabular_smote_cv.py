"""
A deep imbalance method against SMOTE, with cross-validation
============================================================

Does a loss designed for long-tailed data beat resampling? This example puts
:class:`~sklearn_imbalance_dl.ImbalancedNetClassifier` with LDAM-DRW beside
imbalanced-learn's SMOTE in front of the same network, plain and class-weighted
cross-entropy, and a balanced logistic regression, through the same stratified
cross-validation. SMOTE is a step of an imbalanced-learn ``Pipeline``, so it is
refitted on the training part of every fold and never sees the fold it is scored on.

The data are scikit-learn's digits made long-tailed
(:func:`~sklearn_imbalance_dl.datasets.load_digits_lt`): 124 images of digit 0 down
to 12 of digit 9. To keep the documentation build short every network trains for 30
epochs on one CPU thread; the numbers show the workflow, not the methods' merits.
"""

# %%
# The data
# --------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.datasets import load_digits_lt

torch.set_num_threads(1)

X, y, X_test, y_test = load_digits_lt(imbalance_ratio=10)
print("training images per digit:", np.bincount(y))
print("test images per digit:    ", np.bincount(y_test))

# %%
# The candidates
# --------------
# Every network gets the same budget; only the imbalance treatment differs.


def net(**params):
    return ImbalancedNetClassifier(max_epochs=30, device="cpu", random_state=0, **params)


candidates = {
    "CE": net(loss="ce"),
    "weighted CE": net(loss="weighted_ce"),
    "SMOTE + CE": make_pipeline(SMOTE(random_state=0), net(loss="ce")),
    "LDAM-DRW": net(loss="ldam", schedule="drw"),
    "balanced logistic": LogisticRegression(class_weight="balanced", max_iter=2000),
}

# %%
# Cross-validation
# ----------------
# Balanced accuracy (the mean of the per-class recalls) and macro-F1, on 3 stratified
# folds of the long-tailed training set.
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
scores = {
    name: cross_validate(est, X, y, cv=cv, scoring=["balanced_accuracy", "f1_macro"])
    for name, est in candidates.items()
}
table = pd.DataFrame(
    {
        name: {
            "balanced accuracy": s["test_balanced_accuracy"].mean(),
            "std": s["test_balanced_accuracy"].std(),
            "macro-F1": s["test_f1_macro"].mean(),
        }
        for name, s in scores.items()
    }
).T
print(table.round(3))

# %%
# Each dot is one fold; the bar is the mean.
fig, ax = plt.subplots(figsize=(8, 3.5))
names = list(scores)
means = [scores[n]["test_balanced_accuracy"].mean() for n in names]
ax.bar(range(len(names)), means, color="lightsteelblue")
for i, name in enumerate(names):
    folds = scores[name]["test_balanced_accuracy"]
    ax.plot(np.full(len(folds), i), folds, "o", color="navy")
ax.set_xticks(range(len(names)), [n.replace(" ", "\n", 1) for n in names])
ax.set_ylabel("balanced accuracy (3-fold CV)")
ax.set_ylim(0.5, 1.0)
fig.tight_layout()

# %%
# On the balanced test set
# ------------------------
# The held-out test set has 50 images of every digit, so its accuracy is a balanced
# accuracy. Refit each candidate on the whole training set and look at the recall of
# every digit, head (0) to tail (9).
from sklearn.metrics import recall_score  # noqa: E402

recalls = {
    name: recall_score(y_test, est.fit(X, y).predict(X_test), average=None)
    for name, est in candidates.items()
}
fig, ax = plt.subplots(figsize=(8, 3.5))
for name, r in recalls.items():
    ax.plot(range(10), r, "o-", label=f"{name} ({r.mean():.3f})")
ax.set(xlabel="digit (training count decreasing)", ylabel="test recall", xticks=range(10))
ax.legend(fontsize="small", title="method (balanced accuracy)")
fig.tight_layout()

# %%
# The sampler in the pipeline is what keeps this comparison honest: resampling the
# whole data set before splitting would put synthetic neighbours of the test fold's
# images into the training folds. ``python -m sklearn_imbalance_dl compare`` runs the
# same kind of comparison over more methods and several seeds (see :doc:`/compare`).
