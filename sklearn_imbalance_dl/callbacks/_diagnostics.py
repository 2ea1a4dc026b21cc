"""Per-class training diagnostics: the claim of Procrustean training, measured.

Ye et al. (ICCV 2021) argue that major feature weakening balances, across classes,
the training accuracy and the norm of the loss gradient with respect to the
penultimate feature. :class:`ClassDiagnostics` records both, per class and per epoch,
so that the claim can be checked on any data and any method.
"""

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback

from .._net import ACCURACY_KEY, GRAD_NORM_KEY, check_imbalance_net


class ClassDiagnostics(Callback):
    """Record per-class training accuracy and feature-gradient norm at each epoch end.

    After each epoch the training set is passed once more through the network in
    evaluation mode (no dropout, batch-norm running statistics, no mixing), in batches
    of ``batch_size`` rows in one fixed shuffled order, so that a loss that counts the
    classes of each batch (ARB's ``counts="batch"``) sees batches like those of
    training, whatever the order of the rows in ``X`` (on rows sorted by class,
    batches of one class would give it a loss of 0 and no gradient). For each
    sample i the per-sample loss l_i (the estimator's loss, with the class weights in
    force at that epoch) is differentiated with respect to the penultimate feature
    h_i, and the class means of ``||dl_i/dh_i||`` (over all the elements of h_i, which
    may be a feature map) and of the training accuracy
    (weighted by ``sample_weight``: a row of weight k counts as k rows, one of weight
    0 not at all) are written to the net's history under ``"class_train_accuracy"``
    and ``"class_feature_grad_norm"`` (lists in the order of the classes the network
    outputs: an estimator's ``classes_[network_classes_]``, which
    :func:`class_diagnostics` places among ``classes_``), for every epoch, the one at
    which early stopping ends the fit included. The table that
    ``verbose`` prints leaves these lists out. The accuracy is that of the network's
    logits (their argmax, as training sees them): the estimator's ``posthoc_tau``
    shifts them at prediction only, so ``predict`` may be right on other rows.

    A callback of :class:`~sklearn_imbalance_dl.ImbalancedNetClassifier`
    (``callbacks=[ClassDiagnostics()]``): it reads the network through the hooks of the
    net the estimator builds, and a plain skorch net is refused. Needs a module that
    follows the staged-module protocol. Costs one forward pass and a backward pass
    through the head per epoch. It leaves the model and torch's random streams as they
    were: a fit trains the same model with or without it, also on a Dataset whose
    items are drawn at random (a random transform).

    Examples
    --------
    >>> from sklearn_imbalance_dl import ImbalancedNetClassifier
    >>> from sklearn_imbalance_dl.callbacks import ClassDiagnostics, class_diagnostics
    >>> from sklearn_imbalance_dl.datasets import load_digits_lt
    >>> X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    >>> clf = ImbalancedNetClassifier(max_epochs=3, callbacks=[ClassDiagnostics()],
    ...                               random_state=0).fit(X, y)
    >>> class_diagnostics(clf)["train_accuracy"].shape
    (3, 10)
    """

    # The estimator checks that such a callback's module keeps forward(x) equal to
    # head(stages(x)).
    reads_penultimate_features = True

    def on_train_begin(self, net, **kwargs):
        check_imbalance_net(net, self, "callbacks=[ClassDiagnostics()]")
        if not net.is_staged():
            module = net.module if isinstance(net.module, type) else type(net.module)
            raise ValueError(
                "ClassDiagnostics needs the penultimate feature, so the module must expose "
                f"'stages' and 'head' (staged-module protocol); {module.__name__} "
                "does not."
            )

    def on_epoch_end(self, net, dataset_train=None, **kwargs):
        # A Dataset whose items are drawn at random (a random transform) draws from
        # torch's generator: the training's streams are restored after the pass, so that
        # the fit trains the same model with and without the diagnostics.
        cuda = [torch.device(net.device)] if str(net.device).startswith("cuda") else []
        with torch.random.fork_rng(devices=cuda):
            self._record(net, dataset_train)

    def _record(self, net, dataset_train):
        n_classes = len(net.class_counts)
        device = net.device
        # Summed in float64 whatever torch's default dtype: a float32 sum stops counting
        # at 2**24 rows of a class (16,777,216 + 1 is 16,777,216). MPS has no float64.
        dtype = torch.float32 if torch.device(device).type == "mps" else torch.float64
        correct = torch.zeros(n_classes, device=device, dtype=dtype)
        grad_norm = torch.zeros(n_classes, device=device, dtype=dtype)
        seen = torch.zeros(n_classes, device=device, dtype=dtype)
        net.set_training(False)
        for Xb, yb, wb in net.training_batches(dataset_train, shuffled=True):
            features = net.penultimate_features(Xb).requires_grad_(True)
            logits = net.head_logits(features)
            per_sample = net.per_sample_loss(logits, yb, wb)
            (gradient,) = torch.autograd.grad(per_sample.sum(), features)
            # A row of sample weight k counts as k rows, as in training (0: not at all).
            weight = torch.ones_like(yb, dtype=dtype) if wb is None else wb.to(dtype)
            # The norm over all of a sample's feature (a feature map: every element).
            norms = gradient.flatten(1).norm(dim=1).to(dtype)
            grad_norm.index_add_(0, yb, weight * norms)
            correct.index_add_(0, yb, weight * (logits.argmax(1) == yb).to(dtype))
            seen.index_add_(0, yb, weight)
        seen = torch.where(seen > 0, seen, 1)
        net.history.record(ACCURACY_KEY, (correct / seen).cpu().tolist())
        net.history.record(GRAD_NORM_KEY, (grad_norm / seen).cpu().tolist())


def class_diagnostics(estimator):
    """The recorded diagnostics of a fitted estimator (or skorch net) as arrays.

    Parameters
    ----------
    estimator : ImbalancedNetClassifier, Pipeline ending in one, or skorch net
        Fitted with ``callbacks=[ClassDiagnostics()]``.

    Returns
    -------
    dict
        ``"train_accuracy"`` and ``"grad_norm"``: arrays of shape (n_epochs, n_classes);
        ``"class_counts"``: the training counts, in the same class order (rows for
        an estimator; for a skorch net, the counts it balances by, weighted by
        ``sample_weight``). For an estimator the columns are those of ``classes_``:
        NaN for a class the network was not trained on (its rows all weigh 0).
    """
    if hasattr(estimator, "steps"):  # a Pipeline: its last step is the network
        estimator = estimator[-1]
    if not hasattr(estimator, "history"):  # an estimator, not a skorch net
        _check_network_estimator(estimator)
        check_is_fitted(estimator, "net_")
    net = getattr(estimator, "net_", estimator)
    # Every finished epoch: a fit interrupted within an epoch keeps those before it.
    rows = [row for row in net.history if ACCURACY_KEY in row]
    if not rows:
        raise ValueError(
            "No class diagnostics were recorded: fit with callbacks=[ClassDiagnostics()] first."
        )
    accuracy = np.array([row[ACCURACY_KEY] for row in rows])
    grad_norm = np.array([row[GRAD_NORM_KEY] for row in rows])
    if net is not estimator:
        # The net records its own classes; a class it was not trained on (its rows all
        # weigh 0) gets NaN in the estimator's order of classes_.
        accuracy, grad_norm = (
            estimator._over_all_classes(values, fill=np.nan) for values in (accuracy, grad_norm)
        )
    return {
        "train_accuracy": accuracy,
        "grad_norm": grad_norm,
        # The estimator's counts of rows (its net balances by weighted ones).
        "class_counts": np.asarray(getattr(estimator, "class_counts_", net.class_counts)),
    }


def _check_network_estimator(estimator):
    """Refuse an estimator other than ImbalancedNetClassifier: it has no network to
    read, and check_is_fitted would call a fitted one (a grid search) not fitted."""
    # Imported here: the estimator's builder imports this subpackage.
    from .._classifier import ImbalancedNetClassifier

    if not isinstance(estimator, ImbalancedNetClassifier):
        hint = "; pass its best_estimator_" if hasattr(estimator, "best_estimator_") else ""
        raise TypeError(
            "class_diagnostics reads an ImbalancedNetClassifier, a Pipeline ending in one, "
            "or its skorch net, fitted with callbacks=[ClassDiagnostics()]; got "
            f"{type(estimator).__name__}{hint}."
        )


def _check_axes(axes):
    """``axes`` as two matplotlib Axes: the accuracy plot's and the gradient norm's."""
    from matplotlib.axes import Axes

    flat = np.ravel(np.asarray(axes, dtype=object))
    if flat.size != 2 or not all(isinstance(ax, Axes) for ax in flat):
        if isinstance(axes, Axes):
            got = "a single Axes"
        elif all(isinstance(ax, Axes) for ax in flat):
            got = f"{flat.size} Axes"
        else:
            got = repr(axes)
        raise ValueError(
            "axes must be two matplotlib Axes, one for the training accuracy and one for "
            f"the gradient norm, e.g. plt.subplots(1, 2)[1]; got {got}."
        )
    return flat


# Above this many classes the plot has a colour bar of the classes' ranks, not a legend.
_LEGEND_MAX_CLASSES = 12


def plot_class_diagnostics(estimator, *, class_names=None, axes=None):
    """Plot per-class training accuracy and feature-gradient norm over epochs.

    One line per class, coloured from head (most samples, dark) to tail (fewest,
    light), named in a legend; above 12 classes, a colour bar of their ranks from
    head to tail instead, its ends named. Needs matplotlib (``pip install
    "sklearn_imbalance_dl[plot]"``).

    Parameters
    ----------
    estimator : ImbalancedNetClassifier, Pipeline ending in one, or skorch net
        Fitted with ``callbacks=[ClassDiagnostics()]``.
    class_names : sequence of str, default=None
        Legend labels, in the order of the classes; None: the estimator's ``classes_``.
    axes : pair of matplotlib Axes, default=None
        Where to draw accuracy and gradient norm, e.g. the axes of
        ``plt.subplots(1, 2)``; None: a new figure with two axes.

    Returns
    -------
    matplotlib.figure.Figure
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot_class_diagnostics needs matplotlib: pip install 'sklearn_imbalance_dl[plot]'"
        ) from exc
    data = class_diagnostics(estimator)
    counts = data["class_counts"]
    if class_names is None:
        network = estimator[-1] if hasattr(estimator, "steps") else estimator
        class_names = getattr(network, "classes_", np.arange(len(counts)))
    if len(class_names) != len(counts):
        raise ValueError(
            f"class_names has {len(class_names)} names, but the estimator has "
            f"{len(counts)} classes: give one name per class, in the order of classes_."
        )
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    else:
        axes = _check_axes(axes)
        fig = axes[0].figure
    order = np.argsort(-counts, kind="stable")
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(order)))
    epochs = np.arange(1, len(data["train_accuracy"]) + 1)
    marker = "o" if len(epochs) == 1 else None  # a line of one point would not show
    for colour, c in zip(colours, order):
        label = f"{class_names[c]} (n={counts[c]})"
        style = {"color": colour, "label": label, "marker": marker}
        axes[0].plot(epochs, data["train_accuracy"][:, c], **style)
        axes[1].plot(epochs, data["grad_norm"][:, c], **style)
    for ax in axes:
        ax.xaxis.get_major_locator().set_params(integer=True)  # epochs are whole
    axes[0].set(xlabel="epoch", ylabel="training accuracy", title="Per-class training accuracy")
    axes[1].set(xlabel="epoch", ylabel="mean ||dl/dh||", title="Per-class feature-gradient norm")
    if len(order) <= _LEGEND_MAX_CLASSES:
        axes[1].legend(title="head to tail", fontsize="small", loc="best")
    else:
        # A legend of so many lines would cover the plot: a bar of the colours instead,
        # the classes ranked from head to tail, its ends named.
        from matplotlib.colors import BoundaryNorm, ListedColormap

        ranks = plt.cm.ScalarMappable(
            cmap=ListedColormap(colours),
            norm=BoundaryNorm(np.arange(len(order) + 1) + 0.5, len(order)),
        )
        bar = fig.colorbar(ranks, ax=list(axes), label="class rank, head to tail")
        head, tail = order[0], order[-1]
        bar.set_ticks(
            [1, len(order)],
            labels=[
                f"1: {class_names[head]} (n={counts[head]})",
                f"{len(order)}: {class_names[tail]} (n={counts[tail]})",
            ],
        )
        return fig
    fig.tight_layout()
    return fig
