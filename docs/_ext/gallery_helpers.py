"""Helpers of the gallery build, named by string in ``sphinx_gallery_conf``."""

import os

# Examples first in this order; any other example (a new file) follows by file name.
_ORDER = (
    "plot_tabular_dataframe.py",
    "plot_tabular_smote_cv.py",
    "plot_grid_search_losses.py",
    "plot_class_diagnostics.py",
    "plot_sampler_pytorch_loop.py",
    "plot_resnet32_digits_lt.py",
    "plot_cifar10_lt_recipe.py",
)


class ExampleOrder:
    """Sort key of sphinx-gallery: the order above, then the rest by file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = os.path.basename(filename)
        rank = _ORDER.index(name) if name in _ORDER else len(_ORDER)
        return (rank, name)

    def __repr__(self):
        return f"<{type(self).__name__}>"


def reset_torch(gallery_conf, fname):
    """One torch thread per example: the build time stays bounded on a shared machine."""
    import torch

    torch.set_num_threads(1)
