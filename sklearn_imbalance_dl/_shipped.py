"""The modules that register the components the package ships, by kind.

Each ``register(kind, name)`` sits beside the component it names; importing this module
imports every one of those modules, so that the registry holds the shipped names. The
registry imports it at its first read (the package itself imports its components
lazily: the command line starts without torch).

================  ===================================================
kind              registered in
================  ===================================================
module            modules._mlp, modules._resnet, modules._tabular
loss              losses._losses, losses._label_aware
schedule          schedules._schedules, schedules._mislas
mixing            mixing._mixing, mixing._cutmix
lr_schedule       schedules._lr
weight_averaging  callbacks._weight_averaging
optimizer         optim (torch's sgd and adamw), optim._sam
sampler           sampling._sampler
augmentation      _data
precision         _net
head, activation  modules._heads
================  ===================================================

The names of each kind are ``registry.names(kind)``.
"""

from . import _data, _net  # noqa: F401
from .callbacks import _weight_averaging  # noqa: F401
from .losses import _label_aware, _losses  # noqa: F401
from .mixing import _cutmix, _mixing  # noqa: F401
from .modules import _heads, _mlp, _resnet, _tabular  # noqa: F401
from .optim import _sam  # noqa: F401 (optim's __init__ registers sgd and adamw)
from .sampling import _sampler  # noqa: F401
from .schedules import _lr, _mislas, _schedules  # noqa: F401
