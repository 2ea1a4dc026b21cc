"""The published recipes: accepted by the estimator, faithful to their sources."""

import copy
import importlib.util
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from imblearn.ensemble import BalancedRandomForestClassifier
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.callbacks import SWA
from sklearn_imbalance_dl.optim import SAM
from sklearn_imbalance_dl.recipes import (
    SETTINGS,
    get_recipe,
    list_recipes,
    make_estimator,
    recipe_notes,
)
from sklearn_imbalance_dl.schedules import DeferredReweighting
from sklearn_imbalance_dl.schedules._lr import LRSchedule
from sklearn_imbalance_dl.schedules._mislas import MiSLASRetraining

NETWORK_METHODS = [
    (setting, method)
    for setting in SETTINGS
    for method in list_recipes(setting)
    if not (setting == "tabular" and method in ("logreg", "hgb", "brf", "catboost"))
]


@pytest.mark.parametrize("setting, method", NETWORK_METHODS)
def test_recipe_is_accepted_and_returned_by_get_params(setting, method):
    params = get_recipe(method, setting)
    clf = ImbalancedNetClassifier(**params)
    got = clf.get_params()
    for key, value in params.items():
        assert got[key] == value, key
    # Top-level parameters pass the estimator's own constraints.
    clf._validate_params()
    clone(clf)
    assert get_recipe(method, setting) is not params  # a fresh copy each call


def test_get_recipe_returns_an_independent_copy():
    params = get_recipe("mislas", "cifar10_lt")
    params["schedule__epochs"] = 99
    assert get_recipe("mislas", "cifar10_lt")["schedule__epochs"] == 10


@pytest.mark.slow
@pytest.mark.parametrize("method", list_recipes("cifar10_lt"))
# Two epochs are enough to check that a recipe trains; its warm-up is longer, and a
# re-weighting phase or SWA starts later (all warn).
@pytest.mark.filterwarnings("ignore:lr_schedule='warmup_step' warms the learning rate up")
@pytest.mark.filterwarnings("ignore:schedule='.*' re-weights the classes from a fraction")
@pytest.mark.filterwarnings("ignore:weight_averaging='swa' averages the weights of the epochs")
def test_cifar_recipe_fits_a_tiny_long_tailed_image_set(method):
    rng = np.random.default_rng(0)
    counts = [12, 8, 6, 4, 3, 3, 2, 2, 2, 2]
    y = np.repeat(np.arange(10), counts)
    X = rng.standard_normal((len(y), 3, 32, 32)).astype(np.float32)
    overrides = {"max_epochs": 2, "batch_size": 16, "device": "cpu", "random_state": 0}
    if get_recipe(method, "cifar10_lt").get("schedule") in ("crt", "mislas"):
        overrides["schedule__epochs"] = 1
    clf = ImbalancedNetClassifier(**{**get_recipe(method, "cifar10_lt"), **overrides})
    clf.fit(X, y)
    assert np.isfinite(clf.predict_proba(X[:4])).all()


class _FirstWeights(Callback):
    def on_train_begin(self, net, **kwargs):
        self.module = copy.deepcopy(net.module_)


def test_one_sam_step_of_the_net_matches_a_hand_loop():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [30, 10, 4])
    X = (rng.standard_normal((len(y), 6)) + y[:, None]).astype(np.float32)
    rho, lr, wd = 0.5, 0.1, 1e-3
    clf = ImbalancedNetClassifier(
        module="mlp",
        loss="ce",
        lr_schedule="constant",
        module__hidden_sizes=(8,),
        optimizer=SAM,
        optimizer__base_optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        optimizer__rho=rho,
        lr=lr,
        weight_decay=wd,
        batch_size=64,  # one batch: the order of the samples does not matter
        max_epochs=1,
        callbacks=[("first", _FirstWeights())],
        random_state=0,
    )
    clf.fit(X, y)
    model = dict(clf.net_.callbacks_)["first"].module.train()
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    params = list(model.parameters())
    weights = [p.detach().clone() for p in params]
    grads = torch.autograd.grad(F.cross_entropy(model(Xt), yt), params)
    norm = torch.sqrt(sum((g**2).sum() for g in grads))
    with torch.no_grad():
        for p, g in zip(params, grads):
            p.add_(rho * g / norm)
    grads = torch.autograd.grad(F.cross_entropy(model(Xt), yt), params)
    # SGD's first step with momentum: the buffer is the gradient (plus weight decay).
    expected = [w - lr * (g + wd * w) for w, g in zip(weights, grads)]
    for got, want in zip(clf.net_.module_.parameters(), expected):
        torch.testing.assert_close(got.detach(), want)


def _ldam_lr(epoch):  # kaidic/LDAM-DRW cifar_train.py adjust_learning_rate
    epoch = epoch + 1
    if epoch <= 5:
        return epoch / 5
    if epoch > 180:
        return 0.0001
    if epoch > 160:
        return 0.01
    return 1.0


def _mislas_lr(epoch):  # MiSLAS train_stage1.py and Imbalance_PPL_CRI train.py
    epoch = epoch + 1
    if epoch <= 5:
        return epoch / 5
    if epoch > 180:
        return 0.01
    if epoch > 160:
        return 0.1
    return 1.0


def _arb_lr(epoch):  # ARBLOSS train_stage1.py
    epoch = epoch + 1
    if epoch <= 5:
        return epoch / 5
    if epoch > 240:
        return 0.01
    if epoch > 160:
        return 0.1
    return 1.0


def _sure_lr(epoch):  # SURE main.py: CosineAnnealingLR(T_max=200), SWALR after epoch 120
    cosine = 0.5 * (1 + math.cos(math.pi * min(epoch, 120) / 200))
    if epoch <= 120:
        return cosine
    t = min(1.0, (epoch - 120) / 10)  # torch's SWALR, one step per epoch after 120
    alpha = (1 - math.cos(math.pi * t)) / 2
    return (0.05 * alpha + 0.1 * cosine * (1 - alpha)) / 0.1


AUTHORS_LR = {
    "ce": _ldam_lr,
    "ldam_drw": _ldam_lr,
    "balanced_softmax": _ldam_lr,
    "ldam_drw_mfw": _ldam_lr,
    "mixup_drw": _ldam_lr,
    "ldam_drw_sam": _ldam_lr,  # Saddle-LongTail cifar_train_sam.py: the same steps
    "cri_ppl": _mislas_lr,
    "mislas": _mislas_lr,
    "arb": _arb_lr,
    "sure": _sure_lr,
}


@pytest.mark.parametrize("method", list_recipes("cifar10_lt"))
def test_learning_rate_follows_the_authors_code_epoch_by_epoch(method):
    params = get_recipe(method, "cifar10_lt")
    routed = {k.split("__")[1]: v for k, v in params.items() if k.startswith("lr_schedule__")}
    schedule = LRSchedule(params["lr_schedule"], **routed).bind(params["max_epochs"])
    assert params["lr"] == 0.1 and params["max_epochs"] == 200
    got = [schedule.factor(e) for e in range(200)]
    if params.get("weight_averaging__lr"):  # SWA takes the rate over from its start
        routed = {k.split("__")[1]: v for k, v in params.items() if "weight_averaging__" in k}
        swa = SWA(**routed).bind(200)
        at_start = got[swa.start_epoch_] * params["lr"]
        for e in range(swa.start_epoch_, 200):
            got[e] = swa.rate(e, at_start) / params["lr"]
    expected = [AUTHORS_LR[method](e) for e in range(200)]
    np.testing.assert_allclose(got, expected)


def test_cifar_recipes_carry_the_authors_hyperparameters():
    common = {"module": "resnet32", "optimizer__momentum": 0.9, "batch_size": 128}
    common.update(augment="crop_flip")
    for method in list_recipes("cifar10_lt"):
        params = get_recipe(method, "cifar10_lt")
        for key, value in common.items():
            assert params[key] == value, (method, key)
        expected_wd = 5e-4 if method in ("mislas", "sure") else 2e-4
        assert params["weight_decay"] == expected_wd, method
    cri = get_recipe("cri_ppl", "cifar10_lt")  # cifar10_CRI.yaml
    assert (cri["loss__s"], cri["loss__max_m"], cri["loss__gamma"]) == (30, 0.1, 1.0)
    assert (cri["schedule__start"] * 200, cri["schedule__end"] * 200) == (100, 160)
    assert (cri["schedule__power"], cri["schedule__mix_power"]) == (5, 3)
    mislas = get_recipe("mislas", "cifar10_lt")  # cifar10_imb001_stage2_mislas.yaml
    assert mislas["schedule"] == "mislas" and mislas["mixing"] == "mixup"
    stage_two = {k.split("__")[1]: v for k, v in mislas.items() if k.startswith("schedule__")}
    assert stage_two["smooth_head"] == 0.3 and stage_two["smooth_tail"] == 0.0
    assert stage_two["lr_factor"] == 0.5 and stage_two["epochs"] == 10
    assert stage_two["lr"] == 0.1 and stage_two["shift_bn"] is False
    MiSLASRetraining(**stage_two).bind(np.array([50, 5]), 200)  # all valid
    sam = get_recipe("ldam_drw_sam", "cifar10_lt")
    assert sam["optimizer"] == "sam" and sam["optimizer__rho"] == 0.8
    sure = get_recipe("sure", "cifar10_lt")  # run/CIFAR10_LT/resnet32.sh, utils/option.py
    assert (sure["optimizer"], sure["optimizer__rho"], sure["loss__s"]) == ("sam", 0.05, 8.0)
    assert sure["weight_averaging"] == "swa" and sure["weight_averaging__start"] * 200 == 120
    assert (sure["schedule"], sure["schedule__lr"]) == ("crt", 0.01)


@pytest.mark.parametrize(
    "method, expected",
    [
        ("ldam_drw", {"loss__max_m": 0.5, "loss__s": 30.0, "schedule__start": 0.8}),
        ("ldam_drw", {"schedule__beta": 0.9999}),
        ("mixup_drw", {"mixing": "mixup", "mixing__alpha": 1.0, "schedule__start": 0.8}),
        ("mixup_drw", {"schedule__beta": 0.9999}),
        ("ldam_drw_mfw", {"mixing": "mfw", "mixing__label_policy": "mix", "loss__s": 30.0}),
        ("cri_ppl", {"schedule__kappa": 3.0, "schedule__tau": 0.5, "schedule__mix_alpha": 1.0}),
        ("arb", {"loss__counts": "batch", "loss__clamp": 30.0}),
        ("mislas", {"schedule__reset_head": False, "schedule__weight_scaling": True}),
        ("mislas", {"schedule__sampler": "class_balanced", "schedule__shape": "concave"}),
        ("sure", {"loss__max_m": 0.0, "schedule__epochs": 20}),
        ("sure", {"schedule__sampler": "class_balanced", "mixing__alpha": 1.0}),
    ],
)
def test_cifar_recipes_carry_the_settings_their_notes_state(method, expected):
    params = get_recipe(method, "cifar10_lt")
    assert {key: params[key] for key in expected} == expected


def test_make_estimator_builds_the_rivals_and_pipelines():
    assert isinstance(
        make_estimator("hgb", "tabular", random_state=0), HistGradientBoostingClassifier
    )
    hgb = make_estimator("hgb", "tabular", random_state=0)
    assert hgb.class_weight == "balanced" and hgb.random_state == 0
    brf = make_estimator("brf", "tabular", random_state=1, max_epochs=3)  # ignored
    assert isinstance(brf, BalancedRandomForestClassifier) and brf.random_state == 1
    pipe = make_estimator("undersample", "tabular", random_state=2, max_epochs=4)
    assert pipe.named_steps["net"].max_epochs == 4
    assert pipe.named_steps["sampler"].random_state == 2
    net = make_estimator("mislas", "cifar10_lt", random_state=5, max_epochs=3, device="cpu")
    assert (net.random_state, net.max_epochs, net.device) == (5, 3, "cpu")
    assert net.get_params()["schedule__smooth_head"] == 0.3


def test_an_overridden_component_keeps_the_recipes_parameters_it_reads():
    """The recipe's step factors belong to its step schedule, not to a cosine put in
    its place, which keeps the warm-up; an optimizer given as the class of the recipe's
    name is the same optimizer; a loss that takes no margin leaves the margin behind."""
    recipe = get_recipe("ldam_drw", "cifar10_lt")
    cosine = make_estimator("ldam_drw", "cifar10_lt", lr_schedule="cosine").get_params()
    assert [name for name in cosine if name.startswith("lr_schedule__")] == [
        "lr_schedule__warmup_epochs"
    ]
    assert cosine["loss__max_m"] == recipe["loss__max_m"]
    kept = make_estimator("ldam_drw", "cifar10_lt", lr_schedule="warmup_step").get_params()
    assert kept["lr_schedule__factors"] == recipe["lr_schedule__factors"]
    sgd = make_estimator("ldam_drw", "cifar10_lt", optimizer=torch.optim.SGD).get_params()
    assert sgd["optimizer__momentum"] == recipe["optimizer__momentum"] == 0.9
    ce = make_estimator("ldam_drw", "cifar10_lt", loss="ce").get_params()
    assert not [name for name in ce if name.startswith("loss__")]
    # An instance keeps its own parameters: the recipe's are not applied over them.
    drw = make_estimator("ldam_drw", "cifar10_lt", schedule=DeferredReweighting(start=0.5))
    assert drw.get_params()["schedule__start"] == 0.5


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_method_is_documented_with_its_source(setting):
    for method in list_recipes(setting):
        assert f"``{method}``" in get_recipe.__doc__, method
        notes = recipe_notes(method, setting)
        assert notes.source and notes.reference


def test_every_cifar_recipe_with_crop_and_flip_notes_its_padding():
    """Crop pads with the mean colour where the authors' torchvision pads black."""
    for method in list_recipes("cifar10_lt"):
        if get_recipe(method, "cifar10_lt")["augment"] == "crop_flip":
            departures = recipe_notes(method, "cifar10_lt").departures
            assert any("random crop pads with 0" in d for d in departures), method


def test_unknown_names_are_rejected_with_the_valid_ones():
    with pytest.raises(ValueError, match="valid methods are: ce, ldam_drw"):
        get_recipe("nope", "cifar10_lt")
    with pytest.raises(InvalidParameterError):
        get_recipe("ce", "imagenet_lt")
    with pytest.raises(ValueError, match="make_estimator"):
        get_recipe("hgb", "tabular")
    with pytest.raises(ValueError, match="Unknown setting"):
        make_estimator("ce", "imagenet_lt")


@pytest.mark.parametrize("random_state", [np.int64(5), np.random.RandomState(0)])
def test_the_catboost_recipe_takes_numpy_seeds(random_state):
    pytest.importorskip("catboost")
    seed = make_estimator("catboost", "tabular", random_state=random_state).get_params()[
        "random_seed"
    ]
    assert isinstance(seed, int) and (seed == 5 or not isinstance(random_state, np.integer))


@pytest.mark.parametrize("method", ["catboost", "ce", "smote", "logreg"])
@pytest.mark.parametrize("random_state", [1.5, "7", np.random.default_rng(0)])
def test_make_estimator_refuses_a_random_state_no_estimator_takes(method, random_state):
    """Every method is built with the same seed: one that none of them takes is refused
    when the estimator is built, not truncated into CatBoost's seed or failing in int()."""
    if method == "catboost":
        pytest.importorskip("catboost")
    with pytest.raises(InvalidParameterError, match="'random_state' parameter of make_estimator"):
        make_estimator(method, "tabular", random_state=random_state)


def test_an_override_by_another_component_takes_none_of_the_recipes_parameters_of_it():
    """Parameters of one name can mean something else in another component (DRW's
    start is not PPL's; CRI's margin is not LDAM's)."""
    ppl = make_estimator("ldam_drw", "cifar10_lt", schedule="ppl").get_params()
    assert not [name for name in ppl if name.startswith("schedule__")]
    ldam = make_estimator("cri_ppl", "cifar10_lt", loss="ldam").get_params()
    assert not [name for name in ldam if name.startswith("loss__")]


def test_a_method_without_a_network_refuses_an_override_it_would_drop():
    """Only the network's parameters are ignored (compare passes max_epochs and device to
    every method); the rival's own parameters are set on what make_estimator returns."""
    hgb = make_estimator("hgb", "tabular", random_state=0, max_epochs=3, device="cpu")
    assert hgb.max_iter == HistGradientBoostingClassifier().max_iter
    with pytest.raises(ValueError, match=r"no network.*got 'max_iter'.*set_params\(max_iter="):
        make_estimator("hgb", "tabular", max_iter=50)
    with pytest.raises(ValueError, match="'n_estimators'"):
        make_estimator("brf", "tabular", max_epochs=3, n_estimators=10)


def test_the_notes_name_the_preprocessor_compare_puts_in_front():
    """make_estimator builds the method alone; on a table compare puts make_preprocessor
    in front of every method that does not read the table as it comes."""
    from sklearn_imbalance_dl.compare._methods import takes_raw_table

    for method in list_recipes("tabular"):
        if method == "catboost" and importlib.util.find_spec("catboost") is None:
            continue
        named = any("make_preprocessor" in d for d in recipe_notes(method, "tabular").departures)
        assert named is not takes_raw_table(make_estimator(method, "tabular")), method
