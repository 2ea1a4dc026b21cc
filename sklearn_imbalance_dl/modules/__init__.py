"""Network modules: the tabular backbone and its column encoding, an MLP, the CIFAR
ResNet-32, classifier heads.

All shipped modules follow the staged-module protocol (see "Your own network: the
staged-module protocol" in :doc:`/methods`): they expose ``stages`` and ``head``,
which in-network mixing (MFW, manifold mixup), feature-gradient diagnostics and cRT
rely on. A user module opts in by exposing the same two attributes.
"""

from ._columns import ColumnEncoder
from ._heads import CosineLinear, make_head
from ._mlp import MLP
from ._protocol import (
    fit_module_preprocessing,
    forward_staged,
    is_staged,
    n_mixing_points,
    reset_head,
)
from ._resnet import ResNet32
from ._tabular import TabularNet

__all__ = [
    "MLP",
    "ColumnEncoder",
    "CosineLinear",
    "ResNet32",
    "TabularNet",
    "fit_module_preprocessing",
    "forward_staged",
    "is_staged",
    "make_head",
    "n_mixing_points",
    "reset_head",
]
