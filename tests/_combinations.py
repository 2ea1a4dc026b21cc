"""The loss × schedule × mixing combinations the tests cover, and which are invalid."""

import itertools

LOSS_NAMES = [
    "ce", "weighted_ce", "class_balanced", "focal", "ldam",
    "logit_adjusted", "balanced_softmax", "cri", "arb",
]  # fmt: skip
SCHEDULES = [None, "drw", "ppw", "ppl", "crt"]
MIXINGS = [None, "mixup", "remix", "mfw"]
BALANCING_LOSSES = {"weighted_ce", "class_balanced", "logit_adjusted", "balanced_softmax", "arb"}


def invalid_reason(loss, schedule, mixing):
    """The regex of the error an invalid combination raises, or None when it is valid."""
    if schedule == "ppl" and mixing is not None:
        return rf"schedule='ppl'.*mixing='{mixing}'"
    if schedule in ("drw", "ppw", "ppl") and loss in BALANCING_LOSSES:
        return rf"schedule='{schedule}'.*loss='{loss}'"
    return None


def pairwise_cover(combinations):
    """A small subset holding every (loss, schedule), (loss, mixing), (schedule, mixing)
    pair that some combination holds (greedy, deterministic)."""

    def pairs(c):
        return {(0, c[0], 1, c[1]), (0, c[0], 2, c[2]), (1, c[1], 2, c[2])}

    missing = set().union(*map(pairs, combinations))
    chosen = []
    while missing:
        best = max(combinations, key=lambda c: len(pairs(c) & missing))
        chosen.append(best)
        missing -= pairs(best)
    return chosen


COMBINATIONS = list(itertools.product(LOSS_NAMES, SCHEDULES, MIXINGS))
VALID = [c for c in COMBINATIONS if invalid_reason(*c) is None]
PAIRWISE = pairwise_cover(VALID)
