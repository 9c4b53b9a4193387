"""Y.Text deltas, checked against the text they change before any of it is applied."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class DeltaError(ValueError):
    """A delta that does not fit the text it is applied to."""


def checked_ops(delta: Iterable[Mapping[str, Any]], length: int) -> list[tuple[int, str, int]]:
    """The delta as (retain, insert, delete) steps, checked against the text before any change."""
    ops: list[tuple[int, str, int]] = []
    index = 0
    for op in delta:
        text, retain, delete = op.get("insert", ""), op.get("retain", 0), op.get("delete", 0)
        if not isinstance(text, str) or type(retain) is not int or type(delete) is not int:
            raise DeltaError(f"unsupported delta op {dict(op)!r}: only text is tracked")
        index += retain
        length += len(text)
        if retain < 0 or delete < 0 or index + len(text) + delete > length:
            raise DeltaError(f"delta op {dict(op)!r} reaches past the end of the text")
        index += len(text)
        length -= delete
        ops.append((retain, text, delete))
    return ops
