"""Paragraphs as top-level Markdown blocks, and which shadow characters each block owns.

Every character of the shadow, tombstones included, belongs to exactly one block. A visible
character belongs to the block whose range holds it. A tombstone goes by its neighbours as
they were when it was deleted: the visible character before it, and the first character
after it that was in the text at its deletion (text typed there later never stood beside
it; Yjs merely puts it after it). If that right neighbour is a tombstone too, the two
settle together. When the neighbours are in different blocks, the tombstones are split
after the last newline that was in place at their deletion: the part up to it goes to the
block above (so a deleted whole paragraph is recorded there), the rest to the block below
(a deleted first word is recorded on its own paragraph). Otherwise, and at the ends of the
text, they go to the one neighbour's block. So a deleted first word stays with its
paragraph even when someone later types a new paragraph in front of it.

A block's revisions are those that inserted or deleted any character it owns. Its id is
the id of its oldest *anchored* character: visible characters, and tombstones that shared
a line with surviving text of the block (a deleted word), but no newlines and no
tombstones of wholly deleted lines. Newlines are left out because splitting and joining
paragraphs moves them around; deleted lines because a block that absorbed the ghost of a
deleted neighbour (deleted from the end of this block's text to the end of its own) must
not take over that neighbour's older id. So edits above, below or inside a paragraph leave
its id alone while its oldest anchored character, or that character's tombstone, stays.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, groupby
from operator import itemgetter

from markdown_it import MarkdownIt

from crdt.attribution import Attribution, RawRun, Run
from crdt.credits import Credits

# Inline parsing is not needed to find block boundaries and is most of the cost.
_MARKDOWN = MarkdownIt("commonmark").enable("table").disable("inline")
# markdown-it counts lines the way its normaliser sees them.
_LINE_BREAK = re.compile(r"\r\n?|\n")

# (seq, off, text, ins_rev, del_rev, anchored): a run, or part of one, owned by a block. In
# Owned.pieces a negative seq stands for stretch -seq-1, and off counts from its start.
Piece = tuple[int, int, str, int, int, bool]

# What neighbouring runs must share to be cut as one: their inserting and deleting revisions.
_REVISIONS = itemgetter(3, 4)
_TEXT = itemgetter(2)


@dataclass(frozen=True)
class Block:
    """A top-level Markdown block: its lines plus the blank lines after it, as a char range."""

    start: int
    end: int
    type: str
    """The markdown-it block type: paragraph, heading, bullet_list, fence, table, hr, ..."""


def split_blocks(text: str) -> list[Block]:
    """The top-level blocks of ``text``, covering it from its first to its last character."""
    line_starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
    heads: list[tuple[int, str]] = []
    for token in _MARKDOWN.parse(text):
        if token.level == 0 and token.nesting >= 0 and token.map:
            line = token.map[0]
            if not heads or line > heads[-1][0]:
                heads.append((line, token.type.removesuffix("_open")))
    if not heads:
        # Only link reference definitions or blank lines: one block if anything shows at all.
        return [Block(0, len(text), "paragraph")] if text.strip() else []
    starts = [0, *(line_starts[line] for line, _ in heads[1:]), len(text)]
    return [Block(starts[i], starts[i + 1], kind) for i, (_, kind) in enumerate(heads)]


@dataclass(frozen=True)
class Owned:
    """Each block's pieces, where neighbouring runs of one revision may stand as one stretch.

    A typed paragraph is thousands of one-character runs; the cut treats a stretch of them
    exactly as it would treat each (see stretch_key), and only ids need the runs back.
    """

    pieces: list[list[Piece]]
    stretches: list[list[RawRun]]

    def real(self, pieces: Iterable[Piece]) -> list[Piece]:
        """The pieces with every part of a stretch split back into the runs it holds."""
        found: list[Piece] = []
        for piece in pieces:
            seq, at, text, ins_rev, del_rev, anchored = piece
            if seq >= 0:
                found.append(piece)
                continue
            stop = at + len(text)
            runs = self.stretches[-seq - 1]
            for start, (run_seq, run_off, run_text, _, _) in zip(_starts(runs), runs, strict=False):
                low, high = max(at, start) - start, min(stop, start + len(run_text)) - start
                if low < high:
                    part = (run_seq, run_off + low, run_text[low:high], ins_rev, del_rev, anchored)
                    found.append(part)
        return found

    def oldest(self, pieces: Iterable[Piece]) -> tuple[int, int] | None:
        """The (seq, off) of the oldest anchored non-newline character among ``pieces``."""
        oldest: tuple[int, int] | None = None
        for piece in pieces:
            seq, at, text, _, _, anchored = piece
            if not anchored:
                continue
            if seq >= 0:
                candidate = piece_id([piece])
            else:
                runs = self.stretches[-seq - 1]
                first = min(runs)  # ids are unique, so this compares (seq, off) only
                whole = at == 0 and len(text) == sum(map(len, map(_TEXT, runs)))
                if whole and not first[2].startswith("\n"):
                    candidate = first[:2]
                else:
                    candidate = piece_id(self.real([piece]))
            if candidate is not None and (oldest is None or candidate < oldest):
                oldest = candidate
        return oldest


def owned_pieces(blocks: Sequence[Block], attribution: Attribution) -> list[list[Piece]]:
    """Every run of the shadow cut into pieces and given to the block that owns it."""
    owned = owned_stretches(blocks, attribution)
    return [owned.real(pieces) for pieces in owned.pieces]


def owned_stretches(blocks: Sequence[Block], attribution: Attribution) -> Owned:
    """As owned_pieces, but neighbouring runs of one revision come as one piece where they can."""
    if not blocks:
        return Owned([], [])
    walk = Walk(blocks, attribution.visible_text_length())
    key = stretch_key(attribution.credits)
    stretches: list[list[RawRun]] = []
    for chunk in attribution.chunks():  # stretches end with their chunk, as in crdt.cuts
        walk.walk(stretched(chunk, walk.index, key, stretches))
    walk.settle_rest()
    return Owned([[piece for _, _, piece in sorted(owned)] for owned in walk.owned], stretches)


def stretch_key(credits: Credits) -> Callable[[RawRun], object]:
    """What neighbouring runs must share to be cut as one stretch.

    The walk cannot tell such neighbours from one run: visible ones settle no tombstones
    after the first, and a tombstone joins the cluster of the one before it. Runs with moved
    or restored characters stay alone, as their credits go by id.
    """
    credited = credits.given.keys() | credits.returned.keys()

    def alone_if_credited(run: RawRun) -> object:
        return run if run[0] in credited else run[3:5]  # a run is equal to no other key

    return alone_if_credited if credited else _REVISIONS


def stretched(
    runs: Iterable[RawRun],
    start: int,
    key: Callable[[RawRun], object],
    stretches: list[list[RawRun]],
) -> list[Run]:
    """``runs`` from visible index ``start``, neighbours of one ``key`` joined in stretches.

    Each stretch's runs are appended to ``stretches``; its Run has seq -(its index + 1).
    """
    make = tuple.__new__  # skips the Python-level Run.__new__, as Attribution.runs does
    joined: list[Run] = []
    for _, group in groupby(runs, key):
        members = list(group)
        first = members[0]
        if len(members) == 1:
            joined.append(make(Run, (*first, start)))
            text = first[2]
        else:
            # The shadow's own tuples, not made anew: plain ones the collector stops tracking.
            stretches.append(members)
            text = "".join(map(_TEXT, members))
            joined.append(Run(-len(stretches), 0, text, first[3], first[4], start))
        if not first[4]:  # one group, one deleting revision: all visible or none
            start += len(text)
    return joined


def _starts(runs: list[RawRun]) -> list[int]:
    return list(accumulate((len(run[2]) for run in runs), initial=0))


# A tombstone waiting for its right neighbour: (its run, its place in the shadow, and its
# left neighbour's visible index and character).
_Pending = tuple[Run, int, int, str | None]


# What a block is given: (place in the shadow, offset in the run, piece).
Entry = tuple[int, int, Piece]


class Walk:
    """One pass over the shadow in document order, handing its runs out to blocks.

    Tombstones float right over text that is newer than their deletion. A tombstone that
    was in the text when a floating one was deleted joins it in a cluster, which settles at
    the first visible text that was there when its last member was deleted.
    """

    def __init__(self, blocks: Sequence[Block], length: int) -> None:
        # Each block's pieces, keyed by their place in the shadow (tombstones can float).
        self.owned: list[list[Entry]] = [[] for _ in blocks]
        self.starts = [block.start for block in blocks]
        self.length = length
        self.place = 0  # the shadow position of the run being walked
        self.index = 0  # the visible index after the last visible run
        self.block = 0  # the block of the last visible run
        self.before: str | None = None  # the last visible character so far
        # Floating clusters, ascending by the deletion revision of their last member.
        self.deleted: list[int] = []
        self.clusters: list[list[_Pending]] = []

    def walk(self, runs: Iterable[Run]) -> None:
        """Hand out the next runs of the shadow."""
        for run in runs:
            if run.del_rev:
                self.tombstone(run)
            else:
                self.visible(run)

    def tombstone(self, run: Run) -> None:
        """Let a tombstone float, joining the clusters it was a neighbour of."""
        # Clusters deleted while this run was in the text join it; it is their neighbour.
        low = bisect_left(self.deleted, run.ins_rev)
        high = bisect_right(self.deleted, run.del_rev)
        joining = sorted(self.clusters[low:high], key=len, reverse=True)
        del self.deleted[low:high], self.clusters[low:high]
        members = joining[0] if joining else []  # grow the largest: merging stays n log n
        for cluster in joining[1:]:
            members += cluster
        members.append((run, self.place, run.start, self.before))
        at = bisect_right(self.deleted, run.del_rev)
        self.deleted.insert(at, run.del_rev)
        self.clusters.insert(at, members)
        self.place += 1

    def visible(self, run: Run) -> None:
        """Settle the clusters this run was a neighbour of, then give it to its blocks."""
        if self.deleted and self.deleted[-1] >= run.ins_rev:
            low = bisect_left(self.deleted, run.ins_rev)
            group = [member for cluster in self.clusters[low:] for member in cluster]
            del self.deleted[low:], self.clusters[low:]
            self._settle(sorted(group, key=lambda member: member[1]), run.start, run.text[0])
        seq, off, text, ins_rev, _, start = run
        starts, j = self.starts, self.block
        while j + 1 < len(starts) and starts[j + 1] <= start:
            j += 1
        at = 0
        while True:  # cut the run at block starts
            stop = starts[j + 1] - start if j + 1 < len(starts) else len(text)
            if stop >= len(text):
                self.owned[j].append((self.place, at, (seq, off + at, text[at:], ins_rev, 0, True)))
                break
            self.owned[j].append((self.place, at, (seq, off + at, text[at:stop], ins_rev, 0, True)))
            at, j = stop, j + 1
        self.block = j
        self.before = text[-1]
        self.index = start + len(text)
        self.place += 1

    def settle_rest(self) -> None:
        """At the end of the shadow: give the tombstones still floating to their blocks."""
        group = [member for cluster in self.clusters for member in cluster]
        del self.deleted[:], self.clusters[:]
        if group:
            self._settle(sorted(group, key=lambda member: member[1]), self.length, None)

    def _settle(self, group: list[_Pending], right_index: int, after: str | None) -> None:
        """Give tombstones away, given their right neighbour's visible index and character."""
        below = self._block(right_index) if right_index < self.length else -1
        offsets = list(accumulate((len(item[0].text) for item in group), initial=0))
        breaks = _line_breaks([item[0] for item in group], offsets)
        for (run, place, left_index, before), pos in zip(group, offsets, strict=False):
            above = self._block(left_index - 1) if left_index > 0 else max(below, 0)
            # A tombstone is anchored if its deleted line still has visible text of the block.
            sides = (
                before is not None and before != "\n",
                after is not None and after != "\n",
            )
            owners = (above, below if below >= 0 else above)
            self._settle_run(run, (place, pos), breaks[run.del_rev], owners, sides)

    def _settle_run(
        self,
        run: Run,
        where: tuple[int, int],
        breaks: tuple[int, int],
        owners: tuple[int, int],
        sides: tuple[bool, bool],
    ) -> None:
        """Cut a tombstone run at the gap's line breaks and give each piece to its block."""
        (place, pos), (first, last), (above, below) = where, breaks, owners
        anchored_before, anchored_after = sides
        cut = last + 1 if above != below else 0  # characters before cut go to the block above
        bounds = [mark - pos for mark in sorted({first, last + 1, cut}) if mark > pos]
        at = 0
        for stop in [*(b for b in bounds if b < len(run.text)), len(run.text)]:
            here = pos + at
            if first < 0:
                anchored = anchored_before or anchored_after
            else:
                anchored = anchored_before if here < first else here > last and anchored_after
            piece = (run.seq, run.off + at, run.text[at:stop], run.ins_rev, run.del_rev, anchored)
            self.owned[above if here < cut else below].append((place, at, piece))
            at = stop

    def _block(self, index: int) -> int:
        return bisect_right(self.starts, index) - 1


def _line_breaks(gap: list[Run], offsets: list[int]) -> dict[int, tuple[int, int]]:
    """For each deleting revision in the gap, its first and last newline then still in place.

    Tombstones typed after a revision's deletion (or deleted before it) never shared a line
    with what that revision deleted, so their newlines do not count for it.
    """
    revs = sorted({run.del_rev for run in gap})
    first = dict.fromkeys(revs, -1)
    last = dict.fromkeys(revs, -1)
    breaking = [(run, pos) for run, pos in zip(gap, offsets, strict=False) if "\n" in run.text]
    for found, order, find in ((first, breaking, str.index), (last, breaking[::-1], str.rindex)):
        waiting = list(revs)  # revisions without a newline yet, ascending
        for run, pos in order:
            # Each revision takes the first run (from its side) that was in place at it.
            low = bisect_left(waiting, run.ins_rev)
            high = bisect_right(waiting, run.del_rev)
            for rev in waiting[low:high]:
                found[rev] = pos + find(run.text, "\n")
            del waiting[low:high]
            if not waiting:
                break
    return {rev: (first[rev], last[rev]) for rev in revs}


def piece_id(pieces: Iterable[Piece]) -> tuple[int, int] | None:
    """The (seq, off) of the oldest anchored non-newline character among ``pieces``."""
    oldest: tuple[int, int] | None = None
    for seq, off, text, _, _, anchored in pieces:
        if not anchored or (oldest is not None and (seq, off) >= oldest):
            continue
        stripped = text.lstrip("\n")
        if stripped:
            candidate = (seq, off + len(text) - len(stripped))
            if oldest is None or candidate < oldest:
                oldest = candidate
    return oldest


def text_at(pieces: Iterable[Piece], rev: int) -> str:
    """The text of ``pieces`` that was visible at the end of revision ``rev``."""
    return "".join(
        text for _, _, text, ins, dele, _ in pieces if ins <= rev and (not dele or dele > rev)
    )
