"""A pure-Python reader of Yjs update format v1 and state vectors, used to vet client updates.

It walks every byte of an update without an engine, so the server can refuse forged or
malformed updates before the engine (a native library) ever sees them. The reader is
stricter than Yjs: trailing bytes, duplicate client sections, zero-length structs, clocks
past 2**32 (the Rust engines keep clocks as u32), integers past 2**53 (lib0's limit),
invalid UTF-8 or JSON, and values nested deeper than ``MAX_NESTING`` are all malformed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Set
from dataclasses import dataclass

from crdt.engine import TEXT_NAME
from crdt.errors import ForeignClientId, OversizedUpdate, UnsupportedContent
from crdt.protocol import ByteReader, write_uint

Ranges = dict[int, list[tuple[int, int]]]

MAX_CLOCK = 2**32
MAX_NESTING = 64
TEXT_KINDS = frozenset({"string", "deleted"})

# Content refs are the low five bits of a struct's info byte (yjs src/structs/Item.js).
GC_REF, SKIP_REF = 0, 10
KINDS = ("gc", "deleted", "json", "binary", "string", "embed", "format", "type", "any", "doc")
HAS_ORIGIN, HAS_RIGHT_ORIGIN, HAS_PARENT_SUB = 0x80, 0x40, 0x20
NAMED_TYPE_REFS = (3, 5)  # Y.XmlElement and Y.XmlHook carry a name
MAX_TYPE_REF = 6


@dataclass(frozen=True, slots=True)
class UpdateInfo:
    """What an update carries: clock ranges per client, its delete set, and what it writes to.

    ``structs`` holds Items and GCs (they claim their clocks); ``skips`` holds Skip structs,
    which carry no content and claim nothing. Ranges are ``(clock, length)``. ``needs`` maps
    a client to the clock a doc's state vector must reach before the update applies in full.
    """

    structs: Ranges
    skips: Ranges
    deletes: Ranges
    roots: frozenset[str]  # names of the root types that parentless items attach to
    kinds: frozenset[str]  # content kinds of the items, e.g. "string", "deleted", "embed"
    nested: bool  # some item sits inside another item (a nested type) or under a map key
    needs: dict[int, int]

    @property
    def writers(self) -> frozenset[int]:
        """Client ids under which the update carries Items or GCs."""
        return frozenset(client for client, ranges in self.structs.items() if ranges)


def _add_range(ranges: Ranges, client: int, clock: int, length: int) -> None:
    spans = ranges.setdefault(client, [])
    if spans and spans[-1][0] + spans[-1][1] == clock:
        spans[-1] = (spans[-1][0], spans[-1][1] + length)
    else:
        spans.append((clock, length))


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
    elif ref == 4:
        return len(r.string().encode("utf-16-le")) // 2  # Yjs counts UTF-16 code units
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
            self.needs(),
        )

    def needs(self) -> dict[int, int]:
        """The state each referenced client must reach, apart from what the update brings."""
        needs: dict[int, int] = {}
        for client, end in self.refs:
            for start, length in self.structs.get(client, ()):
                if start < end <= start + length:
                    end = start  # inside this update: only what precedes it is needed
                    break
            if end > needs.get(client, 0):
                needs[client] = end
        return needs

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
            length = self.read_item(info, ref)
        if length == 0:
            r.fail("struct of length 0")
        if clock + length > MAX_CLOCK:
            r.fail(f"clock {clock + length:,} is past 2**32")
        _add_range(self.skips if ref == SKIP_REF else self.structs, client, clock, length)
        return clock + length

    def read_item(self, info: int, ref: int) -> int:
        r = self.r
        for flag in (HAS_ORIGIN, HAS_RIGHT_ORIGIN):
            if info & flag:
                self.refs.append(_read_id(r))
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


def parse_update(data: bytes) -> UpdateInfo:
    """Read a whole update v1; raise MalformedUpdate saying what is wrong and where."""
    return _UpdateReader(data).read()


def parse_state_vector(data: bytes) -> dict[int, int]:
    """Read a v1 state vector: client id -> next expected clock."""
    r = ByteReader(data, "state vector")
    vector: dict[int, int] = {}
    for _ in range(r.count("entries", 2)):
        client, clock = r.uint(), r.uint()
        if client in vector:
            r.fail(f"client {client} appears twice")
        vector[client] = clock
    r.end()
    return vector


def encode_state_vector(vector: Mapping[int, int]) -> bytes:
    """Encode a state vector as Yjs does (clients in descending order)."""
    out = bytearray()
    write_uint(out, len(vector))
    for client in sorted(vector, reverse=True):
        write_uint(out, client)
        write_uint(out, vector[client])
    return bytes(out)


def check_update(
    data: bytes,
    *,
    max_bytes: int,
    allowed_writers: Set[int],
    known: Mapping[int, int],
    text_name: str | None = TEXT_NAME,
) -> UpdateInfo:
    """Vet a client's update: size, format, writers and (unless ``text_name`` is None) schema.

    New structs may only be written under ``allowed_writers``; structs under other clients
    are accepted only when ``known`` (the server's state vector) already covers them.
    """
    if len(data) > max_bytes:
        raise OversizedUpdate(f"update is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    info = parse_update(data)
    for client, spans in info.structs.items():
        if client not in allowed_writers and any(
            clock + length > known.get(client, 0) for clock, length in spans
        ):
            raise ForeignClientId(
                f"update writes under client id {client}, which belongs to another session"
            )
    if text_name is not None:
        _check_text_only(info, text_name)
    return info


def _check_text_only(info: UpdateInfo, text_name: str) -> None:
    roots, kinds = sorted(info.roots - {text_name}), sorted(info.kinds - TEXT_KINDS)
    if roots:
        raise UnsupportedContent(
            f"update writes to {roots[0]!r}; a document has only {text_name!r}"
        )
    if kinds:
        raise UnsupportedContent(f"update inserts {kinds[0]} content; a document holds plain text")
    if info.nested:
        raise UnsupportedContent("update writes inside a nested type; a document is one text")
