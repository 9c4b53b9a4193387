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
from functools import lru_cache

from crdt.engine import TEXT_NAME
from crdt.errors import ClockGap, ClockOverlap, ForeignClientId, OversizedUpdate, UnsupportedContent
from crdt.protocol import MAX_SAFE_INTEGER, MAX_VARINT_BYTES, ByteReader, write_uint

Ranges = dict[int, list[tuple[int, int]]]

MAX_CLOCK = 2**32
REMEMBERED_UPDATES = 1024  # recent small updates whose reading is kept (see parse_update)
MAX_REMEMBERED_BYTES = 512
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
    a client to the clock a doc's state vector must reach before the update applies in full,
    not counting the clocks a Skip passes over (``check_update`` refuses a Skip the server's
    vector does not cover before a struct).
    ``chars`` counts the code points of the text the update inserts (as ``len`` does).

    Boundaries are ids ``(client, clock)`` naming the gap just before that clock. ``cuts``
    are the gaps the update splits text at (beside an origin, at each end of a deletion);
    ``pairs`` are the gaps inside the UTF-16 surrogate pairs of the text it inserts.
    """

    structs: Ranges
    skips: Ranges
    deletes: Ranges
    roots: frozenset[str]  # names of the root types that parentless items attach to
    kinds: frozenset[str]  # content kinds of the items, e.g. "string", "deleted", "embed"
    nested: bool  # some item sits inside another item (a nested type) or under a map key
    needs: dict[int, int]
    cuts: tuple[tuple[int, int], ...] = ()
    pairs: tuple[tuple[int, int], ...] = ()
    chars: int = 0

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


def _pair_gaps(client: int, clock: int, text: str, out: list[tuple[int, int]]) -> int:
    """Add the gaps inside ``text``'s surrogate pairs, written from ``clock``; its length."""
    unit = clock
    for char in text:
        if char > "\uffff":
            out.append((client, unit + 1))
            unit += 2
        else:
            unit += 1
    return unit - clock


def _deletion_cuts(deletes: Ranges) -> list[tuple[int, int]]:
    cuts = [(client, clock) for client, spans in deletes.items() for clock, _ in spans]
    return cuts + [(client, clock + n) for client, spans in deletes.items() for clock, n in spans]


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
            inserted = r.string()
            self.chars += len(inserted)
            return _pair_gaps(client, clock, inserted, self.pairs)
        return _read_content(r, ref)


def _needs(refs: list[tuple[int, int]], structs: Ranges) -> dict[int, int]:
    """The state each referenced client must reach, apart from what the update brings."""
    needs: dict[int, int] = {}
    for client, end in refs:
        for start, length in structs.get(client, ()):
            if start < end <= start + length:
                end = start  # inside this update: only what precedes it is needed
                break
        if end > needs.get(client, 0):
            needs[client] = end
    return needs


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
    """Read a whole update v1; raise MalformedUpdate saying what is wrong and where.

    The result may be shared with other callers (small updates are remembered, because
    a room vets each update and its engine adapter then reads it again): never change it.
    """
    if type(data) is bytes and len(data) <= MAX_REMEMBERED_BYTES:
        return _remembered(data)
    return _read_update(bytes(data))


def _read_update(data: bytes) -> UpdateInfo:
    try:  # most updates are a few text items and deletes: read those fast
        return _FastReader(data).read()
    except (_NotFast, IndexError, UnicodeDecodeError):
        return _UpdateReader(data).read()


_remembered = lru_cache(maxsize=REMEMBERED_UPDATES)(_read_update)


def parse_state_vector(data: bytes) -> dict[int, int]:
    """Read a v1 state vector: client id -> next expected clock."""
    try:  # a room reads its engine's vector for every update: read well-formed ones fast
        return _fast_state_vector(data)
    except (_NotFast, IndexError):
        pass
    r = ByteReader(data, "state vector")
    vector: dict[int, int] = {}
    for _ in range(r.count("entries", 2)):
        client, clock = r.uint(), r.uint()
        if client in vector:
            r.fail(f"client {client} appears twice")
        vector[client] = clock
    r.end()
    return vector


def _fast_state_vector(data: bytes) -> dict[int, int]:
    vector: dict[int, int] = {}
    entries, pos = _uint_at(data, 0)
    for _ in range(entries):
        client, pos = _uint_at(data, pos)
        vector[client], pos = _uint_at(data, pos)
    if pos != len(data) or len(vector) != entries:
        raise _NotFast
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
    are accepted only when ``known`` (the server's state vector) already covers them. A
    Skip may only pass over clocks that ``known`` covers (see ``_check_skips``).
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
    _check_overlaps(data, info, allowed_writers, known)
    if info.skips:
        _check_skips(info, known)
    if text_name is not None:
        _check_text_only(info, text_name)
    return info


def _check_overlaps(
    data: bytes, info: UpdateInfo, writers: Set[int], known: Mapping[int, int]
) -> None:
    """Refuse a sender's struct that straddles the clock the server has for its client.

    The engines disagree on how to take the new half of such a struct, and y-py can keep
    text its own encoded state then drops or garbles. No Yjs client sends one: it cuts its
    state at the clocks the server names, and the server stores whole updates, so what a
    client resends after a lost acknowledgement starts at a struct the server has whole.
    """
    starts: set[tuple[int, int]] | None = None
    for client in writers:
        reached = known.get(client, 0)
        for clock, length in info.structs.get(client, ()):
            if not clock < reached < clock + length:
                continue
            if starts is None:  # ranges join adjacent structs: find where each one starts
                starts = struct_starts(data)
            if (client, reached) not in starts:
                raise ClockOverlap(
                    f"update rewrites clocks {clock:,} to {reached - 1:,} of client id {client}, "
                    "which the server already has, inside one edit; reload the document to "
                    "keep editing"
                )


def struct_starts(data: bytes) -> set[tuple[int, int]]:
    """The id ``(client, clock)`` at which each struct of a valid update starts."""
    reader = _UpdateReader(data)
    reader.starts = set()
    reader.read()
    return reader.starts


def _check_skips(info: UpdateInfo, known: Mapping[int, int]) -> None:
    """Refuse structs that a Skip separates from the clocks the server has.

    The engines integrate such structs as if the skipped clocks were there, and then their
    state, their encoded state and their text disagree. Yjs writes a Skip only between two
    runs of one client's structs when it merges updates (``mergeUpdates``, and
    ``encodeStateAsUpdate`` for structs it holds as pending); a browser's own clocks are
    never pending, so its updates skip only clocks the server has. A hole in a sender's own
    clock cannot be filled by anyone else, so this is a refusal, not a wait. Skips after a
    client's last struct, or over clocks the server has, hold nothing back and pass.
    """
    for client in info.skips:
        reached = known.get(client, 0)
        for clock, length in info.structs.get(client, ()):  # in clock order
            if clock > reached:
                raise ClockGap(
                    f"update skips edits of client id {client} that the server does not have: "
                    f"it jumps from clock {reached:,} to {clock:,}; reload the document to keep "
                    "editing"
                )
            reached = max(reached, clock + length)


def _check_text_only(info: UpdateInfo, text_name: str) -> None:
    only_text = not info.roots or info.roots == {text_name}
    if only_text and info.kinds <= TEXT_KINDS and not info.nested:
        return  # the usual case, decided without building the messages
    roots, kinds = sorted(info.roots - {text_name}), sorted(info.kinds - TEXT_KINDS)
    if roots:
        raise UnsupportedContent(
            f"update writes to {roots[0]!r}; a document has only {text_name!r}"
        )
    if kinds:
        raise UnsupportedContent(f"update inserts {kinds[0]} content; a document holds plain text")
    if info.nested:
        raise UnsupportedContent("update writes inside a nested type; a document is one text")
