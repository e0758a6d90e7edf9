"""How one total is split among many assets of a kind: in proportion to a weight, never above a cap.

Batteries share charge and discharge by their room (SoC band x capacity), inverters share
curtailed output by their rating; either way an asset's own power limit binds, and what it
cannot take goes to the others ("water filling"). The parts always add up to the total
(up to the caps), so the setpoints sent to the assets sum to what the balancer decided.
"""

from __future__ import annotations

import math
from typing import Sequence

LEFT_OVER_RATIO = 1e-9  # what the weighted entries leave below this share of the total is rounding, not power


def share(total: float, weights: Sequence[float], caps: Sequence[float]) -> list[float]:
    """Split `total` (>= 0) into parts proportional to `weights`, each at most its cap (>= 0).

    Entries with no cap get nothing. When every weight of an entry that could take power is
    zero (unknown sizes), the caps themselves are the weights; entries of zero weight beside
    weighted ones take, by their caps, only what the weighted ones cannot. If the caps add up to less than
    `total`, every entry gets its cap. O(n log n): entries are capped in the order of cap/weight.
    """
    count = len(caps)
    if count == 1:  # one asset of the kind (most sites): the steps below for one entry, without the lists
        cap = caps[0]
        if total <= 0 or not cap > 0:
            return [0.0]
        use = weights[0] if weights[0] > 0 else float(cap)
        level = total * (use / use)
        return [min(cap, level) if level < cap else cap]
    parts = [0.0] * count
    open_ = [i for i in range(count) if caps[i] > 0]
    if total <= 0 or not open_:
        return parts
    use = [weights[i] if weights[i] > 0 else 0.0 for i in range(count)]
    if not any(use[i] > 0 for i in open_):
        use = [float(cap) for cap in caps]
    # The entry that fills first at a common level (part = level x weight) is the one with the smallest cap/weight.
    order = sorted((i for i in open_ if use[i] > 0), key=lambda i: math.log(caps[i]) - math.log(use[i]))  # cap/weight
    weight_after = [0.0] * (len(order) + 1)  # summed from the end: a tiny weight beside a big one is not lost
    for position in range(len(order) - 1, -1, -1):
        weight_after[position] = weight_after[position + 1] + use[order[position]]
    left = total
    for position, i in enumerate(order):
        weight = weight_after[position]
        if left * (use[i] / weight) < caps[i]:  # nobody from here on reaches a cap: the rest share at one level
            for j in order[position:]:  # (weight ratios, never left / weight: tiny weights must not overflow)
                parts[j] = min(caps[j], left * (use[j] / weight))
            # all of it, but where a subnormal weight's ratio rounded to nothing (5e-324 / 2): what it could
            # not take is the unweighted entries' (a rounding's crumbs are not handed on)
            left -= sum(parts[j] for j in order[position:])
            break
        parts[i] = caps[i]
        left -= caps[i]
    unweighted = [i for i in open_ if use[i] <= 0]  # they take what the weighted ones cannot, by their caps
    if left > LEFT_OVER_RATIO * total and unweighted:
        for i, part in zip(unweighted, share(left, [caps[i] for i in unweighted], [caps[i] for i in unweighted])):
            parts[i] = part
    return parts
