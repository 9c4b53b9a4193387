"""What reading a Yjs update (format v1) reports, and the format's parts both readers share."""

from __future__ import annotations

from dataclasses import dataclass

Ranges = dict[int, list[tuple[int, int]]]

MAX_CLOCK = 2**32

# Content refs are the low five bits of a struct's info byte (yjs src/structs/Item.js).
GC_REF, SKIP_REF = 0, 10
HAS_ORIGIN, HAS_RIGHT_ORIGIN, HAS_PARENT_SUB = 0x80, 0x40, 0x20


@dataclass(frozen=True, slots=True)
class UpdateInfo:
    """What an update carries: clock ranges per client, its delete set, and what it writes to.

    ``structs`` holds Items and GCs (they claim their clocks); ``skips`` holds Skip structs,
    which carry no content and claim nothing. Ranges are ``(clock, length)``. ``needs`` maps
    a client to the clock a doc's state vector must reach before the update applies in full,
    not counting the clocks a Skip passes over (``check_update`` refuses a Skip the server's
    vector does not cover before a struct).
    ``chars`` counts the code points of the text the update inserts (as ``len`` does).

    Boundaries are ids ``(client, clock)`` naming the gap just before that clock. ``cuts``
    are the gaps the update splits text at (beside an origin, at each end of a deletion);
    ``pairs`` are the gaps inside the UTF-16 surrogate pairs of the text it inserts.
    """

    structs: Ranges
    skips: Ranges
    deletes: Ranges
    roots: frozenset[str]  # names of the root types that parentless items attach to
    kinds: frozenset[str]  # content kinds of the items, e.g. "string", "deleted", "embed"
    nested: bool  # some item sits inside another item (a nested type) or under a map key
    needs: dict[int, int]
    cuts: tuple[tuple[int, int], ...] = ()
    pairs: tuple[tuple[int, int], ...] = ()
    chars: int = 0

    @property
    def writers(self) -> frozenset[int]:
        """Client ids under which the update carries Items or GCs."""
        return frozenset(client for client, ranges in self.structs.items() if ranges)


def _add_range(ranges: Ranges, client: int, clock: int, length: int) -> None:
    spans = ranges.setdefault(client, [])
    if spans and spans[-1][0] + spans[-1][1] == clock:
        spans[-1] = (spans[-1][0], spans[-1][1] + length)
    else:
        spans.append((clock, length))


def _pair_gaps(client: int, clock: int, text: str, out: list[tuple[int, int]]) -> int:
    """Add the gaps inside ``text``'s surrogate pairs, written from ``clock``; its length."""
    unit = clock
    for char in text:
        if char > "\uffff":
            out.append((client, unit + 1))
            unit += 2
        else:
            unit += 1
    return unit - clock


def _deletion_cuts(deletes: Ranges) -> list[tuple[int, int]]:
    cuts = [(client, clock) for client, spans in deletes.items() for clock, _ in spans]
    return cuts + [(client, clock + n) for client, spans in deletes.items() for clock, n in spans]


def _needs(refs: list[tuple[int, int]], structs: Ranges) -> dict[int, int]:
    """The state each referenced client must reach, apart from what the update brings."""
    needs: dict[int, int] = {}
    for client, end in refs:
        for start, length in structs.get(client, ()):
            if start < end <= start + length:
                end = start  # inside this update: only what precedes it is needed
                break
        if end > needs.get(client, 0):
            needs[client] = end
    return needs
