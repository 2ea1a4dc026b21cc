"""Batched image augmentation on the training device: Cutout, CutMix boxes, RandAugment.

Every function takes a batch ``images`` of shape (B, C, H, W) (float, on any device),
draws its randomness from torch's global generator on that device (so the seed of a
fit reproduces it, as ``random_crop_flip`` does) and treats every image on its own
(own box, own operations) without a Python loop over the images.
"""

import math
import numbers

import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval

from .._data import memory_format, random_crop_flip
from .._validation import validate_params
from ..registry import Component

__all__ = ["RAND_AUGMENT_OPS", "RandAugment", "cutmix", "cutout", "rand_augment"]


def _check_images(images, what):
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or 0 in images.shape[1:]:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(
            f"{what} needs a batch of images of shape (n_samples, channels, height, "
            f"width), with at least one channel and one pixel; got {shape}."
        )


def _box_mask(h, w, top, left, bottom, right, device):
    """(B, H, W) bool mask of the boxes ``[top, bottom) x [left, right)`` (each (B,))."""
    rows = torch.arange(h, device=device)
    cols = torch.arange(w, device=device)
    in_rows = (rows >= top[:, None]) & (rows < bottom[:, None])
    in_cols = (cols >= left[:, None]) & (cols < right[:, None])
    return in_rows[:, :, None] & in_cols[:, None, :]


def _centred_box(cy, cx, cut_h, cut_w, h, w):
    """Integer box of size ``cut`` centred at ``(cy, cx)``, clipped to the image."""
    cy, cx = torch.as_tensor(cy), torch.as_tensor(cx)
    top = (cy - cut_h // 2).clamp(0, h)
    bottom = (cy + cut_h // 2).clamp(0, h)
    left = (cx - cut_w // 2).clamp(0, w)
    right = (cx + cut_w // 2).clamp(0, w)
    return top, left, bottom, right


@validate_params(
    {
        "images": [torch.Tensor],
        "size": [Interval(numbers.Integral, 1, None, closed="left")],
        "fill": [Interval(numbers.Real, None, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def cutout(images, size=16, fill=0.0):
    """Cutout (DeVries and Taylor, 2017): a ``size`` x ``size`` square set to ``fill``.

    The centre ``c`` of every image's square is drawn uniformly over the image; the
    square spans ``[c - size // 2, c - size // 2 + size)`` in each direction and is
    clipped at the borders (so it can be smaller), as in the authors' code (one hole of
    length 16 for CIFAR-10), whose holes of an odd length are a pixel short. ``fill=0``
    is the mean colour of standardised inputs.

    Parameters
    ----------
    images : torch.Tensor of shape (B, C, H, W)
    size : int, default=16
        Side of the square, in pixels.
    fill : float, default=0.0
        Value of the square's pixels; for integer images (uint8), a whole number their
        dtype holds.

    Returns
    -------
    torch.Tensor of shape (B, C, H, W)
        A new tensor.

    Raises
    ------
    ValueError
        If ``size`` is ``2 * max(H, W) - 1`` or more: the square would cover the whole
        of every image wherever its centre falls.
        If ``fill`` is not a value of the images' dtype (0.5 or 256 for uint8 images).

    References
    ----------
    .. [1] DeVries, T., Taylor, G. W. "Improved Regularization of Convolutional Neural
       Networks with Cutout", arXiv:1708.04552, 2017.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.augment import cutout
    >>> _ = torch.manual_seed(0)
    >>> out = cutout(torch.ones(4, 3, 32, 32), size=16)
    >>> bool(((out == 0).sum(dim=(1, 2, 3)) <= 3 * 16 * 16).all())
    True
    """
    return _cutout(images, size, fill)


def _cutout(images, size, fill=0.0, what="cutout's size"):
    _check_images(images, "cutout")
    n, _, h, w = images.shape
    _check_cutout_size(size, h, w, what)
    _check_fill(fill, images.dtype)
    device = images.device
    cy = torch.randint(0, h, (n,), device=device)
    cx = torch.randint(0, w, (n,), device=device)
    return _cutout_at(images, cy, cx, size, fill)


def _check_cutout_size(size, h, w, what):
    """Refuse a square that covers the whole image wherever its centre falls.

    The hole ``[c - size // 2, c - size // 2 + size)`` covers ``[0, h)`` for every
    centre ``c`` in ``[0, h)`` from ``size = 2 h - 1`` on: every image would be blanked,
    and the network trained on blank images.
    """
    side = max(h, w)
    if size < 2 * side - 1:
        return
    advice = (
        f"give a smaller side, such as half the image's ({side // 2} here, as Cutout's 16 "
        "is on CIFAR's 32x32 images)"
        if side > 1
        else "leave Cutout out, an image of one pixel has nothing to cut"
    )
    raise ValueError(
        f"{what}={size} blanks every {h}x{w} image whole (its square covers the image "
        f"wherever its centre falls), so the network would learn from blank images: "
        f"{advice}."
    )


def _check_fill(fill, dtype):
    """Refuse a ``fill`` that images of ``dtype`` cannot hold: torch would round a
    fraction into integer pixels (0.5 to 0 in uint8) and fail on a value out of range."""
    if dtype.is_complex:
        return
    if dtype.is_floating_point:
        info = torch.finfo(dtype)
        if info.min <= fill <= info.max:
            return
        expected = f"a value in [{info.min:g}, {info.max:g}]"
    else:
        info = None if dtype == torch.bool else torch.iinfo(dtype)
        low, high = (0, 1) if info is None else (info.min, info.max)
        if float(fill).is_integer() and low <= fill <= high:
            return
        expected = f"a whole number in [{low}, {high}]"
    raise ValueError(
        f"cutout's fill={fill!r} cannot be held by images of dtype {dtype}: give {expected} "
        "(the value of the square's pixels), or the images as floats."
    )


def _cutout_at(images, cy, cx, size, fill=0.0):
    _, _, h, w = images.shape
    # The authors' hole, [c - size // 2, c + size // 2), for an even size; an odd size
    # keeps its side too (theirs loses a pixel, and size 1 cuts nothing).
    top = torch.as_tensor(cy, device=images.device) - size // 2
    left = torch.as_tensor(cx, device=images.device) - size // 2
    mask = _box_mask(h, w, top, left, top + size, left + size, images.device)
    return images.masked_fill(mask[:, None], fill)


def _cutmix_box(h, w, lam, cy, cx):
    """CutMix's box for share ``lam`` of the own image (Yun et al.'s ``rand_bbox``)."""
    cut_rat = math.sqrt(1.0 - lam)
    cut_h, cut_w = int(h * cut_rat), int(w * cut_rat)
    return _centred_box(cy, cx, cut_h, cut_w, h, w)


def paste_box(images, partner, top, left, bottom, right):
    """Paste ``images[partner]`` into every image inside its box; returns the own shares.

    Parameters
    ----------
    images : torch.Tensor of shape (B, C, H, W)
    partner : torch.Tensor of shape (B,), int
    top, left, bottom, right : torch.Tensor of shape (B,) or scalars, int
        Box ``[top, bottom) x [left, right)`` of every image. A box that reaches past
        the border is clipped to the image, in the paste and in the own share.

    Returns
    -------
    mixed : torch.Tensor of shape (B, C, H, W)
    own_share : torch.Tensor of shape (B,)
        Fraction of each image's pixels that are its own (float32).
    """
    _check_images(images, "paste_box")
    n, _, h, w = images.shape
    if (
        not isinstance(partner, torch.Tensor)
        or partner.shape != (n,)
        or partner.is_floating_point()
        or partner.is_complex()
        or partner.dtype == torch.bool
    ):
        got = (
            f"a tensor of shape {tuple(partner.shape)} and dtype {partner.dtype}"
            if isinstance(partner, torch.Tensor)
            else type(partner).__name__
        )
        raise ValueError(
            f"paste_box needs partner, an integer tensor of shape ({n},): the index in the "
            f"batch of the image pasted into each image; got {got}."
        )
    partner = partner.long()  # uint8 indices would select as a mask
    device = images.device

    def per_image(v):
        return torch.as_tensor(v, device=device).expand(n)

    top, left, bottom, right = (per_image(v) for v in (top, left, bottom, right))
    mask = _box_mask(h, w, top, left, bottom, right, device)
    mixed = torch.where(mask[:, None], images[partner], images)
    # The pixels pasted: the part of the box inside the image.
    rows = (bottom.clamp(0, h) - top.clamp(0, h)).clamp_min(0)
    cols = (right.clamp(0, w) - left.clamp(0, w)).clamp_min(0)
    area = (rows * cols).to(torch.float32)
    return mixed, 1.0 - area / (h * w)


# CutMix's Beta concentration, for :func:`cutmix` and the ``CutMix`` mixing.
CUTMIX_ALPHA = [Interval(numbers.Real, 0, None, closed="neither")]


@validate_params(
    {"images": [torch.Tensor], "alpha": CUTMIX_ALPHA},
    prefer_skip_nested_validation=True,
)
def cutmix(images, alpha=1.0):
    """CutMix (Yun et al., ICCV 2019) of a batch with a random permutation of itself.

    One share ``lam ~ Beta(alpha, alpha)`` and one box per batch, as in the authors'
    code: the box has sides ``sqrt(1 - lam)`` times the image's, a uniform centre and
    is clipped to the image; the share is then corrected to the pixels actually kept.

    Parameters
    ----------
    images : torch.Tensor of shape (B, C, H, W)
    alpha : float, default=1.0

    Returns
    -------
    mixed : torch.Tensor of shape (B, C, H, W)
    partner : torch.Tensor of shape (B,), int64
        Image ``partner[i]`` was pasted into image ``i``.
    own_share : torch.Tensor of shape (B,)
        Fraction of image i's pixels that are its own: the weight of its own label
        (``own_share * loss(y_i) + (1 - own_share) * loss(y_partner)``).

    References
    ----------
    .. [1] Yun, S., Han, D., Oh, S. J., Chun, S., Choe, J., Yoo, Y. "CutMix:
       Regularization Strategy to Train Strong Classifiers with Localizable
       Features", ICCV 2019. Code: github.com/clovaai/CutMix-PyTorch.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.augment import cutmix
    >>> _ = torch.manual_seed(0)
    >>> mixed, partner, share = cutmix(torch.randn(8, 3, 32, 32))
    >>> mixed.shape, partner.shape, share.shape
    (torch.Size([8, 3, 32, 32]), torch.Size([8]), torch.Size([8]))
    """
    _check_images(images, "cutmix")
    n, _, h, w = images.shape
    device = images.device
    partner = torch.randperm(n, device=device)
    lam = float(torch.distributions.Beta(float(alpha), float(alpha)).sample())
    cy = torch.randint(0, h, (1,), device=device)
    cx = torch.randint(0, w, (1,), device=device)
    box = _cutmix_box(h, w, lam, cy, cx)
    mixed, own_share = paste_box(images, partner, *box)
    return mixed, partner, own_share


# --------------------------------------------------------------------------- RandAugment

#: Operations of :func:`rand_augment` (torchvision's RandAugment list without Equalize).
RAND_AUGMENT_OPS = (
    "identity",
    "shear_x",
    "shear_y",
    "translate_x",
    "translate_y",
    "rotate",
    "brightness",
    "color",
    "contrast",
    "sharpness",
    "posterize",
    "solarize",
    "autocontrast",
)
_GEOMETRIC = ("shear_x", "shear_y", "translate_x", "translate_y", "rotate")
_N_BINS = 31  # torchvision's num_magnitude_bins


def _magnitudes(magnitude, height, width):
    """Strength of each operation at ``magnitude`` (0..30), as torchvision's RandAugment
    (which sizes a vertical shift by the height, a horizontal one by the width)."""
    m = magnitude / (_N_BINS - 1)
    return {
        "shear_x": 0.3 * m,
        "shear_y": 0.3 * m,
        # Whole pixels, as torchvision's int(magnitude).
        "translate_x": float(int(150.0 / 331.0 * width * m)),
        "translate_y": float(int(150.0 / 331.0 * height * m)),
        "rotate": 30.0 * m,
        "brightness": 0.9 * m,
        "color": 0.9 * m,
        "contrast": 0.9 * m,
        "sharpness": 0.9 * m,
        # Bits kept: 8 - round(m_index / 7.5), as torchvision.
        "posterize": 8 - int(round(magnitude / ((_N_BINS - 1) / 4))),
        "solarize": 1.0 - m,  # threshold on [0, 1] pixels
    }


def _blend(a, b, factor):
    """``factor * a + (1 - factor) * b`` clamped to [0, 1] (PIL's ImageEnhance)."""
    return (factor * a + (1 - factor) * b).clamp(0.0, 1.0)


def _grayscale(images):
    if images.shape[1] != 3:
        return images.mean(dim=1, keepdim=True)
    r, g, b = images[:, 0:1], images[:, 1:2], images[:, 2:3]
    return 0.299 * r + 0.587 * g + 0.114 * b


def _sharpness_degenerate(images):
    """PIL's SMOOTH filter (1 1 1 / 1 5 1 / 1 1 1) / 13, borders left as they are."""
    c, h, w = images.shape[1:]
    if h < 3 or w < 3:  # every pixel is a border
        return images.clone()
    kernel = torch.ones(3, 3, dtype=images.dtype, device=images.device)
    kernel[1, 1] = 5.0
    kernel = (kernel / 13.0).expand(c, 1, 3, 3)
    smooth = F.conv2d(images, kernel, groups=c)
    out = images.clone()
    out[:, :, 1:-1, 1:-1] = smooth
    return out


def _posterize(images, bits):
    """Keep the ``bits`` (B,) high bits of the 8-bit value of every pixel."""
    step = torch.pow(2.0, 8 - bits.to(images.dtype))[:, None, None, None]
    q = torch.floor(images * 255.0 + 0.5)
    return torch.floor(q / step) * step / 255.0


def _autocontrast(images):
    low = images.amin(dim=(2, 3), keepdim=True)
    high = images.amax(dim=(2, 3), keepdim=True)
    span = high - low
    scaled = (images - low) / span.clamp_min(1e-12)
    return torch.where(span > 0, scaled, images)


def _affine(images, matrices, fill=0.0):
    """Warp every image by its 2x3 pixel-space matrix (output -> input), nearest pixel.

    The matrices act on pixel coordinates centred on the image centre; pixels from
    outside the image become ``fill``.
    """
    n, c, h, w = images.shape
    # Pixel coordinates centred on the image -> grid_sample's [-1, 1] coordinates.
    to_norm = torch.tensor([[2.0 / w, 0.0], [0.0, 2.0 / h]], dtype=images.dtype)
    to_pix = torch.tensor([[w / 2.0, 0.0], [0.0, h / 2.0]], dtype=images.dtype)
    to_norm, to_pix = to_norm.to(images.device), to_pix.to(images.device)
    linear = to_norm @ matrices[:, :, :2] @ to_pix
    shift = (to_norm @ matrices[:, :, 2:]).squeeze(-1)
    theta = torch.cat([linear, shift[:, :, None]], dim=2)
    grid = F.affine_grid(theta, (n, c, h, w), align_corners=False)
    # Sample one extra channel of ones to find the pixels that came from outside.
    ones = torch.ones(n, 1, h, w, dtype=images.dtype, device=images.device)
    warped = F.grid_sample(torch.cat([images, ones], 1), grid, mode="nearest", align_corners=False)
    inside = warped[:, -1:] > 0.5
    return torch.where(inside, warped[:, :-1], torch.full_like(warped[:, :-1], fill))


def _geometric_matrices(op_index, sign, strengths, n, dtype, device):
    """Output -> input pixel-space matrices: identity but for the geometric operations."""
    names = RAND_AUGMENT_OPS
    m = torch.eye(2, 3, dtype=dtype, device=device).expand(n, 2, 3).clone()

    def where(name, value, current):
        return torch.where(op_index == names.index(name), value, current)

    # The sign of each strength is random, so the direction convention does not matter.
    m[:, 0, 1] = where("shear_x", sign * strengths["shear_x"], m[:, 0, 1])
    m[:, 1, 0] = where("shear_y", sign * strengths["shear_y"], m[:, 1, 0])
    m[:, 0, 2] = where("translate_x", sign * strengths["translate_x"], m[:, 0, 2])
    m[:, 1, 2] = where("translate_y", sign * strengths["translate_y"], m[:, 1, 2])
    angle = torch.deg2rad(sign * strengths["rotate"])
    cos, sin = torch.cos(angle), torch.sin(angle)
    m[:, 0, 0] = where("rotate", cos, m[:, 0, 0])
    m[:, 0, 1] = where("rotate", -sin, m[:, 0, 1])
    m[:, 1, 0] = where("rotate", sin, m[:, 1, 0])
    m[:, 1, 1] = where("rotate", cos, m[:, 1, 1])
    return m


def _apply_op(images, op_index, sign, strengths):
    """Apply to image i the operation ``op_index[i]`` with strength sign ``sign[i]``.

    ``images`` in [0, 1]. Every operation is computed for the whole batch and picked
    per image with ``torch.where``: no loop over the images, a few kernels per op.
    """
    names = RAND_AUGMENT_OPS
    n = images.shape[0]

    def chosen(name):
        return (op_index == names.index(name))[:, None, None, None]

    def factor(name):  # enhancement factor 1 +- strength, per image
        return (1.0 + sign * strengths[name])[:, None, None, None]

    out = images
    geometric = torch.zeros(n, dtype=torch.bool, device=images.device)
    for name in _GEOMETRIC:
        geometric |= op_index == names.index(name)
    matrices = _geometric_matrices(op_index, sign, strengths, n, images.dtype, images.device)
    out = torch.where(geometric[:, None, None, None], _affine(images, matrices), out)
    out = torch.where(chosen("brightness"), _blend(images, 0.0, factor("brightness")), out)
    gray = _grayscale(images)
    out = torch.where(chosen("color"), _blend(images, gray, factor("color")), out)
    mean = gray.mean(dim=(1, 2, 3), keepdim=True)
    out = torch.where(chosen("contrast"), _blend(images, mean, factor("contrast")), out)
    degenerate = _sharpness_degenerate(images)
    out = torch.where(chosen("sharpness"), _blend(images, degenerate, factor("sharpness")), out)
    bits = torch.full((n,), strengths["posterize"], device=images.device)
    out = torch.where(chosen("posterize"), _posterize(images, bits), out)
    solarized = torch.where(images >= strengths["solarize"], 1.0 - images, images)
    out = torch.where(chosen("solarize"), solarized, out)
    return torch.where(chosen("autocontrast"), _autocontrast(images), out)


_RAND_AUGMENT_CONSTRAINTS = {
    "n_ops": [Interval(numbers.Integral, 0, None, closed="left")],
    "magnitude": [Interval(numbers.Integral, 0, _N_BINS - 1, closed="both")],
    "mean": [None, "array-like", torch.Tensor],
    "std": [None, "array-like", torch.Tensor],
}


@validate_params(
    {"images": [torch.Tensor], "ops": [tuple, list]} | _RAND_AUGMENT_CONSTRAINTS,
    prefer_skip_nested_validation=True,
)
def rand_augment(images, n_ops=2, magnitude=9, *, mean=None, std=None, ops=RAND_AUGMENT_OPS):
    """RandAugment (Cubuk et al., 2020), batched: ``n_ops`` random operations per image.

    Every image draws, for each of the ``n_ops`` rounds, one operation uniformly among
    ``ops`` and a random sign of its strength, independently of the other images.
    Strengths at ``magnitude`` (0 to 30) follow torchvision's ``RandAugment`` (31
    bins): shear 0.3 m, translation 150/331 of the width, rotation 30 degrees,
    brightness/colour/contrast/sharpness factor ``1 +- 0.9 m``, posterize to
    ``8 - round(4 m)`` bits, solarize above ``1 - m`` (``m = magnitude / 30``).
    Geometric operations sample the nearest pixel around the image centre and fill
    with black (0 in pixel space).

    Parameters
    ----------
    images : torch.Tensor of shape (B, C, H, W)
        Pixels in [0, 1], or standardised pixels with ``mean`` and ``std`` given.
    n_ops : int, default=2
    magnitude : int, default=9
        In [0, 30].
    mean, std : array-like of shape (C,) or None, default=None
        Per-channel statistics the images were standardised with, one value per
        channel (finite, ``std`` positive): the operations run on
        ``images * std + mean`` and the result is standardised again.
    ops : tuple of str, default=RAND_AUGMENT_OPS
        A subset of :data:`RAND_AUGMENT_OPS`.

    Returns
    -------
    torch.Tensor of shape (B, C, H, W)

    Notes
    -----
    Departures from torchvision: Equalize is left out (a per-image histogram does
    not batch well); shears are about the image centre, not the corner; the
    contrast mean is the float mean of the grayscale image (PIL rounds it).

    References
    ----------
    .. [1] Cubuk, E. D., Zoph, B., Shlens, J., Le, Q. V. "RandAugment: Practical
       Automated Data Augmentation with a Reduced Search Space", CVPR Workshops 2020.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.augment import rand_augment
    >>> _ = torch.manual_seed(0)
    >>> rand_augment(torch.rand(16, 3, 32, 32), n_ops=2, magnitude=9).shape
    torch.Size([16, 3, 32, 32])
    """
    return _rand_augment(images, n_ops, magnitude, mean, std, ops)


# As augment=rand_augment (its defaults: pixels in [0, 1]), what fit checks, as for the
# RandAugment component: uint8 or standardised images would be clamped to [0, 1].
rand_augment.needs_images = True
rand_augment.pixel_range = (0.0, 1.0)


def _channel_statistics(mean, std, who):
    """``mean`` and ``std`` as float64 tensors of shape (C,), or ``(None, None)``.

    Refuses one given without the other, shapes other than one value per channel, and
    values that cannot be the statistics of a standardisation: the operations divide by
    the std.
    """
    if (mean is None) != (std is None):
        raise ValueError(f"{who} needs both mean and std, or neither.")
    if mean is None:
        return None, None
    try:
        mean_t = torch.as_tensor(mean, dtype=torch.float64)
        std_t = torch.as_tensor(std, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        mean_t = std_t = None
    if mean_t is None or mean_t.ndim != 1 or std_t.ndim != 1 or not len(mean_t):
        got = (
            f"mean={mean!r} and std={std!r}"
            if mean_t is None
            else f"a mean of shape {tuple(mean_t.shape)} and a std of shape {tuple(std_t.shape)}"
        )
        raise ValueError(
            f"{who} needs a mean and a std of one value per channel, each of shape "
            f"(n_channels,); got {got}."
        )
    if len(mean_t) != len(std_t):
        raise ValueError(
            f"{who}'s mean has {len(mean_t)} values and its std {len(std_t)}; give one "
            "of each per channel."
        )
    if not (torch.isfinite(mean_t).all() and torch.isfinite(std_t).all() and (std_t > 0).all()):
        raise ValueError(
            f"{who} needs finite means and positive, finite stds, those the images were "
            f"standardised with ((x - mean) / std); got mean={mean!r} and std={std!r}."
        )
    return mean_t, std_t


def _rand_augment(images, n_ops, magnitude, mean, std, ops=RAND_AUGMENT_OPS):
    _check_images(images, "rand_augment")
    mean, std = _channel_statistics(mean, std, "rand_augment")
    if not images.is_floating_point():
        raise ValueError(
            f"rand_augment works on float pixels; got images of dtype {images.dtype}. "
            "Scale uint8 images to [0, 1] first: images.float() / 255."
        )
    if mean is not None and len(mean) != images.shape[1]:
        raise ValueError(
            f"rand_augment was given a mean and std for {len(mean)} channels, but the images "
            f"have {images.shape[1]}."
        )
    unknown = sorted(set(ops) - set(RAND_AUGMENT_OPS))
    if unknown or not ops:
        raise ValueError(
            f"rand_augment ops must be a non-empty subset of {RAND_AUGMENT_OPS}; got {ops!r}."
        )
    n, c, h, w = images.shape
    if n == 0:  # torch's affine grid takes no empty batch
        return images.clone(memory_format=memory_format(images))
    device = images.device
    x = images
    if mean is not None:
        mean_t = mean.to(dtype=images.dtype, device=device).reshape(1, c, 1, 1)
        std_t = std.to(dtype=images.dtype, device=device).reshape(1, c, 1, 1)
        x = (x * std_t + mean_t).clamp(0.0, 1.0)
    strengths = _magnitudes(magnitude, h, w)
    allowed = torch.tensor([RAND_AUGMENT_OPS.index(o) for o in ops], device=device)
    for _ in range(n_ops):
        op_index = allowed[torch.randint(len(allowed), (n,), device=device)]
        sign = torch.where(torch.rand(n, device=device) < 0.5, -1.0, 1.0).to(images.dtype)
        x = _apply_op(x, op_index, sign, strengths)
    if mean is not None:
        x = (x - mean_t) / std_t
    return x.contiguous(memory_format=memory_format(images))


class RandAugment(Component):
    """Picklable :func:`rand_augment` with fixed settings, for ``augment=``.

    A :class:`~sklearn_imbalance_dl.registry.Component`: the estimator checks its
    parameters when it binds it at the start of ``fit`` (``bind()`` returns the checked
    copy it trains with).

    Optionally preceded by random crop and flip (``crop_flip=True``, the CIFAR
    recipe's base augmentation) and followed by :func:`cutout` (``cutout_size``).

    Parameters
    ----------
    n_ops : int, default=2
    magnitude : int, default=9
    mean, std : array-like of shape (C,) or None, default=None
        See :func:`rand_augment`.
    crop_flip : bool, default=True
    cutout_size : int or None, default=None
        Side of the :func:`cutout` square; refused, as there, where it would cover the
        whole of every image (16 suits 32x32 images, not 8x8 ones).

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.augment import RandAugment
    >>> _ = torch.manual_seed(0)
    >>> RandAugment(cutout_size=16)(torch.rand(4, 3, 32, 32)).shape
    torch.Size([4, 3, 32, 32])
    """

    needs_images = True

    _parameter_constraints = _RAND_AUGMENT_CONSTRAINTS | {
        "crop_flip": ["boolean"],
        "cutout_size": [None, Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self, n_ops=2, magnitude=9, *, mean=None, std=None, crop_flip=True, cutout_size=None
    ):
        self.n_ops = n_ops
        self.magnitude = magnitude
        self.mean = mean
        self.std = std
        self.crop_flip = crop_flip
        self.cutout_size = cutout_size

    def _validate(self):
        super()._validate()
        _channel_statistics(self.mean, self.std, "RandAugment")

    @property
    def n_channels(self):
        """The channels its ``mean`` and ``std`` are for, which ``fit`` checks (None: any)."""
        return None if self.mean is None else len(self.mean)

    @property
    def pixel_range(self):
        """``(low, high)``: the pixel values it works on, which ``fit`` checks.

        [0, 1] without ``mean`` and ``std``; with them, the standardised values of
        [0, 1] (``-mean / std`` to ``(1 - mean) / std``, over the channels).
        """
        mean, std = _channel_statistics(self.mean, self.std, "RandAugment")
        if mean is None:
            return 0.0, 1.0
        return float((-mean / std).min()), float(((1 - mean) / std).max())

    def _bind(self):
        self.checked_ = True

    def __call__(self, images):
        if not getattr(self, "checked_", False):  # called directly, not bound by fit
            self._validate()
        if self.crop_flip:
            images = random_crop_flip(images)
        images = _rand_augment(images, self.n_ops, self.magnitude, self.mean, self.std)
        if self.cutout_size is not None:
            images = _cutout(images, self.cutout_size, what="RandAugment's cutout_size")
        return images
