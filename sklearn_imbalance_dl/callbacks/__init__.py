"""skorch callbacks: per-class diagnostics of training, weight averaging."""

from ._diagnostics import ClassDiagnostics, class_diagnostics, plot_class_diagnostics
from ._weight_averaging import EMA, SWA, WeightAveraging

__all__ = [
    "EMA",
    "SWA",
    "ClassDiagnostics",
    "WeightAveraging",
    "class_diagnostics",
    "plot_class_diagnostics",
]
