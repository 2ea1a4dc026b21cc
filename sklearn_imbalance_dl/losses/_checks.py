"""Checks of the tensors the losses receive: logits, targets, class counts, weights.

These are input checks (shapes, dtypes, values of data); the losses' hyperparameters are
checked with scikit-learn's constraints (``_parameter_constraints`` and
``validate_params``).
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import torch

from .._validation import Interval, StrOptions

__all__ = [
    "PARAMETER_CONSTRAINTS",
    "as_float_tensor",
    "check_class_counts",
    "check_class_indices",
    "check_inputs",
    "check_weight",
    "valid_class_weights",
]

# scikit-learn constraints of the hyperparameters that the losses of ``_losses`` and
# ``functional`` share (label-aware smoothing declares its own).
PARAMETER_CONSTRAINTS = {
    "reduction": [StrOptions({"none", "mean", "sum"})],
    "power": [Interval(Real, 0, None, closed="left")],
    "gamma": [Interval(Real, 0, None, closed="left")],
    "beta": [Interval(Real, 0, 1, closed="left")],
    "max_m": [Interval(Real, 0, None, closed="left")],
    "s": [Interval(Real, 0, None, closed="neither")],
    "tau": [Interval(Real, 0, None, closed="left")],
    "correction": [StrOptions({"zero", "fix", "decrease"}), None],
    "counts": [StrOptions({"batch", "global"})],
    "clamp": [Interval(Real, 0, None, closed="neither"), None],
}


def as_float_tensor(values, name: str, *, like: torch.Tensor | None = None) -> torch.Tensor:
    """Convert an array-like to a floating tensor.

    With ``like``: on its device, in its dtype but at least float32 (:func:`like_dtype`).
    """
    if isinstance(values, torch.Tensor):
        tensor = values.detach()
    else:
        try:
            tensor = torch.as_tensor(np.asarray(values, dtype=np.float64))
        except (TypeError, ValueError) as error:
            raise ValueError(f"{name} must hold numbers; got {values!r}.") from error
    if not (tensor.is_floating_point() or tensor.dtype in _INT_DTYPES):
        raise ValueError(f"{name} must hold numbers; got a tensor of dtype {tensor.dtype}.")
    if like is not None:
        return tensor.to(device=like.device, dtype=like_dtype(like))
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.float64)
    return tensor


def like_dtype(logits: torch.Tensor) -> torch.dtype:
    """The dtype of counts and weights beside ``logits``: theirs, at least float32.

    Counts beyond 65,504 (or a sum of counts beyond it, as the log prior takes) are
    infinite in float16; half-precision logits then make a float32 loss, as torch's
    autocast does for the cross-entropy.
    """
    return torch.promote_types(logits.dtype, torch.float32)


_INT_DTYPES = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)


def check_class_counts(
    class_counts,
    n_classes: int | None = None,
    *,
    allow_zero: bool = False,
    like: torch.Tensor | None = None,
) -> torch.Tensor:
    """Validate per-class training counts and return them as a floating tensor.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,)
        Number of training samples per class.
    n_classes : int, optional
        Expected length (``logits.shape[1]``).
    allow_zero : bool, default=False
        Whether zero counts are allowed (they must still be >= 0).
    like : torch.Tensor, optional
        Return the counts on this tensor's device and with its dtype.
    """
    if class_counts is None:
        raise ValueError(
            "class_counts is required: pass a 1-D array with the number of training "
            "samples of each class."
        )
    counts = as_float_tensor(class_counts, "class_counts", like=like)
    if counts.ndim != 1:
        raise ValueError(
            "class_counts must be a 1-D array with one count per class; "
            f"got an array of shape {tuple(counts.shape)}."
        )
    if n_classes is not None and counts.shape[0] != n_classes:
        raise ValueError(
            f"class_counts must have one entry per class: expected length {n_classes} "
            f"(logits.shape[1]), got length {counts.shape[0]}."
        )
    if counts.numel() == 0:
        raise ValueError("class_counts must not be empty.")
    if not bool(torch.isfinite(counts).all()):
        raise ValueError("class_counts must be finite.")
    if allow_zero:
        if bool((counts < 0).any()):
            raise ValueError(f"class_counts must be >= 0; got {counts.tolist()}.")
    elif bool((counts <= 0).any()):
        raise ValueError(
            f"class_counts must be > 0 for every class (each class needs at least one "
            f"training sample); got {counts.tolist()}."
        )
    return counts


def check_weight(weight, n_classes: int, like: torch.Tensor) -> torch.Tensor | None:
    """Validate an optional per-class weight vector: its shape and its values."""
    if weight is None:
        return None
    weight = as_float_tensor(weight, "weight", like=like)
    if weight.ndim != 1 or weight.shape[0] != n_classes:
        raise ValueError(
            f"weight must be a 1-D tensor with one entry per class (length {n_classes}); "
            f"got shape {tuple(weight.shape)}."
        )
    if not valid_class_weights(weight):
        raise ValueError(
            "weight must hold finite, non-negative class weights, not all zero; got "
            f"{weight.tolist()}."
        )
    return weight


def valid_class_weights(weights: torch.Tensor) -> bool:
    """Whether the float tensor ``weights`` can weigh the classes: finite and >= 0 (a
    negative weight trains its class toward a higher loss), not all 0 (which trains on
    nothing)."""
    return bool((weights.isfinite() & (weights >= 0)).all() and (weights > 0).any())


def check_class_indices(target, n_classes, *, name, classes, hint=""):
    """Check that the tensor ``target`` holds integer class indices in [0, n_classes).

    ``name`` is the argument's name in the messages and ``classes`` says where the number
    of classes comes from (e.g. "logits have 3 columns").
    """
    if target.dtype not in _INT_DTYPES:
        raise ValueError(f"{name} must hold integer class indices; got dtype {target.dtype}.{hint}")
    # Checked where it costs no synchronisation with a GPU (a training step's targets
    # are on the GPU there); out-of-range targets on a GPU fail in torch's kernels. Not
    # while torch.compile traces, which would break the graph at the values read.
    if target.device.type == "cpu" and target.numel() and not torch.compiler.is_compiling():
        low, high = (int(v) for v in torch.aminmax(target))
        if low < 0 or high >= n_classes:
            raise ValueError(
                f"{name} must hold class indices in [0, {n_classes - 1}] ({classes}); "
                f"got values from {low} to {high}."
            )


def check_inputs(logits, target) -> tuple[torch.Tensor, torch.Tensor]:
    """Check ``logits`` of shape (B, C) (floating) and ``target`` of shape (B,) (integer)."""
    if not isinstance(logits, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise TypeError("logits and target must be torch tensors.")
    if logits.ndim != 2 or not logits.is_floating_point():
        raise ValueError(
            "logits must be a floating tensor of shape (n_samples, n_classes); "
            f"got shape {tuple(logits.shape)} and dtype {logits.dtype}."
        )
    if target.ndim != 1 or target.shape[0] != logits.shape[0]:
        raise ValueError(
            f"target must be a 1-D tensor of length {logits.shape[0]} (logits.shape[0]); "
            f"got shape {tuple(target.shape)}."
        )
    n_classes = logits.shape[1]
    if n_classes == 0:
        raise ValueError("logits must have one column per class; got 0 columns.")
    check_class_indices(
        target,
        n_classes,
        name="target",
        classes=f"logits have {n_classes} columns",
        hint=" Soft or mixed targets: combine per-sample losses (reduction='none').",
    )
    # Half-precision logits make a float32 loss, beside counts and weights in float32
    # (as torch's autocast runs the cross-entropy in float32).
    return logits.to(like_dtype(logits)), target.long()
