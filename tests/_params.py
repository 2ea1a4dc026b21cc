"""Checking scikit-learn's ``InvalidParameterError`` messages in tests.

scikit-learn lists the options of a ``StrOptions`` in the order of a Python set, which
changes with the hash seed of the process; the helper sorts them before comparing, so a
test can state the whole message with the options in alphabetical order.
"""

import re

import pytest
from sklearn.utils._param_validation import InvalidParameterError


def normalised(message):
    """``message`` with the items of every ``{...}`` sorted."""
    return re.sub(
        r"\{([^{}]*)\}",
        lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}",
        message,
    )


def assert_invalid_parameter(call, message):
    """``call()`` raises scikit-learn's ``InvalidParameterError`` with exactly ``message``."""
    with pytest.raises(InvalidParameterError) as excinfo:
        call()
    got = normalised(str(excinfo.value))
    assert got == message, f"got:      {got}\nexpected: {message}"
