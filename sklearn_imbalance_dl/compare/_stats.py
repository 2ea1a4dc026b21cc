"""The significance of a difference between two methods scored on the same resamples."""

from typing import NamedTuple

import numpy as np

from .._validation import Interval, Real, validate_params

__all__ = ["TTestResult", "corrected_ttest"]


class TTestResult(NamedTuple):
    """Result of :func:`corrected_ttest`.

    Parameters
    ----------
    difference : float
        Mean of a - b.
    statistic : float
        The t statistic.
    pvalue : float
        Two-sided p-value.
    df : int
        Degrees of freedom, J - 1.
    """

    difference: float
    statistic: float
    pvalue: float
    df: int


@validate_params(
    {
        "scores_a": ["array-like"],
        "scores_b": ["array-like"],
        "n_train": [Interval(Real, 0, None, closed="neither")],
        "n_test": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def corrected_ttest(scores_a, scores_b, n_train, n_test):
    """Corrected resampled t-test (Nadeau and Bengio 2003) of paired resampled scores.

    Two methods scored on the same J train/test splits (folds of several
    cross-validation runs, or repeated random splits) give paired differences
    d_j = a_j - b_j. Their training sets overlap, so the differences are correlated
    and the plain paired t-test rejects far too often. Nadeau and Bengio [1]_ correct the
    variance of the mean by the ratio of test to training size:

    .. math::

        t = \\frac{\\bar d}{\\sqrt{\\left(\\frac{1}{J} + \\frac{n_2}{n_1}\\right)
            \\hat\\sigma^2}}

    with :math:`\\hat\\sigma^2` the sample variance of the d_j (ddof=1), n_1 the
    training and n_2 the test size, compared with Student's t with J - 1 degrees of
    freedom (two-sided). For k-fold cross-validation repeated r times, J = k r and
    n_2 / n_1 = 1 / (k - 1): Bouckaert and Frank's corrected repeated k-fold test [2]_.

    Parameters
    ----------
    scores_a, scores_b : array-like of shape (J,)
        Scores of the two methods, split by split (same order).
    n_train, n_test : int or float
        Training and test sizes of a split (their means when folds differ by one).

    Returns
    -------
    result : TTestResult
        ``difference`` (mean of a - b), ``statistic``, ``pvalue`` (two-sided) and
        ``df``. When every difference is the same, the variance is 0: the p-value is
        1 for a zero difference, 0 otherwise.

    Raises
    ------
    ValueError
        If the arrays differ in length, hold fewer than 2 pairs or non-finite values,
        or a size is not positive.

    References
    ----------
    .. [1] Nadeau, C. and Bengio, Y. (2003). Inference for the generalization error.
       Machine Learning 52(3), 239-281.
    .. [2] Bouckaert, R. R. and Frank, E. (2004). Evaluating the replicability of
       significance tests for comparing learning algorithms. PAKDD 2004, 3-12.

    Examples
    --------
    >>> from sklearn_imbalance_dl.compare import corrected_ttest
    >>> a = [0.80, 0.82, 0.78, 0.84, 0.81]
    >>> b = [0.76, 0.80, 0.77, 0.79, 0.78]
    >>> result = corrected_ttest(a, b, n_train=80, n_test=20)
    >>> round(result.difference, 3), round(result.pvalue, 3)
    (0.03, 0.047)
    """
    from scipy import stats

    try:
        a = np.asarray(scores_a, dtype=float).ravel()
        b = np.asarray(scores_b, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"scores_a and scores_b must be sequences of numbers, one per split ({exc})."
        ) from None
    if a.shape != b.shape:
        raise ValueError(
            f"scores_a and scores_b must be paired, split by split; got {a.size} and {b.size} "
            "scores."
        )
    if a.size < 2:
        raise ValueError(f"The test needs at least 2 paired scores; got {a.size}.")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("The scores must be finite numbers.")
    if not (n_train > 0 and n_test > 0):
        raise ValueError(f"n_train and n_test must be positive; got {n_train} and {n_test}.")
    d = a - b
    J = d.size
    mean = float(d.mean())
    variance = float(d.var(ddof=1))
    df = J - 1
    if variance == 0.0:
        statistic = 0.0 if mean == 0 else float(np.copysign(np.inf, mean))
        return TTestResult(mean, statistic, float(mean == 0), df)
    t = mean / np.sqrt((1.0 / J + n_test / n_train) * variance)
    p = 2.0 * stats.t.sf(abs(t), df)
    return TTestResult(mean, float(t), float(p), df)
