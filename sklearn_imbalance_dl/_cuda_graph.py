"""Whole training steps replayed from CUDA graphs (the estimator's ``cuda_graph=True``).

A small network such as ResNet-32 at batch 128 is bound by kernel launches and Python,
not by the GPU: a step is hundreds of small kernels. Here the whole step (batched
augmentation on the device, forward pass with the batch's mixing, loss, backward pass
and optimizer step, SAM's two passes included) is captured once in a CUDA graph
(``torch.cuda.graph``) and then replayed: one launch per step.

What changes from step to step lives in tensors the graph reads:

- the batch is copied into static input tensors (``X``, ``y``, sample weights);
- the mixing plan (partner permutation, feature share, label weight) is drawn eagerly,
  on the host's and device's generators exactly as without graphs, and copied into
  static tensors: PPL's phases, Remix's label weights and DRW-phase mixing follow;
- class weights (DRW, PPW) are the loss's buffers, written in place by the schedules;
- learning rates are 0-dim device tensors in the optimizer's parameter groups (those
  added during the fit too, as MiSLAS's weight scaling), written in place when a
  schedule sets a new rate (SGD runs fused, Adam and AdamW with ``capturable=True``,
  both of which read a tensor rate on the device);
- random numbers drawn inside the graph (``augment="crop_flip"``'s offsets and flips)
  come from the device generator's Philox offsets, which advance at each replay; any
  other augmentation runs eagerly before the graph (:func:`augments_in_graph`).

One graph is kept per batch structure: batch size, sample weights present or not,
mixing plan absent or present (its mixing point, its label weights). The last, smaller
batch of an epoch therefore gets a graph of its own after its warm-up: no sample is
dropped, every epoch sees the same batches as without graphs, as in the papers' loops
(``drop_last=False``). A structure is first trained eagerly for ``WARMUP_STEPS`` steps
on a side stream (lazy optimizer state, cuDNN's algorithm choice), then captured.

Falls back to eager steps, with a note (printed under ``verbose``, kept in
``net.cuda_graph_notes_``): a device other than CUDA; fp16 loss scaling (reads the
scale on the host); an optimizer other than SGD, Adam, AdamW or SAM around them;
callbacks that read gradients (``on_grad_computed``); a mixing whose plan is not a
:class:`~sklearn_imbalance_dl.mixing.MixPlan` (CutMix's box is drawn on the host, per
batch); any step whose capture raises (an operation that synchronises with the host).
When the trained parameters, the modules' training modes or the optimizer's state
change between epochs (cRT's and MiSLAS's stage change: frozen stages, a reset head,
forgotten momentum), the graphs are dropped and the new stage is captured afresh.
"""

from collections import Counter

import torch

from ._data import random_crop_flip
from .mixing._mixing import MixPlan

WARMUP_STEPS = 2
MAX_GRAPHS = 8
_CAPTURABLE = (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW)


def reasons_for_eager(net):
    """Why a whole fit of ``net`` cannot use graphs (empty list: it can)."""
    reasons = []
    device = torch.device(net.device)
    if device.type != "cuda":
        reasons.append(f"the device is {net.device!r}, not CUDA")
    if net._float16():  # the precision fit resolved ("fp16", or a name of one's own)
        reasons.append("fp16 loss scaling reads the scale on the host at every step")
    base = getattr(net.optimizer_, "base_optimizer", net.optimizer_)
    if type(base) not in _CAPTURABLE:
        reasons.append(
            f"the optimizer {type(base).__name__} is not SGD, Adam or AdamW (their rates "
            "are read from device tensors in a graph)"
        )
    listeners = [type(cb).__name__ for cb in _grad_listeners(net)]
    if listeners:
        reasons.append(f"callbacks read the gradients at every step: {', '.join(listeners)}")
    return reasons


def _grad_listeners(net):
    listeners = getattr(net, "batch_listeners_", None)
    if listeners is None:
        listeners = net._find_batch_listeners()
    return listeners["on_grad_computed"]


def augments_in_graph(augment):
    """Whether ``augment`` runs inside the graph: only ``augment="crop_flip"``.

    Its offsets and flips are drawn on the device, so each replay draws new ones. Any
    other callable may draw on the host (a Python float would be frozen into the graph)
    or copy host values to the device (not allowed while capturing): it runs eagerly
    before each step, and the graph starts from its output.
    """
    return augment is random_crop_flip


def batch_key(X, y, sample_weight, plan):
    """``(key, None)`` for a batch a graph can replay, or ``(None, reason)``.

    The key is what a graph is specialised to: shapes, dtypes, memory format, whether
    the batch has sample weights, and the structure of its mixing plan.
    """
    if plan is not None and type(plan) is not MixPlan:
        return None, (
            f"the mixing draws {type(plan).__name__}s on the host per batch; these steps "
            "run eagerly"
        )
    channels_last = X.ndim == 4 and X.is_contiguous(memory_format=torch.channels_last)
    mixing = None
    if plan is not None:
        mixing = (plan.point, plan.label_weight is not None)
    key = (
        tuple(X.shape),
        X.dtype,
        channels_last,
        tuple(y.shape),
        sample_weight is not None,
        mixing,
    )
    return key, None


def structure_signature(net):
    """What a captured step depends on beyond its input tensors.

    The trained parameters and whether they train, the modules' training modes, the
    identity of each parameter's optimizer state (cRT forgets the head's) and the loss.
    """
    optimizer = net.optimizer_
    params = list(net.module_.parameters())
    return (
        tuple((id(p), p.requires_grad) for p in params),
        tuple(m.training for m in net.module_.modules()),
        tuple(id(optimizer.state.get(p)) for p in params),
        len(optimizer.param_groups),
        id(net.criterion_),  # MiSLAS's stage 2 trains with another loss
    )


def prepare_optimizer(optimizer, device, start=0):
    """Make ``optimizer`` step correctly inside a CUDA graph, in place.

    SGD groups run fused; Adam and AdamW groups become ``capturable`` (state moved to
    the device); every group's learning rate becomes a 0-dim float32 tensor on
    ``device``. Returns these tensors, one per group. The numbers stay those of the
    float rate: a fused or capturable step computes the same update. ``start``: the
    first group to prepare (the groups before it were prepared already; a group added
    during the fit, as MiSLAS's weight scaling, is prepared from its index on).
    """
    base = getattr(optimizer, "base_optimizer", optimizer)
    for group in base.param_groups[start:]:
        if isinstance(base, torch.optim.SGD):
            group["fused"], group["foreach"] = True, False
            base._need_device_dtype_check_for_fused = True
        else:
            group["capturable"] = True
            for p in group["params"]:
                state = base.state.get(p, {})
                if "step" in state:
                    state["step"] = torch.as_tensor(state["step"], dtype=torch.float32).to(device)
    rates = []
    for group in optimizer.param_groups[start:]:
        rate = torch.tensor(float(group["lr"]), dtype=torch.float32, device=device)
        group["lr"] = rate
        rates.append(rate)
    return rates


def sync_learning_rates(optimizer, rates):
    """Write rates that a schedule set as floats into the groups' tensors, in place.

    The tensors keep their storage (the graph reads it); the groups get them back.
    """
    for group, rate in zip(optimizer.param_groups, rates):
        value = group["lr"]
        if value is not rate:
            rate.fill_(float(value))
            group["lr"] = rate


class _Graph:
    """One captured step and its static tensors.

    :meth:`step_on_statics` is the step the graph holds: the training step on the
    static tensors, which :meth:`replay` fills with each batch before running it.
    """

    def __init__(self, net, X, y, sample_weight, plan, augment):
        self.X = X.clone()
        self.y = y.clone()
        self.sample_weight = None if sample_weight is None else sample_weight.clone()
        self.plan = None
        if plan is not None:
            label_weight = None if plan.label_weight is None else plan.label_weight.clone()
            self.plan = MixPlan(
                plan.point, plan.partner.clone(), plan.own_share.clone(), label_weight
            )
        self.capture(net, augment)

    def step_on_statics(self, net, augment):
        X = self.X if augment is None else augment(self.X)
        batch = (self.X, self.y, self.sample_weight)
        step = net.optimizer_step(batch, (X, self.y, self.sample_weight, self.plan))
        self.loss, self.y_pred = step["loss"], step["y_pred"]

    def capture(self, net, augment):
        """Record the step (nothing runs until :meth:`run`)."""
        self.graph = torch.cuda.CUDAGraph()
        torch.cuda.synchronize(net.device)
        # The step's autocast caches no casted weights (``_net.autocast``): a cache
        # captured here would hold the weights of the capture across replays.
        with torch.cuda.graph(self.graph):
            self.step_on_statics(net, augment)

    def run(self):
        self.graph.replay()

    def replay(self, X, y, sample_weight, plan):
        self.X.copy_(X)
        self.y.copy_(y)
        if sample_weight is not None:
            self.sample_weight.copy_(sample_weight)
        if plan is not None:
            self.plan.partner.copy_(plan.partner)
            self.plan.own_share.copy_(plan.own_share)
            if plan.label_weight is not None:
                self.plan.label_weight.copy_(plan.label_weight)
        self.run()
        # Clones: the static outputs are overwritten by the next replay.
        return {"loss": self.loss.clone(), "y_pred": self.y_pred.clone()}


class CapturedTrainStep:
    """The training step of an :class:`~._net.ImbalanceNet` with ``cuda_graph=True``.

    Called with a batch in place of the eager step; keeps one graph per batch structure
    (:func:`batch_key`) and counts the steps each way in ``net.cuda_graph_steps_``.
    """

    def __init__(self, net, *, warmup_steps=WARMUP_STEPS, max_graphs=MAX_GRAPHS):
        self.net = net
        self.warmup_steps = warmup_steps
        self.max_graphs = max_graphs
        self.graphs = {}
        self.refused = {}
        self.seen = Counter()
        self.rates = prepare_optimizer(net.optimizer_, torch.device(net.device))
        self.signature = None
        self.epoch = None
        cuda = torch.device(net.device).type == "cuda"
        self.side_stream = torch.cuda.Stream(device=net.device) if cuda else None
        self.augment_in_graph = net.augment if augments_in_graph(net.augment) else None
        if net.augment is not None and self.augment_in_graph is None:
            note(
                net,
                f"augment={net.augment!r} runs eagerly before each graphed step (only "
                "augment='crop_flip' is drawn inside the graph).",
            )

    @classmethod
    def for_net(cls, net):
        """The captured step of ``net``, or None (eager, with a note) when it cannot be."""
        reasons = reasons_for_eager(net)
        if reasons:
            note(net, "training steps run eagerly: " + "; ".join(reasons) + ".")
            return None
        return cls(net)

    def _check_structure(self):
        """Drop the graphs when what they were captured with changed (once per epoch)."""
        net = self.net
        if net.current_epoch == self.epoch:
            return
        self.epoch = net.current_epoch
        if self.graphs and structure_signature(net) != self.signature:
            note(
                net,
                f"epoch {self.epoch + 1}: the trained parameters, training modes or "
                "optimizer state changed; the step is captured again.",
            )
            self.graphs.clear()
            self.seen.clear()

    def __call__(self, batch):
        net = self.net
        self._check_structure()
        Xb, yb, wb = net.unpack_batch(batch)
        if net.augment is not None and self.augment_in_graph is None:
            Xb = net.augmented(Xb)
        plan = None if net.mixing_ is None else net.mixing_.plan(yb, net.current_epoch)
        groups = net.optimizer_.param_groups
        if len(groups) > len(self.rates):
            # A group added during the fit (MiSLAS's weight scaling, at a stage change):
            # its rate too must be a tensor the graph reads, or the graph would keep the
            # float rate of its capture while the schedule lowers it.
            device = torch.device(net.device)
            self.rates += prepare_optimizer(net.optimizer_, device, start=len(self.rates))
        sync_learning_rates(net.optimizer_, self.rates)
        key, reason = batch_key(Xb, yb, wb, plan)
        if reason is None:
            reason = self.refused.get(key)
        if reason is None and key not in self.graphs and len(self.graphs) >= self.max_graphs:
            reason = f"more than {self.max_graphs} batch structures; the others run eagerly"
        if reason is not None:
            note(net, reason, once=True)
            return self._eager(batch, Xb, yb, wb, plan)
        graph = self.graphs.get(key)
        if graph is None:
            self.seen[key] += 1
            if self.seen[key] <= self.warmup_steps:
                return self._eager(batch, Xb, yb, wb, plan, side_stream=True)
            try:
                graph = _Graph(net, Xb, yb, wb, plan, self.augment_in_graph)
            except RuntimeError as exc:
                self.refused[key] = f"a step of shape {key[0]} could not be captured ({exc})"
                note(net, self.refused[key] + "; it runs eagerly.", once=True)
                if self.side_stream is not None:
                    torch.cuda.synchronize(net.device)
                return self._eager(batch, Xb, yb, wb, plan)
            self.graphs[key] = graph
            self.signature = structure_signature(net)
        net.cuda_graph_steps_["graphed"] += 1
        return graph.replay(Xb, yb, wb, plan)

    def _eager(self, batch, Xb, yb, wb, plan, side_stream=False):
        net = self.net
        net.cuda_graph_steps_["eager"] += 1
        if self.augment_in_graph is not None:
            Xb = self.augment_in_graph(Xb)
        if not side_stream or self.side_stream is None:
            return net.optimizer_step(batch, (Xb, yb, wb, plan))
        # Warm-up before a capture runs on a side stream (torch.cuda.graphs' rule).
        current = torch.cuda.current_stream(net.device)
        self.side_stream.wait_stream(current)
        with torch.cuda.stream(self.side_stream):
            step = net.optimizer_step(batch, (Xb, yb, wb, plan))
        current.wait_stream(self.side_stream)
        return step


def note(net, message, once=False):
    """Record a note on ``net`` and print it under ``verbose``."""
    notes = net.__dict__.setdefault("cuda_graph_notes_", [])
    if once and message in notes:
        return
    notes.append(message)
    if net.verbose:
        print(f"cuda_graph: {message}")
