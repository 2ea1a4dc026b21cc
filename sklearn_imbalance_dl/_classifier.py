"""ImbalancedNetClassifier: the scikit-learn estimator in front of the skorch net."""

import copy
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)
from skorch.callbacks import EarlyStopping
from skorch.helper import predefined_split
from torch.utils.data import Dataset

from ._components import (
    OPTIMIZER_DEFAULTS,
    OPTIMIZERS,
    accepted_parameters,
    build_component,
    resolve_device,
)
from ._data import (
    AUGMENTATIONS,
    SAMPLERS,
    LabelledDataset,
    random_crop_flip,
    to_device_dataset,
)
from ._net import PRECISIONS, AdjustedSoftmax, ImbalanceNet
from .losses import _LOSSES as LOSSES
from .losses import ImbalanceLoss
from .losses._adapter import TorchLossAdapter
from .mixing import MIXINGS
from .modules import MODULES, fit_module_preprocessing, is_staged
from .schedules import LR_SCHEDULES, SCHEDULES, LRSchedule, Schedule

# Prefixes of the skorch-style routed parameters, e.g. ``module__hidden_sizes``.
ROUTED_PREFIXES = ("module", "loss", "schedule", "mixing", "optimizer", "lr_schedule")


class ImbalancedNetClassifier(ClassifierMixin, BaseEstimator):
    """A neural-network classifier for class-imbalanced data, scikit-learn compatible.

    The network (an MLP for tables, the CIFAR ResNet-32 for images, or any
    ``torch.nn.Module``) is trained by a skorch net with the loss, schedule, mixing and
    sampling the parameters select, so that deep long-tailed methods (LDAM-DRW, logit
    adjustment, CRI+PPL, ARB, Procrustean feature weakening) cross-validate beside
    imbalanced-learn's resamplers in the same ``Pipeline`` and ``GridSearchCV``.

    Class counts, margins, priors and weights come from the ``y`` that ``fit`` trains
    on (after any resampler before it in a pipeline, and after the internal validation
    split if one is asked for).

    Parameters
    ----------
    module : {"mlp", "resnet32"}, torch.nn.Module class or instance, default="mlp"
        The network. ``"mlp"`` is sized from the data at fit (``module__hidden_sizes``,
        ``module__dropout``, ``module__batch_norm``, ``module__activation``,
        ``module__head``); ``"resnet32"`` takes images (N, C, H, W), or rows with
        ``module__input_shape=(C, H, W)``. A class gets ``n_features`` and
        ``n_classes`` if its constructor takes them. By default the head is a cosine
        classifier for the losses that train on cosines (``ldam``, ``cri``) and linear
        otherwise; ``module__head`` sets it explicitly.
    loss : str or loss object, default="ce"
        ``"ce"``, ``"weighted_ce"``, ``"class_balanced"``, ``"focal"``, ``"ldam"``,
        ``"logit_adjusted"``, ``"balanced_softmax"``, ``"cri"``, ``"arb"``, an
        :class:`~sklearn_imbalance_dl.losses.ImbalanceLoss` class or instance, or a torch
        loss with a ``reduction`` attribute. Hyperparameters as ``loss__*``.
    schedule : {None, "drw", "ppw", "ppl", "crt"} or Schedule, default=None
        Deferred re-weighting, phased progressive re-weighting, PPL (PPW + PPmix) or
        classifier re-training. Its parameters as ``schedule__*``.
    mixing : {None, "mixup", "remix", "mfw"} or Mixing, default=None
        Mixing within a batch; ``"mfw"`` is Procrustean major feature weakening.
        Parameters as ``mixing__*``.
    sampler : {"instance", "class_balanced", "sqrt"} or imbalanced-learn sampler, \
            default="instance"
        How each epoch's samples are drawn. An index-preserving imbalanced-learn
        sampler (``RandomUnderSampler``, ``RandomOverSampler``) is re-run every epoch.
    max_epochs : int, default=50
        Training epochs (``schedule="crt"`` adds its re-training epochs after them).
    batch_size : int, default=128
    lr : float, default=1e-3
        Base learning rate.
    optimizer : {"adamw", "sgd"} or torch optimizer class, default="adamw"
        ``"sgd"`` uses momentum 0.9 unless ``optimizer__momentum`` says otherwise.
    weight_decay : float, default=1e-4
    lr_schedule : {"constant", "warmup_step", "cosine"}, default="constant"
        ``"warmup_step"`` is the long-tailed recipe (5 warm-up epochs, x0.01 at 80% and
        x0.0001 at 90% of the epochs); its parameters as ``lr_schedule__*``.
    augment : {None, "crop_flip"} or callable, default=None
        Batched augmentation on the device; ``"crop_flip"`` is random crop with 4-pixel
        padding and horizontal flip, for images.
    validation_fraction : float or None, default=None
        Fraction held out (stratified) to monitor ``valid_loss`` and
        ``valid_balanced_accuracy``. None: train on everything (tail classes are too
        small to spare).
    early_stopping : bool, default=False
        Stop when the validation balanced accuracy has not improved for
        ``n_iter_no_change`` epochs and keep the best epoch's weights. Needs
        ``validation_fraction``.
    n_iter_no_change : int, default=10
    posthoc_tau : float or None, default=None
        Post-hoc logit adjustment at predict time, ``z - tau * log(prior)`` (Menon et
        al. 2021); None: off.
    precision : {"fp32", "bf16", "fp16"}, default="fp32"
        Mixed precision of the forward pass.
    channels_last : bool, default=False
        Channels-last memory format for image inputs (faster convolutions on GPUs).
    compile : bool, default=False
        ``torch.compile`` the module (through skorch).
    device : str, default="auto"
        "auto" picks CUDA when present, else the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, shuffling, sampling and mixing: the same seed gives the same
        model, bit for bit, on the CPU with the same number of torch threads
        (``torch.get_num_threads()``: parallel reductions sum in another order with
        another thread count). Global torch random state is left untouched.
    verbose : int, default=0
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks, e.g. :class:`~sklearn_imbalance_dl.callbacks.ClassDiagnostics`.
    **routed_params
        ``module__*``, ``loss__*``, ``schedule__*``, ``mixing__*``, ``optimizer__*``,
        ``lr_schedule__*``: passed to that component.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_counts_ : ndarray of shape (n_classes,)
        Training samples per class, in the order of ``classes_``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names (pandas).
    net_ : skorch.NeuralNet
        The trained net, with its ``history``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_imbalance_dl import ImbalancedNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = ImbalancedNetClassifier(loss="ldam", schedule="drw", max_epochs=5,
    ...                               random_state=0).fit(X / 16, y)
    >>> clf.predict(X[:3] / 16).shape
    (3,)
    """

    _parameter_constraints = {
        "module": [StrOptions(set(MODULES)), type, HasMethods(["forward"])],
        "loss": [StrOptions(set(LOSSES)), type, HasMethods(["forward"])],
        "schedule": [None, StrOptions(set(SCHEDULES)), type, Schedule],
        "mixing": [None, StrOptions(set(MIXINGS)), type, HasMethods(["plan", "prepare"])],
        "sampler": [StrOptions(set(SAMPLERS)), HasMethods(["fit_resample"])],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions(set(LR_SCHEDULES))],
        "augment": [None, StrOptions(set(AUGMENTATIONS)), callable],
        "validation_fraction": [None, Interval(numbers.Real, 0, 1, closed="neither")],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "posthoc_tau": [None, Interval(numbers.Real, 0, None, closed="left")],
        "precision": [StrOptions(set(PRECISIONS))],
        "channels_last": ["boolean"],
        "compile": ["boolean"],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [None, list],
    }

    def __init__(
        self,
        module="mlp",
        *,
        loss="ce",
        schedule=None,
        mixing=None,
        sampler="instance",
        max_epochs=50,
        batch_size=128,
        lr=1e-3,
        optimizer="adamw",
        weight_decay=1e-4,
        lr_schedule="constant",
        augment=None,
        validation_fraction=None,
        early_stopping=False,
        n_iter_no_change=10,
        posthoc_tau=None,
        precision="fp32",
        channels_last=False,
        compile=False,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
        **routed_params,
    ):
        self.module = module
        self.loss = loss
        self.schedule = schedule
        self.mixing = mixing
        self.sampler = sampler
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.augment = augment
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.posthoc_tau = posthoc_tau
        self.precision = precision
        self.channels_last = channels_last
        self.compile = compile
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self._routed_params = dict(routed_params)

    # ------------------------------------------------------------ parameters
    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._routed_params)
        return params

    def set_params(self, **params):
        routed = {k: v for k, v in params.items() if _is_routed(k)}
        super().set_params(**{k: v for k, v in params.items() if k not in routed})
        self._routed_params.update(routed)
        return self

    def _routed(self, prefix):
        """The ``prefix__*`` parameters, without the prefix."""
        start = prefix + "__"
        return {k[len(start) :]: v for k, v in self._routed_params.items() if k.startswith(start)}

    def _validate_routed_names(self):
        for key in self._routed_params:
            if not _is_routed(key):
                valid = ", ".join(p + "__*" for p in ROUTED_PREFIXES)
                raise ValueError(
                    f"Unknown parameter {key!r} for ImbalancedNetClassifier; routed "
                    f"parameters must start with one of: {valid}."
                )

    # ------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X`` (a table or images) and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
        y : array-like of shape (n_samples,)
            Any label type.
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplies each sample's loss.

        Returns
        -------
        self
        """
        self._validate_routed_names()
        if isinstance(X, Dataset):
            y = self._validate_dataset(X, y)
        else:
            X, y = validate_data(self, X, y, dtype=np.float32, allow_nd=True)
            self._input_shape = X.shape[1:]
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                "ImbalancedNetClassifier needs samples of at least 2 classes; got 1 class: "
                f"{self.classes_[0]!r}."
            )
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float32, ensure_non_negative=True
        )
        device = resolve_device(self.device)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        train, valid = self._split(X, y_encoded, sample_weight, seed)
        self.class_counts_ = np.bincount(train[1], minlength=len(self.classes_))

        cuda = [torch.device(device)] if device.startswith("cuda") else []
        with torch.random.fork_rng(devices=cuda):
            torch.manual_seed(seed)
            self.net_ = self._build_net(device, train[0], valid)
            self.net_.fit(self._dataset(*train, device), None)
        return self

    def _validate_dataset(self, dataset, y):
        """Checks for a ``torch.utils.data.Dataset`` X; returns the labels as an array."""
        if y is None:
            raise ValueError(
                "fit(X, y) with X a torch Dataset needs y, the labels of its items in "
                "order: the estimator encodes them and counts the classes before training."
            )
        y = column_or_1d(y, warn=True)
        if len(y) != len(dataset):
            raise ValueError(f"y has {len(y)} labels but the Dataset X has {len(dataset)} items.")
        if self.validation_fraction is not None:
            raise ValueError(
                "validation_fraction is not supported with a torch Dataset X; hold out a "
                "validation Dataset yourself or pass arrays."
            )
        if not isinstance(self.sampler, str):
            raise ValueError(
                "An imbalanced-learn sampler needs array inputs; with a torch Dataset X use "
                "sampler='instance', 'class_balanced' or 'sqrt'."
            )
        self._input_shape = tuple(_first_input(dataset).shape)
        self.n_features_in_ = self._input_shape[0]
        return y

    def _split(self, X, y, sample_weight, seed):
        if self.validation_fraction is None:
            if self.early_stopping:
                raise ValueError(
                    "early_stopping=True needs a validation set: set validation_fraction, e.g. 0.1."
                )
            return (X, y, sample_weight), None
        splitter = StratifiedShuffleSplit(
            n_splits=1, test_size=self.validation_fraction, random_state=seed
        )
        try:
            train_idx, valid_idx = next(splitter.split(X, y))
        except ValueError as exc:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} cannot hold out a "
                f"stratified validation set from these data: {exc}"
            ) from exc
        return (
            (X[train_idx], y[train_idx], sample_weight[train_idx]),
            (X[valid_idx], y[valid_idx], sample_weight[valid_idx]),
        )

    def _dataset(self, X, y, sample_weight, device):
        if isinstance(X, Dataset):  # the normal path: collated and copied batch by batch
            return LabelledDataset(X, torch.as_tensor(y), torch.as_tensor(sample_weight))
        dataset = to_device_dataset(X, y, sample_weight, device)
        if self.channels_last:
            dataset.X = dataset.X.contiguous(memory_format=torch.channels_last)
        return dataset

    def _build_net(self, device, X_train, valid):
        n_classes = len(self.classes_)
        counts = self.class_counts_
        loss = self._build_loss(counts)
        module = self._build_module(n_classes, loss)
        fit_module_preprocessing(module, X_train)
        self._check_module_output(module, n_classes)
        schedule = self._build_schedule(counts)
        mixing = self._build_mixing(schedule, module)
        self._check_combinations(module, loss, schedule)

        callbacks = [("lr_schedule", self._build_lr_schedule())]
        if schedule is not None:
            callbacks.append(("schedule", schedule))
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_balanced_accuracy",
                        lower_is_better=False,
                        patience=self.n_iter_no_change,
                        load_best=True,
                    ),
                )
            )
        # Deep copies: skorch initialises callbacks, which must not touch our params.
        for i, callback in enumerate(self.callbacks or []):
            callbacks.append(_clone_callback(callback, i))

        optimizer_name = self.optimizer if isinstance(self.optimizer, str) else None
        optimizer_kwargs = {"weight_decay": self.weight_decay}
        optimizer_kwargs.update(OPTIMIZER_DEFAULTS.get(optimizer_name, {}))
        optimizer_kwargs.update(self._routed("optimizer"))
        optimizer_cls = OPTIMIZERS.get(optimizer_name, self.optimizer)
        accepted, takes_any = accepted_parameters(optimizer_cls)
        unknown = sorted(set(optimizer_kwargs) - accepted - {"params"})
        if unknown and not takes_any:
            raise ValueError(
                f"optimizer__{unknown[0]} is not a parameter of {optimizer_cls.__name__}. Valid "
                f"optimizer__ parameters: {', '.join(sorted(accepted - {'params', 'lr'}))}."
            )

        shift = None
        if self.posthoc_tau is not None:
            prior = torch.as_tensor(counts / counts.sum(), dtype=torch.float32)
            shift = self.posthoc_tau * torch.log(prior)
        return ImbalanceNet(
            module=module,
            criterion=loss,
            optimizer=optimizer_cls,
            lr=self.lr,
            max_epochs=self.max_epochs + (schedule.extra_epochs if schedule else 0),
            batch_size=self.batch_size,
            train_split=None if valid is None else predefined_split(self._dataset(*valid, device)),
            callbacks=callbacks,
            predict_nonlinearity=AdjustedSoftmax(getattr(loss, "logit_scale", 1.0), shift),
            verbose=self.verbose,
            device=device,
            compile=self.compile,
            torch_load_kwargs={"weights_only": False},
            mixing=mixing,
            sampler=_copy_sampler(self.sampler),
            augment=random_crop_flip if self.augment == "crop_flip" else self.augment,
            precision=self.precision,
            channels_last=self.channels_last,
            class_counts=counts,
            main_epochs=self.max_epochs,
            **{"optimizer__" + k: v for k, v in optimizer_kwargs.items()},
        )

    def _build_loss(self, counts):
        loss = build_component(
            "loss", self.loss, LOSSES, self._routed("loss"), from_data={"class_counts": counts}
        )
        if isinstance(loss, ImbalanceLoss):
            # Always the counts of the data being fitted, also on a user's loss object
            # (a copy) that carries counts of its own.
            return loss.set_class_counts(counts)
        if hasattr(loss, "reduction"):
            return TorchLossAdapter(loss)
        raise ValueError(
            f"loss={self.loss!r} is neither a loss name, an ImbalanceLoss, nor a torch loss "
            "with a 'reduction' attribute, so per-sample losses cannot be computed."
        )

    def _build_module(self, n_classes, loss):
        routed = self._routed("module")
        shape = self._input_shape
        from_data = {"n_features": int(np.prod(shape)), "n_classes": n_classes}
        if len(shape) == 3:
            from_data["in_channels"] = shape[0]
        if isinstance(self.module, str):
            uses_cosine = getattr(loss, "uses_cosine_logits", False)
            from_data["head"] = "cosine" if uses_cosine else "linear"
            if type(loss).__name__ == "CRILoss" and routed.get("head", "cosine") != "cosine":
                raise ValueError(
                    f"loss='cri' trains on cosine logits (Xu et al. 2022), but "
                    f"module__head={routed['head']!r}; drop module__head or set it to 'cosine'."
                )
        return build_component("module", self.module, MODULES, routed, from_data=from_data)

    def _check_module_output(self, module, n_classes):
        """One forward pass on zeros, so that a shape mismatch fails here, clearly."""
        probe = torch.zeros((2, *self._input_shape))
        was_training = module.training
        module.eval()  # no batch-norm update, no dropout draw: the seed's stream is intact
        try:
            with torch.no_grad():
                out = module(probe)
        except (RuntimeError, ValueError, TypeError) as exc:
            raise ValueError(
                f"module={self.module!r} cannot take samples of shape {self._input_shape}: {exc}"
            ) from exc
        finally:
            module.train(was_training)
        if out.ndim != 2 or out.shape[1] != n_classes:
            raise ValueError(
                f"module={self.module!r} returns outputs of shape {tuple(out.shape)} for 2 "
                f"samples; expected (2, {n_classes}): one logit per class of y."
            )

    def _build_schedule(self, counts):
        if self.schedule is None:
            return None
        schedule = build_component("schedule", self.schedule, SCHEDULES, self._routed("schedule"))
        if not isinstance(schedule, Schedule):
            raise ValueError(
                f"schedule must be a name or a sklearn_imbalance_dl.schedules.Schedule; got "
                f"{type(schedule).__name__}."
            )
        return schedule.prepare(counts, self.max_epochs)

    def _build_mixing(self, schedule, module):
        brought = schedule.mixing() if schedule is not None else None
        if brought is not None:
            if self.mixing is not None:
                raise ValueError(
                    f"schedule={self.schedule!r} brings its own mixing (PPmix), so "
                    f"mixing={self.mixing!r} cannot be added; set mixing=None, or use "
                    "schedule='ppw' (the re-weighting alone) with this mixing."
                )
            return brought
        if self.mixing is None:
            return None
        mixing = build_component("mixing", self.mixing, MIXINGS, self._routed("mixing"))
        if getattr(mixing, "layer", "input") != "input" and not is_staged(module):
            raise ValueError(
                f"mixing={self.mixing!r} mixes at layer={mixing.layer!r}, which needs a "
                f"module exposing 'stages' and 'head' (the staged-module protocol of "
                f"sklearn_imbalance_dl.modules); module={self.module!r} does not. Use "
                "mixing__layer='input' or a staged module."
            )
        return mixing

    def _build_lr_schedule(self):
        return build_component(
            "lr_schedule",
            self.lr_schedule,
            {k: LRSchedule for k in LR_SCHEDULES},
            self._routed("lr_schedule"),
            from_data={"kind": self.lr_schedule},
        ).prepare(self.max_epochs)

    def _check_combinations(self, module, loss, schedule):
        """Reject combinations of parameters that make no sense, naming both."""
        if schedule is not None and schedule.reweights:
            if getattr(loss, "reweights_classes", False) or loss.class_weights is None:
                raise ValueError(
                    f"schedule={self.schedule!r} re-weights the classes, but "
                    f"loss={self.loss!r} already balances them (or has no class weights); "
                    "use it with loss='ce', 'focal', 'ldam' or 'cri'."
                )
        if schedule is not None and schedule.extra_epochs:
            if not is_staged(module):
                raise ValueError(
                    f"schedule={self.schedule!r} re-trains the classifier head, which needs "
                    f"a module exposing 'stages' and 'head'; module={self.module!r} does not."
                )
            if self.sampler != "instance":
                raise ValueError(
                    f"schedule={self.schedule!r} trains instance-balanced and then "
                    f"re-samples the classes itself; sampler={self.sampler!r} conflicts with "
                    "it. Use sampler='instance' (or schedule__sampler for the second stage)."
                )
        is_image = len(self._input_shape) == 3
        if self.augment == "crop_flip" and not is_image:
            raise ValueError(
                f"augment='crop_flip' needs images of shape (n_samples, channels, height, "
                f"width); got samples of shape {self._input_shape}."
            )
        if self.channels_last and not is_image:
            raise ValueError(
                f"channels_last=True applies to images (n_samples, channels, height, width); "
                f"got samples of shape {self._input_shape}."
            )

    # ------------------------------------------------------------ predict
    def _adjusted_logits(self, X):
        check_is_fitted(self)
        if isinstance(X, Dataset):
            shape = tuple(_first_input(X).shape)
        else:
            X = validate_data(self, X, reset=False, dtype=np.float32, allow_nd=True)
            shape = X.shape[1:]
        if shape != self._input_shape:
            raise ValueError(
                f"X has samples of shape {shape}, but this ImbalancedNetClassifier "
                f"was fitted on samples of shape {self._input_shape}."
            )
        logits = self.net_.predict_logits(X)
        return self.net_.predict_nonlinearity.logits(logits)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        proba = torch.softmax(self._adjusted_logits(X).double(), dim=1).numpy()
        return proba

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`."""
        return torch.log_softmax(self._adjusted_logits(X).double(), dim=1).numpy()

    def predict(self, X):
        """Predicted labels, taken from ``classes_``."""
        best = self._adjusted_logits(X).argmax(1).numpy()
        return self.classes_[best]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def _first_input(dataset):
    item = dataset[0]
    return torch.as_tensor(item[0] if isinstance(item, (tuple, list)) else item)


def _is_routed(key):
    prefix, sep, rest = key.partition("__")
    return bool(sep) and bool(rest) and prefix in ROUTED_PREFIXES


def _clone_callback(callback, index):
    if isinstance(callback, tuple):
        name, cb = callback
        return name, copy.deepcopy(cb)
    return f"user_callback_{index}_{type(callback).__name__}", copy.deepcopy(callback)


def _copy_sampler(sampler):
    """The sampler for the net: a name, or a copy of an index-preserving imblearn sampler."""
    if isinstance(sampler, str):
        return sampler
    probe = clone(sampler)
    # Batches are drawn by index, so the sampler must return a subset of its input rows
    # (and say which); one that synthesises rows, like SMOTE, belongs in a Pipeline.
    y = np.repeat([0, 1], [20, 10])
    probe.fit_resample(np.arange(len(y)).reshape(-1, 1), y)
    if not hasattr(probe, "sample_indices_"):
        raise ValueError(
            f"sampler={sampler!r} does not pick existing rows (it has no sample_indices_), "
            "so it cannot draw the batches; use an under- or over-sampler such as "
            "RandomUnderSampler, or put it in an imblearn Pipeline before the classifier."
        )
    return clone(sampler)
