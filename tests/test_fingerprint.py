"""Regression guard: predict_proba of short fixed-seed fits on digits-LT, in float64.

Every loss, schedule, mixing and sampler below is trained for 4 epochs (about 20 steps)
of a small MLP, in float64 on one thread, and its probabilities on five test images are
compared with the table. A refactor must keep them to rounding level; a change of a
method's formula moves them by far more: LDAM's margin exponent 1/4 -> 0.2501 moves the
``ldam_drw`` and ``cri_ppl`` rows by up to 4 % and 1 % (relative), the logit
adjustment's tau times 1.01 the ``logit_adjusted_posthoc`` row by 3 %. A change of
behaviour on purpose updates the table (``python -m tests.test_fingerprint`` prints it)
in the same commit, with the reason.

Why float64 and SGD. CPUs differ in the last bits of their kernels (vectorised exp and
log, the blocking of matrix products, the order of parallel sums), and training
amplifies those differences. Measured here, the same fits in float32 with AdamW moved
by up to 0.5 % (28 % for the cosine-head losses) between ``ATEN_CPU_CAPABILITY=default``
and ``avx512``, or between 1 and 2 threads, so a float32 table holds only on the
machine that recorded it. In float64 with SGD the same settings move them by at most
1.2e-13 (3e-15 for the linear-head losses). AdamW, which divides each gradient by its
own running size, turns rounding noise in near-zero gradients into steps of the
learning rate's size: 6e-11 in float64 (1e-7 for the cosine-head losses). So the
methods run under SGD (``RTOL``), and one configuration keeps the estimator's default
optimizer, AdamW, at a tolerance 1000 times the spread measured for it (``RTOL_ADAMW``).
"""

import contextlib
import warnings

import numpy as np
import pytest
import torch

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.datasets import load_digits_lt

# Every setting the table depends on is pinned, so that a change of the estimator's
# defaults does not move these numbers.
PINNED = {"loss": "ce", "lr_schedule": "constant", "lr": 0.05, "optimizer": "sgd"}

CONFIGURATIONS = {
    "ce": {},
    "ldam_drw": {"loss": "ldam", "schedule": "drw"},
    "cri_ppl": {"loss": "cri", "schedule": "ppl"},
    "arb_mfw": {"loss": "arb", "mixing": "mfw", "sampler": "class_balanced"},
    "focal_sqrt": {"loss": "focal", "loss__gamma": 1.0, "sampler": "sqrt"},
    "ce_crt_warmup": {
        "schedule": "crt",
        "lr_schedule": "warmup_step",
        "lr_schedule__warmup_epochs": 2,
    },
    "logit_adjusted_posthoc": {"loss": "logit_adjusted", "posthoc_tau": 1.0},
    "ce_adamw": {"optimizer": "adamw", "lr": 1e-3},
}

# Relative tolerances: about 1e4 times the largest spread measured between kernel
# settings and thread counts under SGD (1.2e-13), 1000 times that under AdamW (6e-11).
RTOL = 1e-9
RTOL_ADAMW = 1e-7


@contextlib.contextmanager
def float64_on_one_thread():
    """Train and predict in float64 on one thread; restore torch's settings after."""
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_default_dtype(dtype)
        torch.set_num_threads(threads)


def fingerprint(params):
    X, y, X_test, _ = load_digits_lt(imbalance_ratio=100)
    clf = ImbalancedNetClassifier(
        module="mlp",
        module__hidden_sizes=(32,),
        max_epochs=4,
        batch_size=64,
        random_state=0,
        **{**PINNED, **params},
    )
    with float64_on_one_thread(), warnings.catch_warnings():
        # logit_adjusted_posthoc balances twice on purpose: one row, two adjustments.
        warnings.filterwarnings("ignore", message=".*balanced twice")
        # A pinned short run keeps cRT's 10 re-training epochs after its 4.
        warnings.filterwarnings("ignore", message="schedule='crt' re-trains the classifier for")
        clf.fit(X, y)
        assert next(clf.net_.module_.parameters()).dtype == torch.float64
        # Five test images of different digits, all ten probabilities each.
        return clf.predict_proba(X_test[[0, 57, 113, 260, 431]]).ravel()[::7]


# Recorded with torch 2.13.0 on the CPU; see the module's docstring.
EXPECTED = {
    "ce": [
        0.9994214141494,
        1.948257581755e-05,
        0.003975388454549,
        0.06679099685055,
        0.01485471973444,
        0.00534638530744,
        0.02459705518613,
        0.008687873088517,
    ],
    "ldam_drw": [
        0.9999993616364,
        3.696712892474e-10,
        1.514658290894e-07,
        1.518328530158e-08,
        1.376975534498e-05,
        0.008843436821088,
        1.707948458837e-05,
        0.9734875071973,
    ],
    "cri_ppl": [
        0.8615614433211,
        8.420060975011e-11,
        0.0001593017280252,
        0.01255995608537,
        1.496467141454e-07,
        2.40767422177e-08,
        0.0003036191395338,
        1.985333931091e-06,
    ],
    "arb_mfw": [
        0.6788697276107,
        0.0198863983051,
        0.02721556946149,
        0.06767429631513,
        0.06111625493839,
        0.1802176822169,
        0.05377442168887,
        0.1178927873661,
    ],
    "focal_sqrt": [
        0.9397565202513,
        0.002668925022996,
        0.005233234237887,
        0.07327064183329,
        0.02355329584484,
        0.02246179151343,
        0.02210910057298,
        0.02965655640772,
    ],
    "ce_crt_warmup": [
        0.9514613756564,
        0.001452263065858,
        0.008126551214595,
        0.03573599996582,
        0.04364423762714,
        0.08000332508301,
        0.01148718506232,
        0.06311985198597,
    ],
    "logit_adjusted_posthoc": [
        0.1045575934142,
        0.09531394324614,
        0.007616001375504,
        0.001946564385139,
        0.1324098218233,
        0.0489547055406,
        0.002848223515948,
        0.4796336467013,
    ],
    "ce_adamw": [
        0.1963478167096,
        0.08340007260678,
        0.07675631482588,
        0.08855396213915,
        0.07437943647284,
        0.09609407251298,
        0.0814740306898,
        0.09591142171002,
    ],
}


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_predict_proba_fingerprint(name):
    rtol = RTOL_ADAMW if CONFIGURATIONS[name].get("optimizer") == "adamw" else RTOL
    np.testing.assert_allclose(fingerprint(CONFIGURATIONS[name]), EXPECTED[name], rtol=rtol)


def test_the_guard_leaves_torch_settings_as_they_were():
    dtype, threads = torch.get_default_dtype(), torch.get_num_threads()
    with pytest.raises(RuntimeError), float64_on_one_thread():
        assert torch.get_default_dtype() == torch.float64 and torch.get_num_threads() == 1
        raise RuntimeError
    assert torch.get_default_dtype() == dtype and torch.get_num_threads() == threads
    assert torch.zeros(1).dtype == dtype


if __name__ == "__main__":
    for name, params in CONFIGURATIONS.items():
        values = ", ".join(f"{v:.13g}" for v in fingerprint(params))
        print(f"    {name!r}: [{values}],")
