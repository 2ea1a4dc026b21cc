"""pandas options that only some supported pandas releases have."""

import pandas as pd


def has_infer_string_option():
    """Whether pandas has the ``future.infer_string`` option (2.1 and later)."""
    try:
        pd.get_option("future.infer_string")
    except pd.errors.OptionError:
        return False
    return True
