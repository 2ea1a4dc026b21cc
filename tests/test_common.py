"""scikit-learn's own estimator checks, on the default estimator and on other configurations."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_imbalance_dl import ImbalancedNetClassifier

# Mini-batch training cannot pass this one: repeating a sample changes the batches and
# the number of steps, so a weighted fit and a fit on repeated rows take different
# optimisation paths (scikit-learn's own SGD-based estimators list it too).
EXPECTED_FAILED = {
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch SGD: weighting a sample is not the same path as repeating it"
    ),
}

CONFIGURATIONS = [
    ImbalancedNetClassifier(),
    ImbalancedNetClassifier(loss="ldam", schedule="drw", max_epochs=20),
    ImbalancedNetClassifier(loss="cri", schedule="ppl", max_epochs=20),
    ImbalancedNetClassifier(loss="arb", mixing="mfw", sampler="class_balanced", max_epochs=20),
    ImbalancedNetClassifier(
        loss="focal",
        sampler="sqrt",
        max_epochs=20,
        module__hidden_sizes=(64,),
        loss__gamma=2.0,
    ),
    ImbalancedNetClassifier(loss="ce", schedule="crt", max_epochs=20, schedule__epochs=5),
]


# float32 matrix products differ in the last bit with the batch size (1.5e-7 in the
# cosine logits); the cosine head's scale s=30 lifts that to ~3e-7 in the probabilities,
# above this check's 1e-7. test_subset_invariance_of_cosine_heads holds them to 1e-5.
COSINE_HEAD_EXPECTED_FAILED = {
    "check_methods_subset_invariance": "float32 last-bit differences scaled by s=30",
}


def expected_failed_checks(estimator):
    failed = dict(EXPECTED_FAILED)
    if estimator.loss in ("ldam", "cri"):
        failed.update(COSINE_HEAD_EXPECTED_FAILED)
    return failed


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_expected_failure_really_fails():
    """The listed check is listed because it fails, not to hide anything."""
    from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data

    with pytest.raises(AssertionError):
        check_sample_weight_equivalence_on_dense_data(
            "ImbalancedNetClassifier", ImbalancedNetClassifier(max_epochs=5, random_state=0)
        )


@pytest.mark.parametrize("loss, schedule", [("ldam", "drw"), ("cri", "ppl")])
def test_subset_invariance_of_cosine_heads(loss, schedule):
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=60, n_features=4, random_state=0)
    clf = ImbalancedNetClassifier(loss=loss, schedule=schedule, max_epochs=10, random_state=0)
    clf.fit(X, y)
    full = clf.predict_proba(X)
    by_batch = np.vstack([clf.predict_proba(X[i : i + 7]) for i in range(0, 60, 7)])
    np.testing.assert_allclose(by_batch, full, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(
        np.concatenate([clf.predict(X[i : i + 7]) for i in range(0, 60, 7)]), clf.predict(X)
    )
