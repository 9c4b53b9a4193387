"""Who wrote each paragraph: shares by organisation kind, authors, revisions and history.

Shares count a paragraph's visible non-whitespace characters by their author: the author
of the revision that inserted them, or for text moved or restored, of the revision that
wrote the original (crdt.moves); the revisions that moved or restored text are listed
beside them. ``people`` and ``organisations`` list those with surviving text, the
largest share first, ties to whoever contributed first (lowest revision), then lowest id:
the first name is the paragraph's main author. Revisions missing from ``authors`` (such as
imported text) count as kind "other" and add no person or organisation.

``removed`` counts the non-whitespace characters of the paragraph's tombstones by the kind
of who deleted them: text that stood in the text at the end of some revision, and that no
move or restore brought back. Text typed and deleted again within one revision never stood
in a revision, so it counts as no removal.

How characters and tombstones are given to paragraphs, and how a paragraph's id is chosen,
is in crdt.blocks.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from crdt.attribution import Attribution
from crdt.blocks import Block, Owned, Piece, split_blocks, text_at
from crdt.credits import MOVED, RESTORED, Credits
from crdt.cuts import Cut, cut, likeness

__all__ = [
    "KINDS",
    "Author",
    "Block",
    "Paragraph",
    "ParagraphChange",
    "ParagraphNotFound",
    "authored_text",
    "describe_paragraphs",
    "paragraph_history",
    "split_blocks",
]

KINDS = ("government", "civil_society", "other")
REMEMBERED_CUTS = 8

# Per paragraph: characters by credited revision, removals by deleting revision, and the
# revisions that moved (MOVED) or restored (RESTORED) its text.
_Tally = tuple[dict[int, int], dict[int, int], dict[int, set[int]]]


@dataclass
class _Cut:
    """The blocks of a text, the shadow's pieces each owns, and their tallies and ids once known."""

    blocks: list[Block]
    cut: Cut
    tallies: list[_Tally | None]
    ids: list[str | None]

    @property
    def owned(self) -> Owned:
        return self.cut.owned


# Recent cuts of an attribution into paragraphs, by the attribution they came from. Cutting
# a long history costs more than the rest of a page, and a room hands every reader of one
# log position the same read-only attribution, so those readers share one cut. The next log
# position's cut starts from the likest of them (crdt.cuts), so they outlive their attribution.
_cuts: list[tuple[weakref.ref[Attribution], int, str, _Cut]] = []
_cuts_lock = threading.Lock()


class ParagraphNotFound(LookupError):
    """No paragraph of the document has the id asked for."""


@dataclass(frozen=True)
class Author:
    """Who made a revision."""

    person_id: int | None
    person_name: str
    organisation_id: int | None
    organisation_name: str
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")


@dataclass(frozen=True)
class Paragraph:
    """One top-level block with its attribution."""

    id: str
    start: int
    end: int
    text: str
    type: str
    shares: dict[str, float]
    """Kind -> fraction of visible non-whitespace characters; every kind is present."""
    people: tuple[int, ...]
    organisations: tuple[int, ...]
    person_shares: dict[int, float]
    organisation_shares: dict[int, float]
    revisions: tuple[int, ...]
    """Revisions that inserted or deleted any character the paragraph owns, ascending."""
    last_revision: int
    removed: dict[str, int]
    """Kind -> non-whitespace characters its organisations removed; every kind is present."""
    organisation_removed: dict[int, int]
    """Organisation id -> non-whitespace characters it removed, for those that removed any."""
    moved_by: tuple[int, ...]
    """Revisions that moved text now in the paragraph here, ascending."""
    restored_by: tuple[int, ...]
    """Revisions that restored text now in the paragraph, ascending."""


@dataclass(frozen=True)
class ParagraphChange:
    """A paragraph's text before and after one revision that changed it."""

    revision: int
    before: str
    after: str


def describe_paragraphs(
    text: str, attribution: Attribution, authors: Mapping[int, Author]
) -> list[Paragraph]:
    """Attribution for every paragraph of ``text``, the visible text of ``attribution``."""
    cut = _blocks(text, attribution)
    owned = cut.owned
    described = []
    for j, (block, pieces) in enumerate(zip(cut.blocks, owned.pieces, strict=True)):
        tally = cut.tallies[j]
        if tally is None:  # counted once per paragraph and log position
            tally = cut.tallies[j] = _tally(pieces, attribution.credits)
        paragraph_id = cut.ids[j]
        if paragraph_id is None:
            paragraph_id = cut.ids[j] = _paragraph_id(owned, pieces)
        described.append(_describe(text, block, paragraph_id, pieces, tally, authors))
    return described


def paragraph_history(
    text: str, attribution: Attribution, paragraph_id: str
) -> list[ParagraphChange]:
    """For each revision that changed the paragraph, its text just before and just after.

    The texts are those of the characters the paragraph owns now, so a revision that
    deleted the paragraph below shows that paragraph going from this one.
    """
    owned = _blocks(text, attribution).owned
    for pieces in owned.pieces:
        if _paragraph_id(owned, pieces) == paragraph_id:
            return [
                ParagraphChange(rev, text_at(pieces, rev - 1), text_at(pieces, rev))
                for rev in _revisions(pieces)
            ]
    raise ParagraphNotFound(f"no paragraph {paragraph_id!r} in this document")


def authored_text(attribution: Attribution) -> Iterator[tuple[str, int]]:
    """The visible text in stretches, each with the revision credited with writing it."""
    credits = attribution.credits
    for seq, off, text, ins_rev, del_rev in attribution.raw_runs():
        if del_rev:
            continue
        if seq in credits.given:
            for start, stop, author, _ in credits.authors(seq, off, len(text), ins_rev):
                yield text[start:stop], author
        else:
            yield text, ins_rev


def _blocks(text: str, attribution: Attribution) -> _Cut:
    with _cuts_lock:
        for ref, changes, cut_text, found in _cuts:
            if ref() is attribution and changes == attribution.changes and cut_text == text:
                return found
        recent = [entry[3] for entry in _cuts]
    made = _cut(text, attribution, recent)
    with _cuts_lock:
        _cuts[:] = _cuts[-REMEMBERED_CUTS + 1 :]
        _cuts.append((weakref.ref(attribution), attribution.changes, text, made))
    return made


def _cut(text: str, attribution: Attribution, recent: Sequence[_Cut]) -> _Cut:
    if len(text) != attribution.visible_text_length():
        raise ValueError(
            f"the text has {len(text)} characters but the attribution "
            f"{attribution.visible_text_length()}: they come from different log positions"
        )
    blocks = split_blocks(text)
    likest, most = None, 0
    for earlier in reversed(recent):  # the most recent first, among equally like ones
        like = likeness(earlier.cut, attribution)
        if like > most:
            likest, most = earlier, like
    made = cut(blocks, attribution, likest.cut if likest else None)
    if likest is None:
        return _Cut(blocks, made, [None] * len(blocks), [None] * len(blocks))
    tallies, ids = likest.tallies, likest.ids
    return _Cut(
        blocks,
        made,
        [None if j is None else tallies[j] for j in made.origins],
        [None if j is None else ids[j] for j in made.origins],
    )


def _describe(
    text: str,
    block: Block,
    paragraph_id: str,
    pieces: Sequence[Piece],
    tally: _Tally,
    authors: Mapping[int, Author],
) -> Paragraph:
    counts, removals, how = tally
    kinds = dict.fromkeys(KINDS, 0)
    people: dict[int, list[int]] = {}  # id -> [characters, first revision]
    organisations: dict[int, list[int]] = {}
    for rev in sorted(counts):
        author, count = authors.get(rev), counts[rev]
        kinds[author.kind if author else "other"] += count
        if author and author.person_id is not None:
            people.setdefault(author.person_id, [0, rev])[0] += count
        if author and author.organisation_id is not None:
            organisations.setdefault(author.organisation_id, [0, rev])[0] += count
    removed = dict.fromkeys(KINDS, 0)
    organisation_removed: dict[int, int] = {}
    for rev, count in sorted(removals.items()):
        author = authors.get(rev)
        removed[author.kind if author else "other"] += count
        if author and author.organisation_id is not None:
            _add(organisation_removed, author.organisation_id, count)
    total = sum(counts.values())
    revisions = _revisions(pieces)
    return Paragraph(
        id=paragraph_id,
        start=block.start,
        end=block.end,
        text=text[block.start : block.end],
        type=block.type,
        shares={kind: count / total if total else 0.0 for kind, count in kinds.items()},
        people=_ranked(people),
        organisations=_ranked(organisations),
        person_shares={key: count / total for key, (count, _) in people.items()},
        organisation_shares={key: count / total for key, (count, _) in organisations.items()},
        revisions=revisions,
        last_revision=revisions[-1] if revisions else 0,
        removed=removed,
        organisation_removed=organisation_removed,
        moved_by=tuple(sorted(how[MOVED])),
        restored_by=tuple(sorted(how[RESTORED])),
    )


def _tally(pieces: Sequence[Piece], credits: Credits) -> _Tally:
    """Characters by credited revision, removals by deleting revision, movers and restorers."""
    counts: dict[int, int] = {}
    removals: dict[int, int] = {}
    how: dict[int, set[int]] = {MOVED: set(), RESTORED: set()}
    given, returned = credits.given, credits.returned
    for seq, off, chars, ins_rev, del_rev, _ in pieces:
        if not del_rev:
            if seq in given:
                for start, stop, author, way in credits.authors(seq, off, len(chars), ins_rev):
                    if way in how:
                        how[way].add(ins_rev)
                    _add(counts, author, solid_length(chars[start:stop]))
            else:
                _add(counts, ins_rev, solid_length(chars))
        elif del_rev == ins_rev:
            continue  # typed and deleted within one revision: never in the text
        elif seq in returned:
            for start, stop, back in credits.gone(seq, off, len(chars)):
                if not back:
                    _add(removals, del_rev, solid_length(chars[start:stop]))
        elif len(chars) > 1 or not chars.isspace():  # most tombstones are single keystrokes
            _add(removals, del_rev, solid_length(chars))
    return counts, removals, how


def _add(tally: dict[int, int], key: int, count: int) -> None:
    if count:
        tally[key] = tally.get(key, 0) + count


def solid_length(chars: str) -> int:
    """Non-whitespace characters: what shares and removals count."""
    if len(chars) == 1:
        return 0 if chars.isspace() else 1
    return len("".join(chars.split()))


def _ranked(tally: Mapping[int, list[int]]) -> tuple[int, ...]:
    """Ids by most characters, then earliest revision, then lowest id."""
    return tuple(sorted(tally, key=lambda key: (-tally[key][0], tally[key][1], key)))


def _revisions(pieces: Sequence[Piece]) -> tuple[int, ...]:
    revisions = {piece[3] for piece in pieces}
    revisions.update(piece[4] for piece in pieces if piece[4])
    return tuple(sorted(revisions))


def _paragraph_id(owned: Owned, pieces: Sequence[Piece]) -> str:
    """The paragraph id: its oldest anchored character's "seq.off"."""
    oldest = owned.oldest(pieces)
    if oldest is None:
        # Only newlines or unanchored tombstones (not a real Markdown block): any stable choice.
        real = owned.real(pieces)
        oldest = min(((piece[0], piece[1]) for piece in real), default=(0, 0))
    return f"{oldest[0]}.{oldest[1]}"
