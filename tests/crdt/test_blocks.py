"""Blocks: how a text is cut into paragraphs, headings, lists, fences and tables.

A block covers its lines and the blank lines after it, the blocks tile the text from start
to end, and every character of the attribution, deleted ones too, belongs to exactly one
block, in the order of the text.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from crdt.blocks import owned_pieces, text_at
from crdt.paragraphs import Block, split_blocks
from tests.crdt.paragraph_helpers import edits, random_doc


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
