"""GPU checks: run where CUDA is present (``pytest -m gpu``), skipped elsewhere."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.datasets import load_digits_lt

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


@pytest.fixture(scope="module")
def digit_images():
    return load_digits_lt(imbalance_ratio=10, as_images=True)


@pytest.mark.parametrize(
    "params",
    [
        {"loss": "ldam", "schedule": "drw", "mixing": "mfw"},
        {"module": "resnet32", "augment": "crop_flip", "channels_last": True, "max_epochs": 2},
    ],
    ids=["mlp-ldam-drw-mfw", "resnet32"],
)
def test_fast_path_matches_normal_path_on_cuda(digit_images, params):
    X, y, X_test, y_test = digit_images
    params = {"max_epochs": 5, "random_state": 0, "device": "cuda", **params}
    # cuDNN picks convolution algorithms that are not deterministic run to run (measured
    # on an H100: two fits of one path differ by up to 0.01 in probabilities). The two
    # paths are held to what two fits of the fast path differ by.
    fast = ImbalancedNetClassifier(**params).fit(X, y).predict_proba(X_test)
    again = ImbalancedNetClassifier(**params).fit(X, y).predict_proba(X_test)
    normal = ImbalancedNetClassifier(**params).fit(TensorDataset(torch.as_tensor(X)), y)
    normal = normal.predict_proba(X_test)
    run_to_run = np.abs(fast - again).max()
    np.testing.assert_allclose(normal, fast, rtol=0, atol=max(1e-3, 3 * run_to_run))
    agreement = (fast.argmax(1) == normal.argmax(1)).mean()
    assert agreement >= min(0.99, (fast.argmax(1) == again.argmax(1)).mean() - 0.01)


def test_cuda_model_predicts_in_a_cpu_only_process(digit_images, tmp_path):
    X, y, X_test, _ = digit_images
    clf = ImbalancedNetClassifier(
        loss="cri", schedule="ppl", max_epochs=3, device="cuda", random_state=0
    ).fit(X, y)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(clf))
    np.save(tmp_path / "X.npy", X_test)
    expected = clf.predict_proba(X_test)
    script = (
        "import pickle, sys, warnings, numpy as np, torch\n"
        "assert not torch.cuda.is_available()\n"
        "warnings.simplefilter('ignore')\n"
        "model, X, out = sys.argv[1:]\n"
        "clf = pickle.load(open(model, 'rb'))\n"
        "np.save(out, clf.predict_proba(np.load(X)))\n"
    )
    args = [str(path), str(tmp_path / "X.npy"), str(tmp_path / "proba.npy")]
    # The same environment (PYTHONPATH, virtual environment, ...) without a GPU.
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", script, *args], check=True, env=env)
    # cuDNN convolves in TF32 by default on Ampere and later, the CPU in float32:
    # measured on an H200, up to 1.2e-3 apart in probability after 3 epochs.
    np.testing.assert_allclose(np.load(tmp_path / "proba.npy"), expected, rtol=0, atol=5e-3)


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_resnet_on_cuda(digit_images, precision):
    X, y, X_test, _ = digit_images
    clf = ImbalancedNetClassifier(
        module="resnet32",
        precision=precision,
        channels_last=True,
        max_epochs=2,
        device="cuda",
        random_state=0,
    ).fit(X, y)
    assert np.all(np.isfinite(clf.predict_proba(X_test)))


def test_a_precision_of_ones_own_for_float16_scales_the_loss_on_cuda(digit_images):
    from sklearn_imbalance_dl import register
    from sklearn_imbalance_dl.registry import _TABLE

    X, y, _, _ = digit_images
    register("precision", "scratch_half")(torch.float16)
    try:
        clf = ImbalancedNetClassifier(
            precision="scratch_half", max_epochs=1, device="cuda", random_state=0
        ).fit(X, y)
    finally:
        del _TABLE["precision"]["scratch_half"]
    assert isinstance(clf.net_.scaler_, torch.amp.GradScaler)


def test_inductor_compiled_training_on_cuda(digit_images):
    # Inductor generates and compiles the kernels (Triton on CUDA); the CPU test of
    # compile traces without code generation (tests/test_fast_path.py).
    X, y, X_test, _ = digit_images
    params = dict(module="mlp", module__hidden_sizes=(16,), mixing="mfw", max_epochs=2)
    params.update(device="cuda", random_state=0)
    compiled = ImbalancedNetClassifier(compile=True, **params).fit(X, y)
    plain = ImbalancedNetClassifier(**params).fit(X, y)
    assert isinstance(compiled.net_.module_, torch._dynamo.eval_frame.OptimizedModule)
    # Fused kernels round differently; two epochs carry it to ~4e-4 in the probabilities
    # (measured on the CPU).
    np.testing.assert_allclose(
        compiled.predict_proba(X_test), plain.predict_proba(X_test), rtol=0, atol=5e-3
    )
    restored = pickle.loads(pickle.dumps(compiled))
    np.testing.assert_array_equal(restored.predict(X_test), compiled.predict(X_test))
