"""Characters whose author is not their typist, and deletions that were undone.

The attribution shadow names every character by the log record that inserted it, and so
credits it to that record's sender. Text that a record moved or restored is credited
instead to whoever wrote the original (``given``), and the original's tombstones are marked
as come back (``returned``), so that deleting them counts as no removal. Both are ranges of
character ids, (seq, off) as in the shadow, kept apart from the runs: runs split and merge,
ids never change, and the shadow's hot path stays as it was.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator

from crdt.packing import pack_ints, unpack_ints

TYPED = 0
MOVED = 1
RESTORED = 2
"""How a character came to be where it is: typed (or pasted) by its author, moved, restored."""

# (off, end, author_rev, how): characters off..end-1 of one record, credited to author_rev.
Given = tuple[int, int, int, int]


class Credits:
    """Moved and restored characters by (seq, off), and the tombstones they came back from."""

    __slots__ = ("given", "returned")

    def __init__(self) -> None:
        self.given: dict[int, list[Given]] = {}
        """seq -> its characters credited to another revision, by offset."""
        self.returned: dict[int, list[tuple[int, int]]] = {}
        """seq -> (off, end) of its tombstones whose text was moved or restored elsewhere."""

    def copy(self) -> Credits:
        """An independent copy; its rows are immutable tuples, so copying the lists is enough."""
        made = Credits()
        made.given = {seq: rows.copy() for seq, rows in self.given.items()}
        made.returned = {seq: rows.copy() for seq, rows in self.returned.items()}
        return made

    def give(self, seq: int, off: int, end: int, author_rev: int, how: int) -> None:
        """Credit characters off..end-1 of record ``seq`` to ``author_rev``."""
        rows = self.given.setdefault(seq, [])
        if rows and rows[-1][1] == off and rows[-1][2:] == (author_rev, how):
            rows[-1] = (rows[-1][0], end, author_rev, how)  # the next piece of one match
        else:
            insort(rows, (off, end, author_rev, how))

    def give_back(self, seq: int, off: int, end: int) -> None:
        """Mark tombstones off..end-1 of record ``seq`` as come back elsewhere."""
        rows = self.returned.setdefault(seq, [])
        if rows and rows[-1][1] == off:
            rows[-1] = (rows[-1][0], end)
        else:
            insort(rows, (off, end))

    def authors(
        self, seq: int, off: int, size: int, ins_rev: int
    ) -> Iterator[tuple[int, int, int, int]]:
        """(start, stop, author_rev, how) covering ``size`` characters of ``seq`` from ``off``.

        start and stop count from ``off``; characters nobody moved are their typist's.
        """
        at = 0
        for low, high, author_rev, how in self.given.get(seq, ()):
            if high <= off + at or low >= off + size:
                continue
            if low > off + at:
                yield at, low - off, ins_rev, TYPED
            stop = min(high - off, size)
            yield max(low - off, at), stop, author_rev, how
            at = stop
        if at < size:
            yield at, size, ins_rev, TYPED

    def gone(self, seq: int, off: int, size: int) -> Iterator[tuple[int, int, bool]]:
        """(start, stop, returned) covering ``size`` tombstones of ``seq`` from ``off``."""
        at = 0
        for low, high in self.returned.get(seq, ()):
            if high <= off + at or low >= off + size:
                continue
            if low > off + at:
                yield at, low - off, False
            stop = min(high - off, size)
            yield max(low - off, at), stop, True
            at = stop
        if at < size:
            yield at, size, False

    def __bool__(self) -> bool:
        return bool(self.given or self.returned)

    def to_bytes(self) -> bytes:
        """Both tables as packed integer columns, each behind its row count."""
        given = [(seq, *row) for seq, rows in sorted(self.given.items()) for row in rows]
        back = [(seq, *row) for seq, rows in sorted(self.returned.items()) for row in rows]
        parts = [len(given).to_bytes(4, "little")]
        for column in range(5):
            parts.append(pack_ints([row[column] for row in given]))
        parts.append(len(back).to_bytes(4, "little"))
        for column in range(3):
            parts.append(pack_ints([row[column] for row in back]))
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes, at: int) -> tuple[Credits, int]:
        """Read what to_bytes wrote at ``at``; (credits, offset after them)."""
        made = cls()
        tables: list[list[list[int]]] = []
        for width in (5, 3):
            if at + 4 > len(data):
                raise ValueError("attribution credits are truncated")
            count = int.from_bytes(data[at : at + 4], "little")
            at += 4
            columns = []
            for _ in range(width):
                values, at = unpack_ints(data, at, count)
                columns.append(values)
            tables.append(columns)
        for seq, off, end, author_rev, how in zip(*tables[0], strict=True):
            if not off < end or how not in (MOVED, RESTORED):
                raise ValueError("attribution credits are inconsistent")
            made.given.setdefault(seq, []).append((off, end, author_rev, how))
        for seq, off, end in zip(*tables[1], strict=True):
            if not off < end:
                raise ValueError("attribution credits are inconsistent")
            made.returned.setdefault(seq, []).append((off, end))
        return made, at
