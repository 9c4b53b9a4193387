"""Finding moved and restored text among one record's insertions, for the attribution shadow.

A move is text deleted and inserted again identically, at least ``MIN_MOVE_CHARS`` in one
piece, within one revision (so also within one update): a paragraph dragged elsewhere, cut
and pasted, or reordered through the form. A restore is a record that brings back revision R:
what it inserts is matched against the text that was visible at the end of R and has been
deleted since, first among the tombstones right where it was inserted (the restore's text
diff puts old words back beside their tombstones, however short), then anywhere, again in
pieces of at least ``MIN_MOVE_CHARS``. Matched characters are credited to whoever wrote the
originals (``crdt.credits``), and each original tombstone comes back at most once.

Candidates are read from the shadow in document order: maximal stretches of tombstones
that stood side by side in the text they are matched against (the revision's text as it was
before their deletion, or R's text), so text backspaced away and typed or pasted again counts
as well as text cut in one go. Greedy longest matches, left to right; the search is bounded
(``MAX_CANDIDATES``, ``MAX_ALIGN``) and depends only on the shadow, so a replay from a
checkpoint finds exactly what the first pass found.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import islice

from crdt.credits import MOVED, RESTORED, Credits

MIN_MOVE_CHARS = 12
"""Shorter re-insertions are the typist's: "the", "and" or a line break are no one's text."""
MAX_CANDIDATES = 64
"""Places tried for each starting point of a match (repeated text has many)."""
MAX_ALIGN = 250_000
"""Largest product of the two lengths aligned character by character at a restore's place."""

_SEP = "\x00"  # between stretches of candidates; a match never runs through one

# (seq, off, text, ins_rev, del_rev), as in crdt.attribution.
_Run = tuple[int, int, str, int, int]
Insert = tuple[int, int, str]
"""One insertion of a record: (visible index, offset among the record's insertions, text)."""


@dataclass
class _Pool:
    """Candidate characters as one string, stretches apart by _SEP, and whose each piece is."""

    text: str = ""
    starts: list[int] = field(default_factory=list)
    # (length, seq, off, author_rev, del_rev) of each piece, in text order.
    pieces: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    index: dict[str, list[int]] | None = None


class Finder:
    """Credits one record's re-inserted characters; ``returned_now`` counts its revision's."""

    def __init__(self, credits: Credits, seq: int, rev: int, restores: int | None) -> None:
        self._credits = credits
        self._seq = seq
        self._rev = rev
        self._restores = restores
        self._how = MOVED if restores is None else RESTORED
        self.returned_now = 0
        """Tombstones deleted in this revision that came back: the revision's pool shrinks."""

    def credit(
        self, inserts: Iterable[Insert], around: list[list[_Run]], runs: Iterable[_Run]
    ) -> None:
        """Match each insertion (at a restore, first against the tombstones ``around`` it)."""
        todo: list[tuple[Insert, list[tuple[int, int]]]] = []
        for number, insert in enumerate(inserts):
            spans = [(0, len(insert[2]))]
            if self._restores is not None:
                spans = self._local(insert, self._pool(around[number]))
            todo.append((insert, [(a, b) for a, b in spans if b - a >= MIN_MOVE_CHARS]))
        if not any(spans for _, spans in todo):
            return
        pool = self._pool(runs)
        for insert, spans in todo:
            for start, stop in spans:
                self._greedy(insert, start, stop, pool)

    def _candidate(self, ins_rev: int, del_rev: int) -> bool | None:
        """A candidate (True), a run between candidates (False), or neither (None)."""
        if self._restores is None:  # the revision's own deletions, between what it kept
            return True if del_rev == self._rev else None if del_rev else False
        if ins_rev > self._restores or (del_rev and del_rev <= self._restores):
            return None  # not in R's text
        return bool(del_rev)  # deleted since R, or in R's text and still in place

    def _pool(self, runs: Iterable[_Run]) -> _Pool:
        pool = _Pool()
        parts: list[str] = []
        size, apart = 0, False
        rev, moving = self._rev, self._restores is None
        credits = self._credits
        for run in runs:
            del_rev = run[4]
            if moving and del_rev != rev:  # the common case, kept short: shadows are long
                apart = apart or not del_rev
                continue
            seq, off, text, ins_rev, _ = run
            candidate = self._candidate(ins_rev, del_rev)
            if not candidate:
                apart = apart or candidate is False
                continue
            back = credits.gone(seq, off, len(text)) if seq in credits.returned else None
            for low, high, returned in back or ((0, len(text), False),):
                if returned:
                    apart = True
                    continue
                if apart and parts:
                    parts.append(_SEP)
                    size += 1
                apart = False
                for a, b, author, _ in credits.authors(seq, off + low, high - low, ins_rev):
                    pool.starts.append(size)
                    pool.pieces.append((b - a, seq, off + low + a, author, del_rev))
                    parts.append(text[low + a : low + b])
                    size += b - a
        pool.text = "".join(parts)
        return pool

    def _local(self, insert: Insert, pool: _Pool) -> list[tuple[int, int]]:
        """Match a restored insertion against its own place; the spans left unmatched."""
        text, found = insert[2], pool.text
        blocks: list[tuple[int, int, int]] = []
        if found.strip(_SEP):
            if _SEP not in text and (at := found.find(text)) >= 0:
                blocks = [(0, at, len(text))]
            elif _SEP not in found and (at := text.find(found)) >= 0:
                blocks = [(at, 0, len(found))]
            elif len(text) * len(found) <= MAX_ALIGN:
                matcher = SequenceMatcher(None, text, found, autojunk=False)
                blocks = [(a, b, n) for a, b, n in matcher.get_matching_blocks() if n]
        left, at = [], 0
        for i, p, size in blocks:
            self._match(insert, i, pool, p, size)
            if i > at:
                left.append((at, i))
            at = i + size
        if at < len(text):
            left.append((at, len(text)))
        return left

    def _greedy(self, insert: Insert, start: int, stop: int, pool: _Pool) -> None:
        """Longest matches of ``insert[2][start:stop]`` in the pool, left to right."""
        text, found = insert[2], pool.text
        piece = text[start:stop]
        if _SEP not in piece and (at := found.find(piece)) >= 0:  # moved whole: one search
            self._match(insert, start, pool, at, stop - start)
            return
        if pool.index is None:
            pool.index = _index(found)
        i = start
        while i + MIN_MOVE_CHARS <= stop:
            key = text[i : i + MIN_MOVE_CHARS]
            best, where = 0, -1
            for p in islice(pool.index.get(key, ()), MAX_CANDIDATES):
                if pool.text.startswith(key, p):  # else taken by an earlier match
                    size = _common(text, i, stop, pool.text, p)
                    if size > best:
                        best, where = size, p
                        if i + best == stop:
                            break
            if best >= MIN_MOVE_CHARS:
                self._match(insert, i, pool, where, best)
                i += best
            else:
                i += 1

    def _match(self, insert: Insert, i: int, pool: _Pool, p: int, size: int) -> None:
        """Credit ``size`` inserted characters from ``i`` with the pool's from ``p``."""
        offset = insert[1]
        j = max(bisect_right(pool.starts, p) - 1, 0)
        while j < len(pool.starts) and pool.starts[j] < p + size:
            length, seq, off, author, del_rev = pool.pieces[j]
            low, high = max(pool.starts[j], p), min(pool.starts[j] + length, p + size)
            if low < high:
                start = off + low - pool.starts[j]
                self._credits.give_back(seq, start, start + high - low)
                if author != self._rev:  # text typed in this very revision stays the typist's
                    mine = offset + i + low - p
                    self._credits.give(self._seq, mine, mine + high - low, author, self._how)
                if del_rev == self._rev:
                    self.returned_now += high - low
            j += 1
        pool.text = pool.text[:p] + _SEP * size + pool.text[p + size :]


def _index(text: str) -> dict[str, list[int]]:
    """Every place of every MIN_MOVE_CHARS-long piece of ``text`` without a separator."""
    index: dict[str, list[int]] = {}
    for p in range(len(text) - MIN_MOVE_CHARS + 1):
        key = text[p : p + MIN_MOVE_CHARS]
        if _SEP not in key:
            index.setdefault(key, []).append(p)
    return index


def _common(a: str, i: int, stop: int, b: str, p: int) -> int:
    """How many characters a[i:stop] and b[p:] share from their start, never through a _SEP."""
    end = b.find(_SEP, p)
    high = min(stop - i, (len(b) if end < 0 else end) - p)
    low = 0
    while low < high:  # halving slice comparisons: C speed on long matches
        mid = (low + high + 1) // 2
        if a[i + low : i + mid] == b[p + low : p + mid]:
            low = mid
        else:
            high = mid - 1
    return low
