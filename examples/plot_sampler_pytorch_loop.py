"""
Class-balanced batches in a hand-written PyTorch loop
=====================================================

:class:`~sklearn_imbalance_dl.sampling.ImbalancedSampler` is a
``torch.utils.data.Sampler``: it gives a plain PyTorch ``DataLoader`` the epoch orders
that :class:`~sklearn_imbalance_dl.ImbalancedNetClassifier` draws with its ``sampler``
parameter (class-balanced, square-root, or an imbalanced-learn under/over-sampler),
for code that keeps its own training loop.

Here a small MLP learns the 8x8 digits made long-tailed (digit 0 keeps 126 images,
digit 9 only 2), once with the usual shuffled batches and once with class-balanced
batches, and both are scored by balanced accuracy on a test set of about 50 images per
digit.
"""

# %%
# A long-tailed training set and a nearly balanced test set
# ---------------------------------------------------------
# The test set keeps 500 images, a stratified split: 48 to 51 of every digit. The
# training set is the rest, cut to an exponential profile with a head-to-tail ratio of
# 50 by :func:`~sklearn_imbalance_dl.datasets.make_long_tailed`.
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from sklearn_imbalance_dl.datasets import make_long_tailed
from sklearn_imbalance_dl.sampling import ImbalancedSampler

torch.set_num_threads(1)
X, y = load_digits(return_X_y=True)
X_pool, X_test, y_pool, y_test = train_test_split(X, y, test_size=500, stratify=y, random_state=0)
X_train, y_train = make_long_tailed(X_pool, y_pool, imbalance_ratio=50, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
print("training images per digit:", np.bincount(y_train).tolist())

# %%
# The training loop
# -----------------
# Nothing here knows about imbalance except the ``sampler`` handed to the
# ``DataLoader``. ``ImbalancedSampler`` draws a new order every epoch from its own
# generator, so the run is reproducible from ``random_state``.
train_set = TensorDataset(torch.as_tensor(X_train, dtype=torch.float32), torch.as_tensor(y_train))


def train_and_score(sampler, epochs=60, seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    shuffle = sampler is None
    loader = DataLoader(train_set, batch_size=32, shuffle=shuffle, sampler=sampler)
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            optimizer.step()
    with torch.no_grad():
        logits = model(torch.as_tensor(X_test, dtype=torch.float32))
    return balanced_accuracy_score(y_test, logits.argmax(1).numpy())


# %%
# Shuffled batches against class-balanced batches
# ------------------------------------------------
# Each class-balanced batch holds about as many images of each digit: the tail
# digits are seen (repeated) as often as the head. Square-root sampling lies between.
scores = {
    "shuffle": train_and_score(None),
    "class_balanced": train_and_score(ImbalancedSampler(y_train, random_state=0)),
    "sqrt": train_and_score(ImbalancedSampler(y_train, "sqrt", random_state=0)),
}
for name, score in scores.items():
    print(f"{name:>15}: balanced accuracy {score:.3f}")

# %%
# An imbalanced-learn sampler works the same way: it picks the rows of every epoch
# anew. Here ``RandomOverSampler`` copies images until every digit has as many as the
# head (an epoch is then about four times longer, hence fewer epochs). A sampler that
# synthesises rows, such as SMOTE, is refused: it cannot pick existing rows.
from imblearn.over_sampling import RandomOverSampler  # noqa: E402

over = ImbalancedSampler(y_train, RandomOverSampler(), random_state=0)
print(f"{'over-sampling':>15}: balanced accuracy {train_and_score(over, epochs=10):.3f}")
