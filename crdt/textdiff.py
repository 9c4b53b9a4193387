"""Text diffs: edit operations for form submissions and word diffs for the history views."""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher
from itertools import accumulate
from typing import Literal

Op = tuple[int, int, str]
"""(index, delete_count, insert_text), index counted in the text left by the previous ops."""

Tag = Literal["equal", "insert", "delete"]

MAX_REFINE_TOKENS = 20_000
"""Changed regions with more tokens than this (both sides) are replaced whole, not diffed."""

# Words, whitespace runs and single other characters; mirrored by _char_class below.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

# (old_start, old_end, new_start, new_end, changed)
_Span = tuple[int, int, int, int, bool]


def text_ops(old: str, new: str) -> list[Op]:
    """Operations that turn ``old`` into ``new`` when applied in order, leaving equal text alone."""
    ops: list[Op] = []
    for i1, i2, j1, j2, changed in _spans(old, new, align_tokens=False):
        if not changed:
            continue
        if ops and ops[-1][0] + len(ops[-1][2]) == j1:
            # Adjacent changes become one op, so a form edit yields as few CRDT items as it can.
            index, deleted, inserted = ops[-1]
            ops[-1] = (index, deleted + i2 - i1, inserted + new[j1:j2])
        else:
            ops.append((j1, i2 - i1, new[j1:j2]))
    return ops


def apply_ops(text: str, ops: list[Op]) -> str:
    """Apply ``ops`` (as made by text_ops) to ``text``."""
    for index, deleted, inserted in ops:
        if index < 0 or deleted < 0 or index + deleted > len(text):
            raise ValueError(f"op ({index}, {deleted}) is outside a text of {len(text)} chars")
        text = text[:index] + inserted + text[index + deleted :]
    return text


def word_diff(old: str, new: str) -> list[tuple[Tag, str]]:
    """The change from ``old`` to ``new`` as equal/delete/insert pieces of whole words."""
    pieces: list[tuple[Tag, str]] = []

    def add(tag: Tag, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1][0] == tag:
            pieces[-1] = (tag, pieces[-1][1] + text)
        else:
            pieces.append((tag, text))

    for i1, i2, j1, j2, changed in _spans(old, new, align_tokens=True):
        if changed:
            add("delete", old[i1:i2])
            add("insert", new[j1:j2])
        else:
            add("equal", old[i1:i2])
    return pieces


def _spans(old: str, new: str, *, align_tokens: bool) -> Iterator[_Span]:
    """Equal and changed spans in order: common prefix and suffix, then lines, then words."""
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
    # Widen the middle to whole lines: a partial line at either end could hide an unchanged
    # line from the line diff (old "L\nx\n", new "y\nL\n" share the suffix "\n").
    head = old.rfind("\n", 0, prefix) + 1
    newline = old.find("\n", len(old) - suffix)
    tail = len(old) - newline - 1 if newline >= 0 else 0
    yield 0, head, 0, head, False
    old_lines = old[head : len(old) - tail].splitlines(keepends=True)
    new_lines = new[head : len(new) - tail].splitlines(keepends=True)
    old_at = list(accumulate(map(len, old_lines), initial=head))
    new_at = list(accumulate(map(len, new_lines), initial=head))
    # autojunk stays on: lines in more than 1% of a long text (Markdown's blank lines) then
    # only extend matches instead of seeding them, which would be quadratic. Marking them as
    # junk instead would be worse: matches could not run through them.
    matcher = SequenceMatcher(None, old_lines, new_lines)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        span = old_at[a1], old_at[a2], new_at[b1], new_at[b2]
        if tag == "equal":
            yield (*span, False)
        else:
            yield from _changed_spans(old, new, *span, align_tokens=align_tokens)
    yield len(old) - tail, len(old), len(new) - tail, len(new), False


def _changed_spans(
    old: str, new: str, i0: int, i1: int, j0: int, j1: int, *, align_tokens: bool
) -> Iterator[_Span]:
    """Diff changed lines old[i0:i1] and new[j0:j1]: common ends, then words between."""
    a, b = old[i0:i1], new[j0:j1]
    prefix = _common_prefix(a, b)
    suffix = _common_suffix(a, b, min(len(a), len(b)) - prefix)
    if align_tokens:
        while not (_boundary(a, prefix) and _boundary(b, prefix)):
            prefix -= 1
        while not (_boundary(a, len(a) - suffix) and _boundary(b, len(b) - suffix)):
            suffix -= 1
    yield i0, i0 + prefix, j0, j0 + prefix, False
    yield from _word_spans(old, new, i0 + prefix, i1 - suffix, j0 + prefix, j1 - suffix)
    yield i1 - suffix, i1, j1 - suffix, j1, False


def _word_spans(old: str, new: str, i0: int, i1: int, j0: int, j1: int) -> Iterator[_Span]:
    """Diff old[i0:i1] against new[j0:j1] by word tokens."""
    old_tokens = _TOKEN.findall(old, i0, i1)
    new_tokens = _TOKEN.findall(new, j0, j1)
    if not old_tokens or not new_tokens or len(old_tokens) + len(new_tokens) > MAX_REFINE_TOKENS:
        if i0 < i1 or j0 < j1:
            yield i0, i1, j0, j1, True
        return
    old_at = list(accumulate(map(len, old_tokens), initial=i0))
    new_at = list(accumulate(map(len, new_tokens), initial=j0))
    matcher = SequenceMatcher(None, old_tokens, new_tokens)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        yield old_at[a1], old_at[a2], new_at[b1], new_at[b2], tag != "equal"


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by halving slice comparisons (C speed on long texts)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common suffix, at most ``limit``."""
    low, high = 0, limit
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid : len(a) - low] == b[len(b) - mid : len(b) - low]:
            low = mid
        else:
            high = mid - 1
    return low


def _char_class(char: str) -> int:
    """0 for whitespace, 1 for word characters, 2 for anything else (a token on its own)."""
    if char.isspace():
        return 0
    return 1 if char.isalnum() or char == "_" else 2


def _boundary(text: str, index: int) -> bool:
    """Whether ``index`` falls between two tokens of ``text``."""
    if index <= 0 or index >= len(text):
        return True
    before, after = _char_class(text[index - 1]), _char_class(text[index])
    return before != after or before == 2
