"""The paragraph cut on stretches: runs of one revision cut as one, ids and texts unchanged."""

from __future__ import annotations

from hypothesis import given, settings

from crdt.blocks import owned_pieces, owned_stretches, piece_id, split_blocks, text_at
from tests.crdt.paragraph_helpers import Doc, edits, random_doc


def typed(doc: Doc, index: int, text: str, rev: int) -> None:
    """Type ``text`` at ``index`` one character per record, as an editor sends keystrokes."""
    for offset, char in enumerate(text):
        doc.insert(index + offset, char, rev)


def test_keystrokes_of_one_revision_are_cut_as_one_stretch_per_paragraph() -> None:
    doc = Doc()
    typed(doc, 0, "First words.\n\nSecond words.\n", rev=1)
    typed(doc, 6, "new ", rev=2)
    doc.edit(0, 1, "", rev=3)  # a tombstone between stretches
    blocks = split_blocks(doc.text)
    owned = owned_stretches(blocks, doc.shadow)
    # first paragraph: tombstone "F", "irst ", "new ", "words.\n\n"; second: one stretch
    assert [len(pieces) for pieces in owned.pieces] == [4, 1]
    assert [[piece[2] for piece in pieces] for pieces in owned.pieces] == [
        ["F", "irst ", "new ", "words.\n\n"],
        ["Second words.\n"],
    ]
    real = owned_pieces(blocks, doc.shadow)
    assert [len(pieces) for pieces in real] == [1 + 5 + 4 + 8, 14]
    assert all(len(piece[2]) == 1 for pieces in real for piece in pieces)
    assert [piece_id(pieces) for pieces in real] == [(1, 0), (15, 0)]
    assert [owned.oldest(pieces) for pieces in owned.pieces] == [(1, 0), (15, 0)]


@settings(max_examples=200, deadline=None)
@given(edits)
def test_a_stretch_stands_for_its_runs_at_every_revision(
    steps: list[tuple[bool, float, int, str, int]],
) -> None:
    doc = random_doc(steps)
    blocks = split_blocks(doc.text)
    owned = owned_stretches(blocks, doc.shadow)
    revisions = sorted(doc.shadow.revisions() | {0})
    for pieces in owned.pieces:
        real = owned.real(pieces)
        assert owned.oldest(pieces) == piece_id(real)
        assert [text_at(pieces, rev) for rev in revisions] == [
            text_at(real, rev) for rev in revisions
        ]
        assert all(piece[0] >= 0 for piece in real)
    assert [owned.real(pieces) for pieces in owned.pieces] == owned_pieces(blocks, doc.shadow)
