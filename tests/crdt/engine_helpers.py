"""Builders for the engine tests: a text with emoji, and what deltas and edit ops do to it."""

from __future__ import annotations

from crdt.engine import Delta

EMOJI_TEXT = "a😀b 🎉 ü"


def apply_delta(text: str, delta: Delta) -> str:
    """What a delta does to a Python string."""
    out, pos = [], 0
    for op in delta:
        if "retain" in op:
            out.append(text[pos : pos + op["retain"]])
            pos += op["retain"]
        elif "delete" in op:
            pos += op["delete"]
        else:
            out.append(op["insert"])
    return "".join(out) + text[pos:]


def apply_ops(text: str, ops: list[tuple[int, int, str]]) -> str:
    """What edit ops (in code points) do to a Python string."""
    for index, delete_count, insert in ops:
        text = text[:index] + insert + text[index + delete_count :]
    return text


def utf16_ops(text: str, ops: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The same ops at Yjs indexes (UTF-16 code units)."""
    out = []
    for index, delete_count, insert in ops:
        units = [
            len(part.encode("utf-16-le")) // 2
            for part in (text[:index], text[index:][:delete_count])
        ]
        out.append((units[0], units[1], insert))
        text = apply_ops(text, [(index, delete_count, insert)])
    return out
