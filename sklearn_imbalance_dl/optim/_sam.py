"""Sharpness-aware minimization (Foret et al., ICLR 2021) as a torch optimizer wrapper."""

import inspect
import numbers

import torch
from sklearn.utils._param_validation import Interval, validate_parameter_constraints

from ..registry import register

__all__ = ["SAM"]


def steps_from_a_closure(optimizer_class):
    """Whether ``optimizer_class`` re-evaluates the loss in its step: its ``step`` needs a
    closure (LBFGS), or it is sharpness-aware (``first_step``, as :class:`SAM`)."""
    closure = inspect.signature(optimizer_class.step).parameters.get("closure")
    needs_closure = closure is not None and closure.default is inspect.Parameter.empty
    return needs_closure or hasattr(optimizer_class, "first_step")


@register("optimizer", "sam")
class SAM(torch.optim.Optimizer):
    """Sharpness-aware minimization around a base optimizer.

    One SAM step takes two gradients at the same batch:

    1. :meth:`first_step`: with the gradient ``g`` at ``w``, move to the worst point of
       the ``rho``-ball, ``w + e`` with ``e = rho * g / ||g||`` (``adaptive=True``:
       ASAM, ``e = rho * w**2 * g / ||w * g||``), and remember ``w``;
    2. compute the gradient again at ``w + e`` (a second forward and backward pass; on
       gradients set to zero, as ``first_step(zero_grad=True)`` leaves them);
    3. :meth:`second_step`: go back to ``w`` and let the base optimizer step with the
       gradient taken at ``w + e``.

    :meth:`step` does the three with a ``closure`` that re-evaluates the loss (forward
    and backward) on the same batch; the gradient at ``w`` must already be in
    ``.grad`` when it is called. The norm ``||g||`` is taken over all parameters with
    a gradient, across parameter groups. The parameter groups are the base
    optimizer's (one list shared by both), so a learning-rate schedule that sets
    ``group["lr"]`` on this optimizer drives the base optimizer, and each group may
    carry its own ``rho``.

    Parameters
    ----------
    params : iterable of tensors or dicts
        As for any torch optimizer.
    base_optimizer : torch optimizer class, default=torch.optim.SGD
        A first-order optimizer; one whose step re-evaluates the loss (LBFGS, SAM
        itself) is refused.
    rho : float, default=0.05
        Radius of the neighbourhood (Foret et al.'s default; Rangwani et al. use 0.8
        for LDAM-DRW on CIFAR-10-LT).
    adaptive : bool, default=False
        ASAM (Kwon et al., ICML 2021): the neighbourhood scaled by ``|w|``.
    **kwargs
        Arguments of ``base_optimizer`` (``lr``, ``momentum``, ``weight_decay``, ...).

    Notes
    -----
    Follows the widely used implementation of D. Samuel (github.com/davda54/sam), which
    Rangwani et al. ship (github.com/val-iisc/Saddle-LongTail, ``sam.py``): the same
    ``1e-12`` in the denominator, the perturbation skipped for parameters without a
    gradient, and ``step`` requiring a closure.

    References
    ----------
    .. [1] Foret, P., Kleiner, A., Mobahi, H., Neyshabur, B. "Sharpness-Aware
       Minimization for Efficiently Improving Generalization", ICLR 2021.
    .. [2] Rangwani, H., Aithal, S. K., Mishra, M., Babu, R. V. "Escaping Saddle Points
       for Effective Generalization on Class-Imbalanced Data", NeurIPS 2022.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.optim import SAM
    >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    >>> opt = SAM([w], torch.optim.SGD, rho=0.1, lr=0.5)
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = (w ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> loss = closure()
    >>> _ = opt.step(closure)
    >>> w.detach().round(decimals=4)
    tensor([-0.0447,  0.0894])
    """

    _parameter_constraints = {
        "rho": [Interval(numbers.Real, 0, None, closed="left")],
        "adaptive": ["boolean"],
    }

    def __init__(self, params, base_optimizer=torch.optim.SGD, rho=0.05, adaptive=False, **kwargs):
        validate_parameter_constraints(
            self._parameter_constraints, {"rho": rho, "adaptive": adaptive}, caller_name="SAM"
        )
        is_class = isinstance(base_optimizer, type)
        if not (is_class and issubclass(base_optimizer, torch.optim.Optimizer)):
            raise TypeError(
                "SAM's base_optimizer must be a torch.optim.Optimizer class, e.g. "
                f"torch.optim.SGD; got {base_optimizer!r}."
            )
        if steps_from_a_closure(base_optimizer):
            raise TypeError(
                "SAM's base_optimizer steps with the gradient SAM takes at the perturbed "
                f"point; {base_optimizer.__name__} re-evaluates the loss itself (its step "
                "takes a closure): use a first-order optimizer, e.g. torch.optim.SGD."
            )
        defaults = dict(rho=rho, adaptive=adaptive, **kwargs)
        super().__init__(params, defaults)
        self.base_optimizer = base_optimizer(self.param_groups, **kwargs)
        # One list of groups for both: lr schedules and add_param_group reach the base.
        self.param_groups = self.base_optimizer.param_groups
        # Groups added later get every default of the base optimizer (SGD's nesterov,
        # maximize, ...) and SAM's own.
        self.defaults = {**self.base_optimizer.defaults, **defaults}

    @torch.no_grad()
    def first_step(self, zero_grad=False):
        """Move to ``w + e(w)``; keeps ``w`` in ``state[p]["old_p"]``.

        Parameters
        ----------
        zero_grad : bool, default=False
            Whether to zero the gradients afterwards.
        """
        grad_norm = self._grad_norm()
        for group in self.param_groups:
            scale = group["rho"] / (grad_norm + 1e-12)
            for p in group["params"]:
                if p.grad is None:
                    continue
                self.state[p]["old_p"] = p.detach().clone()
                e_w = (torch.pow(p, 2) if group["adaptive"] else 1.0) * p.grad * scale.to(p)
                p.add_(e_w)
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def second_step(self, zero_grad=False):
        """Go back to ``w`` and take the base optimizer's step with the current gradient.

        Parameters
        ----------
        zero_grad : bool, default=False
            Whether to zero the gradients afterwards.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None or "old_p" not in self.state[p]:
                    continue
                p.copy_(self.state[p]["old_p"])
        self.base_optimizer.step()
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def step(self, closure=None):
        """A full SAM step.

        Parameters
        ----------
        closure : callable
            Does a forward and backward pass and returns the loss. Required; the
            default ``None`` only matches torch's ``Optimizer.step`` signature.

        Returns
        -------
        loss : torch.Tensor
            The loss at the perturbed point ``w + e`` (what the closure returned).

        Raises
        ------
        ValueError
            Without a closure (use :meth:`first_step` and :meth:`second_step` then).
        """
        if closure is None:
            raise ValueError(
                "SAM needs a closure that re-evaluates the loss (forward and backward) "
                "on the same batch: optimizer.step(closure). Or call "
                "first_step(zero_grad=True), recompute the gradient (forward and backward "
                "on the same batch), then second_step()."
            )
        self.first_step(zero_grad=True)
        with torch.enable_grad():
            loss = closure()
        self.second_step()
        return loss

    def _grad_norm(self):
        grads = [
            ((torch.abs(p) if group["adaptive"] else 1.0) * p.grad).norm(p=2)
            for group in self.param_groups
            for p in group["params"]
            if p.grad is not None
        ]
        if not grads:
            return torch.tensor(0.0)
        device = grads[0].device
        return torch.norm(torch.stack([g.to(device) for g in grads]), p=2)

    def state_dict(self):
        """torch's state dict, with the base optimizer's under ``"base_optimizer"``.

        The base optimizer holds the momentum (SGD) or moment estimates (Adam) that a
        resumed run needs; this optimizer's own state holds the ``old_p`` of the last
        step.

        Returns
        -------
        state_dict : dict
            torch's ``"state"`` and ``"param_groups"``, and ``"base_optimizer"``.
        """
        state_dict = super().state_dict()
        state_dict["base_optimizer"] = self.base_optimizer.state_dict()
        return state_dict

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        base = state_dict.pop("base_optimizer", None)
        if base is not None:
            self.base_optimizer.load_state_dict(base)
        super().load_state_dict(state_dict)
        self.base_optimizer.param_groups = self.param_groups

    def __getstate__(self):
        # torch's keeps the defaults, state and groups only; pickle and deepcopy would
        # drop the base optimizer (and its state), which every step needs.
        return {**super().__getstate__(), "base_optimizer": self.base_optimizer}
