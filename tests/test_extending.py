"""Extension points: components of one's own (losses, schedules, mixings, optimizers,
augmentations), given as classes, instances or registered names."""

import warnings
from numbers import Integral

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.callbacks import Callback, EarlyStopping

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl._validation import Interval
from sklearn_imbalance_dl.losses import ImbalanceLoss
from sklearn_imbalance_dl.losses._checks import PARAMETER_CONSTRAINTS
from sklearn_imbalance_dl.mixing import Mixup
from sklearn_imbalance_dl.modules import MLP, CosineLinear
from sklearn_imbalance_dl.schedules import LRSchedule, Schedule


def _small_table():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4)).astype(np.float32)
    y = np.array([0] * 45 + [1] * 15)
    return X, y


def test_set_params_on_an_instance_component_wins_over_the_constructors_value():
    """A nested parameter given to the constructor beside an instance, then set again
    (as a grid search does), trains with the value set last."""
    clf = ImbalancedNetClassifier(mixing=Mixup(alpha=0.3), mixing__alpha=0.9)
    clf.set_params(mixing__alpha=0.5)
    assert clf.mixing.alpha == 0.5 and clf.get_params()["mixing__alpha"] == 0.5
    X, y = _small_table()
    clf.set_params(max_epochs=1, module__hidden_sizes=(8,)).fit(X, y)
    assert clf.net_.mixing_.alpha == 0.5


@pytest.mark.parametrize(
    "integers", [Interval(Integral, 1, None, closed="left"), Integral, int], ids=str
)
def test_a_loss_keeps_integer_hyperparameters_integers(integers):
    class TopK(ImbalanceLoss):
        _parameter_constraints = {
            **ImbalanceLoss._parameter_constraints,
            "k": [integers],
            "gamma": PARAMETER_CONSTRAINTS["gamma"],
        }

        def __init__(self, class_counts=None, *, k=2, gamma=1, reduction="mean"):
            super().__init__(class_counts, k=k, gamma=gamma, reduction=reduction)

        def _loss(self, logits, target, counts, weight, reduction):
            # The cross-entropy against the sum of the k largest logits (topk needs an int).
            top = logits.topk(self.k, dim=1).values.logsumexp(1)
            per_sample = self.gamma * (top - logits.gather(1, target[:, None])[:, 0])
            return per_sample.mean() if reduction == "mean" else per_sample

    # A numpy integer is an Integral, not an int (refused by [int], as sklearn checks).
    loss = TopK(k=2 if integers is int else np.int64(2), gamma=1)
    assert type(loss.k) is int and type(loss.gamma) is float
    X, y = _small_table()
    clf = ImbalancedNetClassifier(loss=TopK, loss__k=2, max_epochs=1, random_state=0).fit(X, y)
    assert type(clf.net_.criterion_.k) is int


def test_an_unknown_optimizer_option_lists_the_ones_it_takes():
    X, y = _small_table()
    clf = ImbalancedNetClassifier(optimizer="sgd", optimizer__momentm=0.5, max_epochs=1)
    with pytest.raises(
        ValueError, match=r"Valid optimizer__ parameters: .*momentum.*param_groups\.$"
    ):
        clf.fit(X, y)
    with pytest.raises(ValueError, match=r"parameters: dampening, differentiable, foreach"):
        clf.fit(X, y)
    message = str(pytest.raises(ValueError, clf.fit, X, y).value)
    assert ", lr," not in message and "params," not in message.replace("param_groups", "")


@pytest.mark.parametrize(
    "optimizer, shown",
    [
        ({"optimizer": torch.optim.Rprop}, "Rprop"),
        # SAM decays through its base optimizer.
        ({"optimizer": "sam", "optimizer__base_optimizer": torch.optim.Rprop}, "SAM around Rprop"),
    ],
    ids=["rprop", "sam-around-rprop"],
)
def test_a_weight_decay_an_optimizer_has_no_option_for_is_refused(optimizer, shown):
    X, y = _small_table()
    clf = ImbalancedNetClassifier(**optimizer, weight_decay=1e-3, max_epochs=1)
    with pytest.raises(
        ValueError, match=rf"weight_decay=0\.001 cannot be applied: optimizer={shown} "
    ):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")
    # "auto" and 0 ask for no decay there.
    for weight_decay in ("auto", 0.0):
        clf.set_params(weight_decay=weight_decay).fit(X, y)


@pytest.mark.parametrize(
    "factor, message",
    [
        (
            lambda self, epoch: -0.5,
            r"factor\(0\) returned -0\.5; it must return a finite number >= 0",
        ),
        (lambda self, epoch: None, r"factor\(0\) returned None"),
        (lambda self, epoch: 1.0 if epoch < 2 else float("nan"), r"factor\(2\) returned nan"),
        # Built on the base's factor: the name is its kind, which the base does not compute.
        (lambda self, epoch: LRSchedule.factor(self, epoch), "computes the rates of 'constant'"),
    ],
    ids=["negative", "none", "nan", "the-base-class"],
)
def test_a_learning_rate_schedule_of_ones_own_is_checked_at_fit_start(monkeypatch, factor, message):
    from sklearn_imbalance_dl.registry import _TABLE

    monkeypatch.setitem(
        _TABLE["lr_schedule"], "scratch", type("Own", (LRSchedule,), {"factor": factor})
    )
    X, y = _small_table()
    clf = ImbalancedNetClassifier(lr_schedule="scratch", max_epochs=3)
    with pytest.raises(ValueError, match=rf"lr_schedule='scratch': .*{message}"):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")


def test_a_learning_rate_schedule_of_ones_own_may_return_tensors(monkeypatch):
    from sklearn_imbalance_dl.registry import _TABLE

    own = type("Own", (LRSchedule,), {"factor": lambda self, epoch: torch.tensor(0.5) ** epoch})
    monkeypatch.setitem(_TABLE["lr_schedule"], "scratch", own)
    X, y = _small_table()
    # foreach: the default step on a GPU, which refuses a tensor as the rate.
    clf = ImbalancedNetClassifier(
        lr_schedule="scratch", lr=0.1, max_epochs=3, optimizer__foreach=True, random_state=0
    ).fit(X, y)
    groups = clf.net_.optimizer_.param_groups
    assert [group["lr"] for group in groups] == [0.025, 0.025]
    assert all(type(group[key]) is float for group in groups for key in ("lr", "weight_decay"))


class _NegativeCE(ImbalanceLoss):
    requires_class_counts = False

    def initial_class_weights(self, class_counts):
        return -torch.ones_like(class_counts)

    def _loss(self, logits, target, counts, weight, reduction):
        per_sample = weight[target] * torch.nn.functional.cross_entropy(
            logits, target, reduction="none"
        )
        return per_sample if reduction == "none" else per_sample.mean()


@pytest.mark.parametrize(
    "loss, message",
    [
        (torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, -1.0])), r"weight\[1\] is -1\.0"),
        (torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, np.nan])), r"weight\[1\] is nan"),
        (torch.nn.CrossEntropyLoss(weight=torch.zeros(2)), "all are 0"),
        (_NegativeCE, r"class_weights\[0\] is -1\.0"),
    ],
    ids=["negative", "nan", "zeros", "imbalance-loss"],
)
def test_a_loss_with_class_weights_that_are_not_weights_is_refused(loss, message):
    # A negative total would make the weighted mean the loss's opposite: trained uphill.
    X, y = _small_table()
    clf = ImbalancedNetClassifier(loss=loss, max_epochs=1)
    with pytest.raises(
        ValueError,
        match=rf"has class weights \(\w+\) where {message}: give each class a finite weight >= 0",
    ):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")


@pytest.mark.parametrize("loss", ["cri", "ldam", "ce"])
def test_a_shipped_module_class_gets_the_head_its_name_gets(loss):
    X, y = _small_table()
    params = dict(loss=loss, max_epochs=1, random_state=0, module__hidden_sizes=(8,))
    by_name = ImbalancedNetClassifier(module="mlp", **params).fit(X, y)
    by_class = ImbalancedNetClassifier(module=MLP, **params).fit(X, y)
    assert type(by_class.net_.module_.head) is type(by_name.net_.module_.head)
    np.testing.assert_array_equal(by_class.predict_proba(X), by_name.predict_proba(X))
    if loss == "cri":  # defined on cosines only: another head is refused, as for the name
        clf = ImbalancedNetClassifier(module=MLP, module__head="linear", **params)
        with pytest.raises(ValueError, match=r"trains on cosine logits, but module__head='linear'"):
            clf.fit(X, y)


def test_a_shipped_module_instance_without_the_cosine_head_is_refused_with_cri():
    X, y = _small_table()
    clf = ImbalancedNetClassifier(module=MLP(4, 2, hidden_sizes=(8,)), loss="cri", max_epochs=1)
    with pytest.raises(
        ValueError, match=r"module=MLP\(\.\.\.\) has the head 'linear': build it with head='cosine'"
    ):
        clf.fit(X, y)
    clf.set_params(module=MLP(4, 2, hidden_sizes=(8,), head="cosine")).fit(X, y)


class _OwnMLP(MLP):
    pass


def test_a_module_class_of_ones_own_without_the_cosine_head_is_pointed_to_module__head():
    # Not registered: the class is built as given, and the fix is its routed head.
    X, y = _small_table()
    clf = ImbalancedNetClassifier(module=_OwnMLP, loss="cri", max_epochs=1)
    with pytest.raises(ValueError, match=r"has the head 'linear': set module__head='cosine'\.$"):
        clf.fit(X, y)
    clf.set_params(module__head="cosine").fit(X, y)


class _OwnFixedMLP(MLP):
    def __init__(self, n_features, n_classes, width=8):
        super().__init__(n_features, n_classes, hidden_sizes=(width,))


def test_a_module_class_of_ones_own_that_fixes_its_head_is_not_pointed_to_module__head():
    # Its __init__ takes no head: module__head would be refused as unknown.
    X, y = _small_table()
    clf = ImbalancedNetClassifier(module=_OwnFixedMLP, loss="cri", max_epochs=1)
    with pytest.raises(
        ValueError, match=r"'linear': have _OwnFixedMLP.__init__ pass head='cosine' on"
    ) as caught:
        clf.fit(X, y)
    assert "module__head='cosine'" not in str(caught.value)


@pytest.mark.parametrize("value", [LRSchedule, LRSchedule("cosine")], ids=["class", "instance"])
def test_a_learning_rate_schedule_object_is_pointed_to_registering_it(value):
    X, y = _small_table()
    clf = ImbalancedNetClassifier(lr_schedule=value, max_epochs=1)
    with pytest.raises(ValueError, match=r"by the name given to .*register\('lr_schedule', name\)"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "body, message",
    [
        ("def on_epoch_start(self, net, **kwargs): pass", "on_epoch_start is not a skorch"),
        ("pass", "would do nothing: Misnamed overrides no method"),
    ],
)
def test_a_schedule_that_would_never_act_is_refused(body, message):
    namespace = {"Schedule": Schedule}
    exec(f"class Misnamed(Schedule):\n    {body}", namespace)
    X, y = _small_table()
    with pytest.raises(ValueError, match=message):
        ImbalancedNetClassifier(schedule=namespace["Misnamed"], max_epochs=1).fit(X, y)


def test_an_augmentation_class_is_refused_at_fit_start():
    class Flip:
        def __call__(self, images):
            return images.flip(-1)

    X = np.random.default_rng(0).random((40, 3, 8, 8)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)
    clf = ImbalancedNetClassifier(module="resnet32", augment=Flip, max_epochs=1)
    with pytest.raises(ValueError, match=r"augment=Flip is a class; pass an instance"):
        clf.fit(X, y)


def test_a_registered_augmentation_is_checked_at_fit_start(monkeypatch):
    from sklearn_imbalance_dl.augment import RandAugment
    from sklearn_imbalance_dl.registry import _TABLE

    monkeypatch.setitem(_TABLE["augmentation"], "bad_randaugment", RandAugment(n_ops=-3))
    X = np.random.default_rng(0).random((40, 3, 8, 8)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)

    class NoTraining(Callback):
        def on_batch_begin(self, net, **kwargs):
            raise RuntimeError("training started")

    clf = ImbalancedNetClassifier(
        module="resnet32", augment="bad_randaugment", max_epochs=1, callbacks=[NoTraining()]
    )
    with pytest.raises(ValueError, match="n_ops"):
        clf.fit(X, y)


def test_a_schedule_setting_class_weights_on_a_loss_without_them_is_named():
    import torch

    class HalfwayWeights(Schedule):
        def on_epoch_begin(self, net, **kwargs):
            net.set_class_weights(torch.ones(2))

    X, y = _small_table()
    clf = ImbalancedNetClassifier(
        loss=torch.nn.CrossEntropyLoss, schedule=HalfwayWeights, max_epochs=1
    )
    with pytest.raises(ValueError, match=r"the loss CrossEntropyLoss has no class weights"):
        clf.fit(X, y)


def test_a_class_weights_method_of_another_signature_is_named():
    class NoEpoch(Schedule):
        def class_weights(self):
            return None

    X, y = _small_table()
    with pytest.raises(ValueError, match=r"class_weights is called as class_weights\(epoch\)"):
        ImbalancedNetClassifier(schedule=NoEpoch, max_epochs=1).fit(X, y)


def test_a_nested_parameter_of_a_sampler_instance_given_to_the_constructor_is_explained():
    from imblearn.under_sampling import RandomUnderSampler

    X, y = _small_table()
    clf = ImbalancedNetClassifier(
        sampler=RandomUnderSampler(), sampler__replacement=True, max_epochs=1
    )
    with pytest.raises(ValueError, match=r"set it on the instance, or with set_params\("):
        clf.fit(X, y)
    clf = ImbalancedNetClassifier(
        loss="ce", sampler=RandomUnderSampler(), max_epochs=1, random_state=0
    )
    clf.set_params(sampler__replacement=True).fit(X, y)


def test_a_schedule_that_acts_through_its_own_helpers_or_extra_epochs_is_taken():
    class Helper(Schedule):
        def on_epoch_end(self, net, **kwargs):
            self.on_phase_change(net)

        def on_phase_change(self, net):
            self.changed_ = True

    class ExtraOnly(Schedule):
        @property
        def extra_epochs(self):
            return self.n_epochs_ // 2

    X, y = _small_table()
    for schedule in (Helper, ExtraOnly):
        ImbalancedNetClassifier(schedule=schedule, max_epochs=2, random_state=0).fit(X, y)


def test_a_grid_over_component_instances_trains_each_instance():
    from sklearn.model_selection import GridSearchCV

    X, y = _small_table()
    base = ImbalancedNetClassifier(mixing="mixup", mixing__alpha=0.9, max_epochs=1)
    grid = GridSearchCV(base, {"mixing": [Mixup(alpha=0.1), Mixup(alpha=0.4)]}, cv=2)
    grid.fit(X, y)
    assert grid.best_estimator_.net_.mixing_.alpha in (0.1, 0.4)
    chosen = clone(base).set_params(mixing=Mixup(alpha=0.4))
    assert chosen.get_params()["mixing__alpha"] == 0.4


@pytest.mark.parametrize(
    "params, message",
    [
        ({"schedule": "crt", "loss": "ce"}, r"schedule='crt' re-trains .*Checkpoint\(load_best"),
        ({"weight_averaging": "swa"}, r"weight_averaging='swa' .*Checkpoint\(load_best=True\)"),
        ({"early_stopping": True}, r"Checkpoint\(load_best=True\) restores .*use one"),
    ],
)
def test_a_checkpoint_that_restores_its_best_epoch_is_refused_beside_what_it_undoes(
    params, message, tmp_path
):
    """Restoring an earlier epoch at the end of the fit would throw away a classifier
    re-training or a weight average, or fight early stopping's own restoring."""
    from skorch.callbacks import Checkpoint

    X, y = _small_table()
    checkpoint = Checkpoint(dirname=str(tmp_path), load_best=True)
    clf = ImbalancedNetClassifier(
        max_epochs=3, validation_fraction=0.25, callbacks=[checkpoint], **params
    )
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)


def test_a_component_whose_init_skips_its_parents_parameters_is_named():
    class SkipsTheParent(Mixup):
        def __init__(self, alpha=0.5):  # no super().__init__(): no `layer`
            self.alpha = alpha

    X, y = _small_table()
    clf = ImbalancedNetClassifier(mixing=SkipsTheParent(), max_epochs=1)
    message = r"SkipsTheParent has no attribute 'layer'.*super\(\).__init__"
    with pytest.raises(TypeError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "classes_")


def test_skorchs_callback_parameter_form_is_explained():
    # skorch sets callbacks__<name>__<param>; here a callback takes them where it is made.
    X, y = _small_table()
    message = (
        r"'callbacks__es__patience'.*callbacks=\[\('es', EarlyStopping\(patience=\.\.\.\)\)\]"
        r".*\{'callbacks': \[\[\.\.\.\], \[\.\.\.\]\]\}"
    )
    given = [("es", EarlyStopping())]
    clf = ImbalancedNetClassifier(callbacks=given, callbacks__es__patience=3, max_epochs=1)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    with pytest.raises(ValueError, match=message):
        ImbalancedNetClassifier(callbacks=given).set_params(callbacks__es__patience=3)
    # The estimator's own callbacks (which a callback of that name cannot replace) are
    # set by its parameters.
    own = r"'early_stopping' is one of the estimator's own callbacks, set by its parameters "
    with pytest.raises(ValueError, match=own + "early_stopping, n_iter_no_change"):
        ImbalancedNetClassifier().set_params(callbacks__early_stopping__patience=3)
    with pytest.raises(ValueError, match=r"set by its parameters lr_schedule and lr_sch"):
        ImbalancedNetClassifier(callbacks__lr_schedule__warmup_epochs=2).fit(X, y)


def test_a_module_with_nothing_to_train_is_refused_clearly():
    import torch

    class Fixed(torch.nn.Module):  # no parameters at all
        def __init__(self, n_features, n_classes):
            super().__init__()
            self.n_classes = n_classes

        def forward(self, x):
            return torch.zeros(len(x), self.n_classes)

    frozen = torch.nn.Linear(4, 2).requires_grad_(False)
    X, y = _small_table()
    for module, name in [(Fixed, r"<class .*Fixed'>"), (frozen, r"Linear\(\.\.\.\)")]:
        clf = ImbalancedNetClassifier(module=module, loss="ce", max_epochs=1)
        # An instance is named by its class, as in the estimator's other messages.
        message = rf"module={name} has no trainable parameters \(none with requi"
        with pytest.raises(ValueError, match=message):
            clf.fit(X, y)
        assert not hasattr(clf, "classes_")


def test_a_loss_that_is_nan_from_the_start_is_not_called_a_divergence():
    import torch

    class NaNLoss(ImbalanceLoss):
        requires_class_counts = False

        def __init__(self, class_counts=None, *, reduction="mean"):
            super().__init__(class_counts, reduction=reduction)

        def _loss(self, logits, target, counts, weight, reduction):
            per_sample = torch.nn.functional.cross_entropy(logits, target, reduction="none")
            per_sample = per_sample * float("nan")
            return per_sample.mean() if reduction == "mean" else per_sample

    X, y = _small_table()
    clf = ImbalancedNetClassifier(loss=NaNLoss, max_epochs=2)
    message = r"first training batch is non-finite .* not a divergence .* loss of your own"
    with pytest.raises(ValueError, match=message) as error:
        clf.fit(X, y)
    assert "learning rate" not in str(error.value)


@pytest.mark.parametrize(
    "probabilities, problem",
    [
        ([1.0], r"got shape \(1,\)"),  # would broadcast over the 2 classes
        ([0.3, 0.3, 0.4], r"got shape \(3,\)"),  # the extra class would be ignored
        ([-0.5, 1.5], "got a negative value"),
        ([0.0, 0.0], "got all zeros"),
        ([float("nan"), 1.0], "got a NaN or infinite value"),
    ],
)
@pytest.mark.parametrize("reads_them", [False, True], ids=["set_sampler", "class_probabilities"])
def test_class_probabilities_of_a_schedule_drawing_the_batches_are_checked(
    probabilities, problem, reads_them
):
    import torch

    class Draws(Schedule):
        resamples = True

        def on_epoch_begin(self, net, **kwargs):
            net.set_sampler(torch.tensor(probabilities))

    class DrawsByEpoch(Draws):
        def class_probabilities(self, epoch):
            return torch.tensor(probabilities)

    X, y = _small_table()
    if reads_them:
        schedule, what = DrawsByEpoch, r"class_probabilities\(0\) must return"
    else:
        schedule, what = Draws, "set_sampler takes"
    clf = ImbalancedNetClassifier(loss="ce", schedule=schedule, max_epochs=2)
    message = rf"{what} 2 finite, non-negative class probabilities, not all zero .*; {problem}\."
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "classes_")


def test_class_probabilities_of_another_signature_are_named():
    import torch

    class NoEpoch(Schedule):
        resamples = True

        def class_probabilities(self):
            return torch.ones(2)

        def on_epoch_begin(self, net, **kwargs):
            net.set_sampler(self.class_probabilities())

    X, y = _small_table()
    clf = ImbalancedNetClassifier(loss="ce", schedule=NoEpoch, max_epochs=1)
    with pytest.raises(ValueError, match=r"class_probabilities is called as class_probabilit"):
        clf.fit(X, y)


class _PickyOptimizer(torch.optim.SGD):
    def __init__(self, params, lr=0.1, rate_floor=0.0):
        if lr < rate_floor:
            raise ValueError("The rate is under the floor.")
        super().__init__(params, lr=lr)


def test_an_optimizer_refusing_its_options_is_quoted_as_one_sentence():
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    clf = ImbalancedNetClassifier(optimizer=_PickyOptimizer, optimizer__rate_floor=1.0)
    with pytest.raises(ValueError, match=r"The rate is under the floor\.$") as caught:
        clf.fit(X, np.arange(40) % 2)
    assert ".." not in str(caught.value)


class _LinearEnded(torch.nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(n_features, 8), torch.nn.ReLU(), torch.nn.Linear(8, n_classes)
        )

    def forward(self, x):
        return self.layers(x)


class _CosineEnded(_LinearEnded):
    def __init__(self, n_features, n_classes):
        super().__init__(n_features, n_classes)
        self.layers[-1] = CosineLinear(8, n_classes)


def test_a_module_of_ones_own_without_a_cosine_head_is_refused_by_cri_and_warned_by_ldam():
    # Its logits are of any size: the losses would multiply them by s as if cosines.
    X, y = _small_table()
    clf = ImbalancedNetClassifier(module=_LinearEnded, loss="cri", max_epochs=1)
    with pytest.raises(ValueError, match=r"has no CosineLinear head: end the module with"):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")
    with pytest.warns(UserWarning, match=r"loss='ldam' trains on cosine logits .* s=30"):
        clf.set_params(loss="ldam").fit(X, y)


@pytest.mark.parametrize("loss", ["cri", "ldam"])
def test_a_module_of_ones_own_with_a_cosine_head_trains_on_cosines(loss):
    X, y = _small_table()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = ImbalancedNetClassifier(module=_CosineEnded, loss=loss, max_epochs=1).fit(X, y)
    module = clf.net_.module_.eval()
    with torch.no_grad():
        cosines = module(torch.as_tensor(X, dtype=torch.float32))
    assert float(cosines.abs().max()) <= 1 + 1e-6
