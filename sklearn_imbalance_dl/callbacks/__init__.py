"""skorch callbacks: per-class diagnostics of training."""

from ._diagnostics import ClassDiagnostics, class_diagnostics, plot_class_diagnostics

__all__ = ["ClassDiagnostics", "class_diagnostics", "plot_class_diagnostics"]
