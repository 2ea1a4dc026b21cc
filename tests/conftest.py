"""Shared test set-up."""

import pandas as pd
import pytest
import torch
from _pandas_options import has_infer_string_option

# The suite runs on 2 cores with pytest-xdist (2 workers): one torch thread per worker
# avoids oversubscription, and the small networks here are fastest on one thread.
torch.set_num_threads(1)


@pytest.fixture
def pandas_3_text():
    """Text as pandas 3 holds it by default: its str dtype (future.infer_string), and
    copy-on-write (arrays read from a DataFrame can be read-only views). Set through the
    options of pandas 2.x that have them, so that the main environment tests it too."""
    if int(pd.__version__.split(".")[0]) >= 3:
        yield
        return
    if not has_infer_string_option():
        pytest.skip("pandas without the future.infer_string option")
    with pd.option_context("future.infer_string", True, "mode.copy_on_write", True):
        yield
