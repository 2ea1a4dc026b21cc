"""The staged-module protocol.

Mixing inside the network (Procrustean major feature weakening and manifold mixup
at a hidden layer), per-class feature-gradient diagnostics (the norm of the loss
gradient with respect to the penultimate feature ``h``) and classifier re-training
(cRT) need to see inside the network. A module opts in by exposing two attributes:

``stages``
    an ``nn.ModuleList`` (or ``nn.Sequential``) of consecutive feature-extractor
    stages;
``head``
    the classifier, an ``nn.Module`` mapping the penultimate feature ``h`` to logits;

and by keeping ``forward(x) == head(stages[-1](... stages[0](x)))``.

Mixing point ``k`` (``0 <= k <= len(stages)``) means "after ``k`` stages": 0 is the
input, ``len(stages)`` the penultimate feature. Any input handling (flattening,
reshaping rows to images) belongs in ``stages[0]`` so that the identity above holds.
A head that packs several members (``TabularNet(n_members=k)``) may also expose
``head.member_logits(h)``, each member's logits of shape ``(k, N, C)`` whose mean is
``head(h)``: the estimator then trains each member on its own loss.
Modules without these attributes still train; they only cannot use in-network
mixing, feature-gradient diagnostics or cRT. A fit that mixes inside the module,
trains packed members or runs the diagnostics checks the identity on a few training
rows first and refuses a module that breaks it (training would fit
``head(stages(x))`` and predict with ``forward(x)``); one that mixes at the input only
calls ``forward``. Re-training the head (cRT, MiSLAS) calls ``forward`` with the
stages frozen, and refuses parameters outside ``stages`` and ``head`` (they would go
on training).

Example
-------
A user module that opts in:

>>> import torch
>>> from torch import nn
>>> from sklearn_imbalance_dl.modules import forward_staged, is_staged, n_mixing_points
>>> class TwoLayer(nn.Module):
...     def __init__(self, n_features=4, n_classes=3):
...         super().__init__()
...         self.stages = nn.ModuleList([
...             nn.Sequential(nn.Linear(n_features, 16), nn.ReLU()),
...             nn.Sequential(nn.Linear(16, 8), nn.ReLU()),
...         ])
...         self.head = nn.Linear(8, n_classes)
...     def forward(self, x):
...         for stage in self.stages:
...             x = stage(x)
...         return self.head(x)
>>> net = TwoLayer()
>>> is_staged(net), n_mixing_points(net)
(True, 3)
>>> logits, h = forward_staged(net, torch.randn(5, 4), mix_at=1, mix_fn=lambda t: 0.5 * t)
>>> logits.shape, h.shape
(torch.Size([5, 3]), torch.Size([5, 8]))
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch
from torch import nn

from .._validation import user_stacklevel

__all__ = ["forward_staged", "is_staged", "n_mixing_points", "reset_head"]


def is_staged(module) -> bool:
    """Return whether ``module`` follows the staged-module protocol.

    Parameters
    ----------
    module : object
        Usually an ``nn.Module``.

    Returns
    -------
    bool
        True when ``module.stages`` is an ``nn.ModuleList`` or ``nn.Sequential`` and
        ``module.head`` is an ``nn.Module``.
    """
    stages = getattr(module, "stages", None)
    head = getattr(module, "head", None)
    return isinstance(stages, (nn.ModuleList, nn.Sequential)) and isinstance(head, nn.Module)


def _require_staged(module, what: str) -> None:
    if not is_staged(module):
        raise TypeError(
            f"{what} needs a staged module: one with a 'stages' attribute (an "
            "nn.ModuleList of feature-extractor stages) and a 'head' attribute (the "
            "classifier nn.Module), whose forward(x) equals head(stages[-1](...stages[0]"
            f"(x))). Got {type(module).__name__}, which does not expose them; see "
            "sklearn_imbalance_dl.modules._protocol for an example."
        )


def n_mixing_points(module) -> int:
    """Number of mixing points of a staged module: ``len(module.stages) + 1``.

    Point 0 is the input and point ``len(stages)`` the penultimate feature.

    Parameters
    ----------
    module : torch.nn.Module
        A staged module.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``module`` is not staged.
    """
    _require_staged(module, "n_mixing_points")
    return len(module.stages) + 1


def forward_staged(
    module,
    x: torch.Tensor,
    *,
    mix_at: int | None = None,
    mix_fn: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run a staged module, optionally transforming the activations at one point.

    Parameters
    ----------
    module : nn.Module
        A staged module (see :func:`is_staged`).
    x : torch.Tensor
        The input batch.
    mix_at : int or None, default=None
        The mixing point, in ``[0, len(module.stages)]``: ``x = mix_fn(x)`` is applied
        once, after ``mix_at`` stages. None runs the module unchanged.
    mix_fn : callable or None, default=None
        Tensor -> tensor of the same shape; required when ``mix_at`` is given.

    Returns
    -------
    logits : torch.Tensor
        ``module.head(h)``.
    h : torch.Tensor
        The penultimate feature (the input of the head), part of the autograd graph,
        so that ``torch.autograd.grad(loss, h)`` gives per-sample feature gradients.
    """
    _require_staged(module, "forward_staged")
    n_stages = len(module.stages)
    if mix_at is not None:
        if isinstance(mix_at, bool) or not isinstance(mix_at, int) or not 0 <= mix_at <= n_stages:
            raise ValueError(
                f"mix_at must be an int in the range [0, {n_stages}] for a module with "
                f"{n_stages} stages (0 = input, {n_stages} = penultimate feature). "
                f"Got {mix_at!r} instead."
            )
        if mix_fn is None:
            raise ValueError("mix_fn must be given when mix_at is not None.")
    for k, stage in enumerate(module.stages):
        if k == mix_at:
            x = mix_fn(x)
        x = stage(x)
    if mix_at == n_stages:
        x = mix_fn(x)
    return module.head(x), x


def reset_head(module) -> None:
    """Re-initialise the classifier of a staged module in place (for cRT).

    Calls ``reset_parameters()`` on every sub-module of ``module.head`` that has it.

    Parameters
    ----------
    module : torch.nn.Module
        A staged module.
    """
    _require_staged(module, "reset_head")
    for sub in module.head.modules():
        reset = getattr(sub, "reset_parameters", None)
        if callable(reset):
            reset()


def parameter_dtype(module) -> torch.dtype:
    """The dtype of the module's floating parameters (float32 if it has none): its
    inputs take it, so that a module built in float64 gets float64 inputs."""
    return next((p.dtype for p in module.parameters() if p.is_floating_point()), torch.float32)


def fit_module_preprocessing(module, X) -> None:
    """Let a module learn its input preprocessing from the training inputs, once per fit.

    A module that defines ``fit_preprocessing(X)`` (``X`` a float32 CPU tensor of the
    training inputs, shape ``(n_samples, *input_shape)``) is called before training;
    it keeps what it learns (e.g. robust scaling statistics) in buffers, so that they
    move with the module to the device, are pickled with it and apply at predict
    time. Inputs given as a ``torch.utils.data.Dataset`` are not read here (its items
    may load lazily): such a module then trains on unprocessed inputs, and a warning
    says so (not for ``TabularNet(preprocessing="none")``, which reads its inputs as
    they are).

    Parameters
    ----------
    module : torch.nn.Module
        The module to train.
    X : array-like or torch.utils.data.Dataset
        The training inputs.
    """
    fit = getattr(module, "fit_preprocessing", None)
    if fit is None:
        return
    if isinstance(X, torch.utils.data.Dataset):
        _warn_unscaled(module)
        return
    with torch.no_grad():
        fit(torch.as_tensor(X, dtype=torch.float32))


def _warn_unscaled(module) -> None:
    """Warn that a module which learns its input preprocessing trains on a Dataset
    without it: TabularNet's smooth clipping makes raw values beyond a few units read
    alike."""
    from ._tabular import TabularNet

    name = type(module).__name__
    taken = (
        f"{name} learns its input preprocessing from the training inputs "
        "(fit_preprocessing), but the items of a torch Dataset are not read for it (they "
        "may load lazily): it trains on them unprocessed"
    )
    if not isinstance(module, TabularNet):
        message = f"{taken}. Preprocess the inputs in the Dataset, or pass an array."
    elif module.preprocessing == "none":
        return  # it reads its inputs as they are
    else:
        if module.preprocessing == "robust":
            taken += (
                ", and its smooth clipping to (-3, 3) makes values beyond a few units all "
                "read alike"
            )
        message = (
            f"{taken}. Scale the inputs in the Dataset (module__preprocessing='none' then "
            "reads them as they are, without this warning), or pass the table as an array "
            "or a DataFrame, whose scaling is learned in fit."
        )
    warnings.warn(message, UserWarning, stacklevel=user_stacklevel())
