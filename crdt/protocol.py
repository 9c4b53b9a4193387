"""y-protocols framing (sync and awareness messages) as pure functions over lib0 bytes.

A message is ``varuint(type)`` then, for sync, ``varuint(subtype) varbytes(payload)`` and,
for awareness, ``varbytes(update)``; query-awareness has no body (y-websocket's framing).
Decoding is strict: unknown types, truncation and trailing bytes raise ProtocolError.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from crdt.errors import CrdtError, MalformedUpdate, ProtocolError

MESSAGE_SYNC = 0
MESSAGE_AWARENESS = 1
MESSAGE_QUERY_AWARENESS = 3
SYNC_STEP1 = 0
SYNC_STEP2 = 1
SYNC_UPDATE = 2

MAX_SAFE_INTEGER = 2**53 - 1  # lib0 integers are JavaScript numbers
MAX_VARINT_BYTES = 8  # 8 x 7 bits already pass 2**53; longer ones are padding or garbage
KINDS = {MESSAGE_SYNC: "sync", MESSAGE_AWARENESS: "awareness", MESSAGE_QUERY_AWARENESS: "query"}


class ByteReader:
    """A cursor over lib0-encoded bytes that raises ``error`` with the byte offset."""

    __slots__ = ("data", "error", "pos", "what")

    def __init__(self, data: bytes, what: str, error: type[CrdtError] = MalformedUpdate) -> None:
        self.data, self.pos, self.what, self.error = bytes(data), 0, what, error

    def fail(self, detail: str) -> NoReturn:
        """Raise the reader's error naming what failed and where."""
        raise self.error(f"{self.what} is malformed: {detail} at byte {self.pos}")

    def left(self) -> int:
        """The number of bytes not yet read."""
        return len(self.data) - self.pos

    def byte(self) -> int:
        """Read one byte."""
        pos = self.pos
        if pos >= len(self.data):
            self.fail("unexpected end of data")
        self.pos = pos + 1
        return self.data[pos]

    def uint(self) -> int:
        """Read a lib0 variable-length unsigned integer."""
        data, pos = self.data, self.pos
        if pos < len(data) and data[pos] < 0x80:  # the common one-byte case, kept cheap
            self.pos = pos + 1
            return data[pos]
        value = shift = 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
            if self.pos - pos >= MAX_VARINT_BYTES:
                self.fail(f"integer longer than {MAX_VARINT_BYTES} bytes")
        if value > MAX_SAFE_INTEGER:
            self.fail("integer larger than 2**53 - 1")
        return value

    def varint(self) -> int:
        """Read a lib0 variable-length signed integer (sign in bit 6 of the first byte)."""
        first = self.byte()
        value = first & 0x3F
        if first & 0x80:
            value |= self.uint() << 6
        if value > MAX_SAFE_INTEGER:
            self.fail("integer larger than 2**53 - 1")
        return -value if first & 0x40 else value

    def count(self, things: str, min_bytes: int = 1) -> int:
        """Read a number of elements, each at least ``min_bytes`` long, that must fit."""
        n = self.uint()
        if n * min_bytes > len(self.data) - self.pos:
            self.fail(f"{n:,} {things} cannot fit in the {self.left():,} bytes left")
        return n

    def raw(self, n: int) -> bytes:
        """Read exactly ``n`` bytes."""
        if n > len(self.data) - self.pos:
            self.fail(f"{n:,} bytes announced but {self.left():,} left")
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def buf(self) -> bytes:
        """Read a length-prefixed byte string."""
        return self.raw(self.uint())

    def string(self) -> str:
        """Read a length-prefixed UTF-8 string."""
        start = self.pos
        raw = self.buf()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.pos = start
            self.fail("string is not valid UTF-8")

    def end(self) -> None:
        """Fail unless every byte was read."""
        if self.left():
            self.fail(f"{self.left():,} trailing byte(s) after the end")


def write_uint(out: bytearray, value: int) -> None:
    """Append a lib0 variable-length unsigned integer."""
    if not 0 <= value <= MAX_SAFE_INTEGER:
        raise ValueError(f"{value} is outside 0 .. 2**53 - 1")
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)


def write_buf(out: bytearray, data: bytes) -> None:
    """Append a length-prefixed byte string."""
    write_uint(out, len(data))
    out += data


@dataclass(frozen=True, slots=True)
class Message:
    """A decoded message: kind "sync", "awareness" or "query"; subtype only for sync."""

    kind: str
    subtype: int | None
    payload: bytes


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's awareness state as sent: ``state_json`` is "null" when it left."""

    client_id: int
    clock: int
    state_json: str


def _sync(subtype: int, payload: bytes) -> bytes:
    out = bytearray()
    write_uint(out, MESSAGE_SYNC)
    write_uint(out, subtype)
    write_buf(out, payload)
    return bytes(out)


def encode_sync_step1(state_vector: bytes) -> bytes:
    """A sync step 1 message: "here is my state vector, send me what I lack"."""
    return _sync(SYNC_STEP1, state_vector)


def encode_sync_step2(update: bytes) -> bytes:
    """A sync step 2 message: the update answering a step 1."""
    return _sync(SYNC_STEP2, update)


def encode_sync_update(update: bytes) -> bytes:
    """A sync update message: one incremental update."""
    return _sync(SYNC_UPDATE, update)


def encode_awareness(update: bytes) -> bytes:
    """An awareness message carrying an encoded awareness update."""
    out = bytearray()
    write_uint(out, MESSAGE_AWARENESS)
    write_buf(out, update)
    return bytes(out)


def encode_query_awareness() -> bytes:
    """A query-awareness message: "send me everyone's awareness state"."""
    return bytes([MESSAGE_QUERY_AWARENESS])


def decode_message(message: bytes) -> Message:
    """Split a message into kind, sync subtype and payload; raise ProtocolError if malformed."""
    r = ByteReader(message, "message", ProtocolError)
    kind = r.uint()
    subtype: int | None = None
    payload = b""
    if kind == MESSAGE_SYNC:
        subtype = r.uint()
        if subtype not in (SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE):
            r.fail(f"unknown sync message type {subtype}")
        payload = r.buf()
    elif kind == MESSAGE_AWARENESS:
        payload = r.buf()
    elif kind != MESSAGE_QUERY_AWARENESS:
        r.fail(f"unknown message type {kind}")
    r.end()
    return Message(KINDS[kind], subtype, payload)


def decode_awareness(update: bytes) -> list[AwarenessEntry]:
    """Read an awareness update; the JSON states are returned as sent, not parsed."""
    r = ByteReader(update, "awareness update", ProtocolError)
    entries = [AwarenessEntry(r.uint(), r.uint(), r.string()) for _ in range(r.count("entries", 3))]
    r.end()
    return entries


def encode_awareness_update(entries: Iterable[AwarenessEntry]) -> bytes:
    """Write an awareness update exactly as y-protocols' encodeAwarenessUpdate does."""
    entries = list(entries)
    out = bytearray()
    write_uint(out, len(entries))
    for entry in entries:
        write_uint(out, entry.client_id)
        write_uint(out, entry.clock)
        write_buf(out, entry.state_json.encode())
    return bytes(out)
