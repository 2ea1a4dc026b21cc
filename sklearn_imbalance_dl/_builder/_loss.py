"""The loss of a fit: built from the training class counts, and checked on the network's
output.
"""

import torch

from .._validation import param_repr
from ..losses import ImbalanceLoss
from ..losses._adapter import TorchLossAdapter
from ..losses._checks import valid_class_weights
from ._components import build_component


def _build_loss(value, routed, counts):
    if "class_counts" in routed:
        raise ValueError(
            "loss__class_counts cannot be set: the loss counts the classes of the data "
            "fit trains on. To weigh the classes otherwise, pass sample_weight to fit."
        )
    averaged = (
        "the estimator takes one loss per sample and averages them itself, with the "
        "sample weights and the mixing"
    )
    if "reduction" in routed:
        raise ValueError(f"loss__reduction={routed['reduction']!r} cannot be set: {averaged}.")
    # The reduction is the estimator's, as the counts are the data's: neither is listed
    # among the loss__ parameters one may set.
    from_data = {"class_counts": counts, "reduction": "mean"}
    loss = build_component("loss", value, routed, from_data=from_data)
    if getattr(loss, "reduction", "mean") not in ("mean", "none"):
        raise ValueError(
            f"loss={value!r} has reduction={loss.reduction!r}: {averaged}; leave its "
            "reduction at 'mean'."
        )
    if isinstance(loss, ImbalanceLoss):
        # Always the counts of the data being fitted, also on a user's loss object (a
        # copy) that carries counts of its own.
        loss.set_class_counts(counts)
        _check_loss_weights(value, loss.class_weights, "class_weights")
        return loss
    if isinstance(loss, torch.nn.NLLLoss):
        raise ValueError(
            f"loss={value!r} takes log-probabilities, but the module outputs logits (no "
            "log_softmax is applied before the loss): use loss='ce' or "
            "torch.nn.CrossEntropyLoss(), which is log_softmax followed by NLLLoss."
        )
    if hasattr(loss, "reduction"):
        _check_loss_weights(value, getattr(loss, "weight", None), "weight")
        return TorchLossAdapter(loss)
    raise ValueError(
        f"loss={value!r} is neither a loss name, an ImbalanceLoss, nor a torch loss with a "
        "'reduction' attribute, so per-sample losses cannot be computed."
    )


def _check_loss_weights(value, weights, name):
    """A loss's class weights finite and non-negative, not all zero, as a schedule's must
    be: a negative weight would train its class toward a higher loss, and with a negative
    total the weighted mean turns into the loss's opposite, silently."""
    if not isinstance(weights, torch.Tensor):
        return  # none, or not a tensor: the loss's first call says what is wrong
    weights = weights.detach().double().reshape(-1)
    if valid_class_weights(weights):
        return
    bad = (~weights.isfinite() | (weights < 0)).nonzero()
    found = f"{name}[{int(bad[0])}] is {weights[bad[0]].item()!r}" if len(bad) else "all are 0"
    raise ValueError(
        f"loss={param_repr(value)} has class weights ({name}) where {found}: give each "
        "class a finite weight >= 0, in the order of classes_, not all 0."
    )


def _check_loss(value, loss, n_classes):
    """One forward and backward on a dummy batch, so that a loss that does not score
    logits against class labels, one loss per sample with ``reduction="none"`` (which
    sample weights and mixing need) and their mean with ``"mean"``, fails here, clearly,
    not deep in the first step or silently (a mean for every sample ignores the weights)."""
    logits = torch.zeros((2, n_classes), requires_grad=True)
    target = torch.arange(2) % n_classes
    if isinstance(loss, TorchLossAdapter):
        advice = (
            "a torch loss must take what torch.nn.CrossEntropyLoss takes: logits of shape "
            "(n_samples, n_classes) and integer class labels of shape (n_samples,), e.g. "
            "CrossEntropyLoss(label_smoothing=0.1); regression losses (MSELoss, L1Loss) "
            "and binary ones (BCELoss, BCEWithLogitsLoss) compare tensors of equal shapes. "
            "Use a loss name such as loss='ce'"
        )
    else:
        advice = (
            "an ImbalanceLoss computes _loss(logits, target, counts, weight, reduction) and "
            "returns one loss per sample for reduction='none', their mean for 'mean' "
            "(leave forward to the base class)"
        )
    shapes = {"none": (2,), "mean": ()}
    # No warnings.catch_warnings: its filters are the whole process's, and a block that
    # another thread opens meanwhile (scikit-learn's check_array under a threading
    # backend) would restore them, ignoring every warning from then on. A torch loss that
    # compares equal shapes (MSELoss) warns of broadcasting before the error below.
    try:
        out = {r: loss(logits, target, reduction=r) for r in shapes}
        out["none"].sum().backward()
    except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError) as exc:
        raise ValueError(
            f"loss={value!r} cannot score logits against class labels "
            f"({type(exc).__name__}: {exc}): {advice}."
        ) from exc
    for reduction, shape in shapes.items():
        got = tuple(getattr(out[reduction], "shape", ()))
        if not isinstance(out[reduction], torch.Tensor) or got != shape:
            what = "one loss per sample" if reduction == "none" else "one number"
            raise ValueError(
                f"loss={value!r} returns losses of shape {got} for 2 samples with "
                f"reduction={reduction!r}, not {what}: {advice}."
            )
