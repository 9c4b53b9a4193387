"""Integer columns as compact little-endian bytes (the smallest width that fits each column)."""

from __future__ import annotations

import sys
from array import array

_TYPECODES = {array(code).itemsize: code for code in "QLIHB"}


def pack_ints(values: list[int], *, signed: bool = False) -> bytes:
    """A width byte, then the values as little-endian integers of that width."""
    low, high = min(values, default=0), max(values, default=0)
    width = next((w for w in (1, 2, 4, 8) if _fits(low, high, w, signed=signed)), None)
    if width is None:
        raise ValueError(f"values from {low} to {high} do not fit in 64 bits")
    packed = array(_typecode(width, signed=signed), values)
    if sys.byteorder == "big":
        packed.byteswap()
    return bytes([width]) + packed.tobytes()


def unpack_ints(data: bytes, at: int, count: int, *, signed: bool = False) -> tuple[list[int], int]:
    """Read ``count`` values packed by pack_ints at ``at``; (values, offset after them)."""
    if at >= len(data) or data[at] not in _TYPECODES:
        raise ValueError("packed integers are truncated or have a bad width")
    width = data[at]
    end = at + 1 + width * count
    if end > len(data):
        raise ValueError("packed integers are truncated")
    values = array(_typecode(width, signed=signed))
    values.frombytes(data[at + 1 : end])
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist(), end


def _typecode(width: int, *, signed: bool) -> str:
    code = _TYPECODES[width]
    return code.lower() if signed else code


def _fits(low: int, high: int, width: int, *, signed: bool) -> bool:
    bits = 8 * width
    if signed:
        return -(1 << (bits - 1)) <= low and high < 1 << (bits - 1)
    return low >= 0 and high < 1 << bits
