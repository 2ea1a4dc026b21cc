"""
Grid search over losses and schedules
=====================================

The loss, the schedule and every component's own parameters are parameters of
:class:`~sklearn_imbalance_dl.ImbalancedNetClassifier`, so scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` searches over methods like over any
hyperparameter. Component parameters are routed skorch-style with a double underscore
(``loss__max_m``, ``module__hidden_sizes``, ``schedule__start``).

Some combinations are refused: a re-weighting schedule (``"drw"``) on a loss that
already balances the classes (``"logit_adjusted"``, ``"balanced_softmax"``, ``"arb"``)
raises a ``ValueError`` naming both. A list of grids keeps those out of the search.

Tiny budget for the documentation build (20 epochs, a TabularNet of one hidden layer, one
CPU thread):
the ranking below is not a benchmark.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.datasets import load_digits_lt

torch.set_num_threads(1)

X, y, X_test, y_test = load_digits_lt(imbalance_ratio=20)

# %%
# The search space
# ----------------
# Losses that do not balance the classes themselves, with and without deferred
# re-weighting (DRW); the losses that do, without a schedule; and LDAM's largest
# margin as a routed parameter.
param_grid = [
    {"loss": ["ce", "focal"], "schedule": [None, "drw"]},
    {"loss": ["ldam"], "schedule": [None, "drw"], "loss__max_m": [0.3, 0.5]},
    {"loss": ["logit_adjusted", "balanced_softmax", "arb"]},
]
search = GridSearchCV(
    ImbalancedNetClassifier(
        max_epochs=20, module__hidden_sizes=(128,), device="cpu", random_state=0
    ),
    param_grid,
    scoring="balanced_accuracy",
    cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
)
search.fit(X, y)
print("best:", search.best_params_, f"CV balanced accuracy {search.best_score_:.3f}")

# %%
# All candidates
# --------------
results = pd.DataFrame(search.cv_results_)


def describe(params):
    text = params["loss"]
    if params.get("schedule"):
        text += "-" + params["schedule"]
    if "loss__max_m" in params:
        text += f" (max_m={params['loss__max_m']})"
    return text


results["method"] = results["params"].map(describe)
results = results.sort_values("mean_test_score")
print(results[["method", "mean_test_score", "std_test_score", "rank_test_score"]])

fig, ax = plt.subplots(figsize=(7, 4))
ax.barh(results["method"], results["mean_test_score"], xerr=results["std_test_score"])
ax.set_xlabel("balanced accuracy (3-fold CV, mean ± std)")
ax.set_xlim(0.0, 1.0)
fig.tight_layout()

# %%
# ``logit_adjusted`` (with its default ``loss__tau=1``) and ``balanced_softmax`` are
# the same loss: both add the log of the class prior to the logits during training.
# They score differently here because ``weight_decay="auto"`` gives the logit-adjusted
# loss the tabular default's strong decay (10 on every parameter but the head's) and
# every other loss 1e-4; with ``weight_decay=1e-4`` for both they tie to rounding.
#
# The refitted best model on the balanced test set
# ------------------------------------------------
# ``GridSearchCV`` refits the best candidate on all the training data; the test set
# has 50 images of each digit, so its accuracy is a balanced accuracy.
print(f"test balanced accuracy: {search.score(X_test, y_test):.3f}")

# %%
# Schedules are searched the same way: ``schedule="drw"`` with
# ``schedule__start=[0.6, 0.8]``, or ``schedule="ppw"`` / ``"ppl"`` with ``"cri"``.
# A grid over ``lr_schedule`` (``"constant"``, ``"cosine"``, ``"warmup_step"``) and
# ``optimizer`` works alike.
