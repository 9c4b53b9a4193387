"""The paragraph cut kept between log positions: taken over where the shadow is unchanged.

A cut made from an earlier cut must equal the cut walked whole, whatever the edit in between,
and must take the paragraphs the edit did not reach from the earlier cut; the paragraphs
then described must show the edit.
"""

from __future__ import annotations

from hypothesis import given, settings

from crdt.attribution import CHUNK_RUNS
from crdt.blocks import Owned, owned_stretches, split_blocks
from crdt.cuts import Cut, cut
from tests.crdt.paragraph_helpers import CSO, GOV, Doc, Step, edit_steps

PARAGRAPH = "Publish every budget line as open data, each quarter.\n\n"


def typed_document(paragraphs: int = 24) -> Doc:
    """Paragraphs typed one keystroke per record, two people in turns, some words deleted."""
    doc = Doc()
    for number in range(paragraphs):
        rev = number + 1
        for char in f"{number} {PARAGRAPH}":
            doc.insert(len(doc.text), char, rev)
        doc.delete("open ", rev)  # a tombstone in the middle of each paragraph
    assert doc.shadow.run_count() > 3 * CHUNK_RUNS  # several chunks
    return doc


def same(made: Owned, whole: Owned) -> bool:
    """Whether two cuts give every block the same runs, and the same ids."""
    return [made.real(pieces) for pieces in made.pieces] == [
        whole.real(pieces) for pieces in whole.pieces
    ] and [made.oldest(pieces) for pieces in made.pieces] == [
        whole.oldest(pieces) for pieces in whole.pieces
    ]


def recut(doc: Doc, earlier: Cut | None) -> Cut:
    """The cut of the document now, from ``earlier``, checked against the cut walked whole."""
    blocks = split_blocks(doc.text)
    made = cut(blocks, doc.shadow, earlier)
    assert same(made.owned, owned_stretches(blocks, doc.shadow))
    return made


def test_an_edit_in_one_paragraph_takes_the_others_from_the_earlier_cut() -> None:
    doc = typed_document()
    earlier = recut(doc, None)
    assert earlier.origins == [None] * 24
    at = doc.text.index("budget", doc.text.index("6 Publish"))
    doc.insert(at, "whole ", rev=20)
    made = recut(doc, earlier)
    taken = [j for j, origin in enumerate(made.origins) if origin == j]
    # the edited paragraph is walked again, and at most its chunk's neighbours with it
    assert 6 not in taken
    assert len(taken) >= 20


def test_a_cut_taken_over_shows_the_edit_in_the_paragraphs_described() -> None:
    doc = typed_document()
    authors = {rev: GOV for rev in range(1, 25)} | {30: CSO}
    before = doc.paragraphs(authors)
    at = doc.text.index("budget", doc.text.index("6 Publish"))
    doc.insert(at, "whole ", rev=30)
    after = doc.paragraphs(authors)
    assert after[6].text.startswith("6 Publish every whole budget")
    assert after[6].revisions == (7, 30)
    assert after[6].people == (1, 2)
    assert after[6].shares["civil_society"] == 5 / (
        5 + len("6Publisheverybudgetlineasdata,eachquarter.")
    )
    assert after[6].id == before[6].id
    assert [p.id for p in after] == [p.id for p in before]
    unchanged = [(p.revisions, p.shares, p.removed) for j, p in enumerate(before) if j != 6]
    assert [(p.revisions, p.shares, p.removed) for j, p in enumerate(after) if j != 6] == unchanged


def test_a_paragraph_deleted_in_the_middle_moves_the_later_ones_up() -> None:
    doc = typed_document()
    earlier = recut(doc, None)
    start = doc.text.index("4 Publish")
    doc.edit(start, doc.text.index("5 Publish") - start, "", rev=30)
    made = recut(doc, earlier)
    assert len(made.owned.pieces) == 23
    assert made.origins[-1] == 23  # the last block is the earlier cut's last, one place up


def test_moved_text_makes_the_cut_walk_whole() -> None:
    doc = typed_document()
    earlier = recut(doc, None)
    moved = "Publish every budget line as "
    at = doc.text.index(moved, doc.text.index("14 Publish"))
    doc.edit(at, len(moved), "", rev=30)
    doc.insert(doc.text.index("10 Publish"), moved, rev=30)  # a move: its credits change
    assert doc.shadow.credits.given
    made = recut(doc, earlier)
    assert made.origins == [None] * 24


@settings(max_examples=60, deadline=None)
@given(edit_steps(80, (0, 2), min_size=1, max_size=8))
def test_a_cut_from_an_earlier_one_is_the_cut_walked_whole(steps: list[Step]) -> None:
    doc = typed_document()
    earlier = recut(doc, None)
    rev = 30
    for insert, where, length, text, step in steps:
        rev += step  # the same revision, or a later one
        index = int(where * len(doc.text))
        if insert:
            doc.insert(index, text * (length // 20 + 1), rev)
        else:
            index = min(index, len(doc.text) - 1)
            doc.edit(index, min(length, len(doc.text) - index), "", rev)
        earlier = recut(doc, earlier)
