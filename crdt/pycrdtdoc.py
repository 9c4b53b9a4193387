"""The pycrdt adapter: pycrdt counts UTF-8 bytes, so its indexes and deltas are converted here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

from crdt.adapter import _client_id, _EngineDoc, check_ops
from crdt.doc import EMPTY_UPDATE, TEXT_NAME, Delta, Op


class PycrdtDoc(_EngineDoc):
    """A pycrdt document; pycrdt counts UTF-8 bytes, so indexes are converted here."""

    def __init__(self, client_id: int | None = None) -> None:
        super().__init__()
        pycrdt = import_module("pycrdt")
        self._doc = pycrdt.Doc(client_id=_client_id(client_id))
        self._text = self._doc.get(TEXT_NAME, type=pycrdt.Text)
        self._encode, self._vector = self._doc.get_update, self._doc.get_state
        # The text as of the last delta, edit or read: byte counts are converted against it,
        # because reading the whole text back from the engine costs far more than a delta.
        self._mirror: str | None = ""
        self._mirror_size = 0  # in UTF-8 bytes, as the engine counts

    def _observe(self, callback: Callable[[Any], object]) -> Callable[[], object]:
        # The raw event, not pycrdt's wrapper, which builds every field and inspects callbacks.
        return self._text.integrated.observe(callback).drop  # type: ignore[no-any-return]

    def _apply_batch(self, updates: list[bytes]) -> None:
        self._mirror = None
        with self._doc.transaction():
            for update in updates:
                self._doc.apply_update(update)

    def apply_update_delta(self, update: bytes) -> Delta:
        old, size = self.text(), self._mirror_size
        raw = super().apply_update_delta(update)
        delta, new = utf8_delta_to_str(raw, old)
        if delta is not None:  # the size the engine should now report, in UTF-8 bytes
            size -= sum(op.get("delete", 0) for op in raw)
            size += sum(len(op["insert"].encode()) for op in raw if "insert" in op)
        if delta is None or len(self._text) != size:
            new = str(self._text)  # the delta does not add up (it never has): trust the text
            delta = diff_delta(old, new)
        self._mirror, self._mirror_size = new, len(self._text)
        return delta

    def text(self) -> str:
        self._live()
        if self._mirror is None:
            self._mirror, self._mirror_size = str(self._text), len(self._text)
        return self._mirror

    def edit(self, ops: Sequence[Op]) -> bytes:
        text = self.text()
        if not check_ops(ops, len(text)):
            return EMPTY_UPDATE
        captured: list[bytes] = []
        subscription = self._doc.observe(lambda event: captured.append(event.update))
        self._mirror = None
        try:
            with self._doc.transaction():
                for index, delete_count, insert in ops:
                    start = len(text[:index].encode())
                    if delete_count:
                        del self._text[start : start + len(text[index:][:delete_count].encode())]
                    if insert:
                        self._text.insert(start, insert)
                    text = text[:index] + insert + text[index + delete_count :]
        finally:
            self._doc.unobserve(subscription)
        self._mirror, self._mirror_size = text, len(self._text)
        return self._note_edit(bytes(captured[-1])) if captured else EMPTY_UPDATE


def utf8_delta_to_str(delta: Delta, old: str) -> tuple[Delta | None, str]:
    """Convert a delta counted in UTF-8 bytes over ``old``; return it and the new text.

    The delta is None when a count does not end on a character boundary inside ``old``.
    """
    ascii_old = old.isascii()  # O(1) in CPython; then bytes and code points agree
    out: Delta = []
    pieces: list[str] = []
    pos = 0
    for op in delta:
        if isinstance(op.get("insert"), str):
            pieces.append(op["insert"])
            out.append(op)
            continue
        key = "retain" if "retain" in op else "delete"
        n = op[key] if ascii_old else _chars_in(old, pos, op[key])
        if not 0 <= n <= len(old) - pos:
            return None, old
        pieces.append(old[pos : pos + n] if key == "retain" else "")
        out.append({key: n})
        pos += n
    return out, "".join(pieces) + old[pos:]


def _chars_in(text: str, start: int, size: int) -> int:
    """How many code points from ``start`` make exactly ``size`` UTF-8 bytes (-1 if none)."""
    chunk = text[start : start + size].encode()[:size]
    try:
        return len(chunk.decode()) if len(chunk) == size else -1
    except UnicodeDecodeError:
        return -1


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search: slice comparisons run in C, a character loop would not
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if a[:mid] == b[:mid] else (lo, mid - 1)
    return lo


def diff_delta(old: str, new: str) -> Delta:
    """A delta turning ``old`` into ``new`` by replacing one middle stretch."""
    prefix = _common_prefix(old, new)
    suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1])
    ops: list[tuple[str, object]] = [("retain", prefix), ("delete", len(old) - prefix - suffix)]
    ops.append(("insert", new[prefix : len(new) - suffix]))
    return [{key: value} for key, value in ops if value]
