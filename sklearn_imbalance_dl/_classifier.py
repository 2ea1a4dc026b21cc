"""ImbalancedNetClassifier: the scikit-learn estimator in front of the skorch net."""

import contextlib
import numbers
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    check_X_y,
    column_or_1d,
    validate_data,
)
from skorch.callbacks import Checkpoint, EarlyStopping
from skorch.helper import SliceDataset
from torch.utils.data import Dataset, Subset

from . import __version__, _fit_lock
from ._builder import (
    OWN_CALLBACKS,
    ROUTED_KINDS,
    accepted_parameters,
    build_fit,
    component_class,
    first_resampled_epoch,
    first_reweighted_epoch,
    resolve_device,
    routed_constraint,
)
from ._data import (
    ASSUME_FINITE_HINT,
    DatasetInputs,
    check_channel_order,
    check_dataset_labels,
    check_map_style,
    check_value_scale,
    item_input,
    plain_input,
    unslice,
    value_scale,
)
from ._net import autocast
from ._validation import (
    check_label_types,
    check_no_missing_labels,
    check_object_labels,
    first_few,
    listed_labels,
    param_repr,
    plain_value,
    user_stacklevel,
)
from .modules._columns import (
    ColumnEncoder,
    as_float64,
    check_unique_column_names,
    column_kind,
    describe_value,
    first_non_number,
    holds_objects,
    holds_text,
    is_dataframe,
    numbers_from_objects,
)
from .registry import carried_entries, is_shipped, lookup, names, options, register_carried
from .schedules import Schedule

# The key of a pickle's state holding the registered entries the parameters name.
_CARRIED_ENTRIES = "__registered_entries__"
# The package's version at pickling: a model loads as it was saved by the same version
# only (its network's layout may change between versions), as scikit-learn's do.
_PACKAGE_VERSION = "_sklearn_imbalance_dl_version"


def _takes(key, renamed):
    """Whether the routed parameter ``key`` (``prefix__name``) applies to its component
    after ``set_params`` renamed some (``renamed``: prefix to new name or class).

    True where it cannot be told: ``module="auto"`` builds by the data's shape, a name
    not registered is refused at fit, and an optimizer's parameters include skorch's
    ``param_groups``.
    """
    prefix, _, name = key.partition("__")
    value = renamed.get(prefix)
    if value is None or prefix == "optimizer" or (prefix == "module" and value == "auto"):
        return True
    cls = component_class(prefix, value)
    if cls is None:
        return True
    accepted, takes_any = accepted_parameters(cls)
    return takes_any or name in accepted


class ImbalancedNetClassifier(ClassifierMixin, BaseEstimator):
    """A neural-network classifier for class-imbalanced data, scikit-learn compatible.

    The network (a tabular backbone for rows, the CIFAR ResNet-32 for images, or any
    ``torch.nn.Module``) is trained by a skorch net with the loss, schedule, mixing and
    sampling the parameters select, so that deep long-tailed methods (LDAM-DRW, logit
    adjustment, CRI+PPL, ARB, Procrustean feature weakening) cross-validate beside
    imbalanced-learn's resamplers in the same ``Pipeline`` and ``GridSearchCV``.

    Class counts, margins, priors and weights come from the ``y`` that ``fit`` trains
    on (after any resampler before it in a pipeline, and after the internal validation
    split if one is asked for).

    Parameters
    ----------
    module : {"auto", "tabular", "mlp", "resnet32"}, torch.nn.Module class or instance, \
            default="auto"
        The network. ``"auto"`` is ``"tabular"`` for rows (n_samples, n_features),
        ``"resnet32"`` for images (n_samples, C, H, W), and ``"mlp"`` for samples of
        any other shape (n_samples, d1, d2, ...), which the MLP flattens into rows of
        ``d1 * d2 * ...`` features: grayscale images given as (n_samples, H, W) go to
        the MLP, ``X[:, None]`` (one channel) to ResNet-32. Images in (n_samples, H, W,
        C) order are refused (with the transposition to apply) by the built-in modules.
        ``"tabular"`` (:class:`~sklearn_imbalance_dl.modules.TabularNet`) learns a
        robust scaling of the features in ``fit`` (no scaler needed in front; not from
        a torch Dataset, whose items are not read for it: a warning says so) and is
        chosen by a benchmark on long-tailed tables; it takes pandas DataFrames as they
        come (categorical, string, boolean and nullable columns, missing values: see
        ``column_encoder_``), and arrays with missing values. ``"mlp"`` is a plain
        MLP, which reads numbers only (a DataFrame with categorical columns is refused,
        naming ``module="tabular"`` and a ``ColumnTransformer``; missing values,
        naming ``module="tabular"`` and ``SimpleImputer(add_indicator=True)``),
        as float32 and unscaled (a warning names columns whose variation float32 loses);
        both are sized from the data
        (``module__hidden_sizes``, ``module__dropout``, ``module__batch_norm``, ...).
        ``"resnet32"`` takes images, or rows with ``module__input_shape=(C, H, W)``. A
        class gets ``n_features`` and ``n_classes`` if its constructor takes them. The
        head of a registered module (by name, or its class: ``module=MLP`` is
        ``module="mlp"``) is a cosine classifier for the losses that train on cosines
        (``ldam``, ``cri``) and linear otherwise; ``module__head`` sets it explicitly.
    loss : str or loss object, default="logit_adjusted"
        ``"ce"``, ``"weighted_ce"``, ``"class_balanced"``, ``"focal"``, ``"ldam"``,
        ``"logit_adjusted"``, ``"balanced_softmax"``, ``"cri"``, ``"arb"``,
        ``"label_aware_smoothing"``, an
        :class:`~sklearn_imbalance_dl.losses.ImbalanceLoss` class or instance, or a torch
        loss with a ``reduction`` attribute (not a sum: the estimator takes one loss
        per sample and averages them itself). Hyperparameters as ``loss__*``. The
        default, logit adjustment (Menon et al. 2021), balances the classes; ``"ce"``
        does not.
    schedule : {None, "drw", "ppw", "ppl", "pps", "crt", "mislas"} or Schedule, \
            default=None
        Deferred re-weighting, phased progressive re-weighting, PPL (PPW + PPmix), the
        phased sampler (batches moving from instance- to class-balanced, with
        ``sampler="instance"``; a loss that balances warns, as with a balancing
        sampler), classifier re-training (cRT) or MiSLAS's second stage. Its parameters as
        ``schedule__*``. The re-weighting ones (``drw``, ``ppw``, ``ppl``) balance the
        classes, so a loss that already does (``weighted_ce``, ``class_balanced``,
        ``logit_adjusted``, ``balanced_softmax``, ``arb``) is refused with them: use
        one that does not, e.g. ``loss="ce"``, ``"focal"``, ``"ldam"`` or ``"cri"``.
        ``crt`` re-trains the head with the loss on class-balanced batches, so it
        refuses a loss that balances by the class counts (``arb`` by batch counts is
        accepted). ``crt`` and ``mislas`` re-train after the main epochs and are
        refused with early stopping.
    mixing : {None, "mixup", "remix", "mfw", "cutmix"} or Mixing, default=None
        Mixing within a batch; ``"mfw"`` is Procrustean major feature weakening.
        Parameters as ``mixing__*``.
    sampler : {"instance", "class_balanced", "sqrt"} or imbalanced-learn sampler, \
            default="instance"
        How each epoch's samples are drawn. An index-preserving imbalanced-learn
        sampler (``RandomUnderSampler``, ``RandomOverSampler``) is re-run every epoch
        with a seed drawn from ``random_state`` (its own ``random_state`` is not
        used), after a first try on the training rows at the start of fit; one that chooses
        rows by their features (``NearMiss``, ...) sees the training inputs,
        flattened. On a table those are the encoded columns, not scaled: numbers with
        their missing values imputed, missing indicators, and category codes read as
        numbers, so that distances follow the columns' units; for a distance-based
        sampler on such a table, resample in front instead, with your own encoding and
        scaling (an imbalanced-learn ``Pipeline``). A balancing sampler (an
        imbalanced-learn one balances when its draw on the training rows removes at
        least a quarter of the class imbalance, in log ratio) with a loss
        that balances by the class counts (the default ``logit_adjusted``,
        ``weighted_ce``, ``class_balanced``, ``balanced_softmax``) or a re-weighting
        schedule balances the classes twice and warns: use ``loss="ce"`` with the
        sampler, or keep ``"instance"``.
    max_epochs : int, default=50
        Training epochs (``schedule="crt"`` and ``"mislas"`` add their
        ``schedule__epochs`` re-training epochs after them).
    batch_size : int, default=256
        Samples per training batch.
    lr : float, default=1e-3
        Base learning rate.
    optimizer : {"adamw", "sgd", "sam"} or torch optimizer class, default="adamw"
        ``"sgd"`` uses momentum 0.9 unless ``optimizer__momentum`` says otherwise;
        ``"sam"`` is sharpness-aware minimisation around SGD (``optimizer__rho``); a
        callback that reads or clips the gradients (skorch's ``GradientNormClipping``)
        gets the one SAM steps with, taken at the perturbed point.
        ``optimizer__param_groups=[(pattern, options), ...]`` (skorch's) gives the
        parameters whose names match ``pattern`` (fnmatch) their own options, e.g.
        ``[("head.*", {"weight_decay": 0.0, "lr": 1e-2})]``; ``lr_schedule`` scales
        each group's own rate.
    weight_decay : float or "auto", default="auto"
        The optimizer's weight decay (AdamW's is decoupled and multiplied by the rate),
        on every parameter; ``optimizer__param_groups`` gives some parameters another.
        An optimizer without a ``weight_decay`` option (``torch.optim.Rprop``, or SAM's
        base optimizer for ``"sam"``) decays nothing: with ``"auto"`` or 0 it trains
        without decay, and another number is refused.
        ``"auto"`` is 1e-4, except on :class:`~sklearn_imbalance_dl.modules.TabularNet`
        (``module="auto"`` on tables) with the logit-adjusted loss and AdamW, the
        defaults: there the classifier head keeps 1e-4 and every other parameter
        decays at 10, or less on a long fit, so that the decay alone would shrink a
        weight by at most 1/e over the fit (``1 / sum_t lr_t`` over its
        ``max_epochs * ceil(n_samples / batch_size)`` steps, each at the rate it trains
        at: the learning-rate schedule's, and SWA's own in its window with
        ``weight_averaging__lr``; the extra epochs of ``schedule="crt"`` or
        ``"mislas"`` train the head alone); a group of
        ``optimizer__param_groups`` that sets no ``weight_decay`` takes that of its
        parameters (the body's capped at the group's own rate). Measured on KEEL tables
        against 1e-4 everywhere; with LDAM-DRW and CRI-PPW the same decay lost, so
        other losses keep 1e-4 (``benchmarks/RESULTS.md``), as other optimizers do
        (under SGD's momentum the same decay would shrink the weights about ten times
        further).
    lr_schedule : {"auto", "constant", "warmup_step", "cosine"}, default="auto"
        ``"cosine"`` decays the rate to 0 over the epochs; ``"warmup_step"`` is the
        long-tailed recipe (5 warm-up epochs, x0.01 at 80% and x0.0001 at 90% of the
        epochs); parameters as ``lr_schedule__*``. ``"auto"`` is ``"cosine"``, except
        under a re-weighting schedule (``drw``, ``ppw``, ``ppl``) or the phased sampler
        (``pps``), which need the rate alive when they switch on late in training:
        ``"constant"`` there.
    augment : {None, "crop_flip"} or callable, default=None
        Batched augmentation on the device; ``"crop_flip"`` is random crop with 4-pixel
        padding (an eighth of the side where that is less: none under 8 pixels) and
        horizontal flip, for images. A callable takes a training batch (a float tensor
        on the device) and returns it augmented, a floating-point tensor of the
        batch's shape, taken in the inputs' dtype. One that declares the pixel values it
        works on (``pixel_range``, e.g. :class:`~sklearn_imbalance_dl.augment.RandAugment`:
        [0, 1] or their standardised values) refuses training images outside them.
    validation_fraction : float or None, default=None
        Fraction held out (stratified) to monitor ``valid_loss`` and
        ``valid_balanced_accuracy`` (of the predictions ``predict`` makes,
        ``posthoc_tau`` included; weighted by the held-out rows' ``sample_weight``, as
        scikit-learn's ``balanced_accuracy_score`` weighs them). Every class holds out
        at least one sample (a class of 2 then trains on 1, and the held-out set can
        exceed the fraction), of non-zero weight where it has two such rows; one that
        would keep none to train on is refused. None:
        train on everything (tail classes are too small to spare).
        ``net_.history`` marks the epochs whose validation balanced accuracy is higher
        than at every epoch before in ``valid_balanced_accuracy_best``: the table
        ``verbose`` prints highlights them, and skorch's
        ``Checkpoint(monitor="valid_balanced_accuracy_best")`` saves them.
    early_stopping : bool, default=False
        Stop when the validation balanced accuracy has not improved (risen at all) for
        ``n_iter_no_change`` epochs and keep the best epoch's weights. Needs
        ``validation_fraction``.
    n_iter_no_change : int, default=10
        Epochs without improvement after which ``early_stopping`` stops.
    posthoc_tau : float or None, default=None
        Post-hoc logit adjustment at predict time, ``z - tau * log(prior)`` (Menon et
        al. 2021), the prior being the training class frequencies (weighted by
        ``sample_weight``); None: off. Meant for a loss that does not balance the classes
        (``loss="ce"``); with one that does (the default) it balances twice, and a
        warning says so. Fixed into the model by ``fit``, as every parameter is: a value
        set after fit takes effect at the next fit.
    precision : {"fp32", "bf16", "fp16"}, default="fp32"
        Mixed precision of the forward pass (autocast), for a module of float32
        parameters.
    channels_last : bool, default=False
        Channels-last memory format for image inputs (faster convolutions on GPUs).
    compile : bool or dict, default=False
        ``torch.compile`` the module and the loss (through skorch). True compiles with
        torch's defaults (the Inductor backend, which generates and compiles kernels on
        the first batches); a dict compiles with these ``torch.compile`` options, e.g.
        ``{"mode": "reduce-overhead"}`` (CUDA graphs on a GPU), ``{"dynamic": False}``
        or ``{"backend": "aot_eager"}`` (traces the graphs, generates no code).
    cuda_graph : bool, default=False
        Replay whole training steps (augmentation, forward, loss, backward, optimizer
        step, SAM's two passes) from CUDA graphs, one graph per batch shape (the last,
        smaller batch of an epoch gets its own: nothing is dropped). Steps a graph
        cannot hold run eagerly and say why under ``verbose`` (and in
        ``net_.cuda_graph_notes_``): a device other than CUDA (so a recipe with
        ``cuda_graph=True`` runs unchanged on a CPU), fp16, optimizers other than
        SGD/Adam/AdamW/SAM, CutMix. SGD runs fused and Adam/AdamW capturable, with
        the learning rate a device tensor. Not with ``compile``.
    weight_averaging : {None, "ema", "swa"} or WeightAveraging, default=None
        Predict with averaged weights (:class:`~sklearn_imbalance_dl.callbacks.EMA`:
        moving average after every step, batch-norm statistics averaged too;
        :class:`~sklearn_imbalance_dl.callbacks.SWA`: equal average of the last
        epochs, batch-norm statistics recomputed on the training data). Parameters as
        ``weight_averaging__*``: ``start`` for both, EMA's ``decay`` and ``warmup``,
        SWA's ``lr`` and ``anneal_epochs``. Epochs a schedule adds (``crt``,
        ``mislas``) fine-tune the averaged network.
    device : str, default="auto"
        "auto" picks CUDA when present, else the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, shuffling, sampling and mixing: the same seed gives the same
        model, bit for bit, on the CPU with the same number of torch threads
        (``torch.get_num_threads()``: parallel reductions sum in another order with
        another thread count; joblib's worker processes, as in ``cross_validate`` or
        ``GridSearchCV`` with ``n_jobs``, run with fewer threads, so their models can
        differ from the main process's in the last digits). Under ``compile=True``
        (torch's automatic dynamic shapes) the first fit in a process compiles for the
        size of its first batch, and recompiles for any size at the last, smaller batch;
        later fits compile for any size from the start, so they can differ from the first
        in the last digits: ``compile={"dynamic": True}`` compiles for any size in every
        fit. None draws the seed from numpy's global random state, as scikit-learn's
        estimators do (``np.random.seed`` repeats it); a RandomState instance is drawn
        from, so two fits given the same instance differ; a fit that raises draws
        nothing. torch's global generators, the CPU's and every GPU's, are left as they
        were. Fits in threads of one process take turns, on any device, as torch draws
        from one generator per process (so a fit that waits for a fit in another thread,
        from a callback, waits forever): run them in processes (joblib's default) to run
        them at once.
    verbose : int, default=0
        1: print a row per epoch (skorch's table; the per-class lists of
        :class:`~sklearn_imbalance_dl.callbacks.ClassDiagnostics` stay in
        ``net_.history``) and what early stopping decides.
    callbacks : list of skorch callbacks or (name, callback) pairs, default=None
        Extra callbacks, e.g. :class:`~sklearn_imbalance_dl.callbacks.ClassDiagnostics`,
        or skorch's ``GradientNormClipping``, ``Checkpoint``, ``EarlyStopping``. skorch's
        ``EpochScoring`` and ``BatchScoring`` are refused: they cannot read the net's
        batches (inputs, class indices, sample weights). The net records the validation
        balanced accuracy of each epoch itself (``validation_fraction > 0``). skorch's
        ``LRScheduler`` is refused too: ``lr_schedule`` sets the learning rate at every
        epoch; and ``LoadInitState``, which resumes a checkpoint's history: each fit
        trains from the start over its own ``max_epochs`` (a ``Checkpoint``'s files
        load into a fitted estimator with ``clf.net_.load_params(checkpoint=...)``).
        The estimator's own components (schedules, weight averaging) go to their
        parameters, not here. Each fit works on copies of them (find them in
        ``net_.callbacks_``, under the name of a ``(name, callback)`` pair or
        ``user_callback_<i>_<ClassName>``, ``i`` their place in the list), except a
        callback that cannot be copied (one holding an open file or a lock), used as it
        is; ``clone`` (and so ``GridSearchCV``) needs them copyable. All of them see
        every epoch: early stopping (the estimator's, or an ``EarlyStopping`` among
        them) ends the fit once every callback has seen the epoch at which it decided to
        stop.
    **routed_params
        ``module__*``, ``loss__*``, ``schedule__*``, ``mixing__*``, ``optimizer__*``,
        ``lr_schedule__*``, ``weight_averaging__*``: passed to that component.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels of ``y``.
    network_classes_ : ndarray of shape (n_network_classes,)
        The indices into ``classes_`` of the classes the network outputs: all of them,
        but for those whose rows all weigh 0 (``sample_weight``), which it is not
        trained on and which get probability 0.
    class_counts_ : ndarray of shape (n_classes,)
        Training samples per class, in the order of ``classes_`` (0 for a class whose
        rows all weigh 0).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names (pandas); ``predict`` refuses a DataFrame
        with other columns, as scikit-learn does.
    column_encoder_ : :class:`~sklearn_imbalance_dl.modules.ColumnEncoder` or None
        The column encoding learned in ``fit`` for ``module="tabular"`` on a table:
        which columns are numeric (numbers, booleans; missing values imputed by the
        median, with a missing indicator where ``fit`` saw some) and which categorical
        (``category``, ``object``, ``string`` dtypes; integer codes with a slot for
        missing and one for categories not seen in ``fit``). Its repr lists them. None
        for the other modules, images and Datasets. A torch Dataset given to
        ``predict`` goes to the network as it is, without the encoding, and is refused
        where the encoding does more than read the numbers (categories, missing
        indicators, columns shifted into float32's range).
    net_ : skorch.NeuralNet
        The trained net, with its ``history``.
    n_epochs_ : int
        Epochs trained (re-training epochs of ``schedule="crt"`` or ``"mislas"``
        included).
    interrupted_ : bool
        Whether training was stopped by Ctrl-C (a KeyboardInterrupt; the model keeps
        the weights reached, or with ``early_stopping=True`` those of the best epoch
        so far, or with ``weight_averaging`` their average so far (re-trained by the
        epochs that ``schedule="crt"`` or ``"mislas"`` adds, once they began), or those
        of the epoch that a callback with ``load_best=True`` restores, and a warning
        says so).
        A stop by early stopping is not an interrupt, nor is a callback's: skorch's
        callbacks end a fit by raising KeyboardInterrupt at the end of an epoch, and
        only one with a Ctrl-C (SIGINT) behind it is the user's.
    stopped_early_ : bool
        Whether early stopping ended training before ``max_epochs`` (an
        ``EarlyStopping`` among ``callbacks`` included, or any callback that ends the fit
        as it does, raising KeyboardInterrupt at the end of an epoch). Said in words only
        under ``verbose``, with no warning unless the epoch kept comes before a
        re-weighting schedule or the phased sampler acts (the model is then one trained
        without it).
    best_epoch_ : int or None
        With ``early_stopping=True``, the epoch (counted from 1) of the best validation
        balanced accuracy, whose weights the model keeps; None otherwise, and when
        Ctrl-C stopped the fit before its first epoch ended.

    Notes
    -----
    Routed parameters work as in skorch: ``get_params`` lists every ``prefix__name``
    that was set (in the constructor or by ``set_params``), so ``clone`` and
    ``GridSearchCV`` carry them, and a grid may search them. Unlike skorch, they are
    validated the scikit-learn way at the start of ``fit``: ``loss__gamma`` is held to
    the ``gamma`` constraint that the chosen loss class declares, and the error names
    the routed parameter ("The 'loss__gamma' parameter of ImbalancedNetClassifier must
    be a float in the range [0.0, inf). Got -1 instead."). A name the component does
    not take is refused with the list of the names it does take. ``set_params`` that
    names another component by itself (``set_params(loss="ce")`` after
    ``loss="focal", loss__gamma=2``) drops the parameters the new one does not take, as
    a pipeline's step replaced goes with its parameters: naming the focal loss again
    gives it its default gamma. A component given as
    an instance with parameters of its own (``Mixup()``, ``EMA()``, a schedule, an
    imbalanced-learn sampler) is a nested estimator: ``get_params(deep=True)`` lists
    its parameters and ``set_params(mixing__alpha=0.4)`` sets them on it, so a grid
    may search them. Other instances (a torch module or loss) are configured on the
    object itself.

    A fit trains a copy of the estimator and replaces its fitted attributes in one step
    once it has succeeded: predictions from other threads meanwhile use the previous
    model (or find it unfitted), never a mix of the two.

    With metadata routing on (``sklearn.set_config(enable_metadata_routing=True)``),
    import the estimator (or imbalanced-learn) before creating the estimators and
    scorers whose requests you set (``set_score_request``, ``set_fit_request``):
    imbalanced-learn adds ``fit_resample`` to scikit-learn's routed methods when it is
    imported, and from scikit-learn 1.9 on, request objects created before cannot be
    cloned ("'MetadataRequest' object has no attribute 'fit_resample'").

    Training runs in the dtype of the module's parameters: float32, or float64 for a
    module built under ``torch.set_default_dtype(torch.float64)`` (the inputs follow;
    ``precision="fp32"`` only); a module of half-precision parameters is refused.
    ``fit`` trains with gradients under ``torch.no_grad()`` or ``torch.inference_mode()``
    too, and a ``torch.autocast`` block around ``fit`` or ``predict`` changes nothing:
    ``precision`` alone sets the mixed precision.

    A fit is all or nothing: if it raises, the estimator is left as it was before
    (unfitted, or with its previous model). A fit whose loss or weights become
    non-finite stops with a ``ValueError`` naming the epoch, and so does one whose outputs
    on the ``validation_fraction`` part do (which ``predict`` would refuse).

    The predictions (``predict``, ``predict_proba``, ``predict_log_proba``, ``score``)
    run the network on 1,024 rows at a time, or on fewer where that many would hold more
    than 2**20 values (37 images of 3 x 96 x 96), but never on fewer than ``batch_size``:
    the memory of a prediction stays near that of a training step.

    scikit-learn's estimator checks (``check_estimator``, ``parametrize_with_checks``)
    pass but for ``check_sample_weight_equivalence_on_dense_data``: in mini-batch
    training a weight of 2 follows about the path of a repeated row, not the same one
    (other batches, another number of steps), as in scikit-learn's own SGD-based
    estimators. Under a cosine head (``loss="ldam"`` or ``"cri"``),
    ``check_methods_subset_invariance`` may fail as well, depending on the CPU's float32
    kernels: predicting in batches of another size moves the probabilities by float32's
    last bit times the head's scale (about 3e-7, above the check's 1e-7). Pass them as
    expected failures::

        check_estimator(clf, expected_failed_checks={
            "check_sample_weight_equivalence_on_dense_data": "mini-batch training",
            "check_methods_subset_invariance": "float32 last bit times the cosine scale",
        })

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

    _own_parameter_constraints = {
        "module": [
            options("module", "auto"),
            type,
            HasMethods(["forward"]),
        ],
        "loss": [options("loss"), type, HasMethods(["forward"])],
        "schedule": [None, options("schedule"), type, Schedule],
        "mixing": [
            None,
            options("mixing"),
            type,
            HasMethods(["plan", "bind"]),
        ],
        "sampler": [options("sampler"), HasMethods(["fit_resample"])],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer": [options("optimizer"), type],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left"), StrOptions({"auto"})],
        "lr_schedule": [
            options(
                "lr_schedule",
                "auto",
                # Names only: a schedule class of one's own is given by the name it is
                # registered under.
                hint="; a learning-rate schedule of one's own, an LRSchedule subclass, "
                "by the name given to sklearn_imbalance_dl.register('lr_schedule', name)",
            )
        ],
        "augment": [None, options("augmentation"), callable],
        "validation_fraction": [None, Interval(numbers.Real, 0, 1, closed="neither")],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "posthoc_tau": [None, Interval(numbers.Real, 0, None, closed="left")],
        "precision": [options("precision")],
        "channels_last": ["boolean"],
        "compile": ["boolean", dict],
        "cuda_graph": ["boolean"],
        "weight_averaging": [
            None,
            options("weight_averaging"),
            type,
            HasMethods(["bind", "apply"]),
        ],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [None, list],
    }

    def __init__(
        self,
        module="auto",
        *,
        loss="logit_adjusted",
        schedule=None,
        mixing=None,
        sampler="instance",
        max_epochs=50,
        batch_size=256,
        lr=1e-3,
        optimizer="adamw",
        weight_decay="auto",
        lr_schedule="auto",
        augment=None,
        validation_fraction=None,
        early_stopping=False,
        n_iter_no_change=10,
        posthoc_tau=None,
        precision="fp32",
        channels_last=False,
        compile=False,
        cuda_graph=False,
        weight_averaging=None,
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
        self.cuda_graph = cuda_graph
        self.weight_averaging = weight_averaging
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self._routed_params = dict(routed_params)

    # ------------------------------------------------------------ parameters
    @property
    def _parameter_constraints(self):
        """The estimator's own constraints, and the routed parameters' (see Notes)."""
        constraints = dict(self._own_parameter_constraints)
        for key in self._routed_params:
            prefix, _, name = key.partition("__")
            component = getattr(self, prefix, None) if prefix in ROUTED_KINDS else None
            # A name the component does not know is refused by the builder, naming the
            # component's parameters; optimizers are torch's and declare no constraints.
            constraints[key] = (
                routed_constraint(prefix, component, name)
                if isinstance(component, (str, type))
                else "no_validation"
            )
        return constraints

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._routed_params)
        return params

    def set_params(self, **params):
        if "warm_start" in params:  # as fit refuses it when given to the constructor
            raise ValueError(_NO_WARM_START)
        # A component given as an instance with parameters of its own (Mixup(), EMA(),
        # DeferredReweighting(), an imbalanced-learn sampler) lists them in
        # get_params(deep=True); like any nested estimator it takes them itself.
        routed = {k: v for k, v in params.items() if self._stores_routed(k, params)}
        for key in params.keys() - routed:
            self._check_nested(key, params)
        super().set_params(**{k: v for k, v in params.items() if k not in routed})
        # A new dict, not an update: a copy of the estimator keeps its own. A key now set
        # on an instance itself leaves the dict, and so do all of a component replaced by
        # an instance: the values stored for them would be applied over the instance's
        # at fit (a grid over instances would train every candidate alike).
        instances = {
            prefix
            for prefix, value in params.items()
            if prefix in ROUTED_KINDS
            and hasattr(value, "set_params")
            and not isinstance(value, type)
        }
        # A component replaced by another name or class, with no parameters of its own
        # in the same call, sheds those of the old one that the new one does not take:
        # they would make every later fit fail.
        renamed = {
            prefix: value
            for prefix, value in params.items()
            if prefix in ROUTED_KINDS
            and isinstance(value, (str, type))
            and not any(key.startswith(f"{prefix}__") for key in params)
        }
        kept = {
            k: v
            for k, v in self._routed_params.items()
            if k not in params and k.partition("__")[0] not in instances and _takes(k, renamed)
        }
        self._routed_params = {**kept, **routed}
        return self

    def _stores_routed(self, key, params):
        """Whether ``set_params`` keeps ``key`` as a routed parameter of the estimator.

        Routed parameters configure a component named by a string or a class. A
        component given as an instance with parameters of its own (``Mixup()``,
        ``EMA()``, an imbalanced-learn sampler) lists them in ``get_params(deep=True)``
        and, like any nested estimator, takes them itself.
        """
        if not _is_routed(key):
            # A name the estimator does not know, given to the constructor too: kept with
            # it, where fit refuses it (set as an attribute, nothing would read it).
            return key in self._routed_params
        prefix = key.partition("__")[0]
        component = params.get(prefix, getattr(self, prefix, None))
        return isinstance(component, (str, type)) or not hasattr(component, "set_params")

    def _check_nested(self, key, params):
        """A ``prefix__name`` key that is not routed sets a parameter of the object
        ``prefix`` holds (an imbalanced-learn sampler, ...): refuse it, clearly, where
        that object has none to set."""
        prefix, sep, name = key.partition("__")
        if not sep or prefix not in self.get_params(deep=False):
            return  # scikit-learn names an unknown parameter
        component = params.get(prefix, getattr(self, prefix))
        if not name:
            raise ValueError(f"Invalid parameter {key!r}: a name is missing after '{prefix}__'.")
        if prefix == "callbacks":
            raise ValueError(_callback_parameter_advice(key, component))
        if not hasattr(component, "set_params"):
            raise ValueError(
                f"Invalid parameter {key!r} for ImbalancedNetClassifier: {prefix}="
                f"{component!r} has no parameter {name!r} to set (only an object with "
                f"set_params given as {prefix}"
                + (", such as an imbalanced-learn sampler," if prefix == "sampler" else "")
                + f" takes {prefix}__<name>)."
            )

    def _routed(self, prefix):
        """The ``prefix__*`` parameters, without the prefix."""
        start = prefix + "__"
        return {k[len(start) :]: v for k, v in self._routed_params.items() if k.startswith(start)}

    # ------------------------------------------------------------ pickling
    def __getstate__(self):
        # The entries of one's own (register(kind, name)) go with the estimator: a
        # worker process (n_jobs > 1, Dask) or a later session has not registered them.
        # An unfitted estimator carries them all, since a search sets the names of its
        # grid in the worker; a fitted one (a saved model) those its parameters name.
        # See the Notes of register.
        state = dict(super().__getstate__())
        named = self.get_params(deep=False).values() if "net_" in vars(self) else None
        carried = carried_entries(named)
        if carried:
            state[_CARRIED_ENTRIES] = carried
        state[_PACKAGE_VERSION] = __version__
        return state

    def __setstate__(self, state):
        state = dict(state)
        register_carried(state.pop(_CARRIED_ENTRIES, {}))  # absent from older pickles
        _warn_if_saved_by_another_version(state.pop(_PACKAGE_VERSION, None))
        super().__setstate__(state)

    # ------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X`` (a table or images) and labels ``y``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features), or array of \
                shape (n_samples, C, H, W), or torch Dataset
            A DataFrame may hold numeric, boolean, categorical, object and string
            columns (nullable dtypes included) and missing values when the module is
            ``"tabular"`` (``"auto"`` on tables); date and duration columns, and
            arrays of them, are refused with how to convert them, as is a scipy sparse
            X (the network reads dense rows). A polars DataFrame or pyarrow Table is read
            as the pandas DataFrame of its columns. A torch tensor (X, y or
            ``sample_weight``, on any device, with a gradient or in bfloat16) is read as
            the array of its values. Arrays of any other sample shape are
            flattened by ``module="mlp"`` (see ``module``). Images in (n_samples, H,
            W, C) order, C being 1, 3 or 4, are refused by the built-in modules with
            the transposition that fixes them; a shape that reads either way, as
            (n_samples, 3, 3, 3), is taken as (n_samples, C, H, W). An array of images
            is read as its values are (uint8 pixels as 0 to 255), and ``predict`` takes
            the images of a built-in module on the scale ``fit`` saw: it refuses values
            more than ten times as large as any fit saw, and fractional values within
            [-1, 1] where fit saw whole values beyond them and more than ten times as
            large (uint8 pixels given to fit, pixels / 255 to predict). scikit-learn's
            splitters (``cross_validate``, ``GridSearchCV``) turn a torch Dataset into a
            list of its items, which is refused: wrap it in skorch's
            ``SliceDataset(dataset)``, which they split without reading its items (its
            ``idx``, ``0`` by default, picks the input of each item). A Dataset is read
            by index: an ``IterableDataset`` is refused.
        y : array-like of shape (n_samples,)
            Any label type. With a torch Dataset X, the labels of its items in order
            (an item is its input, or a tuple ``(input, ...)``): the network trains on
            ``y``. Labels the Dataset holds itself where they can be read without
            reading its items (a skorch ``Dataset``'s ``y``, a ``TensorDataset``'s
            second tensor, those under a ``Subset`` or a ``SliceDataset`` of the
            inputs) must be consistent with ``y``: the
            same classes under the same names or others, or classes that ``y`` merges or
            splits; labels in another order are refused. Items it holds no label for
            (NaN, None) are not compared. A Dataset of the inputs only
            (``TensorDataset(X)``) trains on any ``y``. A ``SliceDataset(dataset,
            idx=1)`` as ``y`` is read item by item, every input loaded with its label:
            an array of the labels spares that.
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplies each sample's loss, relative to the mean weight: a weight of 2
            counts a row about as two copies of it would, in batches of any size, and in
            the class counts that the loss, the schedule, the mixing and the prior of
            ``posthoc_tau`` balance by (as scikit-learn's
            ``compute_class_weight("balanced", sample_weight=...)``). So
            ``compute_sample_weight("balanced", y)`` with a loss that balances the
            classes balances them once, not twice, and such a loss cancels weights that
            are constant within each class (for costs per class, use ``loss="ce"``). A
            balancing ``sampler``, and the phased sampler ``schedule="pps"``, draw by
            the labels, not the weights: with weights that differ by class they balance
            on top of them. A class whose rows all
            weigh 0 is absent from training, as zero copies of its rows would be: the
            network is trained on the other classes, with a warning; the class stays
            in ``classes_`` with probability 0, as in scikit-learn's classifiers (a
            ``BaggingClassifier`` bag that draws no row of a rare class passes such
            weights, and its out-of-bag score needs every class's column). Rows of
            weight 0 are left out of training (of the batches, of batch norm's
            statistics, of the scaling the module learns), as zero copies would be; they
            still count in ``class_counts_``, which counts rows. A loss that weights the
            classes is the weighted sum of the batch's row losses over the sum of its
            rows' class weights, the sample weights left out of that sum: where the
            weights differ by class they also scale the loss as a whole (under SGD, or
            as a schedule moves the class weights, a change of step copies would not
            make).

        Returns
        -------
        self
        """
        # All or nothing: the fit trains a copy of the estimator, whose attributes
        # replace this one's in one step once it has succeeded. A fit that raises (or is
        # interrupted while it sets up) leaves the estimator as it was, unfitted or with
        # its previous model, and the random state it draws its seed from (numpy's
        # global one under None) as it was; a prediction from another thread meanwhile
        # reads the previous model whole, never the new classes with the old network.
        work = object.__new__(type(self))
        vars(work).update(vars(self))
        rng = check_random_state(self.random_state)
        rng_state = rng.get_state()
        try:
            # A Dataset's items read before the training is seeded (the first item's
            # shape, the labels of a SliceDataset y) may draw from torch's CPU generator
            # (a random transform): it is given back as it was, as the training's is, and
            # no fit in another thread draws from it meanwhile.
            with _fit_lock.FIT_LOCK, torch.random.fork_rng(devices=[]):
                work._fit(X, y, sample_weight)
        except BaseException:
            rng.set_state(rng_state)
            raise
        self.__dict__ = vars(work)
        return self

    def _fit(self, X, y, sample_weight):
        unknown = [key for key in self._routed_params if not _is_routed(key)]
        if unknown and unknown[0].startswith("callbacks__"):
            raise ValueError(_callback_parameter_advice(unknown[0], self.callbacks))
        if unknown:
            prefix = unknown[0].partition("__")[0]
            holder = getattr(self, prefix, None) if prefix in self.get_params(False) else None
            if hasattr(holder, "set_params"):  # an imbalanced-learn sampler, an augmentation
                raise ValueError(
                    f"{unknown[0]} was given to the constructor, where only the routed "
                    f"parameters are taken; {prefix}={holder!r} takes its own: set it on "
                    f"the instance, or with set_params({unknown[0]}=...)."
                )
            if unknown[0] == "warm_start":  # scikit-learn's way to go on from the last fit
                raise ValueError(_NO_WARM_START)
            valid = ", ".join(p + "__*" for p in ROUTED_KINDS)
            raise ValueError(
                f"Unknown parameter {unknown[0]!r} for ImbalancedNetClassifier; routed "
                f"parameters must start with one of: {valid}."
            )
        X = plain_input(X, "X")
        y, sample_weight = plain_input(y, "y"), plain_input(sample_weight, "sample_weight")
        X = unslice(X)
        check_map_style(X)
        if isinstance(y, SliceDataset):
            y = np.asarray(y)  # reads every item's label
        _check_no_missing_labels(y)
        if (labels := listed_labels(y)) is not None:
            check_label_types(labels)
        encoder = None
        # The scale of the images a module of the package's trains on, which predict's
        # are compared with; a Dataset's items are not read through for it, and a module
        # of one's own may take any values (sequences, say, whose range may rightly grow).
        self._value_scale = None
        if isinstance(X, Dataset):
            y = self._validate_dataset(X, y)
        else:
            X, y, encoder = self._validate_table(X, y)
            _check_hand_coded_categories(encoder, self._routed("module").get("n_categories"))
            self._input_shape = X.shape[1:]
            if X.ndim > 2 and X.size and is_shipped("module", self._module_class()):
                self._value_scale = value_scale(X)
        if 0 in self._input_shape:
            raise ValueError(
                f"X has samples of shape {tuple(self._input_shape)}, which hold no values (a "
                "dimension of length 0); the network needs at least one value per sample: "
                "images of at least one channel and one pixel, (channels, height, width)."
            )
        check_channel_order(self._input_shape, self._image_reader())
        check_label_types(y)
        check_object_labels(y)
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                "ImbalancedNetClassifier needs samples of at least 2 classes; got 1 class: "
                f"{plain_value(self.classes_[0])!r}."
            )
        if sample_weight is not None and not isinstance(sample_weight, numbers.Number):
            sample_weight = np.asarray(sample_weight)
        if np.ndim(sample_weight) == 1 and len(sample_weight) != len(y):
            raise ValueError(
                f"sample_weight has {len(sample_weight)} values for {len(y)} samples: pass "
                "one weight per row of X. A sampler in front of the estimator (SMOTE, an "
                "under-sampler in an imbalanced-learn Pipeline) changes the rows but not "
                "their weights."
            )
        # Checked in float64: tiny or huge weights count relative to their mean.
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        if not np.isfinite(sample_weight).all():
            raise ValueError(
                f"Input sample_weight contains NaN or infinity ({ASSUME_FINITE_HINT}): pass finite "
                "weights."
            )
        if not sample_weight.any():  # scikit-learn refuses these itself only from 1.8
            raise ValueError("Sample weights must contain at least one non-zero number.")
        X, self.network_classes_, y_encoded, sample_weight = _without_weightless_classes(
            X, self.classes_, y_encoded, sample_weight
        )
        device = resolve_device(self.device)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        # Training needs gradients whatever torch's mode around fit (a notebook's
        # torch.set_grad_enabled(False), a torch.no_grad() or inference_mode block), and
        # runs in full precision but where ``precision`` says otherwise.
        with (
            _fit_lock.FIT_LOCK,
            _seeded_generators(device, seed),
            torch.inference_mode(False),
            torch.enable_grad(),
            autocast(device, None),
        ):
            params = {name: getattr(self, name) for name in self._own_parameter_constraints}
            params["device"] = device
            fit_ = build_fit(
                params,
                self._routed,
                X,
                y_encoded,
                sample_weight,
                classes=self.classes_[self.network_classes_],
                input_shape=self._input_shape,
                encoder=encoder,
                seed=seed,
            )
            self.class_counts_ = np.zeros(len(self.classes_), dtype=fit_.class_counts.dtype)
            self.class_counts_[self.network_classes_] = fit_.class_counts
            net = fit_.net
            net.fit(fit_.train, None)
            net.end_training()
        self.n_epochs_ = sum("train_loss" in row for row in net.history)
        self.interrupted_ = net.interrupted_
        # A stopper that fires after the last epoch ended nothing early.
        self.stopped_early_ = net.stopped_early_ and self.n_epochs_ < fit_.max_epochs
        stopper = dict(net.callbacks_).get("early_stopping") if self.early_stopping else None
        # skorch's count starts at 0: no epoch ended before an interrupt.
        best = None if stopper is None else int(stopper.best_epoch_)
        self.best_epoch_ = best or None
        self._warn_if_kept_before_the_schedule(net)
        if self.interrupted_:
            if self.best_epoch_ is not None:
                kept = (
                    f"the weights of its best epoch so far, epoch {self.best_epoch_} "
                    "(best_epoch_), as early stopping restores them"
                )
            elif (restored := _restored_epoch(self, net)) is not None:
                kept = (
                    f"the weights of epoch {restored[0]}, as its "
                    f"{type(restored[2]).__name__}(load_best=True) among callbacks restores them"
                )
            elif getattr(
                averaging := dict(net.callbacks_).get("weight_averaging"), "applied_", False
            ):
                kept = "the average of the weights so far, as weight averaging writes it in"
                if len(net.history) > averaging.n_epochs_:  # the schedule's epochs had begun
                    kept = (
                        "the averaged weights that weight averaging wrote in after the main "
                        "epochs, re-trained by the schedule's epochs so far"
                    )
            else:
                kept = "the weights reached"
            warnings.warn(
                f"Training was interrupted (KeyboardInterrupt) after {self.n_epochs_} of "
                f"{fit_.max_epochs} epochs; the model keeps {kept} (interrupted_=True, "
                "n_epochs_ says how far it got).",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        self.net_ = net
        self.column_encoder_ = encoder
        return self

    def _warn_if_kept_before_the_schedule(self, net):
        """Early stopping may keep an epoch before a re-weighting schedule switches on
        (DRW's late phase), or before the phased sampler moves off the training
        proportions: the model is then one trained without it. So may a skorch
        ``EarlyStopping`` or ``Checkpoint`` among ``callbacks`` that restores its best
        epoch (``load_best=True``), or one that ends the fit before it and keeps the last
        epoch's weights (``load_best=False``)."""
        schedule = dict(net.callbacks_).get("schedule")
        if self.interrupted_ or schedule is None:
            return
        kept = _restored_epoch(self, net) or _stopped_at(self, net)
        if kept is None:
            return
        epoch, who, stopper = kept
        if schedule.reweights:
            first = first_reweighted_epoch(schedule, self.max_epochs)
            does, what = "re-weights", "re-weighting"
        elif schedule.resamples:
            first = first_resampled_epoch(schedule, self.max_epochs)
            does, what = "re-samples", "re-sampling"
        else:
            return
        if first is None or first < epoch:
            return
        ended, best, without = "raise n_iter_no_change", "the validation score", "early stopping"
        if who != "early_stopping":
            ended = "raise its patience" if isinstance(stopper, EarlyStopping) else "end later"
            best = f"its monitor {getattr(stopper, 'monitor', None)!r}"
        why = (
            f"it ended the fit before the {what}; {ended}, or"
            if self.stopped_early_ and stopper is net.stopped_by_
            else f"{best} was best before the {what};"
        )
        if isinstance(stopper, Checkpoint):
            why = f"its last checkpoint was saved before the {what};"
            without = "restoring a checkpoint"
        # PPL's mixing runs in every epoch (plain mixup before its window): only the
        # re-weighting is missing from the kept weights.
        trained = (
            f"one trained with the schedule's mixing alone ({type(schedule.mixing()).__name__}),"
            f" without its {what}"
            if schedule.mixing() is not None
            else "one trained without the schedule"
        )
        warnings.warn(
            f"{who} kept epoch {epoch}, before schedule={self.schedule!r} "
            f"{does} the classes (from epoch {first + 1} of {self.max_epochs}): the "
            f"model is {trained} ({why} choose max_epochs by "
            f"early-stopping a fit without the schedule, then fit with it and without {without}).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    def _takes_tables(self):
        """Whether the module reads tables through a :class:`ColumnEncoder`.

        A module class whose constructor takes ``n_categories`` (``TabularNet``, which
        ``module="auto"`` is on 2-D inputs) gets the encoded table: numbers imputed with
        missing indicators, categories as trailing integer codes. Other modules, and
        modules given as instances (already built), read the numbers as they are.
        """
        if not isinstance(self.module, (str, type)):
            return False
        cls = component_class("module", self.module)
        try:
            return cls is not None and "n_categories" in accepted_parameters(cls)[0]
        except (TypeError, ValueError):  # a class without a signature (a builtin)
            return False

    def _validate_table(self, X, y):
        """``(X, y, encoder)``: X as the float32 array the network trains on.

        A DataFrame is read column by column (:class:`ColumnEncoder`) when the module
        takes tables, and refused with the two ways out when it holds categorical
        columns that the module cannot take. Arrays are validated as scikit-learn does;
        missing values are allowed where the module takes tables.
        """
        tables = self._takes_tables()
        if is_dataframe(X):
            if tables:
                # Before scikit-learn's check, whose refusal (from 1.9) does not say why.
                check_unique_column_names(X.columns)
                validate_data(self, X, y, skip_check_array=True)
                encoder = ColumnEncoder().fit(X)
                # The encoding is finite (numbers clipped to float32's range): scikit-learn's
                # check would sum it, and numbers near float32's largest of both signs warn.
                Z, y = check_X_y(
                    encoder.transform(X),
                    y,
                    dtype=np.float32,
                    ensure_all_finite=False,
                    estimator=self,
                )
                return Z, y, encoder
            X = self._numeric_columns(X)
        if not tables:
            _warn_if_float32_blurs(X, self.module)
        X, y = self._validate_array(X, y, encoded=tables)
        if X.ndim == 2 and tables:
            encoder = ColumnEncoder().fit(X)
            return encoder.transform(X), y, encoder
        _check_no_nan(X, self.module)
        # A read-only array (a memmap, Arrow's numbers) is copied: torch warns of a tensor
        # over memory it must not write to.
        return X.astype(np.float32, copy=not X.flags.writeable), y, None

    def _numeric_columns(self, X, fitted=False):
        """X, a DataFrame for a module that reads numbers only, with its non-numeric
        columns refused.

        Date columns are refused too, with how to convert them. ``fitted``: at predict
        time, where the model was fitted on numbers (whatever ``module`` says since); an
        object (or category) column of numbers and booleans is then read as numbers, as
        the column encoding reads a column that was numeric in fit: a bool column comes
        back as ``True``/``False`` objects from a list of rows or a concatenation.
        """
        kinds = [column_kind(X.iloc[:, j]) for j in range(X.shape[1])]
        other = [j for j, kind in enumerate(kinds) if kind != "numeric"]
        if other and fitted:
            X, refused = X.copy(deep=False), []
            for j in other:
                try:
                    X.isetitem(j, numbers_from_objects(X.iloc[:, j], X.columns[j]))
                except ValueError:
                    refused.append(j)
            if refused:
                held = [_what_a_column_holds(X.iloc[:, j]) for j in refused[:5]]
                more = f", and {len(refused) - 5} more" if len(refused) > 5 else ""
                raise ValueError(
                    f"X has non-numeric columns {list(X.columns[refused[:5]])} "
                    f"({', '.join(held)}{more}), but this model was fitted on numbers only: pass "
                    "the columns as they were in fit."
                )
        elif other:
            raise ValueError(
                f"X has categorical columns {list(X.columns[other])}, which module="
                f"{_module_name(self.module)} cannot take (it reads numbers only). Use "
                "module='tabular' (or 'auto'), which encodes them itself, or encode them "
                f"in front with a ColumnTransformer, e.g. {_ENCODE_IN_FRONT}."
            )
        # Numbers held as objects or Arrow values (Parquet's DECIMAL) can hold pd.NA,
        # which numpy cannot read: as float64, a missing value is refused as one.
        held = [
            j
            for j, kind in enumerate(kinds)
            if kind == "numeric" and holds_objects(X.dtypes.iloc[j])
        ]
        if held:
            X = X.copy(deep=False)
            for j in held:
                X.isetitem(j, as_float64(X.iloc[:, j]))
        return X

    def _validate_array(self, X, y="no_validation", reset=True, encoded=False):
        """scikit-learn's validation of an array X (and y): any rank, NaN kept.

        float32, what the network reads; a table that a :class:`ColumnEncoder` will
        read (``encoded``) stays in float64 until it is encoded, as a DataFrame's
        numbers do, so that an array and a DataFrame of the same numbers give the same
        model.
        """
        table = encoded and getattr(X, "ndim", 2) == 2  # lists are read as tables
        _check_not_dataset_items(X)
        if getattr(X, "ndim", None) == 1:
            # Before scikit-learn's checks, whose feature-name warning and string or
            # pandas.NA errors would hide what is wrong with one row given as a Series.
            one_feature = "X.reshape(-1, 1), or df[[column]], for a single feature"
            advice = (
                one_feature
                if reset
                else "X.iloc[[i]] for one row of a DataFrame (not X.iloc[i]), "
                f"X.reshape(1, -1) for a single sample, {one_feature}"
            )
            raise ValueError(
                f"X is one-dimensional (shape {X.shape}), where a 2-D table of one row "
                f"per sample is expected. Reshape your data: {advice}."
            )
        _check_not_times(X)
        try:
            # The cast of values beyond float32's range is explained below, not warned;
            # scikit-learn's finiteness check sums the values first, which can overflow
            # (to inf, or inf - inf) on finite ones, then checks them one by one.
            with np.errstate(over="ignore", invalid="ignore"):
                return validate_data(
                    self,
                    X,
                    y,
                    reset=reset,
                    dtype=np.float64 if table else np.float32,
                    allow_nd=True,
                    ensure_all_finite="allow-nan",
                )
        except ValueError as error:
            _explain_strings(error)
            _explain_infinity(error, X)
            _explain_ragged(error)
            raise
        except TypeError as error:
            _explain_pandas_na(error)
            _explain_sparse(error, X)
            _explain_object_times(error)
            raise

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
        check_dataset_labels(dataset, y)
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
        # Items carry no column names: none from an earlier fit on a DataFrame either.
        vars(self).pop("feature_names_in_", None)
        return y

    # ------------------------------------------------------------ predict
    def _checked_input(self, X):
        check_is_fitted(self)
        encoder = getattr(self, "column_encoder_", None)
        X = unslice(plain_input(X))
        check_map_style(X)
        if isinstance(X, Dataset):
            if encoder is not None:
                _check_dataset_skips_nothing(encoder)
            shape = tuple(_first_input(X).shape)
            X = DatasetInputs(X, self._input_shape)
        elif encoder is not None and is_dataframe(X):
            check_unique_column_names(X.columns)
            validate_data(self, X, reset=False, skip_check_array=True)
            _check_hand_coded_categories(encoder, self._module_categories(), X)
            if len(X) == 0:  # refused on the DataFrame's shape, not the encoded one
                check_array(np.empty(X.shape), estimator=self)
            encoded = encoder.transform(X)
            encoder.warn_of_columns_all_unseen(X, encoded)
            X = check_array(encoded, dtype=np.float32, ensure_all_finite=False, estimator=self)
            shape = X.shape[1:]
        else:
            given = getattr(X, "shape", None)  # lists are validated first
            if given is not None and (len(given) > 2 or len(self._input_shape) > 1):
                # Before scikit-learn's check of n_features_in_, which compares the
                # first dimension only (the channels of images), as a count of features.
                self._check_sample_shape(given[1:], given)
            if is_dataframe(X):  # for a module that reads numbers only
                X = self._numeric_columns(X, fitted=True)
            X = self._validate_array(X, reset=False, encoded=encoder is not None)
            if encoder is not None and X.ndim == 2:
                _check_hand_coded_categories(encoder, self._module_categories(), X)
                X = encoder.transform(X)
            else:
                _check_no_nan(X, self.module, fitted=True)
                X = X.astype(np.float32, copy=False)
            shape = X.shape[1:]
        self._check_sample_shape(shape, None if isinstance(X, Dataset) else X.shape)
        if not isinstance(X, Dataset):  # a Dataset's items are read in batches later
            check_value_scale(X, getattr(self, "_value_scale", None))
        return X

    def _module_class(self, input_shape=None):
        """The class of the module ``fit`` builds for samples of ``input_shape`` (by
        default those it was given)."""
        shape = self._input_shape if input_shape is None else input_shape
        return component_class("module", self.module, tuple(shape))

    def _image_reader(self, input_shape=None):
        """The parameter that reads the samples as images of shape (channels, height,
        width), as a message names it: the module (``reads_images``), else an
        augmentation or a mixing (``needs_images``); None when none does."""
        if getattr(self._module_class(input_shape), "reads_images", False):
            return f"module={param_repr(self.module)}"
        for name, kind in (("augment", "augmentation"), ("mixing", "mixing")):
            value = getattr(self, name)
            registered = isinstance(value, str) and value in names(kind)
            component = lookup(kind, value) if registered else value
            if getattr(component, "needs_images", False):
                return f"{name}={param_repr(value)}"
        return None

    def _module_categories(self):
        """The ``n_categories`` of the fitted module (its trailing code columns)."""
        return getattr(getattr(self, "net_", None) and self.net_.module_, "n_categories", None)

    def _check_sample_shape(self, shape, whole=None):
        """Refuse samples of another shape than fit's, naming both shapes. ``whole``:
        the shape of X, which may be that of one sample given without its axis."""
        if tuple(shape) != tuple(self._input_shape):
            check_channel_order(tuple(shape), self._image_reader(tuple(shape)))  # (H, W, C)
            single = ""
            if whole is not None and tuple(whole) == tuple(self._input_shape):
                single = " X itself has the shape of one sample: for a single one, pass X[None]."
            raise ValueError(
                f"X has samples of shape {tuple(shape)}, but this ImbalancedNetClassifier "
                f"was fitted on samples of shape {tuple(self._input_shape)}.{single}"
            )

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        ``predict`` returns their argmax. Under a loss that balances the classes (the
        default ``logit_adjusted``, ``balanced_softmax``, ``weighted_ce``, ...) or a
        class-balanced sampler they are the probabilities of balanced classes, not the
        class frequencies of the training data: a rare class gets far more than its
        share. With ``logit_adjusted`` at ``tau``, multiplying the columns by the
        training class frequencies to the power ``tau`` and renormalising gives the
        probabilities under those frequencies (the user guide's "Tables as they come"
        measures both).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W), or Dataset
            Samples of the shape the estimator was fitted on; images on the scale of
            fit's (see ``X`` in :meth:`fit`).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._checked_input(X)
        return self._over_all_classes(self.net_.predict_proba(X), fill=0.0)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W), or Dataset
            Samples of the shape the estimator was fitted on; images on the scale of
            fit's (see ``X`` in :meth:`fit`).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._checked_input(X)
        log_proba = self.net_.predict_batched(X, self.net_.predict_nonlinearity.log).numpy()
        return self._over_all_classes(log_proba, fill=-np.inf)

    def predict(self, X):
        """Predicted labels, taken from ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W), or Dataset
            Samples of the shape the estimator was fitted on; images on the scale of
            fit's (see ``X`` in :meth:`fit`).

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        X = self._checked_input(X)
        adjusted = self.net_.predict_nonlinearity.logits
        labels = self.net_.predict_batched(X, lambda logits: adjusted(logits).argmax(1))
        return self.classes_[self.network_classes_[labels.numpy()]]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of :meth:`predict` on ``X`` against ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W), or Dataset
            As for :meth:`predict`.
        y : array-like of shape (n_samples,)
            The true labels; a torch tensor is read as the array of its values, as in
            :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the mean; a tensor is read as ``y`` is.

        Returns
        -------
        score : float
        """
        y, sample_weight = plain_input(y, "y"), plain_input(sample_weight, "sample_weight")
        return super().score(X, y, sample_weight=sample_weight)

    def _over_all_classes(self, columns, fill):
        """The network's columns (its outputs, or values recorded per class) placed among
        those of ``classes_``; ``fill`` in the columns of the classes it was not trained
        on (their rows all weigh 0)."""
        if len(self.network_classes_) == len(self.classes_):
            return columns
        full = np.full((len(columns), len(self.classes_)), fill, dtype=columns.dtype)
        full[:, self.network_classes_] = columns
        return full

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Read from the module parameter: TabularNet (module="auto" or "tabular") imputes
        # missing values; the other modules do not.
        tags.input_tags.allow_nan = self._takes_tables()
        # Categories and strings are taken in DataFrame columns (by dtype), as
        # HistGradientBoostingClassifier(categorical_features="from_dtype") takes them,
        # and like it this estimator leaves the "categorical" and "string" tags False:
        # they describe arrays (check_estimator then feeds integer-coded categories, or
        # an object array of strings), and an array is read as numbers here.
        return tags


def _restored_epoch(estimator, net):
    """``(epoch, who, callback)``: the earlier epoch (counted from 1) whose weights the
    fitted model keeps, what restored it (``"early_stopping"``, or the user's callback
    as ``"callbacks: EarlyStopping(load_best=True)"``) and the callback; None where the
    model is that of the last epoch, or where that cannot be told (a ``Checkpoint``
    that records no event)."""
    if estimator.best_epoch_ is not None:
        return estimator.best_epoch_, "early_stopping", dict(net.callbacks_)["early_stopping"]
    last = net.history[-1, "epoch"] if len(net.history) else 0
    for name, callback in net.callbacks_:
        if name == "early_stopping" or not getattr(callback, "load_best", False):
            continue
        epoch = None
        if isinstance(callback, EarlyStopping):
            epoch = int(getattr(callback, "best_epoch_", 0) or 0)
        elif isinstance(callback, Checkpoint) and callback.monitor and callback.event_name:
            saved = [row["epoch"] for row in net.history if row.get(callback.event_name)]
            epoch = saved[-1] if saved else None
        if epoch and epoch < last:
            return epoch, f"callbacks: {type(callback).__name__}(load_best=True)", callback
    return None


def _stopped_at(estimator, net):
    """``(epoch, who, callback)``: the last epoch (counted from 1), where a callback
    among ``callbacks`` that restores nothing (an ``EarlyStopping``, or a stopper of
    one's own) ended the fit before ``max_epochs``; None otherwise."""
    stopper = net.stopped_by_ if estimator.stopped_early_ else None
    if stopper is None or stopper is dict(net.callbacks_).get("early_stopping"):
        return None
    load_best = getattr(stopper, "load_best", None)
    shown = "" if load_best is None else f"(load_best={load_best})"
    return estimator.n_epochs_, f"callbacks: {type(stopper).__name__}{shown}", stopper


@contextlib.contextmanager
def _seeded_generators(device, seed):
    """torch's generators that a fit on ``device`` draws from (the CPU's and the
    device's), seeded with ``seed``, then restored.

    Not ``torch.manual_seed``, which also seeds every other device's generator (or,
    before CUDA starts, the seed it will start with): the user's streams there would
    restart from the fit's seed.
    """
    device = torch.device(device)
    cuda = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        mps_state = torch.mps.get_rng_state() if device.type == "mps" else None
        torch.default_generator.manual_seed(seed)
        if cuda:
            with torch.cuda.device(device):
                torch.cuda.manual_seed(seed)
        if mps_state is not None:
            torch.mps.manual_seed(seed)
        try:
            yield
        finally:
            if mps_state is not None:
                torch.mps.set_rng_state(mps_state)


def _first_input(dataset):
    """The input of the Dataset's first item, checked (see :func:`~._data.item_input`)."""
    if len(dataset) == 0:
        raise ValueError("The Dataset X has no items; fit and predict need at least one.")
    return item_input(dataset[0], 0)


def _warn_if_saved_by_another_version(saved):
    """Warn when a pickled estimator was saved by another version of the package (None:
    one before the version was recorded), as scikit-learn's InconsistentVersionWarning
    does for its own estimators."""
    if saved == __version__:
        return
    saved = f"version {saved}" if saved is not None else "a version before 0.2"
    warnings.warn(
        f"This ImbalancedNetClassifier was saved by sklearn_imbalance_dl {saved} and is "
        f"loaded by version {__version__}. A model loads as it was saved by the same "
        "version only: the layout of its network may differ, so that it fails or predicts "
        "otherwise. Refit it with this version, or load it with the version that saved it.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _check_dataset_skips_nothing(encoder):
    """Refuse a torch Dataset at predict for a model whose column encoding (fitted on a
    table) does more than read the numbers: a Dataset's items reach the network as they
    are, so they would skip it and be read as what they are not (raw numbers as category
    codes or as shifted columns), without a word."""
    shifted = [
        name
        for name, offset, scale in zip(encoder.numeric_columns_, encoder.offsets_, encoder.scales_)
        if offset != 0 or scale != 1
    ]
    skipped = [
        f"{what} {first_few(columns)}"
        for what, columns in (
            ("codes the categories of the columns", encoder.categorical_columns_),
            ("adds missing indicators for the columns", encoder.indicator_columns_),
            ("shifts or scales into float32's range the columns", shifted),
        )
        if columns
    ]
    if skipped:
        raise ValueError(
            "X is a torch Dataset, whose items go to the network as they are, but this model "
            "was fitted on a table whose column encoding (column_encoder_) "
            f"{'; '.join(skipped)}: the items would skip it. Pass the rows as an array or a "
            "DataFrame, with the columns as they were in fit."
        )


def _check_not_dataset_items(X):
    """Refuse a list of a Dataset's items, ``(input, ...)`` tuples of tensors or arrays.

    scikit-learn's splitters (``cross_validate``, ``GridSearchCV``, ``train_test_split``)
    index a torch Dataset item by item into such a list. As an array it would gain an
    axis (a 1-tuple of an image is a 4-D sample, which ``module="auto"`` sends to the
    MLP) or fail in numpy.
    """
    if (
        isinstance(X, list)
        and X
        and isinstance(X[0], tuple)
        and X[0]
        and isinstance(X[0][0], (torch.Tensor, np.ndarray))
    ):
        raise ValueError(
            f"X is a list of {len(X)} tuples (input, ...) of tensors or arrays: the items "
            "of a torch Dataset, as scikit-learn's splitters (cross_validate, GridSearchCV, "
            "train_test_split) make of one, reading every item. To cross-validate a "
            "Dataset, pass skorch.helper.SliceDataset(dataset), which they split without "
            "reading it, with the labels as an array; to fit and predict, the Dataset "
            "itself (split with torch.utils.data.Subset)."
        )


def _what_a_column_holds(series):
    """``"dtype category"``, or for an object column the value in it that is no number
    (the column may have held numbers as objects in fit too)."""
    other = first_non_number(series.to_numpy(dtype=object)) if holds_text(series.dtype) else None
    return f"dtype {series.dtype}" if other is None else describe_value(other)


def _module_name(module):
    if isinstance(module, str):
        return repr(module)
    return (module if isinstance(module, type) else type(module)).__name__


# scikit-learn's way to go on from the last fit, refused in the constructor (at fit) and
# by set_params alike.
_NO_WARM_START = (
    "Unknown parameter 'warm_start' for ImbalancedNetClassifier: it has no warm start, "
    "each fit trains the network from scratch: remove the parameter."
)

# The encoding in front that the messages suggest for modules that read numbers only.
_ENCODE_IN_FRONT = (
    "make_column_transformer((OneHotEncoder(handle_unknown='ignore'), categorical_columns), "
    "remainder='passthrough')"
)


def _explain_strings(error):
    """Re-raise numpy's "could not convert string to float" with what to do instead."""
    if "could not convert string to float" in str(error):
        raise ValueError(
            f"X holds strings ({error}), which an array cannot carry as categories. Pass "
            "a pandas DataFrame: module='tabular' (or 'auto') encodes its string and "
            f"categorical columns itself; or encode them in front, e.g. with {_ENCODE_IN_FRONT}"
            " (in front of a meta-estimator that turns a DataFrame into an array, such as "
            "BaggingClassifier)."
        ) from error


_ARRAY_TIME_ADVICE = "convert them to numbers first, e.g. a number of days"


def _check_not_times(X):
    """Refuse an array of dates or durations: a cast to float would read their ticks,
    whose unit (ns, s, D) the model would not keep, and NaT as -2**63."""
    kind = getattr(getattr(X, "dtype", None), "kind", None)
    if kind in ("M", "m"):
        # Days from a fixed date: the same zero in fit and predict (a table's own
        # minimum would move it between them).
        what, days = (
            ("dates", "(X - np.datetime64('2000-01-01'))") if kind == "M" else ("durations", "X")
        )
        raise ValueError(
            f"X holds {what} ({X.dtype}), which the network cannot read: "
            f"{_ARRAY_TIME_ADVICE}, {days} / np.timedelta64(1, 'D')."
        )


def _explain_object_times(error):
    """Re-raise numpy's failure on dates or durations inside an object array (what
    ``df.to_numpy()`` gives a table with a date column) with what to do instead."""
    message = str(error)
    if "float() argument" not in message:
        return
    if any(
        name in message
        for name in ("Timestamp", "Timedelta", "Period", "datetime", "date'", "time'")
    ):
        raise ValueError(
            f"X holds dates, durations or times as objects ({error}), which the network "
            f"cannot read: {_ARRAY_TIME_ADVICE}, (d - pd.Timestamp('2000-01-01')) / "
            "pd.Timedelta(days=1) "
            "for a pandas column d of dates, and pass the table as a DataFrame, whose "
            "other columns module='tabular' (or 'auto') reads as they are."
        ) from error


def _explain_ragged(error):
    """Re-raise numpy's failure on samples of different shapes (a list of images of
    several sizes) with what to do instead."""
    if "inhomogeneous shape" in str(error):
        raise ValueError(
            f"X holds samples of different shapes ({str(error).rstrip('.')}); the network "
            "reads samples of "
            "one shape: resize or crop the images to one size first."
        ) from error


def _explain_infinity(error, X):
    """Re-raise scikit-learn's refusal of infinite values, or of finite values beyond
    float32's range, with what to do instead."""
    if "contains infinity" not in str(error):
        return
    try:
        values = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):  # strings and the like: scikit-learn's message stands
        values = None
    if values is not None and not np.isinf(values).any():
        raise ValueError(
            "X holds finite values beyond float32's range (largest magnitude "
            f"{np.nanmax(np.abs(values)):.3g}, float32 ends at 3.4e38), which the network "
            "reads in float32: rescale those columns first (e.g. a StandardScaler in "
            "front), or use module='tabular' (or 'auto'), which scales each column itself."
        ) from error
    if np.ndim(X) > 2:
        advice = (
            "replace them with finite pixel values first, e.g. np.nan_to_num(X, "
            "posinf=high, neginf=low) with the bounds of the images' range"
        )
    else:
        advice = (
            "replace them with large finite values first, or with NaN (missing values) "
            "for module='tabular' (or 'auto'), which imputes them"
        )
    raise ValueError(
        f"{str(error).rstrip('.')}, which the network cannot take: {advice}."
    ) from error


def _explain_sparse(error, X):
    """Re-raise scikit-learn's refusal of a sparse X with how to give dense rows."""
    if "Sparse data was passed" not in str(error):
        return
    if is_dataframe(X):
        # scikit-learn reads a DataFrame whose columns are all sparse as a sparse matrix.
        raise TypeError(
            "X is a DataFrame of sparse columns (pd.SparseDtype), which is read as a sparse "
            "matrix, and the network reads dense rows: pass X.sparse.to_dense()."
        ) from error
    raise TypeError(
        f"X is a scipy sparse {type(X).__name__}, and the network reads dense rows. In a "
        "Pipeline, have the step in front output dense arrays (OneHotEncoder("
        "sparse_output=False), or ColumnTransformer(..., sparse_threshold=0)); otherwise "
        "pass X.toarray()."
    ) from error


def _explain_pandas_na(error):
    """Re-raise numpy's failure on ``pd.NA`` inside an object array with what to do."""
    if "NAType" in str(error):
        raise ValueError(
            f"X holds pandas.NA ({error}), which a numpy array cannot carry as a missing "
            "value. Pass the pandas DataFrame itself (module='tabular' or 'auto' reads its "
            "missing values), or mark them as np.nan in a float array."
        ) from error


def _check_hand_coded_categories(encoder, n_categories, X=None):
    """Refuse missing values that would shift or fill in category codes given by hand.

    With ``module__n_categories`` on a table that the encoding reads as numbers only,
    the module reads the last ``len(n_categories)`` columns as codes as they are. A
    missing value there would be imputed with the column's median (a category), and one
    in another column would get a missing indicator appended after the codes, where the
    module reads them. ``X``: at predict time, the table to check (the encoding learned
    in ``fit`` which columns had missing values).
    """
    try:
        k = len(n_categories or ())
    except TypeError:  # refused with the module's own message
        return
    if encoder is None or not k or encoder.categorical_columns_:
        return
    codes = encoder.columns_[-k:]
    if X is None:
        missing = list(encoder.indicator_columns_)
    else:
        # At predict time a missing number is imputed (no indicator is added): only the
        # codes are checked.
        values = X.iloc[:, -k:].isna().to_numpy() if is_dataframe(X) else np.isnan(X[:, -k:])
        missing = [c for c, m in zip(codes, values.any(0)) if m]
    in_codes = [c for c in missing if c in codes]
    given = f"module__n_categories={tuple(n_categories)!r}"
    advice = (
        "or pass a DataFrame with the categorical columns as 'category' dtype: fit then "
        "encodes them, missing values included, and fills in n_categories."
    )
    if in_codes:
        who = "this model" if X is not None else given
        raise ValueError(
            f"X has missing values in column(s) {in_codes}, which {who} reads as category "
            "codes: they would be imputed with the column's median, a category of its "
            "own. Give them a code instead (n for missing, n + 1 for a category not seen "
            f"in fit, where a column's categories are 0 .. n - 1), {advice}"
        )
    if missing:
        raise ValueError(
            f"X has missing values in column(s) {missing}, but {given} reads the last {k} "
            "column(s) of X as category codes: fit imputes the missing numbers and "
            "appends a 0/1 missing indicator of each such column after the last column, "
            "where the codes would be read from. Impute them in front, with the "
            f"indicators before the code columns, {advice}"
        )


def _warn_if_float32_blurs(X, module):
    """A module that reads numbers as they are reads them in float32, whose 24 bits keep
    about 7 significant digits: a column of large values that vary little (timestamps in
    seconds over a day, codes near 1e9) would lose its variation without a word. (The
    column encoding of module='tabular' shifts such columns first.)"""
    if is_dataframe(X):
        columns = [(name, X[name].to_numpy()) for name in X.columns]
        columns = [(name, v) for name, v in columns if v.dtype.kind in "fiu" and v.itemsize > 4]
    else:
        X = np.asarray(X) if isinstance(X, (list, tuple)) else X
        if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype.kind not in "fiu":
            return
        if X.itemsize <= 4 or not X.size:  # float32 already, or exactly held by it
            return
        columns = list(enumerate(X.T))
    blurred = []
    for name, values in columns:
        # NaNs left out by hand: np.nanmin warns on an all-NaN column, and silencing that
        # with warnings.catch_warnings would change the whole process's filters (see
        # _builder._loss._check_loss).
        present = values[~np.isnan(values)] if values.dtype.kind == "f" else values
        if not present.size:
            continue
        low, high = present.min(), present.max()
        magnitude = max(abs(float(low)), abs(float(high)))
        spread = float(high) - float(low)
        # Fewer than about 2**10 float32 steps (2**-23 of the magnitude) over the values.
        if np.isfinite(magnitude) and 0 < spread < magnitude * 2.0**-13:
            step = float(np.spacing(np.float32(magnitude)))
            blurred.append((name, low, high, int(spread / step) + 1))
    if blurred:
        name, low, high, levels = blurred[0]
        warnings.warn(
            f"X's column(s) {first_few([b[0] for b in blurred])} vary over less than 1e-4 "
            f"of their magnitude (column {plain_value(name)!r}: {low:.10g} to {high:.10g}), "
            f"and module={_module_name(module)} reads numbers as float32, which holds about "
            f"{levels} distinct value(s) over that range. Subtract each column's "
            "mean in front (e.g. StandardScaler), or use module='tabular' (or 'auto'), "
            "which shifts such columns itself.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _check_no_nan(X, module, fitted=False):
    """Missing values reach only modules that take tables (which impute them).

    ``fitted``: at predict time, for a model fitted without a column encoding (with
    another module, or on a torch Dataset), whatever ``module`` says since.
    """
    if not np.isnan(X).any():
        return
    if X.ndim > 2:
        # Images: neither the tabular module nor scikit-learn's imputers take them.
        who = "this model" if fitted else f"module={_module_name(module)}"
        raise ValueError(
            f"X of shape {X.shape} holds NaN, which {who} cannot take: replace them "
            "first, e.g. np.nan_to_num(X, nan=0.0), or each channel's mean for images."
        )
    if fitted:
        raise ValueError(
            "Input X contains NaN (missing values), which this model cannot take: it was "
            "fitted without a column encoding that imputes them (column_encoder_ is None). "
            "Impute them in front, e.g. make_pipeline(SimpleImputer(add_indicator=True), "
            "ImbalancedNetClassifier(...)), or refit with module='tabular' (or 'auto') on "
            "an array or a DataFrame, which imputes them with a missing indicator."
        )
    raise ValueError(
        f"Input X contains NaN (missing values), which module={_module_name(module)} "
        "cannot take on inputs of this shape. Use module='tabular' (or 'auto') on a "
        "table (n_samples, n_features): it imputes them with a missing indicator; or "
        "impute in front, e.g. make_pipeline(SimpleImputer(add_indicator=True), "
        "ImbalancedNetClassifier(...))."
    )


def _without_weightless_classes(X, classes, y, sample_weight):
    """``(X, network_classes, y, sample_weight)`` without the rows of the classes whose
    rows all weigh 0.

    A weight counts a row as that many copies of it, so such a class is absent from the
    training data: the network is trained on the other classes (``network_classes``,
    indices into ``classes``, with ``y`` encoded among them), with a warning. A
    ``BaggingClassifier`` bag that draws no row of a rare class passes such weights.
    """
    weightless = np.bincount(y, weights=sample_weight, minlength=len(classes)) == 0
    trained = np.flatnonzero(~weightless)
    if not weightless.any():
        return X, trained, y, sample_weight
    names = first_few(classes[weightless])
    if len(trained) < 2:
        raise ValueError(
            f"sample_weight is 0 on every row of class(es) {names}, which leaves only "
            f"class {plain_value(classes[trained[0]])!r} to train on; ImbalancedNetClassifier "
            "needs rows of non-zero weight in at least 2 classes."
        )
    warnings.warn(
        f"sample_weight is 0 on every row of class(es) {names}: the network is trained "
        "without them, as without their rows (a weight counts a row as that many copies "
        "of it); they stay in classes_, with probability 0.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    rows = np.flatnonzero(~weightless[y])
    X = Subset(X, rows) if isinstance(X, Dataset) else X[rows]
    codes = np.cumsum(~weightless) - 1  # code among classes -> code among trained ones
    return X, trained, codes[y[rows]], sample_weight[rows]


def _callback_parameter_advice(key, callbacks):
    """The message for skorch's ``callbacks__<name>__<param>``, which is not taken: the
    callbacks are instances in a list, configured where they are made."""
    name, _, param = key.removeprefix("callbacks__").partition("__")
    if name in OWN_CALLBACKS:
        return (
            f"Invalid parameter {key!r} for ImbalancedNetClassifier: {name!r} is one of the "
            f"estimator's own callbacks, set by its parameters {OWN_CALLBACKS[name]}."
        )
    if name == "print_log":
        # The net's own table, which verbose prints: a name the net keeps.
        return (
            f"Invalid parameter {key!r} for ImbalancedNetClassifier: 'print_log' is the "
            "net's own table, printed under verbose, which parameters do not configure. "
            "For a table of your own, set verbose=0 and give a PrintLog under another "
            "name with a sink of its own (skorch's PrintLog prints through print only "
            "under verbose): callbacks=[('my_log', PrintLog("
            f"{param or 'keys_ignored'}=..., sink=lambda text: print(text)))]."
        )
    named = dict(c for c in callbacks or () if isinstance(c, tuple) and len(c) == 2)
    made = type(named[name]).__name__ if name in named else "TheCallback"
    return (
        f"Invalid parameter {key!r} for ImbalancedNetClassifier: callbacks are given as "
        f"(name, callback) pairs and take their parameters where they are made, e.g. "
        f"callbacks=[({name!r}, {made}({param or '...'}=...))]; skorch's "
        "callbacks__<name>__<parameter> form is not taken. A grid search varies the "
        "whole list: {'callbacks': [[...], [...]]}."
    )


def _is_routed(key):
    prefix, sep, rest = key.partition("__")
    return bool(sep) and bool(rest) and prefix in ROUTED_KINDS


def _check_no_missing_labels(y):
    """Every row needs a label: name missing ones (None, NaN, pd.NA) before numpy's
    comparisons trip over them (pd.NA cannot be compared, None reads as a number).
    A torch tensor comes as the array of its values (``plain_input``)."""
    if y is None:
        return
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.dtype.kind not in "fO":
        return  # other shapes are left to scikit-learn's check; other dtypes have no gaps
    check_no_missing_labels(
        labels, then="; every row needs a label: drop those rows or fill them in first."
    )
