"""Classifier heads: the plain linear layer and the cosine (normalised) classifier."""

from __future__ import annotations

import torch
from torch import nn

from .._validation import Integral, Interval, check_component_params, validate_params
from ..registry import lookup, options, register

__all__ = ["CosineLinear", "make_head"]


@register("head", "cosine")
class CosineLinear(nn.Module):
    """Cosine classifier: the normalised linear layer of LDAM-DRW.

    ``out = normalize(x, dim=1) @ normalize(W, dim=0)``, no bias: each output is the
    cosine between the feature and one class weight, in ``[-1, 1]``. The loss applies
    the scale (``s`` of LDAM). Same layout and initialisation as ``NormedLinear`` of
    the reference code: ``weight`` has shape ``(in_features, out_features)``, drawn
    uniform(-1, 1) then each column renormalised to unit norm
    (``renorm_(2, 1, 1e-5).mul_(1e5)``).

    Parameters
    ----------
    in_features : int
        Size of the input feature.
    out_features : int
        Number of classes.

    References
    ----------
    K. Cao, C. Wei, A. Gaidon, N. Arechiga, T. Ma. Learning Imbalanced Datasets with
    Label-Distribution-Aware Margin Loss. NeurIPS 2019 (code: kaidic/LDAM-DRW).

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.modules import CosineLinear
    >>> head = CosineLinear(8, 3)
    >>> out = head(torch.randn(4, 8))
    >>> out.shape, bool(out.abs().max() <= 1)
    (torch.Size([4, 3]), True)
    """

    _parameter_constraints = {
        "in_features": [Interval(Integral, 1, None, closed="left")],
        "out_features": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        check_component_params(self, {"in_features": in_features, "out_features": out_features})
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.empty(self.in_features, self.out_features))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform(-1, 1), then unit-norm columns, as in the reference."""
        with torch.no_grad():
            self.weight.uniform_(-1, 1).renorm_(2, 1, 1e-5).mul_(1e5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # normalize(x) @ normalize(W), with the norms divided out of the small (B, C)
        # product instead of the (B, d) input: the same cosines, fewer large kernels.
        eps = 1e-12  # F.normalize's
        x_norm = x.norm(dim=1, keepdim=True).clamp_min(eps)
        w_norm = self.weight.norm(dim=0, keepdim=True).clamp_min(eps)
        return (x @ self.weight) / (x_norm * w_norm)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


register("head", "linear")(nn.Linear)
# The activations the shipped modules take by name (``module__activation``).
for _name, _cls in {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "selu": nn.SELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
    "leaky_relu": nn.LeakyReLU,
}.items():
    register("activation", _name)(_cls)


@validate_params(
    {
        "kind": [options("head")],
        "in_features": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def make_head(kind: str, in_features: int, n_classes: int) -> nn.Module:
    """Build a classifier head.

    Parameters
    ----------
    kind : {"linear", "cosine"}
        ``"linear"``: ``nn.Linear`` (with bias); ``"cosine"``: :class:`CosineLinear`.
    in_features : int
        Size of the penultimate feature.
    n_classes : int
        Number of outputs.

    Returns
    -------
    nn.Module

    Raises
    ------
    ValueError
        If ``kind`` is unknown (the message lists the valid kinds).
    """
    return lookup("head", kind)(in_features, n_classes)
