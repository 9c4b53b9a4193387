"""Paragraph identity: a paragraph keeps its id through every edit that keeps it in place.

Ids survive paragraphs inserted, edited and deleted around them and anyone editing the
paragraph itself; a new paragraph never takes the id of a deleted one; a split keeps the id
on the first half and a join keeps the older id.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crdt.paragraphs import Block, split_blocks
from tests.crdt.paragraph_helpers import Doc, three_paragraphs


def test_ids_survive_a_paragraph_inserted_above_between_and_below() -> None:
    doc = three_paragraphs()
    assert doc.ids() == ["1.0", "1.8", "1.16"]
    doc.insert(0, "Top.\n\n", rev=2)
    doc.insert(doc.text.index("C three"), "Between.\n\n", rev=3)
    doc.insert(len(doc.text), "\nBottom.\n", rev=4)
    assert doc.ids() == ["2.0", "1.0", "1.8", "3.0", "1.16", "4.1"]


def test_ids_survive_edits_and_deletions_of_other_paragraphs() -> None:
    doc = three_paragraphs()
    doc.delete("one", rev=2)
    doc.insert(doc.text.index("three"), "number ", rev=3)
    assert doc.ids() == ["1.0", "1.8", "1.16"]
    doc.delete("B two.\n\n", rev=4)
    assert doc.ids() == ["1.0", "1.16"]
    doc.delete("A .\n\n", rev=5)
    assert doc.ids() == ["1.16"]


def test_an_id_survives_anyone_editing_the_paragraph_itself() -> None:
    doc = three_paragraphs()
    doc.insert(doc.text.index("two"), "very ", rev=2)
    doc.delete("B ", rev=3)  # the oldest character goes; its tombstone stays in the paragraph
    doc.delete("two", rev=4)
    doc.insert(doc.text.index("very ") + 5, "tiny", rev=5)
    assert doc.text == "A one.\n\nvery tiny.\n\nC three.\n"
    assert doc.ids() == ["1.0", "1.8", "1.16"]


def test_the_id_survives_deleting_a_younger_paragraph_above_from_its_end() -> None:
    # B and C are older than A; deleting "\n\nB two." leaves B's tombstones inside A's
    # block, which must not hand A the older id of B.
    doc = Doc()
    doc.insert(0, "B two.\n\nC three.\n", rev=1)
    doc.insert(0, "A one.\n\n", rev=2)
    assert doc.ids() == ["2.0", "1.0", "1.8"]
    doc.delete("\n\nB two.", rev=3)
    assert doc.ids() == ["2.0", "1.8"]
    doc.insert(doc.text.index("."), " more", rev=4)  # typed after B's tombstones
    assert doc.ids() == ["2.0", "1.8"]


def test_a_new_paragraph_typed_before_a_deleted_first_word_does_not_take_its_id() -> None:
    doc = three_paragraphs()
    doc.delete("B ", rev=2)
    doc.insert(doc.text.index("two"), "New.\n\n", rev=3)
    by_text = doc.by_text()
    assert by_text["New."].id == "3.0"
    assert by_text["New."].revisions == (3,)
    assert by_text["two."].id == "1.8"
    assert by_text["two."].revisions == (1, 2)


def test_a_deleted_first_word_stays_with_its_paragraph_as_neighbours_come_and_go() -> None:
    doc = three_paragraphs()
    doc.delete("B ", rev=2)
    doc.insert(doc.text.index("two"), "New.\n\n", rev=3)  # lands after the tombstones
    assert doc.ids() == ["1.0", "3.0", "1.8", "1.16"]
    doc.delete("A one.\n\n", rev=4)
    assert doc.ids() == ["3.0", "1.8", "1.16"]
    doc.delete("New.\n\n", rev=5)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [
        ("1.8", (1, 2, 3, 4, 5)),  # the first paragraph keeps the ghosts of those above it
        ("1.16", (1,)),
    ]


def test_a_new_paragraph_typed_after_a_deleted_last_paragraph_does_not_take_its_id() -> None:
    doc = Doc()
    doc.insert(0, "A one.\n\nB two", rev=1)
    doc.delete("B two", rev=2)
    doc.insert(len(doc.text), "New", rev=3)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.0", (1, 2)), ("3.0", (3,))]


def test_a_new_paragraph_typed_at_the_end_of_another_gets_a_new_id() -> None:
    doc = three_paragraphs()
    seq = doc.insert(len("A one."), "\n\nNew.", rev=2)
    assert doc.ids() == ["1.0", f"{seq}.2", "1.8", "1.16"]


def test_splitting_a_paragraph_keeps_the_id_on_the_first_half() -> None:
    doc = Doc()
    doc.insert(0, "Hello world.\n", rev=1)
    doc.edit(5, 1, "\n\n", rev=2)
    assert doc.text == "Hello\n\nworld.\n"
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.0", (1, 2)), ("1.6", (1,))]


def test_joining_paragraphs_keeps_the_older_id() -> None:
    doc = Doc()
    doc.insert(0, "world.\n", rev=1)
    doc.insert(0, "Hello\n\n", rev=2)
    doc.edit(5, 2, " ", rev=3)
    assert doc.text == "Hello world.\n"
    assert doc.ids() == ["1.0"]


# Structured edits on a document of plain paragraphs: the edits the identity rule promises
# to survive. Each: (kind, which paragraph, where in it, words).
structured = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove", "type", "cut", "prepend", "append", "reword"]),
        st.integers(0, 1000),
        st.integers(0, 1000),
        st.sampled_from(["x", "yy zz", "new words here"]),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(structured)
def test_ids_survive_any_edit_that_keeps_a_paragraph_in_place(
    steps: list[tuple[str, int, int, str]],
) -> None:
    doc = Doc()
    doc.insert(0, "first para\n\nsecond one here\n\nthird\n\n", rev=1)
    for rev, (kind, which, where, words) in enumerate(steps, start=2):
        blocks = split_blocks(doc.text)
        before = doc.ids()
        block = blocks[which % len(blocks)] if blocks else Block(0, 0, "paragraph")
        body = doc.text[block.start : block.end].rstrip("\n")
        kept = list(before)
        if kind == "add" or not blocks:  # a new paragraph before this one, or at the end
            at = block.start if blocks and which % 2 else len(doc.text)
            seq = doc.insert(at, f"{words}\n\n", rev)
            kept.insert(blocks.index(block) if blocks and which % 2 else len(kept), f"{seq}.0")
        elif kind == "remove" and len(blocks) > 1:
            doc.edit(block.start, block.end - block.start, "", rev)
            kept.remove(before[blocks.index(block)])
        elif kind == "type" and len(body) > 1:  # inside a line of the paragraph
            doc.insert(block.start + 1 + where % (len(body) - 1), words, rev)
        elif kind in ("cut", "reword") and " " in body:  # a word, leaving some text
            spaces = [i for i, char in enumerate(body) if char == " "]
            space = spaces[where % len(spaces)]
            start = body.rfind(" ", 0, space) + 1
            doc.edit(block.start + start, space + 1 - start, "" if kind == "cut" else words, rev)
        elif kind == "prepend":
            doc.insert(block.start, f"{words} ", rev)
        elif kind == "append":
            doc.insert(block.start + len(body), f" {words}", rev)
        assert doc.ids() == kept
