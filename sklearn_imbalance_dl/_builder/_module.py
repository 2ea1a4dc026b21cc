"""The network of a fit: the module built from the data's shape, and the checks of its
output, its stages and its head.
"""

import contextlib
import warnings

import numpy as np
import torch
from torch.utils.data import Dataset

from .._data import item_input
from .._validation import first_few, param_repr, user_stacklevel
from ..modules import (
    CosineLinear,
    forward_staged,
    is_staged,
)
from ..modules._protocol import parameter_dtype
from ..registry import lookup, names
from ._components import accepted_parameters, auto_module, build_component


def _build_module(params, routed, loss, input_shape, n_classes, n_categories=()):
    value = params["module"]
    if value == "auto":
        value = auto_module(input_shape)
    from_data = {"n_features": int(np.prod(input_shape)), "n_classes": n_classes}
    if n_categories:
        from_data["n_categories"] = tuple(n_categories)
        given = tuple(int(n) for n in routed.get("n_categories", n_categories))
        if given != from_data["n_categories"]:
            # The codes mean what the encoding says: another count would read a missing
            # or unseen category as a category, or the codes as a number.
            raise ValueError(
                f"module__n_categories={given!r} does not match the categorical columns "
                "of X: fit encodes them as codes with n_categories="
                f"{from_data['n_categories']} (the numbers of categories of "
                "column_encoder_). Drop module__n_categories, which fit fills in."
            )
    if len(input_shape) == 3:
        from_data["in_channels"] = input_shape[0]
    # A registered module, by name or as its class (module=MLP is module="mlp"), gets the
    # head the loss trains on.
    registered = isinstance(value, str) or any(
        lookup("module", name) is value for name in names("module")
    )
    if registered:
        from_data["head"] = "cosine" if loss.uses_cosine_logits else "linear"
        if loss.requires_cosine_head and routed.get("head", "cosine") != "cosine":
            raise ValueError(
                f"loss={params['loss']!r} trains on cosine logits, but "
                f"module__head={routed['head']!r}; drop module__head or set it to 'cosine'."
            )
    # Each may be set instead (module__head="cosine", module__in_channels for a module
    # that adapts its inputs).
    module = build_component("module", value, routed, from_data=from_data, settable=True)
    # An instance, or a class of one's own, comes with its head: the shipped modules
    # name its kind in head_kind; another module's is cosine if it holds a CosineLinear.
    head_kind = _head_kind(module)
    if head_kind is None and loss.uses_cosine_logits:
        _check_own_head_for_cosine_logits(params["loss"], loss, value)
    elif loss.requires_cosine_head and head_kind != "cosine":
        taken, takes_any = accepted_parameters(type(module))
        if isinstance(value, torch.nn.Module):
            fix = "build it with head='cosine'"
        elif takes_any or "head" in taken:
            fix = "set module__head='cosine'"
        else:
            # A subclass whose __init__ fixes the head: module__head would be refused.
            fix = (
                f"have {type(module).__name__}.__init__ pass head='cosine' on to its base "
                "class (it takes no head argument that module__head could set)"
            )
        raise ValueError(
            f"loss={params['loss']!r} trains on cosine logits, but module="
            f"{param_repr(value)} has the head {head_kind!r}: {fix}."
        )
    _check_module_dtype(params, module)
    return module


def _check_module_dtype(params, module):
    """Training runs in the dtype of the module's parameters: float32, or float64 for a
    module built under ``torch.set_default_dtype(torch.float64)``. Half-precision
    parameters would train without their float32 copies (AdamW's eps is 0 in float16),
    and autocast leaves a float64 module's operations in float64."""
    dtype = parameter_dtype(module)
    default = torch.get_default_dtype()
    built_under = f" (torch.get_default_dtype() is {default})" if dtype == default else ""
    if dtype in (torch.float16, torch.bfloat16):
        raise ValueError(
            f"The module's parameters are {dtype}{built_under}: the network trains in "
            "float32 or float64 parameters. Build it under torch.set_default_dtype("
            "torch.float32); for a forward pass in half precision, use precision='bf16' "
            "or 'fp16'."
        )
    autocast_dtype = lookup("precision", params["precision"])
    if dtype == torch.float64 and autocast_dtype is not None:
        raise ValueError(
            f"precision={params['precision']!r} runs the forward pass in {autocast_dtype} "
            f"through autocast, which leaves the operations of a float64 module in "
            f"float64{built_under}: the fit would train as with precision='fp32'. Use "
            "precision='fp32', or build the module in float32."
        )


def _head_kind(module):
    """``"cosine"`` or ``"linear"`` for the shipped modules and their subclasses (their
    ``head_kind``), ``"cosine"`` for another module that holds a
    :class:`~sklearn_imbalance_dl.modules.CosineLinear`, None when it cannot be told."""
    if hasattr(module, "head_kind"):
        return module.head_kind
    if any(isinstance(layer, CosineLinear) for layer in module.modules()):
        return "cosine"
    return None


def _check_own_head_for_cosine_logits(name, loss, value):
    """A module of one's own without a cosine head, under a loss that scales cosines:
    its outputs are logits of any size, which the loss (and predict_proba) would
    multiply by ``s``."""
    fix = (
        "end the module with sklearn_imbalance_dl.modules.CosineLinear, or, if its "
        "outputs are cosines already, give it the attribute head_kind = 'cosine'"
    )
    what = (
        f"loss={param_repr(name)} trains on cosine logits in [-1, 1], scaled by s="
        f"{loss.logit_scale:g}, but module={param_repr(value)} has no CosineLinear head"
    )
    if loss.requires_cosine_head:
        raise ValueError(f"{what}: {fix}.")
    warnings.warn(
        f"{what}: its logits, multiplied by s, make the loss and predict_proba much "
        f"sharper than they would be on cosines. To train on cosines, {fix}.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _check_module_output(value, module, input_shape, n_classes, dataset=False):
    """One forward pass on zeros, so that a shape mismatch fails here, clearly; and
    something to train (torch's optimizers refuse an empty parameter list, and a loss
    without a gradient cannot go backward). ``dataset``: the samples are the items of a
    torch Dataset, which gets its own advice."""
    name = param_repr(value)
    if not any(parameter.requires_grad for parameter in module.parameters()):
        raise ValueError(
            f"module={name} has no trainable parameters (none with "
            "requires_grad=True): there is nothing for the fit to train."
        )
    probe = torch.zeros((2, *input_shape), dtype=parameter_dtype(module))
    try:
        with _probing(module):
            out = module(probe)
    except (RuntimeError, ValueError, TypeError) as exc:
        hint = ""
        if len(input_shape) == 2 and dataset:
            hint = (
                " If the Dataset X holds grayscale images of shape (height, width), give "
                "them a channel axis in __getitem__: image[None] (torchvision's "
                "transforms.ToTensor() gives (1, height, width) for a grayscale PIL image)."
            )
        elif len(input_shape) == 2:
            hint = (
                " If X holds grayscale images of shape (n_samples, height, width), give "
                "them a channel axis: X[:, None]."
            )
        raise ValueError(
            f"module={name} cannot take samples of shape {input_shape} (tried on a "
            f"batch of 2: {exc}).{hint}"
        ) from exc
    if not isinstance(out, torch.Tensor):
        raise ValueError(
            f"module={name} returns a {type(out).__name__} from forward, but the estimator "
            "needs one tensor of logits of shape (n_samples, n_classes): return the logits "
            "alone (e.g. from a wrapper module whose forward returns module(x)[0])."
        )
    if out.ndim != 2 or out.shape[1] != n_classes:
        raise ValueError(
            f"module={name} returns outputs of shape {tuple(out.shape)} for 2 samples; "
            f"expected (2, {n_classes}): one logit per class of y (but for a class "
            "whose rows all weigh 0, which the network is not trained on)."
        )
    if out.shape[0] != len(probe):
        raise ValueError(
            f"module={name} returns outputs of shape {tuple(out.shape)} for 2 samples; "
            f"expected (2, {n_classes}): one row of logits per sample (a reshape such as "
            "x.view(-1, k) with k not the number of features per sample moves values "
            "between rows; x.flatten(1) keeps one row per sample)."
        )


def _readers_inside(params, module, mixing):
    """What in this fit runs the module as ``head(stages(x))`` rather than ``forward(x)``:
    ``(trainers, reporters)``, the names of what trains through it and of what reports
    on its features."""
    trainers = []
    layer = getattr(mixing, "layer", "input")
    if layer not in ("input", 0):  # point 0 mixes the inputs, then calls forward
        trainers.append(f"mixing={params['mixing']!r} at layer={layer!r}")
    if hasattr(getattr(module, "head", None), "member_logits"):
        trainers.append("the head's member_logits")
    reporters = []
    for callback in params["callbacks"] or ():
        callback = callback[1] if isinstance(callback, tuple) else callback
        if getattr(callback, "reads_penultimate_features", False):
            reporters.append(type(callback).__name__)
    return trainers, reporters


def _check_staged_rule(params, module, X_train, schedule, mixing):
    """A module of one's own that the fit runs through its stages and head must keep
    ``forward(x) == head(stages(x))``: training would otherwise fit one network and
    predict with another, silently. Checked on a few training rows in evaluation mode.
    Re-training the head (cRT, MiSLAS) goes through ``forward`` with the stages frozen:
    it needs every parameter inside the stages or the head instead."""
    if isinstance(params["module"], str) or not is_staged(module):
        return  # the package's modules keep the rule by construction (tested)
    if schedule is not None and schedule.extra_epochs:
        _check_retrained_head(params, module)
    trainers, reporters = _readers_inside(params, module, mixing)
    if not trainers and not reporters:
        return  # a fit that only calls forward does not depend on the rule
    rows = _first_inputs(X_train, 8).to(device="cpu", dtype=parameter_dtype(module))
    rule = (
        f"module {type(module).__name__} exposes 'stages' and 'head', and "
        f"{' and '.join(trainers + reporters)} runs it through them, but its forward(x) "
        "is not head(stages[-1](...stages[0](x)))"
    )
    consequence = (
        "the fit would train one network and predict with another"
        if trainers
        else f"{' and '.join(reporters)} would report on another network than the one that predicts"
    )
    advice = (
        "Move what forward does outside them (a stem, a flattening, a final norm, a "
        "scaling) into the first stage or the head."
    )
    with _probing(module):
        direct = module(rows)
        try:
            staged, _ = forward_staged(module, rows)
        except (RuntimeError, ValueError, TypeError) as exc:
            raise ValueError(f"{rule}: head(stages(x)) fails ({exc}). {advice}") from exc
    if staged.shape != direct.shape:
        differ = f"have shapes {tuple(direct.shape)} and {tuple(staged.shape)}"
    elif not torch.allclose(direct, staged, rtol=1e-4, atol=1e-5):
        differ = f"differ by up to {(direct - staged).abs().max().item():.3g}"
    else:
        return
    raise ValueError(
        f"{rule}: on {len(rows)} training rows the logits {differ}, so {consequence}. {advice}"
    )


def _check_retrained_head(params, module):
    """Refuse parameters outside ``stages`` and ``head``: re-training freezes the one and
    re-trains the other, so they would go on training beside the head. A head without
    parameters leaves nothing to re-train."""
    if not any(True for _ in module.head.parameters()):
        raise ValueError(
            f"schedule={params['schedule']!r} freezes the 'stages' of module "
            f"{type(module).__name__} and re-trains its 'head', but the head has no "
            "parameters, so nothing would train: move the classifier layer (the last "
            "linear layer) from the stages into the head."
        )
    inside = {id(p) for part in (module.stages, module.head) for p in part.parameters()}
    outside = [name for name, p in module.named_parameters() if id(p) not in inside]
    if outside:
        raise ValueError(
            f"schedule={params['schedule']!r} freezes the 'stages' of module "
            f"{type(module).__name__} and re-trains its 'head', but its parameter(s) "
            f"{first_few(outside)} are in neither, so they would go on "
            "training beside the head: move them into a stage or the head."
        )


@contextlib.contextmanager
def _probing(module):
    """Evaluation mode without gradients for a forward pass that checks the module: no
    batch-norm update and no dropout draw, so the seed's stream is intact."""
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        module.train(was_training)


def _first_inputs(X_train, n):
    """The first ``n`` training inputs as a float32 tensor; a Dataset's items are read
    (it is not read through: it may load lazily)."""
    if isinstance(X_train, Dataset):
        first = item_input(X_train[0], 0)
        rest = [item_input(X_train[i], i, first.shape) for i in range(1, min(len(X_train), n))]
        return torch.stack([first, *rest])
    return torch.as_tensor(np.asarray(X_train[:n]), dtype=torch.float32)
