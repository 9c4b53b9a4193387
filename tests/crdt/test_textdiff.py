"""Text diffs: form edits as operations, and word diffs for history."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt.textdiff import MAX_REFINE_TOKENS, apply_ops, text_ops, word_diff

texts = st.text(alphabet="ab .\n", max_size=60)


def surviving(old: str, ops: list[tuple[int, int, str]]) -> list[int]:
    """Indexes of ``old`` characters that the ops leave in place, in their new order."""
    cells: list[int] = list(range(len(old)))
    for index, deleted, inserted in ops:
        cells[index : index + deleted] = [-1] * len(inserted)
    return [cell for cell in cells if cell >= 0]


def test_unchanged_text_needs_no_ops() -> None:
    assert text_ops("same\n", "same\n") == []


def test_a_changed_word_is_one_op_replacing_the_word() -> None:
    assert text_ops("the cat sat\n", "the dog sat\n") == [(4, 3, "dog")]


def test_ops_are_indexed_in_the_text_the_previous_ops_left() -> None:
    old = "alpha beta gamma\n\nkeep this\n\ndelta epsilon\n"
    new = "alpha BETA BETA gamma\n\nkeep this\n\ndelta\n"
    ops = text_ops(old, new)
    assert ops == [(6, 4, "BETA BETA"), (39, 8, "")]
    assert apply_ops(old, ops) == new


def test_inserting_into_empty_and_deleting_everything() -> None:
    assert text_ops("", "new\n") == [(0, 0, "new\n")]
    assert text_ops("old\n", "") == [(0, 4, "")]


def test_an_added_paragraph_leaves_its_neighbours_untouched() -> None:
    old = "First para.\n\nLast para.\n"
    new = "First para.\n\nMiddle para.\n\nLast para.\n"
    ops = text_ops(old, new)
    assert apply_ops(old, ops) == new
    assert sum(deleted for _, deleted, _ in ops) == 0


def test_small_change_in_a_large_document_is_fast_and_small() -> None:
    paragraphs = [f"Paragraph {i} says something about item {i}.\n\n" for i in range(2500)]
    old = "".join(paragraphs)
    paragraphs[3] = "Paragraph 3 now says something else.\n\n"
    paragraphs[2400] = paragraphs[2400].replace("item", "the item")
    new = "".join(paragraphs)
    assert len(old) > 100_000
    started = time.process_time()
    ops = text_ops(old, new)
    assert time.process_time() - started < 2.0  # about 0.02 s; CPU time, for busy machines
    assert apply_ops(old, ops) == new
    assert sum(deleted + len(inserted) for _, deleted, inserted in ops) < 60


def test_a_huge_rewritten_region_is_replaced_whole() -> None:
    old = " ".join(f"w{i}" for i in range(MAX_REFINE_TOKENS))
    new = " ".join(f"v{i}" for i in range(MAX_REFINE_TOKENS))
    started = time.process_time()
    ops = text_ops(old, new)
    assert time.process_time() - started < 2.0
    assert len(ops) == 1
    assert apply_ops(old, ops) == new


def test_apply_ops_refuses_an_op_past_the_end() -> None:
    with pytest.raises(ValueError, match="outside"):
        apply_ops("abc", [(2, 5, "")])


@given(texts, texts)
def test_applying_text_ops_to_old_gives_new(old: str, new: str) -> None:
    assert apply_ops(old, text_ops(old, new)) == new


@given(texts, texts)
def test_ops_are_not_empty_and_do_not_touch_each_other(old: str, new: str) -> None:
    ops = text_ops(old, new)
    for index, deleted, inserted in ops:
        assert deleted or inserted
        assert index >= 0
    for (index, _, inserted), (following, _, _) in itertools.pairwise(ops):
        assert index + len(inserted) < following


def line_texts(letters: str) -> st.SearchStrategy[str]:
    """Texts of whole lines, each holding at least one of ``letters``."""
    line = st.tuples(st.sampled_from(letters), st.text(alphabet=letters + " .", max_size=4))
    return st.lists(line, max_size=4).map(lambda lines: "".join(f"{a}{b}\n" for a, b in lines))


@given(line_texts("ab"), line_texts("cd"), line_texts("cd"), line_texts("xy"))
def test_common_leading_and_trailing_lines_are_never_inside_an_op(
    prefix: str, old_middle: str, new_middle: str, suffix: str
) -> None:
    old, new = prefix + old_middle + suffix, prefix + new_middle + suffix
    kept = surviving(old, text_ops(old, new))
    assert set(range(len(prefix))) <= set(kept)
    assert set(range(len(old) - len(suffix), len(old))) <= set(kept)


@given(texts, texts, texts)
def test_a_change_inside_one_line_keeps_the_rest_of_the_line(
    start: str, middle: str, end: str
) -> None:
    old, new = f"{start}Xq{end}", f"{start}{middle}q{end}"
    if "\n" in old or "\n" in new:
        return
    kept = surviving(old, text_ops(old, new))
    assert set(range(len(start))) | {len(start) + 1} <= set(kept)


lines_ab = st.lists(st.text(alphabet="ab ", min_size=1, max_size=6), max_size=6)
lines_xy = st.lists(st.text(alphabet="xy ", min_size=1, max_size=6), max_size=6)


def joined(lines: list[str], letter: str) -> str:
    return "".join(f"{line}{letter}\n" for line in lines)


@given(lines_ab, lines_ab, lines_xy, lines_xy)
def test_an_unchanged_line_between_changes_is_never_inside_an_op(
    old_head: list[str], new_head: list[str], old_tail: list[str], new_tail: list[str]
) -> None:
    marker = "== unchanged line ==\n"
    old_top = joined(old_head, "a")
    old = old_top + marker + joined(old_tail, "x")
    new = joined(new_head, "a") + marker + joined(new_tail, "x")
    kept = surviving(old, text_ops(old, new))
    assert set(range(len(old_top), len(old_top) + len(marker))) <= set(kept)


@given(texts, texts)
def test_the_kept_characters_of_old_appear_in_new_in_order(old: str, new: str) -> None:
    kept = surviving(old, text_ops(old, new))
    assert kept == sorted(kept)


def test_word_diff_marks_whole_words() -> None:
    assert word_diff("the cat sat on the mat", "the cats sat on a mat.") == [
        ("equal", "the "),
        ("delete", "cat"),
        ("insert", "cats"),
        ("equal", " sat on "),
        ("delete", "the"),
        ("insert", "a"),
        ("equal", " mat"),
        ("insert", "."),
    ]


def test_word_diff_of_equal_texts_is_one_equal_piece() -> None:
    assert word_diff("same text\n", "same text\n") == [("equal", "same text\n")]
    assert word_diff("", "") == []


def test_word_diff_does_not_split_a_word_sharing_a_prefix() -> None:
    assert word_diff("budget", "budgets") == [("delete", "budget"), ("insert", "budgets")]


@given(texts, texts)
def test_word_diff_reconstructs_both_sides(old: str, new: str) -> None:
    pieces = word_diff(old, new)
    assert "".join(text for tag, text in pieces if tag != "insert") == old
    assert "".join(text for tag, text in pieces if tag != "delete") == new
    assert all(text for _, text in pieces)
    assert all(a[0] != b[0] for a, b in itertools.pairwise(pieces))


@settings(max_examples=50)
@given(st.text(max_size=40), st.text(max_size=40))
def test_text_ops_and_word_diff_handle_any_unicode(old: str, new: str) -> None:
    assert apply_ops(old, text_ops(old, new)) == new
    pieces = word_diff(old, new)
    assert "".join(text for tag, text in pieces if tag != "delete") == new
