"""Peak memory of ``predict`` and ``predict_proba`` on many rows of many classes.

Each is measured in a fresh process (``ru_maxrss`` is a process's peak), as the growth
of the peak over the call, in units of the logits' size (rows x classes x 4 bytes): what
an unbatched prediction would hold at least once. ``predict`` needs only a batch's
logits at a time; ``predict_proba`` returns rows x classes float64 (2 units).

    python benchmarks/predict_memory.py [--rows 200000] [--classes 1000]
"""

import argparse
import json
import subprocess
import sys

CHILD = """
import json, resource, sys, warnings
import numpy as np, torch
torch.set_num_threads(1)
warnings.filterwarnings("ignore")
from sklearn_imbalance_dl import ImbalancedNetClassifier

method, n_rows, n_classes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
y = np.repeat(np.arange(n_classes), 20)
X = rng.normal(size=(len(y), 20)).astype(np.float32)
clf = ImbalancedNetClassifier(max_epochs=1, random_state=0).fit(X, y)
X_new = rng.normal(size=(n_rows, 20)).astype(np.float32)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
getattr(clf, method)(X_new)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"growth_mib": (after - before) / 1024}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--classes", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error(f"--rows must be at least 1; got {args.rows}")
    if args.classes < 2:
        parser.error(f"--classes must be at least 2; got {args.classes}")
    logits_mib = args.rows * args.classes * 4 / 2**20
    print(f"{args.rows} rows x {args.classes} classes: logits {logits_mib:.0f} MiB")
    print("| method | peak growth (MiB) | in units of the logits |")
    print("|---|---|---|")
    for method in ("predict", "predict_proba"):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, method, str(args.rows), str(args.classes)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if out.returncode != 0:  # killed for memory, say: show why, not our own traceback
            sys.exit(f"`{method}` failed in its process ({out.returncode}):\n{out.stderr[-3000:]}")
        growth = json.loads(out.stdout.strip().splitlines()[-1])["growth_mib"]
        print(f"| `{method}` | {growth:.0f} | {growth / logits_mib:.2f} |")


if __name__ == "__main__":
    main()
