"""A Fenwick (binary indexed) tree: prefix sums with O(log n) update and search."""

from __future__ import annotations


class Fenwick:
    """Prefix sums over a list of non-negative ints, with O(log n) update and search."""

    __slots__ = ("_size", "_top", "_tree")

    def __init__(self, values: list[int]) -> None:
        size = len(values)
        tree = [0, *values]
        for i in range(1, size + 1):
            parent = i + (i & -i)
            if parent <= size:
                tree[parent] += tree[i]
        self._tree = tree
        self._size = size
        self._top = 1 << (size.bit_length() - 1) if size else 0

    def add(self, index: int, delta: int) -> None:
        """Add ``delta`` to element ``index``."""
        tree, size = self._tree, self._size
        i = index + 1
        while i <= size:
            tree[i] += delta
            i += i & -i

    def find(self, x: int) -> tuple[int, int]:
        """The element holding position ``x`` (0 <= x < total) and x's offset within it."""
        tree, size = self._tree, self._size
        pos, step = 0, self._top
        while step:
            nxt = pos + step
            if nxt <= size and tree[nxt] <= x:
                pos = nxt
                x -= tree[nxt]
            step >>= 1
        return pos, x
