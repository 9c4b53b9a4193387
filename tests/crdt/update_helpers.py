"""Builders for the update tests: Yjs updates written byte by byte, as an attacker would.

The struct type codes, lib0 varuints and strings, a parentless item at a root, and an update
v1 from client sections and a raw delete set; ``VALID`` is the smallest update of them all.
"""

from __future__ import annotations

from crdt.protocol import write_buf, write_uint

STRING, JSON, ANY, GC, SKIP = 4, 2, 8, 0, 10


def uints(*values: int) -> bytes:
    out = bytearray()
    for value in values:
        write_uint(out, value)
    return bytes(out)


def text(value: str | bytes) -> bytes:
    out = bytearray()
    write_buf(out, value.encode() if isinstance(value, str) else value)
    return bytes(out)


def item(ref: int, content: bytes, root: str = "markdown") -> bytes:
    """A parentless item at the root ``root``: info, parent marker 1, root name, content."""
    return bytes([ref]) + uints(1) + text(root) + content


def update(sections: list[tuple[int, int, list[bytes]]], deletes: bytes = b"\x00") -> bytes:
    """An update v1 from (client, first clock, structs) sections and a raw delete set."""
    out = uints(len(sections))
    for client, clock, structs in sections:
        out += uints(len(structs), client, clock) + b"".join(structs)
    return out + deletes


VALID = update([(1, 0, [item(STRING, text("hi"))])])
