"""Decode the shared JPEG copy of CIFAR-10 into an ``.npz`` that ``load_cifar10_lt`` reads.

The source (``../shared/data/cifar10-jpeg.npz``, see its README) holds every image's
JPEG bytes; this script decodes them once with Pillow and writes
``data_cache/cifar10.npz`` with ``X_train`` (50000, 32, 32, 3), ``y_train``,
``X_test`` (10000, 32, 32, 3), ``y_test`` (uint8 images, int64 labels) and
``classes``. ``data_cache/`` is ignored by git.

Usage::

    python benchmarks/prepare_cifar10.py            # skips if the output exists
    python benchmarks/prepare_cifar10.py --force    # rebuild

Then::

    from sklearn_imbalance_dl.datasets import load_cifar10_lt
    X_train, y_train, X_test, y_test = load_cifar10_lt("data_cache/cifar10.npz")

Note: the JPEG copy is lossy; accuracies can differ slightly from papers that used
the original CIFAR-10 files.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "cifar10-jpeg.npz"
DEFAULT_OUTPUT = REPO_ROOT / "data_cache" / "cifar10.npz"
SOURCE_KEYS = (
    "train_jpeg",
    "train_offsets",
    "train_labels",
    "test_jpeg",
    "test_offsets",
    "test_labels",
)


def decode_split(jpeg, offsets):
    """Decode concatenated JPEG blobs into a uint8 array of shape (N, 32, 32, 3)."""
    from PIL import Image

    n = offsets.shape[0] - 1
    images = np.empty((n, 32, 32, 3), dtype=np.uint8)
    for i in range(n):
        blob = jpeg[offsets[i] : offsets[i + 1]].tobytes()
        with Image.open(io.BytesIO(blob)) as img:
            arr = np.asarray(img.convert("RGB"))
        if arr.shape != (32, 32, 3):
            raise ValueError(f"Image {i} decodes to shape {arr.shape}, expected (32, 32, 3).")
        images[i] = arr
    return images


def convert(source, output):
    """Decode ``source`` and write the arrays to ``output``; return them as a dict."""
    with np.load(source, allow_pickle=False) as src:
        missing = [k for k in SOURCE_KEYS if k not in src.files]
        if missing:
            raise ValueError(
                f"'{source}' lacks {missing}; found {sorted(src.files)}. Expected the "
                "cifar10-jpeg.npz format described in shared/data/README.md."
            )
        arrays = {}
        for split in ("train", "test"):
            arrays[f"X_{split}"] = decode_split(src[f"{split}_jpeg"], src[f"{split}_offsets"])
            arrays[f"y_{split}"] = src[f"{split}_labels"].astype(np.int64)
        if "classes" in src.files:
            arrays["classes"] = src["classes"].astype(str)

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, output)  # never leave a half-written cache behind
    return arrays


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help="cifar10-jpeg.npz (%(default)s)"
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="decoded .npz (%(default)s)"
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if output exists")
    args = parser.parse_args(argv)

    if args.output.exists() and not args.force:
        print(f"{args.output} exists; skipping (use --force to rebuild).")
        return 0
    if not args.source.is_file():
        print(f"error: source file '{args.source}' not found.", file=sys.stderr)
        return 1

    start = time.perf_counter()
    arrays = convert(args.source, args.output)
    elapsed = time.perf_counter() - start
    means = arrays["X_train"].reshape(-1, 3).mean(axis=0) / 255.0
    print(
        f"wrote {args.output}: train {arrays['X_train'].shape}, test "
        f"{arrays['X_test'].shape}, train per-class counts "
        f"{np.bincount(arrays['y_train']).tolist()}, test per-class counts "
        f"{np.bincount(arrays['y_test']).tolist()}"
    )
    print(
        "train per-channel mean (RGB, [0, 1]): "
        + ", ".join(f"{m:.4f}" for m in means)
        + f"; {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
