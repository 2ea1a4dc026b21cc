"""Shared test set-up."""

import torch

# The suite runs on 2 cores with pytest-xdist (2 workers): one torch thread per worker
# avoids oversubscription, and the small networks here are fastest on one thread.
torch.set_num_threads(1)


def pytest_collection_modifyitems(items):
    # The slow end-to-end tests first: pytest-xdist hands tests out in collection order,
    # so the long ones start early, on both workers, and the many short ones fill the end.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
