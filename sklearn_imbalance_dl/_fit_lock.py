"""The lock that the fits of one process take turns at.

A fit sets state that Python and the libraries keep per process, not per thread:
torch draws weights, dropout masks and shuffles from one generator per process (each
fit seeds it and restores the state it found), ``compare`` records each fit's warnings
with ``warnings.catch_warnings``, which swaps the whole process's filters and display,
and sets the numbers of torch and BLAS threads. Fits in threads of one process (a
threading backend, a Dask worker's threads) whose blocks overlapped would put back each
other's state; so they take turns. Processes (joblib's default backend, Dask workers of
one thread) run side by side.

Read it as ``_fit_lock.FIT_LOCK`` at the time of use: a forked child gets a new one.
"""

import os
import threading

# Re-entrant: compare's fit of an ImbalancedNetClassifier takes it again.
FIT_LOCK = threading.RLock()


def _new_lock_in_child():
    # A child forked while another thread held it would wait for it forever.
    global FIT_LOCK
    FIT_LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):  # (not on Windows, which does not fork)
    os.register_at_fork(after_in_child=_new_lock_in_child)
