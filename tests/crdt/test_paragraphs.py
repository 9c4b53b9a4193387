"""Paragraph attribution: blocks, shares, authors, revisions, identity and history."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt.attribution import Attribution
from crdt.blocks import owned_pieces, text_at
from crdt.paragraphs import (
    Author,
    Block,
    Paragraph,
    ParagraphChange,
    ParagraphNotFound,
    describe_paragraphs,
    paragraph_history,
    split_blocks,
)

GOV = Author(1, "Gita Civil-Servant", 10, "Ministry of Finance", "government")
CSO = Author(2, "Cato Campaigner", 20, "Open Budget Network", "civil_society")
CSO_2 = Author(3, "Cleo Colleague", 20, "Open Budget Network", "civil_society")


class Doc:
    """A text edited through Y.Text-style deltas, with its shadow, as the server replays a log."""

    def __init__(self) -> None:
        self.text = ""
        self.shadow = Attribution()
        self.seq = 0

    def edit(self, index: int, delete: int, insert: str, rev: int) -> int:
        """Delete then insert at ``index`` in one log record; returns its seq."""
        self.seq += 1
        delta: list[dict[str, object]] = [{"retain": index}] if index else []
        delta += [{"delete": delete}] if delete else []
        delta += [{"insert": insert}] if insert else []
        self.shadow.apply_delta(delta, self.seq, rev)
        self.text = self.text[:index] + insert + self.text[index + delete :]
        return self.seq

    def insert(self, index: int, text: str, rev: int) -> int:
        return self.edit(index, 0, text, rev)

    def delete(self, piece: str, rev: int) -> int:
        return self.edit(self.text.index(piece), len(piece), "", rev)

    def paragraphs(self, authors: dict[int, Author] | None = None) -> list[Paragraph]:
        authors = authors if authors is not None else {rev: GOV for rev in range(1, 100)}
        return describe_paragraphs(self.text, self.shadow, authors)

    def ids(self) -> list[str]:
        return [paragraph.id for paragraph in self.paragraphs()]

    def by_text(self) -> dict[str, Paragraph]:
        return {paragraph.text.strip(): paragraph for paragraph in self.paragraphs()}


def three_paragraphs() -> Doc:
    doc = Doc()
    doc.insert(0, "A one.\n\nB two.\n\nC three.\n", rev=1)
    return doc


# --- blocks ----------------------------------------------------------------------------


def test_a_block_covers_its_lines_and_the_blank_lines_after_it() -> None:
    text = "# Title\n\nFirst para\nstill first.\n\n\nSecond.\n"
    assert split_blocks(text) == [
        Block(0, 9, "heading"),
        Block(9, 35, "paragraph"),
        Block(35, 43, "paragraph"),
    ]


def test_lists_fences_and_tables_are_one_block_each() -> None:
    text = "- one\n\n- two\n\n```\ncode\n\nmore\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n\nEnd"
    assert [(b.type, text[b.start : b.end]) for b in split_blocks(text)] == [
        ("bullet_list", "- one\n\n- two\n\n"),
        ("fence", "```\ncode\n\nmore\n```\n"),
        ("table", "| a | b |\n|---|---|\n| 1 | 2 |\n\n"),
        ("paragraph", "End"),
    ]


def test_leading_blank_lines_and_reference_definitions_join_the_next_block() -> None:
    assert split_blocks("\n\n[x]: /url\n\nText [x].\n") == [Block(0, 23, "paragraph")]


def test_crlf_line_breaks_count_like_newlines() -> None:
    assert split_blocks("a\r\n\r\nb\r\n") == [Block(0, 5, "paragraph"), Block(5, 8, "paragraph")]


def test_an_empty_or_blank_text_has_no_blocks() -> None:
    assert split_blocks("") == []
    assert split_blocks(" \n\n") == []


markdownish = st.text(alphabet="ab #->|`*\n", max_size=80)


@given(markdownish)
def test_blocks_tile_the_text_from_start_to_end(text: str) -> None:
    blocks = split_blocks(text)
    if not text.strip():
        assert blocks == []
        return
    assert blocks[0].start == 0
    assert blocks[-1].end == len(text)
    for block, following in itertools.pairwise(blocks):
        assert block.start < block.end == following.start
        assert text[following.start - 1] in "\r\n"


# --- the scenario from the brief -----------------------------------------------------


def scenario() -> Doc:
    """Government writes two paragraphs; CSO edits the second; government adds one above."""
    doc = Doc()
    doc.insert(0, "Open data.\n\nPublish all budgets.\n", rev=1)  # seq 1
    doc.delete("all ", rev=2)  # seq 2
    doc.insert(doc.text.index("\n", 12), " Invite citizens.", rev=2)  # seq 3
    doc.insert(0, "Be open.\n\n", rev=3)  # seq 4
    return doc


def test_scenario_gives_each_paragraph_its_shares_people_and_revisions() -> None:
    doc = scenario()
    assert doc.text == "Be open.\n\nOpen data.\n\nPublish budgets. Invite citizens.\n"
    authors = {1: GOV, 2: CSO, 3: GOV}
    paragraphs = doc.paragraphs(authors)
    assert [(p.id, p.start, p.end, p.type) for p in paragraphs] == [
        ("4.0", 0, 10, "paragraph"),
        ("1.0", 10, 22, "paragraph"),
        ("1.12", 22, 56, "paragraph"),
    ]
    new, first, second = paragraphs
    assert new.shares == {"government": 1.0, "civil_society": 0.0, "other": 0.0}
    assert (new.people, new.organisations, new.revisions, new.last_revision) == (
        (1,),
        (10,),
        (3,),
        3,
    )
    assert first.shares == {"government": 1.0, "civil_society": 0.0, "other": 0.0}
    assert (first.people, first.revisions, first.last_revision) == ((1,), (1,), 1)
    # 15 government characters ("Publishbudgets.") and 15 from civil society.
    assert second.shares == {"government": 0.5, "civil_society": 0.5, "other": 0.0}
    assert second.people == (1, 2)  # a tie: the earlier contributor first
    assert second.organisations == (10, 20)
    assert second.person_shares == {1: 0.5, 2: 0.5}
    assert (second.revisions, second.last_revision) == ((1, 2), 2)
    assert second.text == "Publish budgets. Invite citizens.\n"


def test_scenario_history_shows_each_revision_of_a_paragraph() -> None:
    doc = scenario()
    assert paragraph_history(doc.text, doc.shadow, "1.12") == [
        ParagraphChange(1, "", "Publish all budgets.\n"),
        ParagraphChange(2, "Publish all budgets.\n", "Publish budgets. Invite citizens.\n"),
    ]
    assert paragraph_history(doc.text, doc.shadow, "4.0") == [
        ParagraphChange(3, "", "Be open.\n\n")
    ]


def test_history_of_an_unknown_paragraph_is_refused() -> None:
    doc = scenario()
    with pytest.raises(ParagraphNotFound):
        paragraph_history(doc.text, doc.shadow, "99.0")


# --- shares and people ---------------------------------------------------------------


def test_people_are_ordered_by_share_then_by_first_contribution() -> None:
    doc = Doc()
    doc.insert(0, "aaaa\n", rev=1)  # GOV, 4 characters
    doc.insert(4, " bbbbbb", rev=2)  # CSO, 6
    doc.insert(11, " cccc", rev=3)  # CSO_2, 4: ties with GOV, but came later
    (paragraph,) = doc.paragraphs({1: GOV, 2: CSO, 3: CSO_2})
    assert paragraph.people == (2, 1, 3)
    assert paragraph.organisations == (20, 10)
    assert paragraph.organisation_shares == {20: 10 / 14, 10: 4 / 14}
    assert paragraph.shares == {"government": 4 / 14, "civil_society": 10 / 14, "other": 0.0}
    assert paragraph.last_revision == 3


def test_whitespace_counts_for_nobody() -> None:
    doc = Doc()
    doc.insert(0, "ab\n", rev=1)
    doc.insert(1, "   \t ", rev=2)
    (paragraph,) = doc.paragraphs({1: GOV, 2: CSO})
    assert paragraph.shares == {"government": 1.0, "civil_society": 0.0, "other": 0.0}
    assert paragraph.people == (1,)
    assert paragraph.revisions == (1, 2)


def test_an_attribution_changed_to_the_same_text_is_read_anew() -> None:
    # Paragraphs read from one attribution are remembered; a change must not hide behind them.
    doc = Doc()
    doc.insert(0, "Budgets.\n", rev=1)
    assert doc.paragraphs({1: GOV, 2: CSO})[0].people == (1,)
    # Same text, retyped (too short to be moved text, which would keep its author).
    doc.edit(0, len("Budgets."), "Budgets.", rev=2)
    (paragraph,) = doc.paragraphs({1: GOV, 2: CSO})
    assert paragraph.people == (2,)
    assert paragraph.shares == {"government": 0.0, "civil_society": 1.0, "other": 0.0}


def test_revisions_without_an_author_count_as_other() -> None:
    doc = Doc()
    doc.insert(0, "imported\n", rev=1)
    doc.insert(8, " text", rev=2)
    (paragraph,) = doc.paragraphs({2: CSO})
    assert paragraph.shares == {
        "government": 0.0,
        "civil_society": 4 / 12,
        "other": 8 / 12,
    }
    assert paragraph.people == (2,)


def test_an_author_kind_must_be_known() -> None:
    with pytest.raises(ValueError, match="kind"):
        Author(1, "X", 1, "Y", "press")


def test_a_text_from_another_log_position_is_refused() -> None:
    doc = scenario()
    with pytest.raises(ValueError, match="different log positions"):
        describe_paragraphs(doc.text + "x", doc.shadow, {})


# --- tombstones and revisions ----------------------------------------------------------


def test_a_deleted_whole_paragraph_is_recorded_on_the_paragraph_above() -> None:
    doc = three_paragraphs()
    doc.delete("B two.\n\n", rev=2)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.0", (1, 2)), ("1.16", (1,))]


def test_a_paragraph_deleted_from_the_end_of_the_one_above_is_recorded_there_too() -> None:
    doc = three_paragraphs()
    doc.delete("\n\nB two.", rev=2)
    assert doc.text == "A one.\n\nC three.\n"
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.0", (1, 2)), ("1.16", (1,))]


def test_a_deleted_first_word_is_recorded_on_its_own_paragraph() -> None:
    doc = three_paragraphs()
    doc.delete("B ", rev=2)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [
        ("1.0", (1,)),
        ("1.8", (1, 2)),
        ("1.16", (1,)),
    ]


def test_a_deleted_first_paragraph_is_recorded_on_the_new_first_paragraph() -> None:
    doc = three_paragraphs()
    doc.delete("A one.\n\n", rev=2)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.8", (1, 2)), ("1.16", (1,))]


def test_a_deleted_last_paragraph_is_recorded_on_the_paragraph_above() -> None:
    doc = three_paragraphs()
    doc.delete("C three.\n", rev=2)
    assert [(p.id, p.revisions) for p in doc.paragraphs()] == [("1.0", (1,)), ("1.8", (1, 2))]


def test_history_of_the_paragraph_above_shows_the_deleted_paragraph_going() -> None:
    doc = three_paragraphs()
    doc.delete("B two.\n\n", rev=2)
    assert paragraph_history(doc.text, doc.shadow, "1.0") == [
        ParagraphChange(1, "", "A one.\n\nB two.\n\n"),
        ParagraphChange(2, "A one.\n\nB two.\n\n", "A one.\n\n"),
    ]


# --- identity ----------------------------------------------------------------------


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


# --- properties ----------------------------------------------------------------------

edits = st.lists(
    st.tuples(
        st.booleans(),
        st.floats(0, 1),
        st.integers(1, 8),
        st.sampled_from(["a", "b ", "\n", "\n\n", "# ", "- ", "ab\n\n", "```\n", "> "]),
        st.integers(1, 4),
    ),
    max_size=40,
)


def random_doc(steps: list[tuple[bool, float, int, str, int]]) -> Doc:
    doc = Doc()
    rev = 1
    for insert, where, length, text, step in steps:
        rev += step // 4  # mostly the same revision, sometimes the next
        index = int(where * len(doc.text))
        if insert or not doc.text:
            doc.insert(index, text, rev)
        else:
            index = min(index, len(doc.text) - 1)
            doc.edit(index, min(length, len(doc.text) - index), "", rev)
    return doc


@settings(max_examples=150, deadline=None)
@given(edits)
def test_every_character_belongs_to_exactly_one_paragraph(
    steps: list[tuple[bool, float, int, str, int]],
) -> None:
    doc = random_doc(steps)
    blocks = split_blocks(doc.text)
    owned = owned_pieces(blocks, doc.shadow)
    if not blocks:
        return
    place = {
        (run.seq, run.off + i): n
        for n, run in enumerate(doc.shadow.runs())
        for i in range(len(run.text))
    }
    owned_ids = [
        (seq, off + i)
        for pieces in owned
        for seq, off, text, _, _, _ in pieces
        for i in range(len(text))
    ]
    assert sorted(owned_ids) == sorted(place)
    for block, pieces in zip(blocks, owned, strict=True):
        assert text_at(pieces, 10**9) == doc.text[block.start : block.end]
        places = [(place[seq, off], off) for seq, off, _, _, _, _ in pieces]
        assert places == sorted(places)


@settings(max_examples=150, deadline=None)
@given(edits)
def test_paragraph_ids_are_unique_and_shares_sum_to_one(
    steps: list[tuple[bool, float, int, str, int]],
) -> None:
    doc = random_doc(steps)
    authors = {rev: (GOV, CSO, CSO_2)[rev % 3] for rev in range(1, 50)}
    paragraphs = doc.paragraphs(authors)
    assert len({p.id for p in paragraphs}) == len(paragraphs)
    for paragraph in paragraphs:
        assert set(paragraph.shares) == {"government", "civil_society", "other"}
        if paragraph.text.strip():
            assert math.isclose(sum(paragraph.shares.values()), 1.0)
        assert list(paragraph.revisions) == sorted(set(paragraph.revisions))
        assert paragraph.last_revision == paragraph.revisions[-1]


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
