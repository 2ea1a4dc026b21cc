"""Multi-layer perceptron for tables (and flattened images), staged for mixing."""

from __future__ import annotations

import math

import torch
from torch import nn

from .._validation import (
    Integral,
    Interval,
    Real,
    TupleOf,
    check_component_params,
)
from ..registry import lookup, options, register
from ._heads import make_head

__all__ = ["MLP"]


class _FlattenInput(nn.Module):
    """Flatten ``(N, *shape)`` to ``(N, prod(shape))`` and check the width."""

    def __init__(self, n_features: int, owner: str = "MLP"):
        super().__init__()
        self.n_features = n_features
        self.owner = owner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() < 2:
            raise ValueError(
                f"{self.owner} expects a batch of shape (n_samples, n_features) or "
                f"(n_samples, *shape) with prod(shape) = {self.n_features}; got a tensor "
                f"of shape {tuple(x.shape)}."
            )
        width = math.prod(x.shape[1:])
        if width != self.n_features:
            raise ValueError(
                f"{self.owner} was built for {self.n_features} input features, but the "
                f"input of shape {tuple(x.shape)} has {width} features per sample."
            )
        return x.reshape(x.shape[0], width)

    def extra_repr(self) -> str:
        return f"n_features={self.n_features}"


@register("module", "mlp")
class MLP(nn.Module):
    """Multi-layer perceptron following the staged-module protocol.

    The input is flattened (``(N, d)`` or ``(N, C, H, W)`` become ``(N, prod)``).
    Each hidden layer is one stage: Linear -> BatchNorm1d (if ``batch_norm``) ->
    activation -> Dropout (if ``dropout > 0``); the first stage also flattens. The
    head maps the last hidden layer (the penultimate feature) to logits. Mixing
    points: 0 (the input) to ``len(hidden_sizes)`` (the penultimate feature). With
    ``hidden_sizes=()`` there are no stages, the model is linear, the only mixing
    point is the input, and the head is ``Sequential(flatten, head)``.

    Parameters
    ----------
    n_features : int
        Number of input features (after flattening).
    n_classes : int
        Number of outputs.
    hidden_sizes : tuple of int, default=(256, 256)
        Width of each hidden layer; may be empty.
    dropout : float in [0, 1), default=0.0
        Dropout probability after each activation (none when 0).
    batch_norm : bool, default=True
        Whether to put a ``BatchNorm1d`` after each hidden Linear.
    activation : {"relu", "gelu", "selu", "silu", "tanh", "leaky_relu"}, default="relu"
    head : {"linear", "cosine"}, default="linear"
        ``"cosine"`` gives the normalised classifier of LDAM-DRW
        (:class:`CosineLinear`).

    Attributes
    ----------
    stages : nn.ModuleList
        One stage per hidden layer.
    head : nn.Module
        The classifier.
    feature_dim : int
        Size of the penultimate feature.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.modules import MLP, forward_staged
    >>> net = MLP(10, 3, hidden_sizes=(32, 16)).eval()
    >>> logits, h = forward_staged(net, torch.randn(4, 10))
    >>> logits.shape, h.shape
    (torch.Size([4, 3]), torch.Size([4, 16]))
    """

    _parameter_constraints = {
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 1, None, closed="left")],
        "hidden_sizes": [TupleOf(Interval(Integral, 1, None, closed="left"))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "activation": [options("activation")],
        "head": [options("head")],
    }

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        *,
        hidden_sizes=(256, 256),
        dropout: float = 0.0,
        batch_norm: bool = True,
        activation: str = "relu",
        head: str = "linear",
    ):
        super().__init__()
        name = type(self).__name__
        check_component_params(
            self,
            {
                "n_features": n_features,
                "n_classes": n_classes,
                "hidden_sizes": hidden_sizes,
                "dropout": dropout,
                "batch_norm": batch_norm,
                "activation": activation,
                "head": head,
            },
        )
        self.n_features = int(n_features)
        self.n_classes = int(n_classes)
        self.hidden_sizes = tuple(int(size) for size in hidden_sizes)
        self.dropout = float(dropout)
        self.batch_norm = batch_norm
        self.activation = activation
        self.head_kind = head

        stages = []
        width = self.n_features
        for i, size in enumerate(self.hidden_sizes):
            layers = [_FlattenInput(self.n_features, name)] if i == 0 else []
            layers.append(nn.Linear(width, size))
            if self.batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(lookup("activation", self.activation)())
            if self.dropout > 0:
                layers.append(nn.Dropout(self.dropout))
            stages.append(nn.Sequential(*layers))
            width = size
        self.stages = nn.ModuleList(stages)
        self.feature_dim = width
        classifier = make_head(self.head_kind, width, self.n_classes)
        if self.hidden_sizes:
            self.head = classifier
        else:
            self.head = nn.Sequential(_FlattenInput(self.n_features, name), classifier)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for stage in self.stages:
            x = stage(x)
        return self.head(x)
