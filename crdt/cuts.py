"""Paragraph cuts made from the previous one: only what an edit changed is walked again.

Cutting walks the whole shadow (crdt.blocks). After a small edit, all but one or two of the
shadow's chunks hold the same runs as before, and walking them again would hand the same
pieces to the same blocks. So a cut notes, at each chunk boundary, where its walk stood: the
place and visible index it had reached, its last visible character, and whether any
tombstone was still floating. The next cut starts from the last boundary before the first
changed chunk where nothing floated and the blocks before it are the same, taking what the
blocks had been given until then. It walks on past the last changed chunk, and at each
boundary where nothing floats in either walk, the last visible characters match and the blocks
from there to the end are the same (shifted), it stops: from there on both walks see the same
runs, the same blocks and the same state, so it takes what the earlier walk handed out after
that boundary. Equal runs, blocks and credits give equal pieces, so a cut taken over from any
earlier cut is the cut walked whole; when the credits differ it is walked whole.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import NamedTuple

from crdt.attribution import Attribution, RawRun
from crdt.blocks import Block, Entry, Owned, Piece, Walk, stretch_key, stretched
from crdt.credits import Credits

GARBAGE_STRETCHES = 512
"""Stretches a cut may carry beyond twice those of its last whole walk before it walks anew."""


class Mark(NamedTuple):
    """Where a walk stood at a chunk boundary."""

    place: int
    visible: int
    """The visible index reached."""
    before: str | None
    settled: bool
    """No tombstone was floating."""


@dataclass(frozen=True)
class Cut:
    """Which pieces of the shadow each block owns, and what the next cut may take from it."""

    owned: Owned
    origins: list[int | None]
    """Each block's index in the earlier cut whose pieces it has unchanged, if it has them."""
    entries: list[list[Entry]]
    """Each block's pieces with their places, sorted; a place is the entry's plus the offset."""
    offsets: list[int]
    starts: list[int]
    length: int
    marks: list[Mark]
    """At each chunk boundary, the first to the last."""
    chunks: list[list[RawRun]]
    """A copy of the shadow's chunks: the attribution cut may change later."""
    credits: Credits
    whole: int
    """Stretches after the last whole walk."""


def cut(blocks: list[Block], attribution: Attribution, earlier: Cut | None = None) -> Cut:
    """The pieces each of ``blocks`` owns, taking what it can from ``earlier``."""
    chunks, credits = attribution.chunks(), attribution.credits
    if not blocks:  # no marks: nothing for a later cut to take
        return Cut(Owned([], []), [], [], [], [], 0, [], [], credits, 0)
    walk = Walk(blocks, attribution.visible_text_length())
    base = earlier if earlier is not None and _reusable(earlier, credits) else None
    lo, hi = _common(base.chunks, chunks) if base else (0, 0)
    if lo + hi == 0:
        base = None  # nothing in common: another document's, or all of it changed
    taken = _Taken(blocks)
    stretches = list(base.owned.stretches) if base else []
    marks, at = [Mark(0, 0, None, True)], 0
    if base is not None:
        at = _resume(base, walk, lo, taken)
        marks = base.marks[: at + 1]
    end = _End(base, walk, len(chunks), hi) if base else None
    key = stretch_key(credits)
    while True:
        if end is not None and end.meets(at, taken, marks):
            break
        if at == len(chunks):
            walk.settle_rest()
            break
        walk.walk(stretched(chunks[at], walk.index, key, stretches))
        at += 1
        marks.append(Mark(walk.place, walk.index, walk.before, not walk.deleted))
    if base is None:
        copied, whole = [chunk.copy() for chunk in chunks], len(stretches)
        return _assemble(walk, taken, None, stretches, marks, copied, credits.copy(), whole)
    copied = [
        *base.chunks[:lo],
        *(chunk.copy() for chunk in chunks[lo : len(chunks) - hi]),
        *base.chunks[len(base.chunks) - hi :],
    ]
    return _assemble(walk, taken, base, stretches, marks, copied, base.credits, base.whole)


# Entries of a block taken from an earlier cut: (entries, their offset, the earlier block's
# index when they are all of it, else None).
_Source = tuple[list[Entry], int, int | None]


class _Taken:
    """What each block has from the earlier cut before the walk, and after it."""

    def __init__(self, blocks: list[Block]) -> None:
        self.heads: list[_Source | None] = [None] * len(blocks)
        self.tails: list[_Source | None] = [None] * len(blocks)


def _reusable(earlier: Cut, credits: Credits) -> bool:
    return (
        bool(earlier.marks)
        and len(earlier.owned.stretches) <= 2 * earlier.whole + GARBAGE_STRETCHES
        and earlier.credits.given == credits.given
        and earlier.credits.returned == credits.returned
    )


def likeness(earlier: Cut, attribution: Attribution) -> int:
    """How many of the attribution's chunks, at its start and end, ``earlier`` has as well."""
    old, new = earlier.chunks, attribution.chunks()
    if not (old and new and (old[0] == new[0] or old[-1] == new[-1])):
        return 0  # most likely another document's: no need to count
    return sum(_common(old, new))


def _common(old: list[list[RawRun]], new: list[list[RawRun]]) -> tuple[int, int]:
    """How many chunks at the start, and then at the end, hold equal runs."""
    limit = min(len(old), len(new))
    lo = 0
    while lo < limit and old[lo] == new[lo]:
        lo += 1
    hi = 0
    while hi < limit - lo and old[-1 - hi] == new[-1 - hi]:
        hi += 1
    return lo, hi


def _resume(base: Cut, walk: Walk, lo: int, taken: _Taken) -> int:
    """Start ``walk`` at the last boundary it can, up to chunk ``lo``; that boundary.

    There nothing floated, so what follows gives nothing to the blocks before the one
    holding the last visible character, and the walk so far used only blocks that start
    before that boundary: they must be the same.
    """
    limit = _same_until(base.starts, walk.starts)
    for at in range(lo, 0, -1):
        mark = base.marks[at]
        if not (mark.settled and 0 < mark.visible <= limit):
            continue
        holding = bisect_left(walk.starts, mark.visible) - 1
        later = range(holding + 1, len(base.starts))
        if any(base.entries[j][0][0] + base.offsets[j] < mark.place for j in later):
            continue  # not expected: a block after the boundary given something before it
        for j in range(holding + 1):
            entries, offset = base.entries[j], base.offsets[j]
            if entries[-1][0] + offset < mark.place:
                taken.heads[j] = (entries, offset, j)
            else:
                split = bisect_left(entries, (mark.place - offset,))
                if split:
                    taken.heads[j] = (entries[:split], offset, None)
        walk.place, walk.index, walk.before = mark.place, mark.visible, mark.before
        walk.block = holding
        return at
    return 0


def _same_until(old: list[int], new: list[int]) -> float:
    """The largest index up to which both lists of block starts are the same."""
    same = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            return min(a, b)
        same += 1
    rest = [*old[same:], *new[same:]]
    return min(rest) if rest else float("inf")


class _End:
    """Where a walk may stop and take the rest from the earlier cut."""

    def __init__(self, base: Cut, walk: Walk, chunks: int, same_chunks: int) -> None:
        self.base, self.walk = base, walk
        self.clean = chunks - same_chunks  # from this chunk on, the runs are the earlier cut's
        self.shift = len(base.chunks) - chunks
        self.delta = walk.length - base.length
        same = 0  # blocks at the end that start at the same distance from the end
        for a, b in zip(reversed(base.starts), reversed(walk.starts), strict=False):
            if a + self.delta != b:
                break
            same += 1
        self.same = same

    def meets(self, at: int, taken: _Taken, marks: list[Mark]) -> bool:
        """Whether the walk ends at boundary ``at``; if so, take the rest and its marks."""
        base, walk = self.base, self.walk
        if at < self.clean:
            return False
        old_at = at + self.shift
        mark = base.marks[old_at]
        if not (
            mark.settled and not walk.deleted and mark.visible > 0 and walk.before == mark.before
        ):
            return False
        new_k = bisect_left(walk.starts, walk.index)
        old_k = bisect_left(base.starts, mark.visible)
        after = len(walk.starts) - new_k
        if after != len(base.starts) - old_k or after > self.same or any(walk.owned[new_k:]):
            return False
        entries, offsets = base.entries, base.offsets
        if any(entries[j][-1][0] + offsets[j] >= mark.place for j in range(old_k - 1)):
            return False
        if any(entries[j][0][0] + offsets[j] < mark.place for j in range(old_k, len(entries))):
            return False
        shift = walk.place - mark.place
        holding = entries[old_k - 1]
        split = bisect_left(holding, (mark.place - offsets[old_k - 1],))
        if split < len(holding):
            taken.tails[new_k - 1] = (holding[split:], offsets[old_k - 1] + shift, None)
        for j in range(old_k, len(entries)):
            taken.tails[j - old_k + new_k] = (entries[j], offsets[j] + shift, j)
        moved = walk.index - mark.visible
        marks += [
            Mark(m.place + shift, m.visible + moved, m.before, m.settled)
            for m in base.marks[old_at + 1 :]
        ]
        return True


def _assemble(
    walk: Walk,
    taken: _Taken,
    base: Cut | None,
    stretches: list[list[RawRun]],
    marks: list[Mark],
    chunks: list[list[RawRun]],
    credits: Credits,
    whole: int,
) -> Cut:
    """The cut from what was taken before and after the walk and what the walk gave."""
    pieces: list[list[Piece]] = []
    origins: list[int | None] = []
    all_entries: list[list[Entry]] = []
    offsets: list[int] = []
    for j, given in enumerate(walk.owned):
        sources = [source for source in (taken.heads[j], taken.tails[j]) if source is not None]
        origin = sources[0][2] if len(sources) == 1 and not given else None
        if origin is not None and base is not None:
            entries, offset = sources[0][:2]
            pieces.append(base.owned.pieces[origin])
        else:
            given.sort()
            if not sources:
                entries, offset = given, 0
            elif len(sources) == 1 and not given:
                entries, offset = sources[0][:2]  # part of a block: its entries as they were
            else:
                head, tail = taken.heads[j], taken.tails[j]
                entries, offset = _merged([head, (given, 0, None), tail]), 0
            pieces.append([piece for _, _, piece in entries])
        origins.append(origin)
        all_entries.append(entries)
        offsets.append(offset)
    owned = Owned(pieces, stretches)
    return Cut(
        owned,
        origins,
        all_entries,
        offsets,
        walk.starts,
        walk.length,
        marks,
        chunks,
        credits,
        whole,
    )


def _merged(parts: list[_Source | None]) -> list[Entry]:
    """Entries of several sources, in order, all with offset 0."""
    merged: list[Entry] = []
    for entries, offset, _ in filter(None, parts):
        if offset:
            merged += [(place + offset, at, piece) for place, at, piece in entries]
        else:
            merged += entries
    return merged
