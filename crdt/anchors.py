"""Anchors: ranges of the text that follow it as it is edited, as Yjs relative positions.

An anchor is two encoded relative positions (yrs calls them sticky indexes; the bytes are
those of ``Y.encodeRelativePosition``). The start sticks to the first character of the
range and the end to the last, so text typed at either edge stays outside, text typed
inside joins the range, and a range whose characters were all deleted collapses to an
empty one where it stood. As in Yjs, once the first character is deleted, text typed at
the range's start lands after its tombstone, and so inside the range. They are resolved
against the document's whole state; pycrdt does the resolving whichever engine runs the
room, since y-py has no such API.

Indexes count code points of the Python ``str``, as everywhere in ``crdt``; clocks and
relative positions count UTF-16 units, as Yjs does. pycrdt resolves them in UTF-8 bytes,
and counts the part inside an item in UTF-16 units, which agree only for ASCII. So pycrdt
is given a copy of the state whose every string is ASCII of the same UTF-16 length (the
ids are untouched), where all three counts agree, and the answer is converted to code
points against the real text. A position is checked against the state before pycrdt is
asked about it: pycrdt panics on one it cannot find.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from crdt.doc import TEXT_NAME
from crdt.errors import CrdtError
from crdt.fullreader import string_contents
from crdt.protocol import ByteReader, write_uint
from crdt.updates import parse_state_vector

MAX_ANCHOR_BYTES = 64
"""An encoded relative position is a type byte, a client id, a clock and an assoc."""


class InvalidAnchor(CrdtError):
    """A relative position that does not decode, or names nothing in this document."""


@dataclass(frozen=True)
class Anchor:
    """The encoded start and end of a range."""

    start: bytes
    end: bytes


class AnchorReader:
    """One state of a document, to make anchors in it and find where anchors stand now.

    Safe to share between threads: one pycrdt transaction at a time, under a lock.
    """

    def __init__(self, state: bytes, text: str) -> None:
        """``state``: the whole document as one update; ``text``: its text."""
        self._pycrdt: Any = import_module("pycrdt")
        doc = self._pycrdt.Doc()
        doc.apply_update(ascii_copy(state))
        self._text = doc.get(TEXT_NAME, type=self._pycrdt.Text)
        self._vector = parse_state_vector(doc.get_state())
        self.text = text
        wide = text.encode("utf-16-le")
        if len(wide) != 2 * len(self._text):
            raise ValueError("the text is not the text of this state")
        self._wide = wide if len(wide) != 2 * len(text) else None  # astral characters
        self._lock = threading.Lock()

    def anchor(self, start: int, end: int) -> Anchor:
        """The anchor of ``text[start:end]`` (code points); an empty range is a point."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"range {start}..{end} is outside a text of {len(self.text)}")
        assoc = self._pycrdt.Assoc
        with self._lock:
            first = self._text.sticky_index(self._units(start), assoc.AFTER)
            last = self._text.sticky_index(self._units(end), assoc.BEFORE)
            return Anchor(first.encode(), last.encode())

    def resolve(self, anchor: Anchor) -> tuple[int, int]:
        """Where the range stands now, in code points; (i, i) when its text is gone."""
        start, end = self._index(anchor.start), self._index(anchor.end)
        return start, max(start, end)

    def quote(self, anchor: Anchor) -> str:
        """The text the anchor covers now ("" when it was all deleted)."""
        start, end = self.resolve(anchor)
        return self.text[start:end]

    def _index(self, data: bytes) -> int:
        if not isinstance(data, bytes) or not well_formed(data):
            raise InvalidAnchor("an anchor must be an encoded Yjs relative position")
        with self._lock:
            try:
                sticky = self._pycrdt.StickyIndex.decode(data, self._text)
                where = sticky.to_json()
            except Exception as error:
                raise InvalidAnchor("the anchor does not decode as a relative position") from error
            if not self._names_a_place(where):
                raise InvalidAnchor("the anchor names no place in this document")
            return self._chars(sticky.get_index())

    def _names_a_place(self, where: Any) -> bool:
        """An item this state holds, or the text itself: nothing pycrdt would panic on."""
        if not isinstance(where, dict):
            return False
        if "tname" in where:
            return bool(where["tname"] == TEXT_NAME)
        item = where.get("item")
        if not isinstance(item, dict):
            return False
        client, clock = item.get("client"), item.get("clock")
        if not isinstance(client, int) or not isinstance(clock, int):
            return False
        return 0 <= clock < self._vector.get(client, 0)

    def _units(self, index: int) -> int:
        return index if self._wide is None else len(self.text[:index].encode("utf-16-le")) // 2

    def _chars(self, units: int) -> int:
        if self._wide is None:
            return min(units, len(self.text))
        return len(self._wide[: 2 * units].decode("utf-16-le", errors="ignore"))


def ascii_copy(state: bytes) -> bytes:
    """``state`` with every string content replaced by as many UTF-16 units of ASCII."""
    out = bytearray()
    done = 0
    for start, end, text in string_contents(state):
        units = len(text.encode("utf-16-le")) // 2
        out += state[done:start]
        write_uint(out, units)
        out += b"x" * units
        done = end
    out += state[done:]
    return bytes(out)


def well_formed(data: bytes) -> bool:
    """Whether ``data`` reads as a relative position: pycrdt panics on one that does not.

    A kind (0: an item's id, 1: a root type's name, 2: a nested type's id), what it names,
    then its assoc (Yjs writes one since 13.5; pycrdt needs it).
    """
    if not 0 < len(data) <= MAX_ANCHOR_BYTES:
        return False
    reader = ByteReader(data, "relative position", InvalidAnchor)
    try:
        kind = reader.uint()
        if kind == 1:
            reader.string()
        elif kind in (0, 2):
            reader.uint(), reader.uint()
        else:
            return False
        reader.varint()
        reader.end()
    except InvalidAnchor:
        return False
    return True
