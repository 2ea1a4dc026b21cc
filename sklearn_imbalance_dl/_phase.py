"""The phase function shared by the PPL schedules (re-weighting, sampling) and PPmix."""

from ._validation import Interval, InvalidParameterError, Real


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


class PhaseWindow:
    """Mixin of a component laid out on a window of the epochs it is bound to
    (``n_epochs_``): ``start`` and ``end``, fractions of the epochs, and ``power``, the
    exponent of its progress through the window."""

    _parameter_constraints = {
        "start": [Interval(Real, 0, 1, closed="both")],
        "end": [Interval(Real, 0, 1, closed="both")],
        "power": [Interval(Real, 0, None, closed="neither")],
    }

    def _validate(self):
        super()._validate()
        if self.end < self.start:  # a window must not end before it starts
            raise InvalidParameterError(
                f"The window of {type(self).__name__} ends before it starts: start="
                f"{self.start!r}, end={self.end!r} (fractions of the epochs; the "
                "estimator's schedule__start and schedule__end). Give a start at most "
                "its end."
            )

    def progress(self, epoch):
        """0 up to the window, ``r(e) ** power`` inside it, 1 after it.

        Parameters
        ----------
        epoch : int
            The 0-based epoch.

        Returns
        -------
        float
        """
        return phase_progress(
            epoch, self.start * self.n_epochs_, self.end * self.n_epochs_, self.power
        )
