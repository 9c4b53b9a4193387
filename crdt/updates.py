"""Reading and vetting client updates (Yjs format v1) and state vectors, before any engine.

The readers walk every byte of an update without an engine, so the server can refuse forged
or malformed updates before the engine (a native library) ever sees them: the fast reader
(``crdt.fastreader``) takes the usual few text items and deletes, the full reader
(``crdt.fullreader``) everything else. Both are stricter than Yjs: trailing bytes, duplicate
client sections, zero-length structs, clocks past 2**32 (the Rust engines keep clocks as
u32), integers past 2**53 (lib0's limit), invalid UTF-8 or JSON, and values nested deeper
than ``crdt.fullreader.MAX_NESTING`` are all malformed. What they report is an
``UpdateInfo`` (``crdt.updateinfo``).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from functools import lru_cache

from crdt.doc import TEXT_NAME
from crdt.errors import ClockGap, ClockOverlap, ForeignClientId, OversizedUpdate, UnsupportedContent
from crdt.fastreader import _fast_state_vector, _FastReader, _NotFast
from crdt.fullreader import _UpdateReader, struct_starts
from crdt.protocol import ByteReader, write_uint
from crdt.updateinfo import UpdateInfo

__all__ = [
    "UpdateInfo",
    "check_update",
    "encode_state_vector",
    "parse_state_vector",
    "parse_update",
]

REMEMBERED_UPDATES = 1024  # recent small updates whose reading is kept (see parse_update)
MAX_REMEMBERED_BYTES = 512
TEXT_KINDS = frozenset({"string", "deleted"})


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
    _check_overlaps(data, info, known)
    if info.skips:
        _check_skips(info, known)
    if text_name is not None:
        _check_text_only(info, text_name)
    return info


def _check_overlaps(data: bytes, info: UpdateInfo, known: Mapping[int, int]) -> None:
    """Refuse a sender's struct that straddles the clock the server has for its client.

    Run after the writers are checked: a struct of anyone else's that straddles that clock
    has already been refused as foreign, so every struct this finds is the sender's.

    The engines disagree on how to take the new half of such a struct, and y-py can keep
    text its own encoded state then drops or garbles. No Yjs client sends one: it cuts its
    state at the clocks the server names, and the server stores whole updates, so what a
    client resends after a lost acknowledgement starts at a struct the server has whole.
    """
    starts: set[tuple[int, int]] | None = None
    for client, spans in info.structs.items():
        reached = known.get(client, 0)
        for clock, length in spans:
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
