"""Per-class diagnostics against a closed-form gradient, and their plot."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.callbacks import (
    ClassDiagnostics,
    class_diagnostics,
    plot_class_diagnostics,
)
from sklearn_imbalance_dl.datasets import load_digits_lt
from sklearn_imbalance_dl.modules import forward_staged

try:
    import matplotlib
except ImportError:  # the plot extra; the plot tests skip without it
    matplotlib = None
else:
    matplotlib.use("Agg")

needs_matplotlib = pytest.mark.skipif(
    matplotlib is None, reason="needs matplotlib: pip install 'sklearn_imbalance_dl[plot]'"
)


@pytest.fixture(scope="module")
def fitted():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    clf = ImbalancedNetClassifier(
        module="mlp", loss="ce", max_epochs=4, callbacks=[ClassDiagnostics()], random_state=0
    ).fit(X, y)
    return clf, X, y


def _closed_form(clf, X, y, weights):
    """Class means (weighted) of ||dl_i/dh_i|| and of the accuracy, for CE on a linear
    head: dl_i/dh_i = W^T (softmax(W h_i + b) - e_{y_i})."""
    module = clf.net_.module_.eval()
    with torch.no_grad():
        _, h = forward_staged(module, torch.as_tensor(X, dtype=module.head.weight.dtype))
    h = h.double().numpy()
    W = module.head.weight.detach().double().numpy()
    b = module.head.bias.detach().double().numpy()
    z = h @ W.T + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    norms = np.linalg.norm(p @ W, axis=1)
    correct = z.argmax(1) == y
    classes = range(len(clf.classes_))
    expected_norm = np.array([np.average(norms[y == c], weights=weights[y == c]) for c in classes])
    expected_acc = np.array([np.average(correct[y == c], weights=weights[y == c]) for c in classes])
    return expected_norm, expected_acc


def _assert_last_epoch_is_closed_form(clf, X, y, weights):
    """The last epoch's recorded accuracies and gradient norms are the closed form's."""
    expected_norm, expected_acc = _closed_form(clf, X, y, weights)
    recorded = class_diagnostics(clf)
    np.testing.assert_allclose(recorded["train_accuracy"][-1], expected_acc, rtol=1e-6)
    np.testing.assert_allclose(recorded["grad_norm"][-1], expected_norm, rtol=1e-4)


def test_last_epoch_matches_closed_form_gradient(fitted):
    """For CE on a linear head, dl_i/dh_i = W^T (softmax(W h_i + b) - e_{y_i})."""
    clf, X, y = fitted
    expected_norm, expected_acc = _closed_form(clf, X, y, np.ones(len(y)))

    recorded = class_diagnostics(clf)
    assert recorded["grad_norm"].shape == (4, 10)
    np.testing.assert_allclose(recorded["grad_norm"][-1], expected_norm, rtol=1e-4)
    np.testing.assert_allclose(recorded["train_accuracy"][-1], expected_acc)
    np.testing.assert_array_equal(recorded["class_counts"], clf.class_counts_)


def test_the_class_means_are_weighted_by_sample_weight(fitted):
    # A row of weight k counts as k rows, one of weight 0 not at all.
    from sklearn.base import clone

    clf, X, y = fitted
    weights = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    weights[np.flatnonzero(y == 9)[0]] = 1.0  # every class keeps a weighted row
    weighted = clone(clf).set_params(max_epochs=1).fit(X, y, sample_weight=weights)
    expected_norm, expected_acc = _closed_form(weighted, X, y, weights)
    recorded = class_diagnostics(weighted)
    np.testing.assert_allclose(recorded["grad_norm"][-1], expected_norm, rtol=1e-4)
    np.testing.assert_allclose(recorded["train_accuracy"][-1], expected_acc, rtol=1e-6)


@needs_matplotlib
def test_plot_has_a_line_per_class(fitted, tmp_path):
    clf, _, _ = fitted
    fig = plot_class_diagnostics(clf)
    assert [len(ax.get_lines()) for ax in fig.axes[:2]] == [10, 10]
    fig.savefig(tmp_path / "diagnostics.png")
    assert (tmp_path / "diagnostics.png").stat().st_size > 10_000


@needs_matplotlib
def test_many_classes_get_a_colour_bar_of_their_ranks_not_a_legend():
    # Fifty entries of a legend would cover the plot and leave the figure.
    counts = np.maximum(2, (60 * 0.9 ** np.arange(50)).astype(int))
    y = np.repeat([f"c{i:02d}" for i in range(50)], counts)
    X = np.random.default_rng(0).normal(size=(len(y), 6)).astype(np.float32)
    clf = ImbalancedNetClassifier(
        module="mlp", max_epochs=2, callbacks=[ClassDiagnostics()], random_state=0
    ).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no layout warning
        fig = plot_class_diagnostics(clf)
    accuracy, gradient, bar = fig.axes
    assert gradient.get_legend() is None and len(gradient.get_lines()) == 50
    assert [t.get_text() for t in bar.get_yticklabels()] == ["1: c00 (n=60)", "50: c49 (n=2)"]


def test_diagnostics_need_a_staged_module_and_a_recording(fitted):
    clf, X, y = fitted
    with pytest.raises(ValueError, match="No class diagnostics were recorded"):
        class_diagnostics(ImbalancedNetClassifier(max_epochs=1, random_state=0).fit(X, y))
    plain = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
    with pytest.raises(ValueError, match="staged-module protocol"):
        ImbalancedNetClassifier(module=plain, max_epochs=1, callbacks=[ClassDiagnostics()]).fit(
            X, y
        )


def test_diagnostics_of_an_unfitted_estimator_say_so():
    with pytest.raises(NotFittedError):
        class_diagnostics(ImbalancedNetClassifier())


@needs_matplotlib
def test_class_names_of_another_length_are_refused(fitted):
    clf, _, _ = fitted
    with pytest.raises(ValueError, match=r"class_names has 2 names, but the estimator has 10"):
        plot_class_diagnostics(clf, class_names=["a", "b"])


@needs_matplotlib
def test_axes_must_be_two_axes(fitted):
    import matplotlib.pyplot as plt

    clf, _, _ = fitted
    with pytest.raises(ValueError, match="axes must be two matplotlib Axes.*a single Axes"):
        plot_class_diagnostics(clf, axes=plt.subplots()[1])
    with pytest.raises(ValueError, match="axes must be two matplotlib Axes.*got 3 Axes"):
        plot_class_diagnostics(clf, axes=plt.subplots(1, 3)[1])
    fig, axes = plt.subplots(2, 1)
    assert plot_class_diagnostics(clf, axes=list(axes)) is fig
    assert [len(ax.get_lines()) for ax in axes] == [10, 10]
    plt.close("all")


def test_diagnostics_of_an_interrupted_fit_keep_the_finished_epochs():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)

    class CtrlCInSecondEpoch(Callback):
        def on_batch_end(self, net, **kwargs):
            if len(net.history) == 2:
                raise KeyboardInterrupt

    clf = ImbalancedNetClassifier(
        module="mlp", max_epochs=3, batch_size=64, random_state=0,
        callbacks=[ClassDiagnostics(), CtrlCInSecondEpoch()],
    )  # fmt: skip
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert class_diagnostics(clf)["train_accuracy"].shape == (1, 10)


@needs_matplotlib
def test_a_pipeline_ending_in_the_network_is_read(fitted):
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf, X, y = fitted
    pipe = make_pipeline(StandardScaler(), clone(clf)).fit(X, y)
    assert class_diagnostics(pipe)["train_accuracy"].shape == (4, 10)
    plot_class_diagnostics(pipe)


@needs_matplotlib
def test_one_epoch_is_drawn_as_points():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    clf = ImbalancedNetClassifier(
        module="mlp", loss="ce", max_epochs=1, callbacks=[ClassDiagnostics()], random_state=0
    ).fit(X, y)
    lines = plot_class_diagnostics(clf).axes[0].get_lines()
    assert lines and all(line.get_marker() == "o" for line in lines)


def test_the_class_counts_shown_are_rows_under_sample_weights(fitted):
    from sklearn.base import clone
    from sklearn.utils.class_weight import compute_sample_weight

    clf, X, y = fitted
    weighted = clone(clf).set_params(max_epochs=1)
    weighted.fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_array_equal(class_diagnostics(weighted)["class_counts"], np.bincount(y))


@needs_matplotlib
def test_a_class_of_zero_weight_has_nan_diagnostics_in_its_column(fitted):
    from sklearn.base import clone

    clf, X, y = fitted
    weighted = clone(clf).set_params(max_epochs=1)
    with pytest.warns(UserWarning, match="the network is trained without them"):
        weighted.fit(X, y, sample_weight=(y != 3).astype(float))
    data = class_diagnostics(weighted)
    assert data["train_accuracy"].shape == data["grad_norm"].shape == (1, 10)
    assert np.isnan(data["grad_norm"][:, 3]).all()
    assert not np.isnan(np.delete(data["grad_norm"], 3, axis=1)).any()
    assert data["class_counts"][3] == 0
    plot_class_diagnostics(weighted)


def test_the_printed_table_leaves_the_per_class_lists_to_the_history(capsys):
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    clf = ImbalancedNetClassifier(
        module="mlp", max_epochs=2, verbose=1, callbacks=[ClassDiagnostics()], random_state=0
    ).fit(X, y)
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header[0] == "epoch" and "train_loss" in header
    assert not [key for key in header if key.startswith("class_")]
    assert [len(row["class_train_accuracy"]) for row in clf.net_.history] == [10, 10]


@needs_matplotlib
def test_an_estimator_without_a_network_is_named(fitted):
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import GridSearchCV

    clf, X, y = fitted
    with pytest.raises(TypeError, match="reads an ImbalancedNetClassifier.*got DummyClassifier"):
        class_diagnostics(DummyClassifier().fit(X, y))
    search = GridSearchCV(clf, {"max_epochs": [1]}, cv=2).fit(X, y)
    with pytest.raises(TypeError, match="got GridSearchCV; pass its best_estimator_"):
        plot_class_diagnostics(search)
    assert class_diagnostics(search.best_estimator_)["train_accuracy"].shape == (1, 10)


class _PooledHead(torch.nn.Module):
    """A staged module whose penultimate feature is a feature map: the head pools it."""

    def __init__(self):
        super().__init__()
        self.stages = torch.nn.ModuleList(
            [torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU())]
        )
        self.head = torch.nn.Sequential(
            torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(4, 10)
        )

    def forward(self, x):
        return self.head(self.stages[0](x))


def test_the_gradient_norm_of_a_feature_map_is_over_all_its_elements():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    images = X.reshape(-1, 1, 8, 8)
    clf = ImbalancedNetClassifier(
        module=_PooledHead, loss="ce", max_epochs=1, callbacks=[ClassDiagnostics()], random_state=0
    ).fit(images, y)
    module = clf.net_.module_.eval()
    with torch.no_grad():
        h = module.stages[0](torch.as_tensor(images))
    h.requires_grad_(True)
    loss = torch.nn.functional.cross_entropy(module.head(h), torch.as_tensor(y), reduction="sum")
    (gradient,) = torch.autograd.grad(loss, h)
    norms = gradient.flatten(1).norm(dim=1).double().numpy()
    expected = np.array([norms[y == c].mean() for c in range(10)])
    np.testing.assert_allclose(class_diagnostics(clf)["grad_norm"][-1], expected, rtol=1e-4)


def test_diagnostics_are_recorded_under_a_float64_default_dtype():
    # The module and the inputs follow torch's default dtype; the sums are float64.
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    weights = np.random.default_rng(0).integers(1, 3, len(y)).astype(float)
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        clf = ImbalancedNetClassifier(
            module="mlp", loss="ce", max_epochs=1, callbacks=[ClassDiagnostics()], random_state=0
        ).fit(X, y, sample_weight=weights)
    finally:
        torch.set_default_dtype(dtype)
    assert next(clf.net_.module_.parameters()).dtype == torch.float64
    _assert_last_epoch_is_closed_form(clf, X, y, weights)


def test_batch_counted_loss_is_measured_on_mixed_batches_when_rows_are_sorted_by_class():
    # ARB (counts="batch") takes its class counts from each batch: on rows sorted by
    # class, batches cut in order hold one class, whose ARB loss is 0 with no gradient.
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    clf = ImbalancedNetClassifier(
        loss="arb", max_epochs=2, callbacks=[ClassDiagnostics()], random_state=0
    ).fit(X, y)
    module = clf.net_.module_.eval()
    with torch.no_grad():
        _, h = forward_staged(module, torch.as_tensor(X, dtype=module.head.weight.dtype))
    h = h.double().requires_grad_(True)
    W = module.head.weight.detach().double()
    b = module.head.bias.detach().double()
    target = torch.as_tensor(y)
    n_classes = len(clf.classes_)
    totals = np.zeros(n_classes)
    rng = np.random.default_rng(0)
    for _ in range(5):  # shuffled batches of the training batch size, float64
        for rows in np.array_split(rng.permutation(len(y)), -(-len(y) // clf.batch_size)):
            z = (h[rows] @ W.T + b).clamp(-30, 30)
            counts = torch.bincount(target[rows], minlength=n_classes).double()
            log_n = torch.where(counts > 0, counts.log(), -torch.inf)
            yb = target[rows]
            loss = torch.logsumexp(z + log_n, 1) - log_n[yb] - z.gather(1, yb[:, None])[:, 0]
            (grad,) = torch.autograd.grad(loss.sum(), h)
            np.add.at(totals, y[rows], grad[rows].norm(dim=1).numpy())
    expected = totals / 5 / np.bincount(y)
    recorded = class_diagnostics(clf)["grad_norm"][-1]
    np.testing.assert_allclose(recorded, expected, rtol=0.1)


def test_the_class_sums_do_not_drop_light_rows_after_a_heavy_one():
    # One row weighs 2**25 times each of the others: a float32 running sum drops every
    # light row added after it (as it stops counting unweighted rows at 2**24 a class).
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 20_000)
    X = rng.normal(size=(len(y), 2)) + y[:, None]
    weights = np.ones(len(y))
    weights[0] = 0.9 * 2.0**25
    clf = ImbalancedNetClassifier(
        module="mlp",
        module__hidden_sizes=(4,),
        loss="ce",
        max_epochs=1,
        batch_size=4096,
        callbacks=[ClassDiagnostics()],
        random_state=0,
    ).fit(X, y, sample_weight=weights)
    _assert_last_epoch_is_closed_form(clf, X, y, weights)


def test_diagnostics_leave_the_training_of_a_randomly_transformed_dataset_alone():
    # A Dataset whose items are drawn at random (a random transform) draws from torch's
    # generator: the diagnostics' pass over it must not move the draws of training.
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    X = X.astype(np.float32)

    class Noisy(torch.utils.data.Dataset):
        def __len__(self):
            return len(X)

        def __getitem__(self, i):
            return torch.as_tensor(X[i]) + 0.1 * torch.rand(X.shape[1]), y[i]

    params = {"module": "mlp", "module__hidden_sizes": (16,), "max_epochs": 3, "random_state": 0}
    plain = ImbalancedNetClassifier(**params).fit(Noisy(), y)
    measured = ImbalancedNetClassifier(callbacks=[ClassDiagnostics()], **params).fit(Noisy(), y)
    assert class_diagnostics(measured)["train_accuracy"].shape == (3, 10)
    expected = plain.net_.module_.state_dict()
    for name, value in measured.net_.module_.state_dict().items():
        assert torch.equal(value, expected[name]), name
