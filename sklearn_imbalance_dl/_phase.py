"""The phase function shared by the PPL schedule (re-weighting) and PPmix (mixing)."""


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


def current_epoch(net):
    """0-based index of the epoch in progress (skorch adds its history row first)."""
    return len(net.history) - 1
