"""The phase function shared by the PPL schedule (re-weighting) and PPmix (mixing)."""

from ._validation import InvalidParameterError


def phase_progress(epoch, start, end, power):
    """Progress through the window ``(start, end)``: 0 before, 1 after, ``r**power`` inside.

    ``r = (epoch - start) / (end - start)``; ``epoch`` is 0-based and ``start``/``end``
    are epochs (possibly fractional), as in Xu et al. (2022): q(e) for PPW with
    ``power=alpha``, rho(e) for PPmix with ``power=beta``.
    """
    if epoch <= start:
        return 0.0
    if epoch >= end:
        return 1.0
    return ((epoch - start) / (end - start)) ** power


def check_phase_window(component):
    """A phase window (``start``, ``end``: fractions of the epochs) must not end early."""
    if component.end < component.start:
        raise InvalidParameterError(
            f"The 'end' parameter of {type(component).__name__} must be a float in the "
            f"range [start, 1] = [{component.start}, 1]. Got {component.end!r} instead."
        )
