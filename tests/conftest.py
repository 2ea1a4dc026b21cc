"""Shared test set-up."""

import torch

# The suite runs on 2 cores with pytest-xdist (2 workers): one torch thread per worker
# avoids oversubscription, and the small networks here are fastest on one thread.
torch.set_num_threads(1)
