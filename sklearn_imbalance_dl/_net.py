"""The skorch net the estimator builds and owns (``ImbalancedNetClassifier.net_``).

It keeps skorch's machinery (callbacks, history, optimizer routing, pickling across
devices) and changes the training step where imbalance methods need it:

- batches are cut on the device from an :class:`~._data.InMemoryDataset` (the fast
  path); any other ``torch.utils.data.Dataset`` goes through a ``DataLoader``;
- each batch may be mixed (mixup, Remix, PPmix, feature weakening) at a point of a
  staged module;
- the loss is the weighted mean ``sum(sw * loss_i) / sum(w_i)`` of per-sample losses
  (which carry the class weights ``w``), ``sw`` the sample weights over their mean and
  ``w`` the class weights a schedule may change in place, so mixing, class weights and
  sample weights compose;
- losses are gathered on the device and read once per epoch, not once per batch.
"""

import contextlib
import fnmatch
import math
import numbers
import signal
import threading
from fractions import Fraction

import cloudpickle
import numpy as np
import sklearn
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, Checkpoint, EarlyStopping, PassthroughScoring, PrintLog
from skorch.exceptions import SkorchException
from skorch.utils import TeeGenerator, to_device
from torch.utils.data import DataLoader

from ._cuda_graph import CapturedTrainStep
from ._data import (
    ASSUME_FINITE_HINT,
    DATASET_UNCHECKED_HINT,
    DatasetInputs,
    DeviceBatchIterator,
    EpochBatchSampler,
    FixedOrder,
    InMemoryDataset,
    LabelledDataset,
    batch_bounds,
)
from .losses._kernels import weighted_mean
from .mixing import Mixing
from .modules import TabularNet, forward_staged, is_staged, n_mixing_points, reset_head
from .modules._protocol import parameter_dtype
from .registry import lookup, register
from .sampling._sampler import IndexSampler, check_class_probabilities, looks_at_features

# The history keys of callbacks.ClassDiagnostics: lists of one value per class, kept in
# the history and out of the printed table (rows of them are unreadable with many classes).
ACCURACY_KEY = "class_train_accuracy"
GRAD_NORM_KEY = "class_feature_grad_norm"

register("precision", "fp32")(None)
register("precision", "bf16")(torch.bfloat16)
register("precision", "fp16")(torch.float16)
BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")

# A prediction batch holds the training batch's rows at least, and more, up to
# PREDICT_ROWS, while its input holds at most PREDICT_VALUES values (4 MiB in float32):
# rows of a table go 1,024 at a time, large images no more at a time than training
# took, so that predict's activations stay within those of fit.
PREDICT_ROWS = 1024
PREDICT_VALUES = 2**20


def autocast(device, dtype):
    """``torch.autocast`` to ``dtype`` on ``device``; None (fp32) turns autocast off, so
    that an autocast block of the caller's around ``fit`` or ``predict`` changes nothing.

    Casts of the weights are not cached: torch drops its cache only when the outermost
    autocast block ends, and ``fit`` runs inside one (the block that turns a caller's
    autocast off), so every step would compute with the weights of the first.
    """
    device_type = torch.device(device).type
    if dtype is None and not torch.amp.is_autocast_available(device_type):
        return contextlib.nullcontext()
    return torch.autocast(
        device_type=device_type, dtype=dtype, enabled=dtype is not None, cache_enabled=False
    )


def _cut_loader(dataset, batch_size, order=None):
    """A DataLoader of ``dataset``'s rows in ``order`` (a tensor of row indices; None:
    the rows' own order), cut into batches as the fast path cuts them: a single last
    row joins the batch before it (batch norm in training mode cannot take one row).
    Its generator is its own, so the global random stream is left alone."""
    rows = torch.arange(len(dataset)) if order is None else order
    batches = [rows[start:end].tolist() for start, end in batch_bounds(len(dataset), batch_size)]
    return DataLoader(dataset, batch_sampler=batches, generator=torch.Generator())


def full_precision(tensor):
    """Half-precision outputs (of autocast) as float32; float32 and float64 as they are."""
    return tensor.float() if tensor.dtype in (torch.float16, torch.bfloat16) else tensor


class AdjustedSoftmax:
    """Prediction nonlinearity: ``softmax(scale * z - shift)``.

    ``scale`` undoes the cosine head's range for LDAM/CRI (their loss trains on
    ``s * cos``); ``shift`` is the optional post-hoc logit adjustment ``tau * log(prior)``.
    """

    def __init__(self, scale=1.0, shift=None):
        self.scale = scale
        self.shift = shift
        self._device_shift = shift

    def logits(self, z):
        z = full_precision(z) * self.scale
        if self.shift is None:
            return z
        # Copied to the logits' device once, not at every batch (a copy to the GPU
        # waits for it); ``shift`` itself stays on the CPU, so a pickle loads anywhere.
        if self._device_shift.device != z.device:
            self._device_shift = self.shift.to(z.device)
        return z - self._device_shift

    def __getstate__(self):
        return {**self.__dict__, "_device_shift": self.shift}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._device_shift = self.shift  # any pickle, with or without the device copy

    def __call__(self, z):
        # In float64: probabilities of rare classes survive, rows sum to 1 to 1e-15.
        return torch.softmax(self.logits(z).double(), dim=1)

    def log(self, z):
        """Log of the probabilities, computed stably."""
        return torch.log_softmax(self.logits(z).double(), dim=1)


class ImbalanceNet(NeuralNet):
    """skorch ``NeuralNet`` with the imbalance-aware training step.

    Extra parameters: ``mixing`` (an unbound mixing component or None), ``sampler``
    (``"instance"``, ``"class_balanced"``, ``"sqrt"`` or an index-preserving
    imbalanced-learn sampler), ``augment`` (a batched callable on the device or None),
    ``precision`` (``"fp32"``, ``"bf16"``, ``"fp16"``), ``channels_last`` (memory format of
    convolutional modules and image batches), ``class_counts`` (training counts),
    ``main_epochs`` (the epochs schedules and mixing are laid out on) and
    ``cuda_graph`` (replay whole training steps from CUDA graphs: :mod:`._cuda_graph`).
    """

    # Everything that can hold device tensors is pickled through skorch's device-aware
    # path (attribute-name prefixes), so a net trained on CUDA loads on a CPU-only
    # machine. The prefixes cover the fitted attributes and the objects given to
    # ``__init__`` that the fit moves to the device in place: the module and criterion
    # instances, callbacks holding class counts (and the lists of those with per-batch
    # hooks, pickled beside them as the same objects), on-device augmentation.
    cuda_dependent_attributes_ = [
        "module", "criterion", "optimizer", "callbacks", "batch_listeners", "mixing",
        "scaler", "augment",
    ]  # fmt: skip

    def __getstate__(self):
        # skorch's, with cloudpickle (as joblib's workers) for the device-dependent ones:
        # the standard pickle refers to classes by name, so a fitted net whose module or
        # loss class was defined in a notebook (``__main__``) could not come back from a
        # worker process. cloudpickle pickles such classes by value, others by name.
        # skorch's ``__setstate__`` reads it back, mapping tensors to a present device.
        state = self.__dict__.copy()
        prefixes = tuple(self.cuda_dependent_attributes_)
        device_attributes = {
            key: state.pop(key)
            for key in list(state)
            if isinstance(key, str) and key.startswith(prefixes)
        }
        state["__cuda_dependent_attributes__"] = cloudpickle.dumps(device_attributes)
        return state

    def __init__(
        self,
        module,
        criterion,
        *,
        mixing=None,
        sampler="instance",
        augment=None,
        precision="fp32",
        channels_last=False,
        class_counts=None,
        main_epochs=None,
        cuda_graph=False,
        **kwargs,
    ):
        super().__init__(module, criterion, **kwargs)
        self.mixing = mixing
        self.sampler = sampler
        self.augment = augment
        self.precision = precision
        self.channels_last = channels_last
        self.class_counts = class_counts
        self.main_epochs = main_epochs
        self.cuda_graph = cuda_graph

    # ------------------------------------------------------------------ set-up
    @property
    def _default_callbacks(self):
        printed = _QuietPrintLog(keys_ignored=[ACCURACY_KEY, GRAD_NORM_KEY])
        own = {"print_log": printed, "valid_loss": _PooledLoss(name="valid_loss")}
        return [(name, own.get(name, callback)) for name, callback in super()._default_callbacks]

    def get_params_for_optimizer(self, prefix, named_parameters):
        # torch.compile wraps the module as ``_orig_mod``: patterns name the parameters
        # of the module as written ("head.*"), compiled or not.
        named_parameters = [
            (".".join(part for part in name.split(".") if part != "_orig_mod"), param)
            for name, param in named_parameters
        ]
        # skorch skips a param_groups pattern that matches no parameter; a misspelt
        # pattern would leave its parameters on the default options without a word.
        names = [name for name, _ in named_parameters]
        for pattern, _ in self.get_params_for(prefix).get("param_groups", []):
            if not any(fnmatch.fnmatch(name, pattern) for name in names):
                shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
                raise ValueError(
                    f"{prefix}__param_groups: the pattern {pattern!r} matches no parameter "
                    f"of the module, whose parameters are named {shown} (fnmatch patterns, "
                    "e.g. 'head.*')."
                )
        return super().get_params_for_optimizer(prefix, named_parameters)

    def fit(self, X, y=None, **fit_params):
        self._refuse_more_training()
        return super().fit(X, y, **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        self._refuse_more_training()
        return super().partial_fit(X, y, classes=classes, **fit_params)

    def end_training(self):
        """Mark the network trained: it trains no further (``fit`` and ``partial_fit``
        refuse), and drops its optimizers' state (AdamW's two moments per weight, twice
        the parameters), which only more training would read: a model's pickle then
        holds its parameters, not three times their size."""
        self.trained_ = True
        for name in self._optimizers:
            optimizer = getattr(self, name + "_", None)
            for each in (optimizer, getattr(optimizer, "base_optimizer", None)):
                if isinstance(each, torch.optim.Optimizer):
                    each.state.clear()

    def _refuse_more_training(self):
        # The estimator's schedules, samplers and class prior are laid out over one fit
        # of max_epochs on its data; more epochs, or other data, would train outside them.
        if getattr(self, "trained_", False):
            raise ValueError(
                "This network is the trained net_ of an ImbalancedNetClassifier; it trains "
                "no further. ImbalancedNetClassifier.fit trains a network from the start "
                "over max_epochs, on data it checks and encodes (there is no warm start or "
                "partial_fit): set max_epochs and fit again."
            )

    def initialize(self):
        super().initialize()
        if self.channels_last:
            self.module_.to(memory_format=torch.channels_last)
        self.stages_frozen_ = False
        self.interrupted_ = False
        self.stopped_early_ = False
        self.stopped_by_ = None
        self.mixing_ = None
        if self.mixing is not None:
            self.mixing_ = self.mixing.bind(
                torch.as_tensor(self.class_counts),
                n_epochs=self.main_epochs,
                # A module without stages can still be mixed at its input.
                n_points=n_mixing_points(self.module_) if is_staged(self.module_) else 1,
                device=self.device,
            )
            if type(self.mixing_).plan is Mixing.plan:  # mixes through draw (not CutMix)
                self._check_mixing_draw()
        # The dtype is read once, here: a name registered in this process only (with
        # register("precision", name)) is not needed again to predict after a pickle.
        self.autocast_dtype_ = lookup("precision", self.precision)
        use_scaler = self._float16() and str(self.device).startswith("cuda")
        self.scaler_ = torch.amp.GradScaler("cuda") if use_scaler else None
        # Inputs take the dtype of the module's parameters: float64 for a module built
        # under torch.set_default_dtype(torch.float64).
        self.input_dtype_ = parameter_dtype(self.module_)
        return self

    def _autocast(self):
        return autocast(self.device, self.autocast_dtype_)

    def _float16(self):
        """Whether the forward pass runs in float16 (``"fp16"``, or a name of one's own)."""
        return self.autocast_dtype_ is torch.float16

    # ------------------------------------------------------------------ hooks
    # The public methods schedules and callbacks act through, at epoch boundaries.
    @property
    def current_epoch(self):
        """0-based index of the epoch in progress (skorch adds its history row first)."""
        return len(self.history) - 1

    def set_training(self, training=True):
        """Put the module in training or evaluation mode (frozen stages stay in eval)."""
        self._set_training(training)

    def _set_training(self, training=True):
        super()._set_training(training)
        if training and self.stages_frozen_ == "with_statistics":
            # Classifier re-training: frozen features keep their batch-norm statistics.
            self.module_.stages.eval()

    def set_class_weights(self, weights):
        """Write the loss's class weights in place (the optimizer and its momentum stay)."""
        target = getattr(self.criterion_, "class_weights", None)
        if target is None:
            loss = getattr(self.criterion_, "loss", self.criterion_)  # a torch loss, wrapped
            raise ValueError(
                f"set_class_weights: the loss {type(loss).__name__} has no class "
                "weights to set; use one of the package's losses (e.g. loss='ce'), or give "
                "the schedule a class_weights method, which the estimator checks at fit "
                "start."
            )
        target.copy_(torch.as_tensor(weights).to(device=target.device, dtype=target.dtype))

    def reset_head(self):
        """Re-initialise the classifier head and forget its optimizer state."""
        reset_head(self.module_)
        self.forget_head_state()

    def forget_head_state(self):
        """Drop the optimizer state (momentum, ...) of the classifier head's parameters."""
        self.forget_optimizer_state(self.module_.head.parameters())

    def is_staged(self):
        """Whether the module exposes ``stages`` and ``head`` (the staged-module protocol)."""
        return is_staged(self.module_)

    def forget_optimizer_state(self, params):
        """Drop momentum and the like of ``params`` (SAM's base optimizer included)."""
        optimizers = [self.optimizer_, getattr(self.optimizer_, "base_optimizer", None)]
        for param in params:
            for optimizer in optimizers:
                if optimizer is not None:
                    optimizer.state.pop(param, None)

    def freeze_stages(self, *, keep_batch_norm_statistics=True):
        """Stop training the feature stages; only the head learns from now on.

        With ``keep_batch_norm_statistics=False`` the stages' batch-norm layers keep
        updating their running statistics on the batches (MiSLAS's shifted batch norm).
        """
        for param in self.module_.stages.parameters():
            param.requires_grad_(False)
        self.stages_frozen_ = "with_statistics" if keep_batch_norm_statistics else "weights"

    def stop_mixing(self):
        """Train on plain batches from now on."""
        self.mixing_ = None

    def set_sampler(self, kind):
        """Draw the following epochs' batches with another sampler: a sampler name, or a
        tensor of shape (n_classes,) of the probability of drawing each class (relative
        chances: they are scaled to sum to 1)."""
        if not isinstance(kind, str):
            kind = check_class_probabilities(kind, len(self.class_counts), what="set_sampler takes")
        self.train_sampler_.set_kind(kind)

    def learning_rates(self):
        """The ``"lr"`` of each optimizer parameter group, in order."""
        return [float(group["lr"]) for group in self.optimizer_.param_groups]

    def set_learning_rates(self, rate_of_group):
        """Set each optimizer parameter group's ``"lr"`` to ``rate_of_group(group)``."""
        for group in self.optimizer_.param_groups:
            group["lr"] = rate_of_group(group)

    def replace_loss(self, loss):
        """Train with ``loss`` (an :class:`~.losses.ImbalanceLoss`) from now on."""
        self.criterion_ = loss.to(self.device)

    def uses_cosine_logits(self):
        """Whether the loss trained with trains on cosine logits (a cosine head)."""
        return bool(getattr(self.criterion_, "uses_cosine_logits", False))

    def wrap_head(self, wrap):
        """Replace the classifier head by ``wrap(head)``, on the device; returns it."""
        self.module_.head = wrap(self.module_.head).to(self.device)
        return self.module_.head

    def head_weight_decay(self):
        """The weight decay of the classifier head's parameters (their optimizer group's),
        or None where the optimizer has no weight decay option (``torch.optim.Rprop``)."""
        head = {id(param) for param in self.module_.head.parameters()}
        groups = self.optimizer_.param_groups
        group = next(g for g in groups if any(id(p) in head for p in g["params"]))
        return group.get("weight_decay")

    def add_param_group(self, params, **options):
        """Train ``params`` too, as one optimizer group with ``options`` (``lr``, flags)."""
        self.optimizer_.add_param_group({"params": list(params), **options})

    def training_batches(self, dataset, *, shuffled=False):
        """``(X, y, sample_weight)`` of each batch of ``dataset`` on the device.

        In order; with ``shuffled``, in one fixed order of the rows drawn from a
        generator of its own (the same at every call, the training's random streams left
        alone), so that each batch holds the classes in about their proportions in the
        data, as an instance-sampled training batch does, whatever the order of the rows.
        """
        if not shuffled:
            iterator = self.get_iterator(dataset, training=False)
        else:
            order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(0))
            if isinstance(dataset, InMemoryDataset):
                order = FixedOrder(order.to(dataset.y.device))
                iterator = DeviceBatchIterator(dataset, self.batch_size, sampler=order)
            else:
                iterator = _cut_loader(dataset, self.batch_size, order)
        for batch in iterator:
            yield self.unpack_batch(batch)

    def penultimate_features(self, X):
        """The features the head of a staged module reads, for ``X``; no gradients."""
        with torch.no_grad():
            _, features = forward_staged(self.module_, X)
        return features

    def head_logits(self, features):
        """The logits of the classifier head for penultimate ``features``."""
        return self.module_.head(features)

    def per_sample_loss(self, logits, y, sample_weight=None):
        """The training loss of each sample (class weights applied), shape (n,).

        ``sample_weight`` counts in the class counts that a loss takes from the batch
        (ARB's), as in training; it does not multiply the losses.
        """
        if sample_weight is None:  # a loss of one's own may not take the argument
            return self.criterion_(logits, y, reduction="none")
        return self.criterion_(logits, y, reduction="none", sample_weight=sample_weight)

    # ------------------------------------------------------------------ data
    def get_iterator(self, dataset, training=False):
        if isinstance(dataset, InMemoryDataset):
            sampler = self._train_sampler(dataset.y, dataset.X) if training else None
            return DeviceBatchIterator(dataset, self.batch_size, sampler=sampler)
        if isinstance(dataset, LabelledDataset):
            # Own generators: a DataLoader draws a base seed per epoch, which would
            # otherwise shift the global stream that shuffling and mixing draw from.
            if not training:  # in order (SWA's batch-norm pass runs in training mode)
                return _cut_loader(dataset, self.batch_size)
            labels = torch.as_tensor(dataset.y).to(self.device)
            batches = EpochBatchSampler(self._train_sampler(labels), self.batch_size)
            return DataLoader(dataset, batch_sampler=batches, generator=torch.Generator())
        return super().get_iterator(dataset, training=training)

    def _train_sampler(self, y, X=None):
        features = None
        if X is not None and not isinstance(self.sampler, str) and looks_at_features(self.sampler):
            # An imbalanced-learn sampler that chooses rows by their features (NearMiss,
            # ...) sees the training inputs, flattened; the random ones see row numbers.
            features = X.detach().cpu().numpy().reshape(len(X), -1)
        self.train_sampler_ = IndexSampler(self.sampler, y, X=features)
        return self.train_sampler_

    def unpack_batch(self, batch):
        """``(X, y, sample_weight)`` on the device; weights None when all are equal."""
        Xb, yb, wb = batch if len(batch) == 3 else (*batch, None)
        wb = None if wb is None else to_device(wb, self.device)
        return self._to_device_input(Xb), to_device(yb, self.device), wb

    def _to_device_input(self, X):
        X = to_device(X, self.device)
        if X.is_floating_point() and X.dtype != self.input_dtype_:
            X = X.to(self.input_dtype_)
        # A no-op on the fast path, whose data were converted once.
        if self.channels_last and X.ndim == 4:
            X = X.contiguous(memory_format=torch.channels_last)
        return X

    # ------------------------------------------------------------------ steps
    def forward_mixed(self, X, plan):
        """Logits of a training batch, mixed according to ``plan`` (None: plain).

        A module whose head packs several members (``TabularNet(n_members=k)``) gives
        each member's logits, ``(k, N, C)``: each member is trained on its own loss.
        """
        if plan is not None and plan.point == 0:
            X, plan = plan.apply(X), None  # mixed inputs: nothing mixes inside the module
        head = getattr(self.module_, "head", None)
        members = hasattr(head, "member_logits")
        if plan is None and not members:
            return self.module_(X)
        mix_at, mix_fn = (None, None) if plan is None else (plan.point, plan.apply)
        logits, features = forward_staged(self.module_, X, mix_at=mix_at, mix_fn=mix_fn)
        return head.member_logits(features) if members else logits

    def mixed_loss(self, logits, y, sample_weight=None, plan=None):
        """Weighted mean of the per-sample losses, with mixed labels when ``plan`` says so.

        ``sum_i sw_i (lam_i l(z_i, y_i) + (1 - lam_i) l(z_i, y_j)) /
        sum_i (lam_i w_{y_i} + (1 - lam_i) w_{y_j})``, where ``l`` already carries the
        class weight ``w`` and the sample weights ``sw`` are relative to their mean over
        the training data (as ``fit`` scales them): they scale a row's loss, not its share
        of its batch. A batch whose normaliser is 0 (classes of weight 0 only) has the
        loss 0. ``sample_weight=None`` means equal weights; then without mixing this is
        the loss's own ``reduction="mean"``, computed directly, which does the same.
        """
        criterion = self.criterion_
        if plan is None and sample_weight is None:
            return criterion(logits, y, reduction="mean")
        # The sample weights also go to the loss, for the class counts it may take from
        # the batch (ARB); the partners' are the same rows' weights, permuted.
        per_sample = self.per_sample_loss(logits, y, sample_weight)
        normaliser = criterion.per_sample_weight(y)
        if plan is not None and plan.label_weight is not None:
            lam = plan.label_weight
            y_partner = y[plan.partner]
            partner_weight = None if sample_weight is None else sample_weight[plan.partner]
            per_sample = lam * per_sample + (1 - lam) * self.per_sample_loss(
                logits, y_partner, partner_weight
            )
            normaliser = lam * normaliser + (1 - lam) * criterion.per_sample_weight(y_partner)
        if sample_weight is not None:
            per_sample = sample_weight * per_sample
        return weighted_mean(per_sample.sum(), normaliser.sum())

    def training_batch(self, batch):
        """``(X, y, sample_weight, plan)`` of a training step: augmented, mixing drawn."""
        Xb, yb, wb = self.unpack_batch(batch)
        if self.augment is not None:
            Xb = self.augmented(Xb)
        plan = None if self.mixing_ is None else self.mixing_.plan(yb, self.current_epoch)
        return Xb, yb, wb, plan

    def augmented(self, Xb):
        """``augment`` applied to a training batch, checked and in the inputs' dtype.

        The augmented batch has the batch's shape: the network is built for the samples'
        shape that ``fit`` was given, and ``predict`` takes that shape.

        An augmentation that computes in another floating type (float64 from numpy
        constants) gives its batch in the inputs' dtype, as ``fit`` gives the inputs.
        """
        augmented = self.augment(Xb)
        if (
            not isinstance(augmented, torch.Tensor)
            or augmented.shape != Xb.shape
            or not augmented.is_floating_point()
        ):
            got = getattr(augmented, "shape", None)
            got = f"of shape {tuple(got)}" if got is not None else ""
            if isinstance(augmented, torch.Tensor):
                got += f" and dtype {augmented.dtype}"
            got = f"a {type(augmented).__name__} {got}".rstrip()
            raise ValueError(
                f"augment={self.augment!r} returned {got} for a batch of shape "
                f"{tuple(Xb.shape)}; an augmentation returns the augmented batch, a "
                "floating-point torch tensor of the batch's shape."
            )
        return self._to_device_input(augmented)

    def forward_backward(self, Xb, yb, wb, plan):
        """Loss of a prepared batch, its gradients accumulated into the parameters."""
        with self._autocast():
            logits = full_precision(self.forward_mixed(Xb, plan))
        if not logits.requires_grad:
            self._raise_logits_without_gradient()
        if logits.ndim == 3:
            # Packed members (TabM): the mean of their losses; they predict together.
            loss = torch.stack([self.mixed_loss(z, yb, wb, plan) for z in logits]).mean()
            logits = logits.mean(0)
        else:
            loss = self.mixed_loss(logits, yb, wb, plan)
        (loss if self.scaler_ is None else self.scaler_.scale(loss)).backward()
        return {"loss": loss.detach(), "y_pred": logits.detach()}

    def _raise_logits_without_gradient(self):
        """Logits outside autograd's graph: backward would fail inside torch with "element
        0 of tensors does not require grad"."""
        raise ValueError(
            f"module {type(self.module_).__name__} returned logits without a gradient "
            "(requires_grad=False) in a training step, so the fit cannot train it: its "
            "forward computes them under torch.no_grad(), detaches them (.detach(), a "
            "detour through numpy) or computes them from frozen parameters only "
            "(requires_grad=False). Return logits computed from its trainable parameters."
        )

    def train_step(self, batch, **fit_params):
        if self.cuda_graph and "cuda_graph_" not in self.__dict__:
            self.cuda_graph_steps_ = {"graphed": 0, "eager": 0}
            self.cuda_graph_notes_ = []
            self.cuda_graph_ = CapturedTrainStep.for_net(self)
        captured = self.__dict__.get("cuda_graph_")
        if captured is not None:
            return captured(batch)
        return self.optimizer_step(batch, self.training_batch(batch))

    def optimizer_step(self, batch, prepared):
        """One optimization step on a prepared batch ``(X, y, sample_weight, plan)``."""
        # No optimizer closure: one forward and backward per step, as a hand-written loop;
        # only SAM, which steps from a perturbed point, evaluates the batch twice.
        self.optimizer_.zero_grad(set_to_none=True)
        step = self.forward_backward(*prepared)
        if self.scaler_ is not None:
            self.scaler_.unscale_(self.optimizer_)
        if self.scaler_ is None and hasattr(self.optimizer_, "first_step"):
            # Sharpness-aware minimisation steps with the gradient at the perturbed
            # point: callbacks see (and clip) that one, not the first, which only sets
            # the direction of the perturbation.
            def closure():
                self.optimizer_.zero_grad(set_to_none=True)
                loss = self.forward_backward(*prepared)["loss"]
                self._notify_grad_computed(batch)
                return loss

            self.optimizer_.step(closure)
            return step
        self._notify_grad_computed(batch)
        if self.scaler_ is not None:
            self.scaler_.step(self.optimizer_)
            self.scaler_.update()
        else:
            self.optimizer_.step()
        return step

    def _notify_grad_computed(self, batch):
        self.notify(
            "on_grad_computed",
            named_parameters=TeeGenerator(self.get_all_learnable_params()),
            batch=batch,
            training=True,
        )

    def validation_step(self, batch, **fit_params):
        Xb, yb, wb = self.unpack_batch(batch)
        with torch.no_grad(), self._autocast():
            logits = self.module_(Xb)
        with torch.no_grad():
            loss = self.mixed_loss(full_precision(logits), yb, wb)
        return {"loss": loss, "y_pred": logits, "y_true": yb, "sample_weight": wb}

    def notify(self, method_name, **cb_kwargs):
        if method_name == "on_epoch_end":
            return self._notify_epoch_end(**cb_kwargs)
        if method_name == "on_train_end":
            # skorch's Checkpoint(load_best=True) loads the checkpoint's history with its
            # weights: the history keeps every epoch trained (n_epochs_ counts them).
            history = self.history
            self.on_train_end(self, **cb_kwargs)
            for _, callback in self.callbacks_:
                if not _saved_nothing(callback, history):
                    callback.on_train_end(self, **cb_kwargs)
            self.history = history
            return None
        listeners = getattr(self, "batch_listeners_", None)
        if listeners is None or method_name not in BATCH_HOOKS:
            return super().notify(method_name, **cb_kwargs)
        # Per batch, only the callbacks that define the hook are called (most don't).
        getattr(self, method_name)(self, **cb_kwargs)
        for callback in listeners[method_name]:
            getattr(callback, method_name)(self, **cb_kwargs)

    def _notify_epoch_end(self, **cb_kwargs):
        """Every callback sees the epoch, also the epoch at which a stopper ends the fit.

        skorch's callbacks end a fit by raising KeyboardInterrupt in ``on_epoch_end``
        (its EarlyStopping, or a stopper of one's own), which would hide that epoch from
        the callbacks after it (the printed row, ClassDiagnostics, a user's stopper after
        the estimator's). The decision is taken in its turn (``stopped_by_``, the first
        callback to take it); the fit ends once every callback has run, and what the
        stopper says follows the epoch's printed row. A KeyboardInterrupt with a Ctrl-C
        behind it (``ctrl_c_``) is the user's, and ends the fit at once.
        """
        self.on_epoch_end(self, **cb_kwargs)
        stop, said = None, []
        for _, callback in self.callbacks_:
            try:
                with _holding_messages(callback, said):
                    callback.on_epoch_end(self, **cb_kwargs)
            except KeyboardInterrupt as interrupt:
                if getattr(self, "ctrl_c_", False):
                    raise
                if stop is None:
                    self.stopped_by_ = callback
                stop = stop or interrupt
            except (KeyError, SkorchException) as error:
                _explain_unrecorded_monitor(self, callback, error)
                raise
        for sink, text in said:
            # skorch's rule for a callback's sink: print only under verbose, others always.
            if sink is not print or self.verbose:
                sink(text)
        if stop is not None:
            raise stop

    def _find_batch_listeners(self):
        return {
            hook: [
                cb
                for _, cb in self.callbacks_
                if getattr(type(cb), hook, None) is not getattr(Callback, hook)
            ]
            for hook in BATCH_HOOKS
        }

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        self.batch_listeners_ = self._find_batch_listeners()
        losses, sizes, loss_weights, correct, seen = [], [], [], None, None
        unreadable = torch.zeros((), dtype=torch.bool)
        self._set_training(training)
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            losses.append(step["loss"])
            sizes.append(len(batch[1]))
            if not training:
                # The logits predict reads (post-hoc adjustment included), so that early
                # stopping ranks epochs by the predictions the fit returns.
                logits = self.predict_nonlinearity.logits(step["y_pred"])
                correct, seen = _count_correct(
                    logits, step["y_true"], step.get("sample_weight"), correct, seen
                )
                # What predict refuses (_gives_nan_probabilities), read once per epoch.
                unreadable = unreadable.to(logits.device) | _gives_nan_probabilities(logits)
                # The normaliser of the batch's weighted mean (its size without class
                # weights): the epoch's loss pools the batches by it (_PooledLoss).
                loss_weights.append(self.criterion_.per_sample_weight(step["y_true"]).sum())
            self.notify("on_batch_end", batch=batch, training=training, **step)
        # One device synchronisation per epoch instead of one per batch.
        values = torch.stack(losses).float().cpu().tolist()
        if training:
            self._check_finite(values)
        elif unreadable.item():
            self._raise_non_finite_validation()
        rows = self.history[-1]["batches"][-len(values) :]
        for row, value, size in zip(rows, values, sizes):
            row[prefix + "_loss"] = value
            row[prefix + "_batch_size"] = size
        if loss_weights:
            for row, weight in zip(rows, torch.stack(loss_weights).double().cpu().tolist()):
                row[prefix + "_loss_weight"] = weight
        self.history.record(prefix + "_batch_count", len(values))
        if not training:
            # The mean of the recalls in exact fractions, rounded once: equal accuracies
            # of two epochs then compare equal on any CPU or GPU, whatever the recalls
            # (a float mean of 0.1 and 0.7 lies below that of 0.3 and 0.5).
            correct, seen = correct.cpu().double().tolist(), seen.cpu().double().tolist()
            recall = [Fraction(c) / Fraction(s) for c, s in zip(correct, seen) if s > 0]
            key = prefix + "_balanced_accuracy"
            score = float(sum(recall) / len(recall))
            earlier = [row[key] for row in self.history[:-1] if key in row]
            self.history.record(key, score)
            # The epoch early stopping keeps (the first of the highest) is the one the
            # printed table highlights, and Checkpoint(monitor=key + "_best") can save.
            self.history.record(key + "_best", all(score > other for other in earlier))

    def _check_finite(self, epoch_losses):
        """Stop a diverging fit with an error instead of returning NaN probabilities.

        The epoch's losses are on the host already; the parameters and the batch-norm
        statistics cost one more synchronisation per epoch
        (benchmarks/divergence_check.py measures it).
        """
        bad_loss = not all(math.isfinite(v) for v in epoch_losses)
        params = [p for p in self.module_.parameters() if p.requires_grad]
        # The batch-norm statistics too: an infinite running variance alone makes every
        # prediction NaN.
        buffers = [b for b in self.module_.buffers() if b.is_floating_point()]
        finite = [torch.isfinite(t).all() for t in params + buffers]
        finite = torch.stack(finite).cpu().tolist() if finite else []
        if not bad_loss and all(finite):
            return
        if bad_loss and self.current_epoch == 0 and not math.isfinite(epoch_losses[0]):
            self._raise_non_finite_from_the_start()
        if bad_loss:
            what = "loss"
        elif not all(finite[: len(params)]):
            what = "network's weights"
        else:
            what = "network's batch-norm statistics"
        # The rates of this epoch: a schedule may have set its own (cRT's, MiSLAS's lr).
        rate = max(group["lr"] for group in self.optimizer_.param_groups)
        # A setting found out of range first (a weight decay too strong): the rate is the
        # usual suspect, not the proven one.
        causes = [
            *_optimizer_causes(self.optimizer_.param_groups),
            f"a learning rate too high (lr={self.lr}; this epoch's rate {rate:.3g})",
            *_input_causes(self.module_),
        ]
        if self._float16():
            causes.append("fp16 overflow (try precision='bf16' or 'fp32')")
        raise ValueError(
            f"Training diverged in epoch {self.current_epoch + 1}: the {what} became "
            f"non-finite (NaN or inf). Likely causes: {'; '.join(causes)}."
        )

    def _raise_non_finite_validation(self):
        """The validation part's outputs give NaN probabilities: its loss and balanced
        accuracy would be NaN and a count of arbitrary classes, and early stopping would
        rank the epochs by them."""
        causes = [
            "held-out rows far beyond the scale of the training rows (standardise features "
            "with large values)",
            "a module of your own that computes NaN or inf in evaluation mode",
        ]
        if self._float16():
            causes.append("fp16 overflow (try precision='bf16' or 'fp32')")
        raise ValueError(
            f"The network's outputs on the validation part (validation_fraction) became "
            f"non-finite (NaN or inf) in epoch {self.current_epoch + 1}, which gives NaN "
            f"probabilities and no validation score. Likely causes: {'; '.join(causes)}."
        )

    def _raise_non_finite_from_the_start(self):
        """The first batch's loss is computed on the initial weights, before any step:
        non-finite there, it is no divergence, and the learning rate is not its cause."""
        own = "augmentation, module or loss" if self.augment is not None else "module or loss"
        causes = [*_input_causes(self.module_)]
        # A shipped loss's settings out of its working range (loss__s=1e300).
        hyper = getattr(self.criterion_, "_hyper_repr", list)()
        if hyper:
            causes.append(
                f"the loss's settings ({type(self.criterion_).__name__}: {', '.join(hyper)})"
            )
        causes.append(f"a {own} of your own that computes NaN or inf")
        if self._float16():
            causes.append("fp16 overflow (try precision='bf16' or 'fp32')")
        raise ValueError(
            "The loss of the first training batch is non-finite (NaN or inf): computed on "
            "the initial weights, before any training step, so not a divergence of the "
            f"training. Likely causes: {'; '.join(causes)}."
        )

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        self.stopped_by_ = None
        try:
            with _noting_ctrl_c(self):
                return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            # A callback ends a fit by raising KeyboardInterrupt at an epoch's end (see
            # _notify_epoch_end); any other is the user's Ctrl-C. Either way skorch ends
            # the fit and keeps the weights reached (convenient in a notebook); the
            # estimator reports which.
            if self.stopped_by_ is not None and not self.ctrl_c_:
                self.stopped_early_ = True
            else:
                self.stopped_by_ = None
                self.interrupted_ = True
            raise
        finally:
            # The sampler holds the training targets on the device, the graphs their
            # memory, the split the held-out rows (a fitted model would carry them into
            # its pickle, as device tensors): release them.
            self.__dict__.pop("train_sampler_", None)
            self.__dict__.pop("cuda_graph_", None)
            self.train_split = None

    def _check_mixing_draw(self):
        """One plan drawn for a small batch, the random state restored: a mixing of one's
        own whose ``draw`` breaks its contract fails here, naming it, not in the first
        step inside torch, and shares outside [0, 1] do not extrapolate silently."""
        y = torch.arange(4, device=self.device) % len(self.class_counts)
        partner = torch.roll(torch.arange(4, device=self.device), 1)
        cuda = [torch.device(self.device)] if str(self.device).startswith("cuda") else []
        contract = (
            "draw(y, partner, epoch) must return (own_share, label_weight): own_share a "
            "tensor of shape (batch,) of shares in [0, 1], label_weight one of the same "
            "shape in [0, 1] or None"
        )
        try:
            with torch.random.fork_rng(devices=cuda):
                drawn = self.mixing_.draw(y, partner, 0)
            own_share, label_weight = drawn
        except (TypeError, ValueError) as exc:
            raise ValueError(f"mixing={self.mixing!r}: {contract} ({exc}).") from exc
        for name, value in (("own_share", own_share), ("label_weight", label_weight)):
            if value is None and name == "label_weight":
                continue
            if not isinstance(value, torch.Tensor) or value.shape != y.shape:
                got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value)
                raise ValueError(f"mixing={self.mixing!r}: {contract}; {name} is {got}.")
            if not bool(((value >= 0) & (value <= 1)).all()):
                raise ValueError(
                    f"mixing={self.mixing!r}: {contract}; {name} holds values outside "
                    f"[0, 1] ({value.min().item():g} to {value.max().item():g})."
                )

    # ------------------------------------------------------------------ predict
    def predict_logits(self, X, batch_size=None):
        """Raw logits of ``X`` (a float32 array, a tensor or a Dataset), on the CPU."""
        return self.predict_batched(X, lambda logits: logits, batch_size)

    def predict_batched(self, X, output, batch_size=None):
        """``output(logits)`` of ``X`` batch by batch, concatenated on the CPU.

        Only one batch's logits exist at a time: ``predict`` on a million rows of a
        thousand classes keeps a million labels, not a billion logits. Raises a
        ValueError that says why, rather than return outputs of logits that make NaN
        probabilities (a NaN, a +inf, or a row of -inf only).
        """
        self._set_training(False)
        batch_size = batch_size or self._predict_batch_size(X)
        result, start = None, 0
        for xb in self._predict_batches(X, batch_size):
            with torch.inference_mode():
                with self._autocast():
                    logits = full_precision(self.module_(self._to_device_input(xb))).cpu()
                if _gives_nan_probabilities(logits):
                    raise ValueError(self._nan_probabilities_message(X))
                # On the CPU, in float64 where ``output`` asks for it (MPS has no float64).
                out = output(logits)
            if result is None:  # an ordinary tensor, filled in place: no list to concatenate
                result = torch.empty((len(X), *out.shape[1:]), dtype=out.dtype)
            result[start : start + len(out)] = out
            start += len(out)
        if result is None:
            raise ValueError("X has no samples to predict.")
        return result

    def _predict_batch_size(self, X):
        """Rows a prediction batch holds (see ``PREDICT_VALUES``); a Dataset whose
        samples' shape is not given, ``PREDICT_ROWS``."""
        if isinstance(X, torch.utils.data.Dataset):
            shape = X.input_shape if isinstance(X, DatasetInputs) else None
        else:
            shape = X.shape[1:]
        rows = PREDICT_ROWS if shape is None else PREDICT_VALUES // max(1, math.prod(shape))
        return max(self.batch_size, min(PREDICT_ROWS, rows))

    def _predict_batches(self, X, batch_size):
        if isinstance(X, torch.utils.data.Dataset):
            if not isinstance(X, DatasetInputs):  # a user's Dataset: inputs checked
                X = DatasetInputs(X, None)
            return iter(DataLoader(X, batch_size=batch_size, generator=torch.Generator()))
        starts = range(0, len(X), batch_size)
        if isinstance(X, np.ndarray) and (
            not X.flags.writeable or any(stride < 0 for stride in X.strides)
        ):
            # torch warns of a tensor over memory it must not write to (a read-only
            # memmap, Arrow's numbers) and refuses negative strides (a view of X flipped,
            # X[::-1] or np.flip(X, -1)): such X is copied, a batch at a time.
            return (
                torch.from_numpy(np.array(X[start : start + batch_size], order="C"))
                for start in starts
            )
        X = torch.as_tensor(X)
        return (X[start : start + batch_size] for start in starts)

    def predict_proba(self, X):
        """Class probabilities through the prediction non-linearity, float64 on the CPU."""
        return self.predict_batched(X, self.predict_nonlinearity).numpy()

    def _nan_probabilities_message(self, X):
        """Why the network's outputs gave NaN probabilities (an error path: may re-read X)."""
        batches = self._predict_batches(X, self._predict_batch_size(X))
        if any(not torch.isfinite(torch.as_tensor(xb).float()).all() for xb in batches):
            unread = "X contains NaN or infinity, which the network cannot read"
            if isinstance(X, torch.utils.data.Dataset):
                return f"{unread}. {DATASET_UNCHECKED_HINT}"
            return f"{unread} ({ASSUME_FINITE_HINT})."  # arrays are checked otherwise
        if self._float16():
            return (
                f"The network's outputs overflowed precision={self.precision!r} (float16: "
                "values beyond 65,504) on some rows of X, which gives NaN probabilities: "
                "check that X is on the scale of the training data, or fit with "
                "precision='bf16' (the range of float32) or 'fp32'."
            )
        return (
            "The network's outputs overflowed float32 on some rows of X, which gives NaN "
            "probabilities: X may be far beyond the scale of the training data, or the "
            "weights grew huge in training (a learning rate too high)."
        )


def _input_causes(module):
    """What in the inputs can make the loss non-finite; not their scale where the
    module scales them itself (TabularNet's preprocessing, learnt in fit)."""
    scales_itself = isinstance(module, TabularNet) and module.preprocessing != "none"
    causes = [] if scales_itself else ["unscaled inputs (standardise features with large values)"]
    if sklearn.get_config()["assume_finite"]:  # arrays are checked otherwise
        causes.insert(0, f"inputs that hold NaN or infinity ({ASSUME_FINITE_HINT})")
    return causes


class _QuietPrintLog(PrintLog):
    """skorch's PrintLog, which formats the epoch's row only when it will print it:
    skorch's tabulates every epoch, then drops the text under ``verbose=0`` (its sink
    ``print`` prints under ``verbose`` only; another sink is always called)."""

    def on_epoch_end(self, net, **kwargs):
        if self.sink is print and not net.verbose:
            return
        super().on_epoch_end(net, **kwargs)


class _PooledLoss(PassthroughScoring):
    """skorch's epoch loss, the batches weighed by the normalisers of their weighted
    means (``<name>_weight``, recorded per batch) rather than by their sizes.

    With class weights a batch's loss is ``sum(s w l) / sum(w)`` over its rows: weighed
    by ``sum(w)``, the batches pool into that mean over all of them, the loss of the
    whole held-out part in batches of any size. Without class weights ``sum(w)`` is the
    batch size, as in skorch. An epoch whose batches all weigh 0 has the loss 0.
    """

    def get_avg_score(self, history):
        key = self.name + "_weight"
        batches = history[-1, "batches"]
        if not all(key in row for row in batches if self.name in row):
            return super().get_avg_score(history)
        weights, scores = zip(*history[-1, "batches", :, [key, self.name]])
        if not sum(weights) > 0:
            return 0.0
        return np.average(scores, weights=weights)


@contextlib.contextmanager
def _holding_messages(callback, said):
    """Append what an EarlyStopping sends to its sink to ``said`` as (sink, text)."""
    if not isinstance(callback, EarlyStopping):
        yield
        return
    sink = callback.sink
    callback.sink = lambda text: said.append((sink, text))
    try:
        yield
    finally:
        callback.sink = sink


def _explain_unrecorded_monitor(net, callback, error):
    """Re-raise skorch's failure of a callback whose ``monitor`` names a key the
    epoch's history does not hold when the callback runs
    (``EarlyStopping(monitor="valid_acc")``) with the keys it holds."""
    monitor = getattr(callback, "monitor", None)
    if not isinstance(monitor, str) or monitor in net.history[-1]:
        return
    keys = ", ".join(repr(key) for key in net.history[-1] if key != "batches")
    raise ValueError(
        f"callbacks: {type(callback).__name__}(monitor={monitor!r}) watches a key that "
        f"the epoch's history does not hold when it runs; it holds {keys}: monitor one "
        "of them, or list the callback of yours that records the key before it."
    ) from error


def _saved_nothing(callback, history):
    """Whether ``callback`` is a ``Checkpoint(load_best=True)`` that saved no checkpoint
    in this fit (Ctrl-C before its first save): at the end of the fit it would load the
    files in its directory, those of another fit, or fail on their absence."""
    if not isinstance(callback, Checkpoint) or not callback.load_best:
        return False
    if callback.monitor is None or not callback.event_name:
        return False  # it saves at every epoch, or records no event to tell
    return not any(row.get(callback.event_name) for row in history)


@contextlib.contextmanager
def _noting_ctrl_c(net):
    """Note in ``net.ctrl_c_`` whether SIGINT (Ctrl-C, a notebook's interrupt) arrives
    while the block runs and the handler in place raises KeyboardInterrupt for it: one
    raised without it is a callback ending the fit. Python runs signal handlers in the
    main thread only; in another thread (a Dask or threaded joblib worker) Ctrl-C
    raises nothing, and a handler that is not a Python function (ignored, or the
    default that ends the process) raises nothing either: no note is needed."""
    net.ctrl_c_ = False
    handler = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(handler):
        yield
        return

    def noting(signum, frame):
        try:
            handler(signum, frame)
        except KeyboardInterrupt:  # (a handler of one's own may take it without raising)
            net.ctrl_c_ = True
            raise

    signal.signal(signal.SIGINT, noting)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)


def _gives_nan_probabilities(logits):
    """Whether a batch's logits hold a NaN, a +inf or a row of -inf only (a tensor)."""
    bad = torch.isnan(logits).any() | torch.isposinf(logits).any()
    return bad | torch.isneginf(logits).all(1).any() if logits.shape[1] else bad


def _count_correct(logits, y_true, sample_weight, correct, seen):
    """Accumulate per-class hits and counts of a validation batch, on the device; with
    sample weights, their sums (a row of weight k counts as k rows, as in fit). Rows are
    counted in int64, exactly: a float32 sum would stop counting at 2**24 rows."""
    n_classes = logits.shape[1]
    hits = logits.argmax(1) == y_true
    if sample_weight is None:
        batch_correct = torch.bincount(y_true[hits], minlength=n_classes)
        batch_seen = torch.bincount(y_true, minlength=n_classes)
    else:
        weight = sample_weight.double()
        batch_correct = torch.bincount(y_true[hits], weight[hits], minlength=n_classes)
        batch_seen = torch.bincount(y_true, weight, minlength=n_classes)
    if correct is None:
        return batch_correct, batch_seen
    return correct + batch_correct, seen + batch_seen


def _optimizer_causes(groups):
    """Optimizer settings that can make training diverge, as causes to name."""
    causes = []
    for group in groups:
        for name in ("momentum", "eps", "weight_decay", "betas"):
            value = group.get(name)
            # Only numbers are read: options may hold None (Adafactor's eps) or tensors.
            values = value if isinstance(value, (tuple, list)) else (value,)
            if any(isinstance(v, numbers.Real) and not math.isfinite(v) for v in values):
                causes.append(f"optimizer option {name}={value} (not finite)")
        if group.get("eps", None) == 0:
            causes.append("eps=0 (the optimizer divides by its running gradient scale + eps)")
        lr, decay = group.get("lr"), group.get("weight_decay")
        if isinstance(lr, numbers.Real) and isinstance(decay, numbers.Real) and lr * decay > 1:
            causes.append(
                f"a weight decay too strong (weight_decay={decay:.3g} at rate {lr:.3g}: "
                f"their product {lr * decay:.3g} is over 1)"
            )
    return list(dict.fromkeys(causes))  # groups often share their settings


def check_imbalance_net(net, component, use):
    """Refuse a net other than the one the estimator builds (a plain skorch net) for a
    callback that acts through :class:`ImbalanceNet`'s hooks: it would otherwise fail
    inside training with an AttributeError. ``use`` says how to pass the callback."""
    if not isinstance(net, ImbalanceNet):
        raise TypeError(
            f"{type(component).__name__} acts through the network that "
            "ImbalancedNetClassifier builds, whose hooks (class counts, epochs, staged "
            f"features) a plain skorch {type(net).__name__} does not have: use "
            f"ImbalancedNetClassifier({use})."
        )
