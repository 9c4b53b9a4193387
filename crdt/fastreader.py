"""The fast reader: updates of plain text and deletes, and state vectors, read without a ByteReader.

It gives up on anything else, and on anything malformed, leaving the full reader
(``crdt.fullreader``) to decide and say why.
"""

from __future__ import annotations

from crdt.protocol import MAX_SAFE_INTEGER, MAX_VARINT_BYTES
from crdt.updateinfo import (
    GC_REF,
    HAS_ORIGIN,
    HAS_PARENT_SUB,
    HAS_RIGHT_ORIGIN,
    MAX_CLOCK,
    SKIP_REF,
    Ranges,
    UpdateInfo,
    _add_range,
    _deletion_cuts,
    _needs,
    _pair_gaps,
)


class _NotFast(Exception):
    """The fast reader met something it leaves to the full reader."""


# The fast reader inlines the one-byte case of every integer (nearly all of them) as
#     value = data[pos]; pos += 1
#     if value > 0x7F: value, pos = _uint_at(data, pos - 1)
# because a call per integer would cost more than the rest of the reading.


def _uint_at(data: bytes, pos: int) -> tuple[int, int]:
    """A lib0 unsigned integer at ``pos`` and the position after it, or ``_NotFast``."""
    value, shift, start = 0, 0, pos
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        if pos - start >= MAX_VARINT_BYTES:
            raise _NotFast
        shift += 7
    if value > MAX_SAFE_INTEGER:
        raise _NotFast
    return value, pos


def _string_at(data: bytes, pos: int) -> tuple[str, int]:
    size = data[pos]
    pos += 1
    if size > 0x7F:
        size, pos = _uint_at(data, pos - 1)
    end = pos + size
    if end > len(data):
        raise _NotFast
    return data[pos:end].decode("utf-8"), end


def _fast_id(data: bytes, pos: int, refs: list[tuple[int, int]]) -> int:
    """Note the id at ``pos`` as a state the update relies on; the position after it."""
    client = data[pos]
    pos += 1
    if client > 0x7F:
        client, pos = _uint_at(data, pos - 1)
    clock = data[pos]
    pos += 1
    if clock > 0x7F:
        clock, pos = _uint_at(data, pos - 1)
    refs.append((client, clock + 1))
    return pos


class _FastReader:
    """Updates of plain text items, GCs, Skips and deletes, read without a ByteReader.

    It gives up (``_NotFast``, ``IndexError``, ``UnicodeDecodeError``) on any other content
    and on anything the full reader would refuse; the full reader then decides and says
    why. Whatever it does return equals what the full reader returns.
    """

    __slots__ = ("chars", "cuts", "data", "kinds", "pairs", "refs", "roots", "skips", "structs")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.structs: Ranges = {}
        self.skips: Ranges = {}
        self.roots: set[str] = set()
        self.kinds: set[str] = set()
        self.refs: list[tuple[int, int]] = []
        self.cuts: list[tuple[int, int]] = []
        self.pairs: list[tuple[int, int]] = []
        self.chars = 0

    def read(self) -> UpdateInfo:
        data, seen = self.data, set()
        sections, pos = _uint_at(data, 0)
        for _ in range(sections):
            count, pos = _uint_at(data, pos)
            client, pos = _uint_at(data, pos)
            clock, pos = _uint_at(data, pos)
            if client in seen:
                raise _NotFast
            seen.add(client)
            self.refs.append((client, clock))
            for _ in range(count):
                clock, pos = self.read_struct(pos, client, clock)
        deletes, pos = _fast_deletes(data, pos)
        if pos != len(data):
            raise _NotFast
        refs = self.refs
        refs += [(client, clock + n) for client, spans in deletes.items() for clock, n in spans]
        needs = _needs(refs, self.structs) if refs else {}
        roots, kinds = frozenset(self.roots), frozenset(self.kinds)
        cuts = (*self.cuts, *_deletion_cuts(deletes)) if deletes else tuple(self.cuts)
        return UpdateInfo(
            self.structs,
            self.skips,
            deletes,
            roots,
            kinds,
            False,
            needs,
            cuts,
            tuple(self.pairs),
            self.chars,
        )

    def read_struct(self, pos: int, client: int, clock: int) -> tuple[int, int]:
        """One struct at ``pos`` starting at ``clock``: the clock and position after it."""
        data = self.data
        info = data[pos]
        ref = info & 0x1F
        if ref == 4 or ref == 1:  # string or deleted content
            length, pos = self.read_item(pos + 1, info, client, clock)
        elif ref in (GC_REF, SKIP_REF) and info == ref:
            length, pos = _uint_at(data, pos + 1)
        else:
            raise _NotFast
        if length == 0 or clock + length > MAX_CLOCK:
            raise _NotFast
        _add_range(self.skips if ref == SKIP_REF else self.structs, client, clock, length)
        return clock + length, pos

    def read_item(self, pos: int, info: int, client: int, clock: int) -> tuple[int, int]:
        """A text or deleted item under a root type: its length in clock units and next pos."""
        data, refs = self.data, self.refs
        if info & HAS_ORIGIN:
            pos = _fast_id(data, pos, refs)
            self.cuts.append(refs[-1])  # the gap after the left origin
        if info & HAS_RIGHT_ORIGIN:
            pos = _fast_id(data, pos, refs)
            self.cuts.append((refs[-1][0], refs[-1][1] - 1))  # the gap before the right one
        if not info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN):
            if data[pos] != 1 or info & HAS_PARENT_SUB:  # nested or keyed: not for this reader
                raise _NotFast
            root, pos = _string_at(data, pos + 1)
            self.roots.add(root)
        if info & 0x1F == 1:
            self.kinds.add("deleted")
            return _uint_at(data, pos)
        self.kinds.add("string")
        text, pos = _string_at(data, pos)
        chars = len(text)
        self.chars += chars
        return (chars if text.isascii() else _pair_gaps(client, clock, text, self.pairs)), pos


def _fast_deletes(data: bytes, pos: int) -> tuple[Ranges, int]:
    """The delete set at ``pos`` and the position after it, or ``_NotFast``."""
    deletes: Ranges = {}
    clients, pos = _uint_at(data, pos)
    for _ in range(clients):
        client, pos = _uint_at(data, pos)
        spans = deletes.setdefault(client, [])
        ranges, pos = _uint_at(data, pos)
        for _ in range(ranges):
            clock, pos = _uint_at(data, pos)
            length, pos = _uint_at(data, pos)
            if clock + length > MAX_CLOCK:
                raise _NotFast
            spans.append((clock, length))
    return deletes, pos


def _fast_state_vector(data: bytes) -> dict[int, int]:
    vector: dict[int, int] = {}
    entries, pos = _uint_at(data, 0)
    for _ in range(entries):
        client, pos = _uint_at(data, pos)
        vector[client], pos = _uint_at(data, pos)
    if pos != len(data) or len(vector) != entries:
        raise _NotFast
    return vector
