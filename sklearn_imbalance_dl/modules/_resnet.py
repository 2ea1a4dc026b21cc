"""The CIFAR ResNet-32 of the long-tailed literature, staged for mixing."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import init

from .._validation import (
    Integral,
    Interval,
    InvalidParameterError,
    TupleOf,
    check_component_params,
)
from ..registry import options, register
from ._heads import make_head

__all__ = ["ResNet32"]


def _weights_init(m: nn.Module) -> None:
    # As the reference: Kaiming-normal weights for every Linear and Conv2d.
    if isinstance(m, (nn.Linear, nn.Conv2d)):
        init.kaiming_normal_(m.weight)


class _ShortcutA(nn.Module):
    """Option-A shortcut: parameter-free subsample and zero-pad the channels.

    For the standard widths this is the reference
    ``F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4))``.
    """

    def __init__(self, in_planes: int, planes: int, stride: int):
        super().__init__()
        self.stride = stride
        extra = planes - in_planes
        self.pad_front = extra // 2
        self.pad_back = extra - extra // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride != 1:
            x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, self.pad_front, self.pad_back), "constant", 0.0)

    def extra_repr(self) -> str:
        return f"stride={self.stride}, pad=({self.pad_front}, {self.pad_back})"


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers with an identity or option-A shortcut."""

    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        if stride != 1 or in_planes != planes:
            self.shortcut = _ShortcutA(in_planes, planes, stride)
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class _ImageInput(nn.Module):
    """Bring the input to ``(N, C, H, W)`` and check it (first part of stage 0)."""

    def __init__(self, in_channels: int, input_shape: tuple[int, int, int] | None):
        super().__init__()
        self.in_channels = in_channels
        self.input_shape = input_shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            if self.input_shape is None:
                raise ValueError(
                    f"ResNet32 got 2-D input of shape {tuple(x.shape)}; it expects images "
                    f"of shape (n_samples, {self.in_channels}, H, W). To feed flat rows "
                    "(e.g. after SMOTE in a pipeline), build it with input_shape=(C, H, W) "
                    "(module__input_shape in the estimator) so rows can be reshaped."
                )
            expected = math.prod(self.input_shape)
            if x.shape[1] != expected:
                raise ValueError(
                    f"ResNet32 was built with input_shape={self.input_shape}, so 2-D input "
                    f"must have {expected} features per row; got shape {tuple(x.shape)}."
                )
            return x.reshape(x.shape[0], *self.input_shape)
        if x.dim() == 3 and self.in_channels == 1:
            x = x.unsqueeze(1)
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"ResNet32 expects images of shape (n_samples, {self.in_channels}, H, W) "
                "(or flat rows of shape (n_samples, C*H*W) when built with input_shape); "
                f"got shape {tuple(x.shape)}."
            )
        return x

    def extra_repr(self) -> str:
        return f"in_channels={self.in_channels}, input_shape={self.input_shape}"


@register("module", "resnet32")
class ResNet32(nn.Module):
    """The CIFAR ResNet-32 of LDAM-DRW, following the staged-module protocol.

    A 3x3 conv (16 channels) + BN + ReLU stem, three stages of five basic blocks
    (16, 32, 64 channels; strides 1, 2, 2) with option-A (parameter-free) shortcuts,
    global average pooling and a classifier head; Kaiming-normal initialisation of
    convolutions and linear layers, as in the reference code. About 0.46M parameters
    (464,154 with 10 classes and a linear head). Adaptive average pooling makes it
    work on any image size (32x32 CIFAR, 8x8 digits, ...).

    Protocol stages: ``stages[0]`` = input handling + stem + layer 1, ``stages[1]`` =
    layer 2, ``stages[2]`` = layer 3 + average pool + flatten. Mixing points: 0 the
    input, 1 after stage 1, 2 after stage 2, 3 the penultimate (64-d) feature.

    Parameters
    ----------
    n_classes : int
        Number of outputs.
    in_channels : int or None, default=None
        Image channels. None means ``input_shape[0]`` when ``input_shape`` is given,
        else 3.
    input_shape : tuple (C, H, W) or None, default=None
        When given, 2-D input ``(N, C*H*W)`` is reshaped to ``(N, C, H, W)`` (flat rows
        work, e.g. after SMOTE in a pipeline). 4-D input is accepted either way.
    head : {"linear", "cosine"}, default="linear"
        ``"cosine"`` gives the normalised classifier used with LDAM
        (:class:`CosineLinear`).
    widths : tuple of int, default=(16, 32, 64)
        Channels of each stage (non-decreasing, as option-A shortcuts pad channels).
        The first stage has stride 1, the others stride 2.
    blocks_per_stage : int, default=5
        Basic blocks per stage (5 gives ResNet-32, 3 ResNet-20, 9 ResNet-56).

    Attributes
    ----------
    stages : nn.ModuleList
    head : nn.Module
    feature_dim : int
        Size of the penultimate feature (``widths[-1]``).

    References
    ----------
    K. He, X. Zhang, S. Ren, J. Sun. Deep Residual Learning for Image Recognition.
    CVPR 2016. K. Cao et al. Learning Imbalanced Datasets with Label-Distribution-Aware
    Margin Loss. NeurIPS 2019 (code: kaidic/LDAM-DRW, ``models/resnet_cifar.py``).

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.modules import ResNet32
    >>> net = ResNet32(10).eval()
    >>> net(torch.randn(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    >>> sum(p.numel() for p in net.parameters())
    464154
    """

    # Images in (channels, height, width) order: the estimator refuses those that look
    # channels-last (see the Notes of sklearn_imbalance_dl.registry).
    reads_images = True

    _parameter_constraints = {
        "n_classes": [Interval(Integral, 1, None, closed="left")],
        "in_channels": [None, Interval(Integral, 1, None, closed="left")],
        "input_shape": [None, TupleOf(Interval(Integral, 1, None, closed="left"), length=3)],
        "head": [options("head")],
        "widths": [TupleOf(Interval(Integral, 1, None, closed="left"), min_length=1)],
        "blocks_per_stage": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_classes: int,
        *,
        in_channels: int | None = None,
        input_shape=None,
        head: str = "linear",
        widths=(16, 32, 64),
        blocks_per_stage: int = 5,
    ):
        super().__init__()
        name = type(self).__name__
        check_component_params(
            self,
            {
                "n_classes": n_classes,
                "in_channels": in_channels,
                "input_shape": input_shape,
                "head": head,
                "widths": widths,
                "blocks_per_stage": blocks_per_stage,
            },
        )
        self.n_classes = int(n_classes)
        input_shape = None if input_shape is None else tuple(int(d) for d in input_shape)
        if in_channels is None:
            in_channels = input_shape[0] if input_shape is not None else 3
        elif input_shape is not None and input_shape[0] != in_channels:
            raise InvalidParameterError(
                f"The 'in_channels' parameter of {name} ({in_channels}) does not match "
                f"input_shape[0] ({input_shape[0]}) for input_shape={input_shape!r}."
            )
        self.in_channels = in_channels
        self.input_shape = input_shape
        self.head_kind = head
        widths = tuple(int(w) for w in widths)
        if any(b < a for a, b in zip(widths, widths[1:], strict=False)):
            raise InvalidParameterError(
                f"The 'widths' parameter of {name} must be a non-empty, non-decreasing "
                "tuple of ints in the range [1, inf) (option-A shortcuts pad channels). "
                f"Got {widths!r} instead."
            )
        self.widths = widths
        self.blocks_per_stage = int(blocks_per_stage)

        stages = []
        in_planes = widths[0]
        for i, planes in enumerate(widths):
            layers = []
            if i == 0:
                layers += [
                    _ImageInput(in_channels, input_shape),
                    nn.Conv2d(in_channels, widths[0], 3, stride=1, padding=1, bias=False),
                    nn.BatchNorm2d(widths[0]),
                    nn.ReLU(),
                ]
            for b in range(self.blocks_per_stage):
                stride = 2 if (i > 0 and b == 0) else 1
                layers.append(BasicBlock(in_planes, planes, stride))
                in_planes = planes
            if i == len(widths) - 1:
                layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(1)]
            stages.append(nn.Sequential(*layers))
        self.stages = nn.ModuleList(stages)
        self.feature_dim = widths[-1]
        self.head = make_head(self.head_kind, self.feature_dim, self.n_classes)
        self.apply(_weights_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for stage in self.stages:
            x = stage(x)
        return self.head(x)
