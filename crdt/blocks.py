"""Paragraphs as top-level Markdown blocks, and which shadow characters each block owns.

Every character of the shadow, tombstones included, belongs to exactly one block:

- a visible character to the block whose range holds it;
- a gap (tombstones between two visible characters) to its neighbours' blocks: when those
  differ, the gap is split after its last newline, the part up to it going to the block
  above (so a deleted whole paragraph is recorded there) and the rest to the block below
  (a deleted first word is recorded on its own paragraph); otherwise, and at the ends of
  the text, all of it goes to the one neighbour's block.

A tombstone's right neighbour is the first visible character after it that is not newer
than its deletion: text typed there later never stood next to it (Yjs merely places it
after it). So a deleted first word stays with its paragraph when someone later types a
new paragraph in front of it.

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
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from markdown_it import MarkdownIt

from crdt.attribution import Attribution, Run

# Inline parsing is not needed to find block boundaries and is most of the cost.
_MARKDOWN = MarkdownIt("commonmark").enable("table").disable("inline")
# markdown-it counts lines the way its normaliser sees them.
_LINE_BREAK = re.compile(r"\r\n?|\n")

# (seq, off, text, ins_rev, del_rev, anchored): a run, or part of one, owned by a block.
Piece = tuple[int, int, str, int, int, bool]


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


def owned_pieces(blocks: Sequence[Block], attribution: Attribution) -> list[list[Piece]]:
    """Every run of the shadow cut into pieces and given to the block that owns it."""
    if not blocks:
        return []
    walk = _Walk(blocks, attribution.visible_text_length())
    for run in attribution.runs():
        if run.del_rev:
            walk.tombstone(run)
        else:
            walk.visible(run)
    walk.finish()
    return walk.owned


class _Walk:
    """One pass over the shadow in document order, handing its runs out to blocks."""

    def __init__(self, blocks: Sequence[Block], length: int) -> None:
        self.owned: list[list[Piece]] = [[] for _ in blocks]
        self.starts = [block.start for block in blocks]
        self.length = length
        self.before: str | None = None  # the last visible character so far
        # Tombstones still looking for their right neighbour, each with its left one.
        self.pending: list[tuple[Run, int, str | None]] = []
        self.newest = 0  # the latest deletion among them

    def tombstone(self, run: Run) -> None:
        self.pending.append((run, run.start, self.before))
        self.newest = max(self.newest, run.del_rev)

    def visible(self, run: Run) -> None:
        # Text typed after a tombstone was deleted never stood next to it (Yjs merely puts
        # it after it): such tombstones float on to the next older text.
        if self.newest >= run.ins_rev:
            self._anchor(run)
        _add_visible(self.owned, self.starts, run)
        self.before = run.text[-1]

    def finish(self) -> None:
        if self.pending:
            self._settle(self.pending, self.length, None)

    def _anchor(self, run: Run) -> None:
        """Settle the tombstones ``run`` anchors, and earlier ones that lived beside them."""
        settled: list[tuple[Run, int, str | None]] = []
        floating: list[tuple[Run, int, str | None]] = []
        born = run.ins_rev  # a tombstone deleted since then stood beside those settled
        for item in reversed(self.pending):
            if item[0].del_rev >= born:
                settled.append(item)
                born = min(born, item[0].ins_rev)
            else:
                floating.append(item)
        self.pending = floating[::-1]
        self.newest = max((tomb.del_rev for tomb, _, _ in self.pending), default=0)
        self._settle(settled[::-1], run.start, run.text[0])

    def _settle(
        self, group: list[tuple[Run, int, str | None]], index: int, after: str | None
    ) -> None:
        _, left_index, before = group[0]
        gap = [run for run, _, _ in group]
        _settle_gap(self.owned, self.starts, self.length, gap, (left_index, before), (index, after))


def _add_visible(owned: list[list[Piece]], starts: list[int], run: Run) -> None:
    """Give a visible run to the blocks it covers, cutting it at block starts."""
    j = bisect_right(starts, run.start) - 1
    at, size = 0, len(run.text)
    while at < size:
        limit = starts[j + 1] - run.start if j + 1 < len(starts) else size
        stop = min(size, limit)
        owned[j].append((run.seq, run.off + at, run.text[at:stop], run.ins_rev, 0, True))
        at = stop
        j += 1


def _settle_gap(
    owned: list[list[Piece]],
    starts: list[int],
    length: int,
    gap: list[Run],
    left: tuple[int, str | None],
    right: tuple[int, str | None],
) -> None:
    """Give tombstones away; ``left`` and ``right`` are their neighbours' (index, char)."""
    (left_index, before), (right_index, after) = left, right
    # A tombstone is anchored if its deleted line still has visible text of this block.
    anchored_before = before is not None and before != "\n"
    anchored_after = after is not None and after != "\n"
    above = bisect_right(starts, left_index - 1) - 1 if left_index > 0 else -1
    below = bisect_right(starts, right_index) - 1 if right_index < length else -1
    if above < 0:  # at the start of the text
        above = max(below, 0)
    if below < 0:  # at the end of the text
        below = above
    offsets = list(accumulate((len(run.text) for run in gap), initial=0))
    breaks = _line_breaks(gap, offsets)
    for run, pos in zip(gap, offsets, strict=False):
        first, last = breaks[run.del_rev]
        cut = last + 1 if above != below else 0  # characters before cut go to the block above
        bounds = sorted({mark - pos for mark in (first, last + 1, cut) if pos < mark})
        at = 0
        for stop in [*(b for b in bounds if b < len(run.text)), len(run.text)]:
            here = pos + at
            if first < 0:
                anchored = anchored_before or anchored_after
            else:
                anchored = anchored_before if here < first else here > last and anchored_after
            piece = (run.seq, run.off + at, run.text[at:stop], run.ins_rev, run.del_rev, anchored)
            owned[above if here < cut else below].append(piece)
            at = stop


def _line_breaks(gap: list[Run], offsets: list[int]) -> dict[int, tuple[int, int]]:
    """For each deleting revision in the gap, its first and last newline then still in place.

    Tombstones typed after a revision's deletion (or deleted before it) never shared a line
    with what that revision deleted, so their newlines do not count for it.
    """
    breaks: dict[int, tuple[int, int]] = {}
    for rev in {run.del_rev for run in gap}:
        first = last = -1
        for run, pos in zip(gap, offsets, strict=False):
            if run.ins_rev <= rev <= run.del_rev and "\n" in run.text:
                if first < 0:
                    first = pos + run.text.index("\n")
                last = pos + run.text.rindex("\n")
        breaks[rev] = first, last
    return breaks


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
