"""Prints the EXPECTED table of tests/test_fingerprint.py (run by hand, on one thread)."""

import torch

from tests.test_fingerprint import CONFIGURATIONS, fingerprint

torch.set_num_threads(1)
for name, params in CONFIGURATIONS.items():
    values = ", ".join(f"{v:.6g}" for v in fingerprint(params))
    print(f"    {name!r}: [{values}],")
