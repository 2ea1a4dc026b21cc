"""Published training recipes, as the estimator's parameters.

A recipe is what a paper (or its released code) trains with: network, loss, schedule,
mixing, optimizer, learning rate and its steps, weight decay, epochs, batch size and
augmentation. :func:`get_recipe` returns them as keyword arguments of
:class:`~sklearn_imbalance_dl.ImbalancedNetClassifier`; :func:`make_estimator` builds
the estimator (or the pipeline, or the non-deep rival) of a method; :func:`list_recipes`
names the methods of a setting; :func:`recipe_notes` gives each recipe's source, its
published number and where the recipe departs from the source.

Settings
--------
``"cifar10_lt"``
    ResNet-32 on CIFAR-10-LT (images standardised with mean (0.4914, 0.4822, 0.4465)
    and std (0.2023, 0.1994, 0.2010) before ``fit``), each method on its own authors'
    recipe.
``"tabular"``
    What ``compare`` runs on tables: the estimator's defaults (TabularNet, AdamW at
    1e-3 with a cosine decay, ``weight_decay="auto"``, batch 256) with each method's
    loss, schedule or mixing, and the classical rivals.
"""

import copy
from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions, validate_params

from .._builder import ROUTED_KINDS, component_class, ignored_parameters
from .._classifier import ImbalancedNetClassifier
from ..augment import RandAugment
from ..registry import KINDS
from ..sampling import SMOTEWithFallback

__all__ = ["SETTINGS", "get_recipe", "list_recipes", "make_estimator", "recipe_notes"]

SETTINGS = ("cifar10_lt", "tabular")

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2023, 0.1994, 0.2010)


class RecipeNotes(NamedTuple):
    """Where a recipe comes from.

    Parameters
    ----------
    source : str
        The paper and code the recipe follows.
    reference : str
        The published number the recipe aims at.
    departures : tuple of str
        Where the recipe departs from the source.
    """

    source: str
    reference: str
    departures: tuple


# --------------------------------------------------------------------------- CIFAR-10-LT
# The long-tailed recipe of Cao et al. (LDAM-DRW code; the documentation's methods page): ResNet-32,
# SGD momentum 0.9, weight decay 2e-4, batch 128, 200 epochs, lr 0.1 with a linear
# warm-up over 5 epochs, x0.01 at epoch 160 and x0.0001 at 180, crop 32 (padding 4) + flip.
_CIFAR_BASE = {
    "module": "resnet32",
    "optimizer": "sgd",
    "optimizer__momentum": 0.9,
    "weight_decay": 2e-4,
    "batch_size": 128,
    "max_epochs": 200,
    "lr": 0.1,
    "lr_schedule": "warmup_step",
    "lr_schedule__warmup_epochs": 5,
    "lr_schedule__milestone_fractions": (0.8, 0.9),
    "lr_schedule__factors": (0.01, 0.0001),
    "augment": "crop_flip",
}
# MiSLAS, CRI+PPL and ARB (all on the MiSLAS code base) decay by x0.1 and x0.01.
_STEPS_01_001 = {"lr_schedule__factors": (0.1, 0.01)}

_CROP_PAD = (
    "random crop pads with 0 in the standardised space (the mean colour), torchvision "
    "pads black pixels (measured: +1.3 points for CE with the mean colour, independent loop)"
)

_CIFAR = {
    "ce": (
        {"loss": "ce"},
        RecipeNotes(
            "Cao et al., NeurIPS 2019, github.com/kaidic/LDAM-DRW (CE baseline, cifar_train.py)",
            "70.4",
            (_CROP_PAD,),
        ),
    ),
    "ldam_drw": (
        {
            "loss": "ldam",
            "loss__max_m": 0.5,
            "loss__s": 30.0,
            "schedule": "drw",
            "schedule__start": 0.8,
            "schedule__beta": 0.9999,
        },
        RecipeNotes(
            "Cao et al., NeurIPS 2019, github.com/kaidic/LDAM-DRW (--loss_type LDAM "
            "--train_rule DRW)",
            "77.0",
            (_CROP_PAD,),
        ),
    ),
    "cri_ppl": (
        {
            "loss": "cri",
            "loss__s": 30.0,
            "loss__max_m": 0.1,
            "loss__gamma": 1.0,
            "loss__correction": "zero",
            "schedule": "ppl",
            "schedule__start": 0.5,
            "schedule__end": 0.8,
            "schedule__power": 5.0,
            "schedule__mix_power": 3.0,
            "schedule__kappa": 3.0,
            "schedule__tau": 0.5,
            "schedule__mix_alpha": 1.0,
            **_STEPS_01_001,
        },
        RecipeNotes(
            "Xu et al. 2022, github.com/simonustc/Imbalance_PPL_CRI (CRI+PPL/config/"
            "cifar10/cifar10_CRI.yaml, train.py adjust_learning_rate)",
            "82.85 (best epoch, official checkpoint)",
            (
                "the outlier correction acts per sample (the official code applies it to "
                "the batch mean, where it never fires)",
                "mixed batches: one weighted mean over both labels, "
                "sum(lam w_a l_a + (1 - lam) w_b l_b) / sum(lam w_a + (1 - lam) w_b); the "
                "official code averages lam * L_a + (1 - lam) * L_b of two weighted means",
                "the cosine head is initialised as the library's CosineLinear, not the "
                "official FCNorm's uniform(-1, 1) renormalised rows",
                _CROP_PAD,
            ),
        ),
    ),
    "arb": (
        {
            "loss": "arb",
            "loss__counts": "batch",
            "loss__clamp": 30.0,
            "lr_schedule__milestone_fractions": (0.8,),
            "lr_schedule__factors": (0.1,),
        },
        RecipeNotes(
            "Xie et al., Neurocomputing 2023 (arXiv:2204.08735), github.com/lilydedbb/"
            "ARBLOSS (config/cifar10/cifar10_imb001_arbloss.yaml, train_stage1.py): "
            "x0.1 after epoch 160 only (its x0.01 step is after epoch 240 of 200)",
            "not stated in the released code",
            (
                "the released code also has cifar10_imb001_arbloss_mixup.yaml, the same "
                "with mixup, which its README's CIFAR commands name (as stage1_mixup "
                "files it does not ship): this recipe is the configuration without it; "
                "mixing='mixup' adds it",
                "ARB's global-count variant (cifar10_imb001_arbloss_ugcc.yaml) is "
                "loss__counts='global', the same as balanced_softmax",
                _CROP_PAD,
            ),
        ),
    ),
    "balanced_softmax": (
        {"loss": "balanced_softmax"},
        RecipeNotes(
            "Ren et al., NeurIPS 2020; trained on the long-tailed recipe of Cao et al.",
            "none for ratio 100 (the authors report CIFAR-10-LT at ratio 200 only)",
            (
                "the authors (github.com/jiawei-ren/BalancedMetaSoftmax-Classification) "
                "release a CIFAR-10-LT configuration for ratio 200 only (batch 512, "
                "13,000 iterations, lr 0.05 with 800 warm-up iterations then a cosine "
                "decay to 0, weight decay 5e-4, and AutoAugment's CIFAR-10 policy with "
                "Cutout 16 on every training image: augment=rand_augment_cutout() is the "
                "nearest here, RandAugment for AutoAugment); for ratio 100 this is the "
                "LDAM-DRW recipe with the loss replaced",
                _CROP_PAD,
            ),
        ),
    ),
    "ldam_drw_mfw": (
        {
            "loss": "ldam",
            "loss__max_m": 0.5,
            "loss__s": 30.0,
            "schedule": "drw",
            "mixing": "mfw",
            "mixing__label_policy": "mix",
        },
        RecipeNotes(
            "Ye, Zhan and Chao, ICCV 2021 (no code released): LDAM-DRW plus Procrustean "
            "major feature weakening, the reconstruction in the documentation's methods page",
            "none to compare (paper's table not reproduced); measured here 74.9 / 76.1 "
            "(seeds 0 / 1, JPEG data; benchmarks/RESULTS.md, 'CIFAR-10-LT on an H100')",
            (
                "label_policy='mix' (the weakened sample's label mixed with the same "
                "share): measured +1.1 points over the reconstruction's 'keep' on seed 0 "
                "(the one seed 'keep' was run on)",
                _CROP_PAD,
            ),
        ),
    ),
    "mixup_drw": (
        {
            "loss": "ce",
            "mixing": "mixup",
            "mixing__alpha": 1.0,
            "schedule": "drw",
            "schedule__start": 0.8,
            "schedule__beta": 0.9999,
        },
        RecipeNotes(
            "mixup (Zhang et al., ICLR 2018) on cross-entropy with DRW (Cao et al. 2019), "
            "the Mixup-DRW baseline of Remix (Chou et al., ECCV-W 2020)",
            "not verified here",
            (
                "mixup's loss under DRW is one weighted mean over both labels (as every "
                "mixing in the library)",
                _CROP_PAD,
            ),
        ),
    ),
    "mislas": (
        {
            "loss": "ce",
            "mixing": "mixup",
            "mixing__alpha": 1.0,
            # The README: "we highly recommend changing the weight decay 2e-4 to 5e-4 on
            # CIFAR-LT" (the released configurations still say 2e-4).
            "weight_decay": 5e-4,
            **_STEPS_01_001,
            "schedule": "mislas",
            "schedule__epochs": 10,
            "schedule__lr": 0.1,
            "schedule__lr_factor": 0.5,
            "schedule__smooth_head": 0.3,
            "schedule__smooth_tail": 0.0,
            "schedule__shape": "concave",
            "schedule__shift_bn": False,
            "schedule__weight_scaling": True,
            "schedule__reset_head": False,
            "schedule__sampler": "class_balanced",
        },
        RecipeNotes(
            "Zhong et al., CVPR 2021, github.com/dvlab-research/MiSLAS (config/cifar10/"
            "cifar10_imb001_stage1_mixup.yaml and _stage2_mislas.yaml, train_stage1.py, "
            "train_stage2.py, README): stage 1 CE + mixup (alpha 1), x0.1 at 160 and "
            "x0.01 at 180; stage 2 10 epochs, label-aware smoothing 0.3 -> 0.0 "
            "(concave), classifier fine-tuned at 0.5 x the cosine rate from 0.1, "
            "learnable weight scaling, class-balanced sampling",
            "82.5 (README's released stage-2 model; its stage-1 mixup model: 72.8)",
            (
                "shift_bn=False as in the released CIFAR-10 stage-2 configurations (the "
                "paper's shifted BN is on for CIFAR-100-LT and the large data sets: "
                "schedule__shift_bn=True)",
                "weight decay 5e-4 in both stages, as the README recommends for CIFAR-LT "
                "(the released configurations, behind the 82.5, say 2e-4)",
                "stage 2 samples with replacement, probability 1/n_y (the authors' "
                "ClassAwareSampler cycles classes 4 samples at a time), same epoch length",
                _CROP_PAD,
            ),
        ),
    ),
    "ldam_drw_sam": (
        {
            "loss": "ldam",
            "loss__max_m": 0.5,
            "loss__s": 30.0,
            "schedule": "drw",
            "schedule__start": 0.8,
            "schedule__beta": 0.9999,
            "optimizer": "sam",
            "optimizer__momentum": 0.9,
            "optimizer__rho": 0.8,
        },
        RecipeNotes(
            "Rangwani et al., NeurIPS 2022, github.com/val-iisc/Saddle-LongTail "
            "(cifar_train_sam.py --loss_type LDAM --train_rule DRW --rho 0.8 "
            "--rho_schedule none): LDAM-DRW's recipe with SGD inside SAM",
            "81.9",
            (
                "the SAM step evaluates the same augmented, mixed batch twice; batch-norm "
                "statistics are updated by both passes, as in the authors' code",
                _CROP_PAD,
            ),
        ),
    ),
    "sure": (
        {
            # SURE's cosine classifier at temperature 8: cross-entropy on 8 * cos
            # (LDAM with zero margins, on the library's cosine head).
            "loss": "ldam",
            "loss__max_m": 0.0,
            "loss__s": 8.0,
            "optimizer": "sam",
            "optimizer__momentum": 0.9,
            "optimizer__rho": 0.05,
            "weight_decay": 5e-4,
            "lr_schedule": "cosine",
            "lr_schedule__warmup_epochs": 0,
            "mixing": "mixup",
            "mixing__alpha": 1.0,
            "weight_averaging": "swa",
            "weight_averaging__start": 0.6,
            "weight_averaging__lr": 0.05,
            "weight_averaging__anneal_epochs": 10,
            "schedule": "crt",
            "schedule__epochs": 20,
            "schedule__lr": 0.01,
            "schedule__sampler": "class_balanced",
        },
        RecipeNotes(
            "Li et al., CVPR 2024 (SURE), github.com/YutingLi0606/SURE (run/CIFAR10_LT/"
            "resnet32.sh, main.py, train.py, optim.py, finetune.py, train_finetune.py, "
            "utils/option.py): SGD (momentum 0.9, weight decay 5e-4) inside SAM (its "
            "default rho 0.05), lr 0.1 with a cosine over 200 epochs, batch 128, SWA from "
            "epoch 120 at swa_lr 0.05 (SWALR, 10 annealing epochs) with batch-norm "
            "statistics recomputed, mixup, cosine classifier at temperature 8; then a "
            "short re-weighted fine-tune of the averaged network at lr 0.01",
            "86.93 (with re-weighting; the best epoch on the test set)",
            (
                "mixup replaces the batch (Beta(1, 1)); SURE adds a mixup term (Beta(10, "
                "10), weight 1) to the clean cross-entropy, two forward passes per step, "
                "and draws a new mixup for SAM's second pass",
                "the fine-tune is cRT on the averaged network: the head re-initialised and "
                "trained alone for 20 epochs with class-balanced sampling, cosine from "
                "0.01; SURE fine-tunes the whole network (batch norm frozen) for 21 "
                "epochs at 0.01, re-weighting samples by their confidence before it",
                "the cosine head has no bias and the library's initialisation (SURE's "
                "Classifier normalises a Linear layer's weights, its bias unused)",
                "the last epoch is reported; SURE keeps the best epoch on the test set "
                "(its validation directory is the test directory)",
                "GLMC's 87.75 (Du et al., CVPR 2023) is on its own long-tailed split, "
                "not Cao et al.'s: not a reference here",
                _CROP_PAD,
            ),
        ),
    ),
}


def _cifar_params(method):
    params, _ = _CIFAR[method]
    return _overridden(_CIFAR_BASE, params)


def _overridden(params, changes):
    """``params`` updated with ``changes``. A component that ``changes`` replaces leaves
    the recipe's routed parameters of it behind, unless the new name designates the same
    class (the three learning-rate schedules share one: ``lr_schedule="cosine"`` for
    ``"warmup_step"`` keeps the warm-up, not the step factors, which it does not read).
    Parameters of the same name in another component can mean something else (DRW's
    ``start`` is not PPL's)."""
    replaced = {
        name: value
        for name, value in changes.items()
        if "__" not in name and name in params and not _same(name, value, params[name])
    }

    def kept(key):
        prefix, sep, name = key.partition("__")
        if not sep or prefix not in replaced:
            return True
        new, old = replaced[prefix], params[prefix]
        same_class = (
            isinstance(new, str)
            and isinstance(old, str)
            and prefix in KINDS
            and component_class(prefix, new) is component_class(prefix, old)
        )
        return same_class and name not in ignored_parameters(prefix, new)

    return {**{k: v for k, v in params.items() if kept(k)}, **changes}


def _same(kind, a, b):
    """Whether two values of the parameter ``kind`` designate the same component: one
    object, equal names, or a registered name and its class."""
    if a is b or (isinstance(a, str) and a == b):
        return True
    named, given = (a, b) if isinstance(a, str) else (b, a)
    return (
        kind in KINDS
        and isinstance(named, str)
        and isinstance(given, type)
        and component_class(kind, named) is given
    )


# The recipes keep LDAM-DRW's crop and flip; Balanced Softmax's own configuration adds
# AutoAugment and Cutout (ratio 200). The ingredient nearest it, for experiments:
# ``augment=rand_augment_cutout()``.
def rand_augment_cutout(n_ops=2, magnitude=9, cutout_size=16):
    """Crop, flip, RandAugment and Cutout on standardised CIFAR images, for ``augment=``.

    Parameters
    ----------
    n_ops : int, default=2
        RandAugment operations per image.
    magnitude : int, default=9
        RandAugment magnitude.
    cutout_size : int, default=16
        Side of the Cutout square, in pixels.

    Returns
    -------
    RandAugment
    """
    return RandAugment(
        n_ops,
        magnitude,
        mean=CIFAR10_MEAN,
        std=CIFAR10_STD,
        crop_flip=True,
        cutout_size=cutout_size,
    )


# --------------------------------------------------------------------------- tabular
_TABULAR_RATE = (
    "AdamW at 1e-3 at a constant rate (lr_schedule='auto' under re-weighting) instead "
    "of the CIFAR recipe's SGD steps"
)
_COMPARE = "the method as sklearn_imbalance_dl.compare runs it on tables"
# What compare adds in front of the methods that do not read a table as it comes.
_PREPROCESSED = (
    "compare puts sklearn_imbalance_dl.compare.make_preprocessor(X) in front (categories "
    "one-hot encoded, gaps imputed, numbers standardised, fitted on the training fold); "
    "make_estimator builds the method without it"
)
_MIXES_INPUTS = _PREPROCESSED + " (the inputs it mixes cannot be category codes)"
_TABULAR_NETS = {
    "default": {},
    "ce": {"loss": "ce"},
    "weighted_ce": {"loss": "weighted_ce"},
    "ldam_drw": {"loss": "ldam", "schedule": "drw"},
    "cri_ppl": {"loss": "cri", "schedule": "ppl"},
    "arb": {"loss": "arb"},
    "mfw": {"loss": "ce", "mixing": "mfw"},
    "smote": {"loss": "ce"},
    "undersample": {"loss": "ce"},
}
_TABULAR_OTHERS = ("logreg", "hgb", "brf", "catboost")
_TABULAR_NOTES = {
    "default": RecipeNotes(
        "the estimator's defaults, chosen by benchmarks/tabular_lt.py (logit adjustment: "
        "Menon et al. 2021; TabularNet after RealMLP, Holzmueller et al. 2024)",
        "-",
        (),
    ),
    "ce": RecipeNotes(_COMPARE, "-", ()),
    "weighted_ce": RecipeNotes(_COMPARE, "-", ()),
    "ldam_drw": RecipeNotes(
        "Cao et al. 2019; " + _COMPARE,
        "-",
        (_TABULAR_RATE,),
    ),
    "cri_ppl": RecipeNotes(
        "Xu et al. 2022; " + _COMPARE,
        "-",
        (_TABULAR_RATE, _MIXES_INPUTS),
    ),
    "arb": RecipeNotes("Xie et al. 2022; " + _COMPARE, "-", ()),
    "mfw": RecipeNotes("Ye et al. 2021 (reconstruction); " + _COMPARE, "-", (_MIXES_INPUTS,)),
    "smote": RecipeNotes(
        "SMOTE (Chawla et al. 2002) in an imbalanced-learn Pipeline before CE; " + _COMPARE,
        "-",
        (
            "SMOTEWithFallback: k reduced for small classes, copies for singletons",
            _PREPROCESSED,
        ),
    ),
    "undersample": RecipeNotes(
        "RandomUnderSampler in an imbalanced-learn Pipeline before CE; " + _COMPARE,
        "-",
        (_PREPROCESSED,),
    ),
    "logreg": RecipeNotes(
        "LogisticRegression(class_weight='balanced', max_iter=5000); " + _COMPARE,
        "-",
        (_PREPROCESSED,),
    ),
    "hgb": RecipeNotes(
        "HistGradientBoostingClassifier(class_weight='balanced')", "-", (_PREPROCESSED,)
    ),
    "brf": RecipeNotes(
        "imbalanced-learn's BalancedRandomForestClassifier (Chen, Liaw and Breiman 2004), "
        "its 0.14 defaults",
        "-",
        (_PREPROCESSED,),
    ),
    "catboost": RecipeNotes(
        "CatBoostClassifier(auto_class_weights='Balanced'), its defaults (1,000 "
        "iterations); needs the catboost package",
        "-",
        ("one thread, no files written", _PREPROCESSED),
    ),
}

_METHODS = {
    "cifar10_lt": tuple(_CIFAR),
    "tabular": tuple(_TABULAR_NETS) + _TABULAR_OTHERS,
}


def _check_method(method, setting):
    if method not in _METHODS[setting]:
        raise ValueError(
            f"Unknown method {method!r} for setting {setting!r}; valid methods are: "
            f"{', '.join(_METHODS[setting])}."
        )


@validate_params({"setting": [StrOptions(set(SETTINGS))]}, prefer_skip_nested_validation=True)
def list_recipes(setting):
    """Names of the methods with a recipe in ``setting``.

    Parameters
    ----------
    setting : {"cifar10_lt", "tabular"}

    Returns
    -------
    list of str

    Examples
    --------
    >>> from sklearn_imbalance_dl.recipes import list_recipes
    >>> list_recipes("cifar10_lt")[:3]
    ['ce', 'ldam_drw', 'cri_ppl']
    """
    return list(_METHODS[setting])


@validate_params(
    {"method": [str], "setting": [StrOptions(set(SETTINGS))]},
    prefer_skip_nested_validation=True,
)
def get_recipe(method, setting):
    """The :class:`~sklearn_imbalance_dl.ImbalancedNetClassifier` parameters of a recipe.

    Parameters
    ----------
    method : str
        A name from :func:`list_recipes`.
    setting : {"cifar10_lt", "tabular"}

    Returns
    -------
    params : dict
        Keyword arguments of ``ImbalancedNetClassifier`` (routed ones included), a
        fresh copy. ``random_state``, ``device`` and precision are left to the caller.
        For ``"smote"`` and ``"undersample"`` these are the network's parameters (the
        resampler comes first in :func:`make_estimator`'s pipeline).

    Raises
    ------
    ValueError
        For an unknown method, or a method without a network (``"logreg"``, ``"hgb"``,
        ``"brf"``, ``"catboost"``: use :func:`make_estimator`).

    Notes
    -----
    The recipes, with their sources (:func:`recipe_notes` has the departures):

    ``cifar10_lt`` (all: ResNet-32, SGD momentum 0.9, weight decay 2e-4, batch 128, 200
    epochs, lr 0.1, 5 warm-up epochs, crop + flip; x0.01 / x0.0001 at epochs 160 / 180
    unless said):

    - ``ce``: cross-entropy; Cao et al. 2019 (70.4).
    - ``ldam_drw``: LDAM (max_m 0.5, s 30) with deferred re-weighting from epoch 160
      (beta 0.9999); Cao et al. 2019 (77.0).
    - ``cri_ppl``: CRI loss (s 30, max_m 0.1, gamma 1) with PPL (PPW window 100-160,
      alpha 5; PPmix beta 3, kappa 3, tau 0.5); x0.1 / x0.01 at 160 / 180; Xu et al.
      2022 (82.85).
    - ``arb``: ARB loss with batch counts; x0.1 at epoch 160 only; Xie et al. 2022.
    - ``balanced_softmax``: Balanced Softmax; Ren et al. 2020 (reported at ratio 200 only).
    - ``ldam_drw_mfw``: LDAM-DRW with Procrustean major feature weakening, label mixed;
      Ye et al. 2021 (reconstruction).
    - ``mixup_drw``: cross-entropy with mixup (alpha 1) and DRW.
    - ``mislas``: stage 1 CE + mixup, weight decay 5e-4, x0.1 / x0.01 at 160 / 180;
      stage 2 (10 epochs)
      :class:`~sklearn_imbalance_dl.schedules.MiSLASRetraining`: label-aware
      smoothing 0.3 -> 0.0, weight scaling, class-balanced; Zhong et al. 2021 (82.5).
    - ``ldam_drw_sam``: LDAM-DRW with SAM (rho 0.8) around SGD; Rangwani et al. 2022
      (81.9).
    - ``sure``: SAM (rho 0.05) + SWA from epoch 120 (rate 0.05) + mixup + cosine
      classifier (scale 8), weight decay 5e-4, cosine rate without warm-up; then 20
      epochs of class-balanced classifier re-training of the averaged network; Li et
      al. 2024 (86.93, SURE with re-weighting).

    ``tabular`` (the estimator's defaults otherwise; the methods of ``compare``):

    - ``default``: ``ImbalancedNetClassifier()`` as it is (logit-adjusted loss);
    - ``ce``, ``weighted_ce``, ``ldam_drw``, ``cri_ppl``, ``arb``, ``mfw``: the network
      with that loss / schedule / mixing;
    - ``smote``, ``undersample``: CE after SMOTE (with fallbacks) or random
      under-sampling, in a pipeline;
    - ``logreg``, ``hgb``, ``brf``, ``catboost``: balanced logistic regression,
      histogram gradient boosting with balanced class weights, imbalanced-learn's
      balanced random forest, CatBoost with balanced class weights (needs the
      ``catboost`` package; no network: :func:`make_estimator` only).

    Examples
    --------
    >>> from sklearn_imbalance_dl.recipes import get_recipe
    >>> params = get_recipe("cri_ppl", "cifar10_lt")
    >>> params["loss"], params["schedule"], params["lr_schedule__factors"]
    ('cri', 'ppl', (0.1, 0.01))
    """
    _check_method(method, setting)
    if setting == "cifar10_lt":
        return copy.deepcopy(_cifar_params(method))
    if method in _TABULAR_OTHERS:
        raise ValueError(
            f"Method {method!r} has no network, so no ImbalancedNetClassifier parameters; "
            "use make_estimator(method, setting) to build it."
        )
    return dict(_TABULAR_NETS[method])


@validate_params(
    {"method": [str], "setting": [StrOptions(set(SETTINGS))]},
    prefer_skip_nested_validation=True,
)
def recipe_notes(method, setting):
    """Source, published number and departures of a recipe.

    Parameters
    ----------
    method : str
        A name from :func:`list_recipes`.
    setting : {"cifar10_lt", "tabular"}

    Returns
    -------
    RecipeNotes

    Examples
    --------
    >>> from sklearn_imbalance_dl.recipes import recipe_notes
    >>> recipe_notes("ldam_drw", "cifar10_lt").reference
    '77.0'
    """
    _check_method(method, setting)
    if setting == "cifar10_lt":
        return _CIFAR[method][1]
    return _TABULAR_NOTES[method]


# Checked here, as every estimator would check it at fit: CatBoost's seed is taken from it
# when the estimator is built.
@validate_params({"random_state": ["random_state"]}, prefer_skip_nested_validation=True)
def make_estimator(method, setting, *, random_state=None, **overrides):
    """An unfitted estimator (or imbalanced-learn pipeline) for a method's recipe.

    Parameters
    ----------
    method : str
        A name from :func:`list_recipes`.
    setting : {"cifar10_lt", "tabular"}
    random_state : int, RandomState instance or None, default=None
        Seeds the network and the resampler or rival.
    **overrides
        Parameters of the network replacing the recipe's (``max_epochs``, ``device``,
        ``precision``, ...); methods without a network ignore them, and refuse any
        other name (set their own parameters on the estimator returned). A shorter
        ``max_epochs`` keeps the recipe's shape where it is given in fractions of the
        epochs (rate steps, DRW, SWA's start) and its lengths given in epochs: the
        warm-up, SWA's annealing and the re-training that ``mislas`` and ``sure`` add
        after ``max_epochs`` (``schedule__epochs``, 10 and 20); override those too for
        a short run. A component
        replaced (``loss="ce"``) drops the recipe's parameters of it (``loss__*``) that
        are not overridden too; a learning-rate schedule keeps those the new one reads.

    Returns
    -------
    estimator
        ``ImbalancedNetClassifier``; for ``"smote"`` / ``"undersample"`` an
        imbalanced-learn ``Pipeline`` (resampler, then ``"net"``); for ``"logreg"``,
        ``"hgb"``, ``"brf"``, ``"catboost"`` the scikit-learn / imbalanced-learn /
        CatBoost estimator. ``compare`` puts
        :func:`~sklearn_imbalance_dl.compare.make_preprocessor` in front of these, and
        of ``"cri_ppl"`` and ``"mfw"`` (which mix the inputs), on tables; the estimator
        returned does not include it (:func:`recipe_notes` says which).

    Raises
    ------
    ValueError
        For an unknown method or setting, a ``random_state`` that is not an int,
        RandomState instance or None, or, for a method without a network, an
        override that is not a parameter of the network.
    ImportError
        For ``"catboost"`` when the catboost package is not installed.

    Examples
    --------
    >>> from sklearn_imbalance_dl.recipes import make_estimator
    >>> make_estimator("ldam_drw", "tabular", random_state=0, max_epochs=5).schedule
    'drw'
    >>> type(make_estimator("brf", "tabular", random_state=0)).__name__
    'BalancedRandomForestClassifier'
    """
    if setting not in SETTINGS:
        raise ValueError(f"Unknown setting {setting!r}; valid settings are: {', '.join(SETTINGS)}.")
    _check_method(method, setting)
    if setting == "tabular" and method in _TABULAR_OTHERS:
        _check_rival_overrides(method, overrides)
        return _rival(method, random_state)
    net = ImbalancedNetClassifier(
        **_overridden(get_recipe(method, setting), {"random_state": random_state, **overrides})
    )
    if method not in ("smote", "undersample"):
        return net
    from imblearn.pipeline import Pipeline

    if method == "smote":
        sampler = SMOTEWithFallback(random_state=random_state)
    else:
        from imblearn.under_sampling import RandomUnderSampler

        sampler = RandomUnderSampler(random_state=random_state)
    return Pipeline([("sampler", sampler), ("net", net)])


def _check_rival_overrides(method, overrides):
    """Refuse what a method without a network would drop: only the network's parameters
    (``max_epochs``, ``device``, ... which it ignores) are taken."""
    network = ImbalancedNetClassifier().get_params(deep=False)
    unknown = [
        name
        for name in overrides
        if name not in network and name.partition("__")[0] not in ROUTED_KINDS
    ]
    if unknown:
        raise ValueError(
            f"Method {method!r} has no network: its overrides can only be the network's "
            f"parameters (max_epochs, device, ...), which it ignores; got "
            f"{', '.join(map(repr, unknown))}. Set the estimator's own parameters on what "
            f"make_estimator returns: make_estimator({method!r}, 'tabular')"
            f".set_params({unknown[0]}=...)."
        )


def _rival(method, random_state):
    if method == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(class_weight="balanced", max_iter=5000, random_state=random_state)
    if method == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(class_weight="balanced", random_state=random_state)
    if method == "catboost":
        try:
            from catboost import CatBoostClassifier
        except ImportError as exc:
            raise ImportError(
                "The 'catboost' recipe needs the catboost package: pip install catboost."
            ) from exc
        # CatBoost takes an int seed: draw one from a RandomState, as scikit-learn does.
        seed = (
            None
            if random_state is None
            else int(
                check_random_state(random_state).randint(np.iinfo(np.int32).max)
                if isinstance(random_state, np.random.RandomState)
                else random_state
            )
        )
        return CatBoostClassifier(
            auto_class_weights="Balanced",
            random_seed=seed,
            thread_count=1,
            verbose=0,
            allow_writing_files=False,
        )
    from imblearn.ensemble import BalancedRandomForestClassifier

    return BalancedRandomForestClassifier(random_state=random_state)
