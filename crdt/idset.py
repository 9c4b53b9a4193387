"""Sets of Yjs ids (client, clock) as merged clock intervals per client."""

from __future__ import annotations

from bisect import bisect_right


class IdSet:
    """Which (client, clock) ids a set holds, kept as sorted, disjoint, merged intervals."""

    def __init__(self) -> None:
        self._starts: dict[int, list[int]] = {}
        self._ends: dict[int, list[int]] = {}

    def add(self, client: int, clock: int, length: int) -> None:
        """Add ids clock .. clock + length - 1 of ``client``."""
        if length <= 0:
            return
        starts = self._starts.setdefault(client, [])
        ends = self._ends.setdefault(client, [])
        lo, hi = clock, clock + length
        first = bisect_right(ends, lo - 1)  # first interval that ends at or after lo
        last = bisect_right(starts, hi)  # intervals from here on start after hi
        if first < last:
            lo = min(lo, starts[first])
            hi = max(hi, ends[last - 1])
        starts[first:last] = [lo]
        ends[first:last] = [hi]

    def covers(self, client: int, clock: int, length: int) -> bool:
        """Whether every id clock .. clock + length - 1 of ``client`` is in the set."""
        if length <= 0:
            return True
        starts = self._starts.get(client)
        if not starts:
            return False
        index = bisect_right(starts, clock) - 1
        return index >= 0 and self._ends[client][index] >= clock + length
