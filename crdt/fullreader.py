"""The full reader of Yjs updates: any content, and a refusal that says what is wrong and where."""

from __future__ import annotations

import json

from crdt.protocol import ByteReader
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

MAX_NESTING = 64
# Content kinds by content ref (the low five bits of a struct's info byte).
KINDS = ("gc", "deleted", "json", "binary", "string", "embed", "format", "type", "any", "doc")
NAMED_TYPE_REFS = (3, 5)  # Y.XmlElement and Y.XmlHook carry a name
MAX_TYPE_REF = 6


def _read_id(r: ByteReader) -> tuple[int, int]:
    """Read an item id; return it as (client, clock after it), the state that contains it."""
    client = r.uint()
    return client, r.uint() + 1


def _not_json(constant: str) -> None:
    raise ValueError(constant)  # Python reads NaN and Infinity; a browser's JSON.parse does not


def _check_json(r: ByteReader, text: str) -> None:
    try:
        json.loads(text, parse_constant=_not_json)
    except ValueError:
        r.fail("content is not valid JSON")


def _read_any(r: ByteReader, depth: int = 0) -> None:
    if depth > MAX_NESTING:
        r.fail(f"value nested deeper than {MAX_NESTING}")
    tag = r.byte()
    if tag in (127, 126, 121, 120):  # undefined, null, false, true
        return
    if tag == 125:
        r.varint()
    elif tag in (124, 123, 122):  # float32, float64, bigint64
        r.raw(4 if tag == 124 else 8)
    elif tag == 119:
        r.string()
    elif tag == 118:
        for _ in range(r.count("object entries", 2)):
            r.string()
            _read_any(r, depth + 1)
    elif tag == 117:
        for _ in range(r.count("array items")):
            _read_any(r, depth + 1)
    elif tag == 116:
        r.buf()
    else:
        r.pos -= 1
        r.fail(f"unknown value type {tag}")


def _read_content(r: ByteReader, ref: int) -> int:
    """Read an item's content and return its length in clock units."""
    if ref == 1:
        return r.uint()
    if ref == 2:
        n = r.count("JSON values")
        for _ in range(n):
            value = r.string()
            if value != "undefined":
                _check_json(r, value)
        return n
    if ref == 3:
        r.buf()
    elif ref in (5, 6):
        if ref == 6:
            r.string()  # the format key
        _check_json(r, r.string())
    elif ref == 7:
        type_ref = r.uint()
        if type_ref > MAX_TYPE_REF:
            r.fail(f"unknown shared type {type_ref}")
        if type_ref in NAMED_TYPE_REFS:
            r.string()
    elif ref == 8:
        n = r.count("values")
        for _ in range(n):
            _read_any(r)
        return n
    elif ref == 9:
        r.string()  # the subdocument's guid
        _read_any(r)
    else:
        r.fail(f"unknown struct type {ref}")
    return 1


class _UpdateReader:
    """One pass over an update, collecting what ``UpdateInfo`` reports."""

    def __init__(self, data: bytes) -> None:
        self.r = ByteReader(data, "update")
        self.structs: Ranges = {}
        self.skips: Ranges = {}
        self.roots: set[str] = set()
        self.kinds: set[str] = set()
        self.nested = False
        self.refs: list[tuple[int, int]] = []  # (client, clock) states the update relies on
        self.cuts: list[tuple[int, int]] = []
        self.pairs: list[tuple[int, int]] = []
        self.chars = 0
        self.starts: set[tuple[int, int]] | None = None  # (client, clock) of each struct, if set
        self.strings: list[tuple[int, int, str]] | None = None  # (start, end, text), if set

    def read(self) -> UpdateInfo:
        r = self.r
        seen: set[int] = set()
        for _ in range(r.count("client sections", 3)):
            n = r.count("structs")
            client, clock = r.uint(), r.uint()
            if client in seen:
                r.fail(f"client {client} has two struct sections")
            seen.add(client)
            self.refs.append((client, clock))  # a client's structs follow on from its last
            for _ in range(n):
                clock = self.read_struct(client, clock)
        deletes = read_delete_set(r)
        r.end()
        self.refs += [
            (client, clock + n) for client, spans in deletes.items() for clock, n in spans
        ]
        return UpdateInfo(
            self.structs,
            self.skips,
            deletes,
            frozenset(self.roots),
            frozenset(self.kinds),
            self.nested,
            _needs(self.refs, self.structs),
            (*self.cuts, *_deletion_cuts(deletes)),
            tuple(self.pairs),
            self.chars,
        )

    def read_struct(self, client: int, clock: int) -> int:
        """Read one struct starting at ``clock``; return the clock after it."""
        r = self.r
        info = r.byte()
        ref = info & 0x1F
        if ref in (GC_REF, SKIP_REF):
            if info != ref:
                r.fail(f"flags {info:#04x} on a GC or Skip struct")
            length = r.uint()
        else:
            length = self.read_item(info, ref, client, clock)
        if length == 0:
            r.fail("struct of length 0")
        if clock + length > MAX_CLOCK:
            r.fail(f"clock {clock + length:,} is past 2**32")
        _add_range(self.skips if ref == SKIP_REF else self.structs, client, clock, length)
        if self.starts is not None:
            self.starts.add((client, clock))
        return clock + length

    def read_item(self, info: int, ref: int, client: int, clock: int) -> int:
        r = self.r
        for flag in (HAS_ORIGIN, HAS_RIGHT_ORIGIN):
            if info & flag:
                origin = _read_id(r)  # the gap after a left origin, before a right one
                self.refs.append(origin)
                self.cuts.append(origin if flag == HAS_ORIGIN else (origin[0], origin[1] - 1))
        if not info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN):  # no neighbour to copy the parent from
            parent = r.uint()
            if parent == 1:
                self.roots.add(r.string())
            elif parent == 0:
                self.refs.append(_read_id(r))
                self.nested = True
            else:
                r.fail(f"parent marker {parent} is neither 0 nor 1")
            if info & HAS_PARENT_SUB:
                r.string()
                self.nested = True
        self.kinds.add(KINDS[ref] if ref < len(KINDS) else "unknown")
        if ref == 4:  # Yjs counts UTF-16 code units
            start = r.pos
            inserted = r.string()
            if self.strings is not None:
                self.strings.append((start, r.pos, inserted))
            self.chars += len(inserted)
            return _pair_gaps(client, clock, inserted, self.pairs)
        return _read_content(r, ref)


def read_delete_set(r: ByteReader) -> Ranges:
    """Read a delete set: per client, ``(clock, length)`` ranges of deleted structs."""
    deletes: Ranges = {}
    for _ in range(r.count("delete-set clients", 2)):
        client = r.uint()
        spans = deletes.setdefault(client, [])
        for _ in range(r.count("delete ranges", 2)):
            clock, length = r.uint(), r.uint()
            if clock + length > MAX_CLOCK:
                r.fail(f"deleted clock {clock + length:,} is past 2**32")
            spans.append((clock, length))
    return deletes


def struct_starts(data: bytes) -> set[tuple[int, int]]:
    """The id ``(client, clock)`` at which each struct of a valid update starts."""
    reader = _UpdateReader(data)
    reader.starts = set()
    reader.read()
    return reader.starts


def string_contents(data: bytes) -> list[tuple[int, int, str]]:
    """Each string content of a valid update: its byte span, length prefix included, and text."""
    reader = _UpdateReader(data)
    reader.strings = []
    reader.read()
    return reader.strings
