"""CutMix as a mixing of the estimator: a box of the partner image pasted into each image."""

import numbers
from typing import NamedTuple

import torch
from sklearn.utils._param_validation import Interval

from ..augment._image import CUTMIX_ALPHA, _cutmix_box, paste_box
from ..registry import register
from ._mixing import Mixing

__all__ = ["BoxMixPlan", "CutMix"]


class BoxMixPlan(NamedTuple):
    """One batch's CutMix, with the fields of :class:`~._mixing.MixPlan` plus the box.

    ``own_share`` and ``label_weight`` (one tensor, (B,)) are filled by :meth:`apply`,
    which knows the image size: the net applies the plan in the forward pass, before
    the loss reads the label weights.
    """

    point: int
    partner: torch.Tensor
    own_share: torch.Tensor
    label_weight: torch.Tensor
    lam: float
    centre: tuple

    def apply(self, h):
        """Paste the partners' box into the images ``h`` (B, C, H, W)."""
        if h.ndim != 4:
            raise ValueError(
                "CutMix pastes boxes into images of shape (n_samples, channels, height, "
                f"width); got a batch of shape {tuple(h.shape)}."
            )
        _, _, height, width = h.shape
        cy = int(self.centre[0] * height)
        cx = int(self.centre[1] * width)
        box = _cutmix_box(height, width, self.lam, cy, cx)
        mixed, share = paste_box(h, self.partner, *box)
        self.own_share.copy_(share)
        return mixed


@register("mixing", "cutmix")
class CutMix(Mixing):
    """CutMix (Yun et al., ICCV 2019) as a mixing: ``mixing=CutMix()``.

    With probability ``p`` a batch is cut-mixed: one ``lam ~ Beta(alpha, alpha)`` and one
    box for the batch (sides ``sqrt(1 - lam)`` of the image's, uniform centre, clipped),
    filled with the same box of a random partner (a permutation of the batch); the loss
    weighs the own label by the share of own pixels actually kept and the partner's by
    the rest, as the authors' code does. Other batches are not mixed. Images only (at
    the input: ``layer="input"``).

    Parameters
    ----------
    alpha : float, default=1.0
        Beta concentration (the authors' ``beta``; 1.0 for CIFAR).
    p : float, default=0.5
        Probability of mixing a batch (the authors' ``cutmix_prob``: 0.5 for CIFAR).

    References
    ----------
    .. [1] Yun, S., Han, D., Oh, S. J., Chun, S., Choe, J., Yoo, Y. "CutMix:
       Regularization Strategy to Train Strong Classifiers with Localizable
       Features", ICCV 2019. Code: github.com/clovaai/CutMix-PyTorch.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.mixing import CutMix
    >>> _ = torch.manual_seed(0)
    >>> mixing = CutMix(p=1.0).bind(torch.tensor([50, 5]), n_epochs=10, n_points=1,
    ...                             device="cpu")
    >>> y = torch.tensor([0, 0, 1, 1])
    >>> plan = mixing.plan(y, epoch=0)
    >>> plan.apply(torch.randn(4, 3, 32, 32)).shape
    torch.Size([4, 3, 32, 32])
    >>> bool(((plan.label_weight > 0) & (plan.label_weight <= 1)).all())
    True
    """

    # Boxes are cut from images: the estimator refuses CutMix on tabular rows.
    needs_images = True

    _parameter_constraints = {
        "alpha": CUTMIX_ALPHA,
        "p": [Interval(numbers.Real, 0, 1, closed="both")],
    }

    def __init__(self, *, alpha=1.0, p=0.5):
        super().__init__(layer="input")
        self.alpha = alpha
        self.p = p

    def _bind(self, class_counts, **kwargs):
        super()._bind(class_counts, **kwargs)
        self._beta = torch.distributions.Beta(float(self.alpha), float(self.alpha))

    def plan(self, y, epoch):
        """A ``BoxMixPlan`` for the batch with targets ``y``, or None (not mixed).

        Parameters
        ----------
        y : torch.Tensor of shape (B,)
            The batch's class indices.
        epoch : int
            The 0-based epoch.

        Returns
        -------
        BoxMixPlan or None
        """
        y = self._check_targets(y)
        # CPU draws from torch's seeded generator: reproducible, no device sync.
        if self.p < 1 and float(torch.rand(())) >= self.p:
            return None
        partner = torch.randperm(len(y), device=y.device)
        lam = float(self._beta.sample())
        centre = tuple(torch.rand(2).tolist())
        share = torch.full(y.shape, lam, device=y.device)
        return BoxMixPlan(0, partner, share, share, lam, centre)
