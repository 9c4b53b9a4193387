"""Who inserted and who deleted each character: a run-length shadow of the text, tombstones kept.

The shadow holds every character ever inserted, in document order, each with its id (the
log seq of the record that inserted it and its offset among that record's insertions),
the revision that inserted it and the revision that deleted it (0 while visible). It is
fed the Y.Text deltas of the log in log order, so it never needs the CRDT itself.

Inserts land after any tombstones sitting at the insertion point, as Yjs places them.

Characters moved or restored by a record are credited to the authors of the originals, kept
beside the runs in ``credits`` (see crdt.moves and crdt.credits).
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from itertools import accumulate, chain
from operator import sub
from typing import Any, NamedTuple

from crdt.credits import Credits
from crdt.delta import checked_ops
from crdt.fenwick import Fenwick
from crdt.moves import MIN_MOVE_CHARS, Finder, Insert
from crdt.packing import pack_ints, unpack_ints

FORMAT_VERSION = 2
"""1: runs only. 2: runs, credits and the current revision's deletions (moves, restores)."""
CHUNK_RUNS = 128
"""Runs per chunk after a split; a chunk splits when it holds twice as many."""

# A run is (seq, off, text, ins_rev, del_rev); plain tuples because millions are made.
RawRun = tuple[int, int, str, int, int]


class Run(NamedTuple):
    """Consecutive characters from one insert, with one inserting and one deleting revision."""

    seq: int
    off: int
    text: str
    ins_rev: int
    del_rev: int
    start: int
    """Visible index of the first character, or where the tombstones sit between visible ones."""

    @property
    def visible(self) -> bool:
        """Whether the characters are still in the text."""
        return self.del_rev == 0


class Attribution:
    """The shadow text: runs in chunks, chunk visible lengths in a Fenwick tree for fast lookup."""

    __slots__ = (
        "__weakref__",
        "_chunks",
        "_length",
        "_pool_rev",
        "_pool_size",
        "_revisions",
        "_sums",
        "_tree",
        "_vis",
        "changes",
        "credits",
    )

    def __init__(self) -> None:
        self._chunks: list[list[RawRun]] = []
        self._vis: list[list[int]] = []  # visible length of each run, for C-speed prefix sums
        self._sums: list[int] = []  # visible length of each chunk
        self._tree = Fenwick([])
        self._length = 0
        self.changes = 0  # deltas applied: what was read of it holds while this stays
        self._revisions: tuple[int, frozenset[int]] | None = None
        self.credits = Credits()
        # The newest revision and how many characters it deleted that did not come back:
        # only while there are some can an insertion of that revision be a move.
        self._pool_rev = self._pool_size = 0

    def copy(self) -> Attribution:
        """An independent copy: later changes to either leave the other as it was."""
        # Runs are immutable tuples, so copying the lists that hold them is enough; much
        # cheaper than a round trip through to_bytes, and it keeps the chunks as they are.
        made = Attribution()
        made._chunks = [chunk.copy() for chunk in self._chunks]
        made._vis = [vis.copy() for vis in self._vis]
        made._sums = self._sums.copy()
        made._tree = Fenwick(made._sums)
        made._length = self._length
        made.changes = self.changes
        made._revisions = self._revisions  # immutable: (changes, frozenset)
        made.credits = self.credits.copy()
        made._pool_rev, made._pool_size = self._pool_rev, self._pool_size
        return made

    def visible_text_length(self) -> int:
        """Number of visible characters."""
        return self._length

    def run_count(self) -> int:
        """Number of runs, tombstones included."""
        return sum(map(len, self._chunks))

    def text(self) -> str:
        """The visible text."""
        return "".join(run[2] for chunk in self._chunks for run in chunk if not run[4])

    def text_at(self, rev: int) -> str:
        """The visible text as it was at the end of revision ``rev``."""
        return "".join(
            run[2]
            for chunk in self._chunks
            for run in chunk
            if run[3] <= rev and (not run[4] or run[4] > rev)
        )

    def runs(self) -> Iterator[Run]:
        """All runs in document order, tombstones included."""
        make = tuple.__new__  # skips the Python-level Run.__new__: a hot loop in the views
        start = 0
        for chunk in self._chunks:
            for run in chunk:
                yield make(Run, (*run, start))
                if not run[4]:
                    start += len(run[2])

    def raw_runs(self) -> Iterator[RawRun]:
        """As runs, without ``start``: plain (seq, off, text, ins_rev, del_rev) tuples.

        No tuple is made per run, so this is the way for passes over every run that can
        count visible characters themselves.
        """
        return chain.from_iterable(self._chunks)

    def chunks(self) -> list[list[RawRun]]:
        """The runs as stored, in chunks of neighbours; for reading only, never to change."""
        return self._chunks

    def revisions(self) -> frozenset[int]:
        """Every revision that inserted or deleted a character, tombstones included."""
        if self._revisions is None or self._revisions[0] != self.changes:
            numbers = {run[3] for chunk in self._chunks for run in chunk}
            numbers.update(run[4] for chunk in self._chunks for run in chunk if run[4])
            self._revisions = (self.changes, frozenset(numbers))
        return self._revisions[1]

    def apply_delta(
        self,
        delta: Iterable[Mapping[str, Any]],
        seq: int,
        rev: int,
        *,
        restores: int | None = None,
    ) -> tuple[int, int]:
        """Apply a Y.Text delta from log record ``seq`` in revision ``rev``; (inserted, deleted).

        Call it in log order: ``seq`` must differ between calls (it names the characters)
        and revisions must not go down (text_at relies on it). ``restores``: the revision
        that the record restores, if it is a restore.
        """
        if seq < 0 or rev < 1:
            raise ValueError(f"seq must be >= 0 and rev >= 1, not seq={seq}, rev={rev}")
        ops = checked_ops(delta, self._length)
        self.changes += 1
        index = offset = inserted = deleted = 0
        inserts: list[Insert] = []  # those that may be moved or restored text
        restoring = restores is not None and 0 < restores < rev
        for retain, insert, delete in ops:
            index += retain
            if insert:
                size = len(insert)
                self._insert(index, (seq, offset, insert, rev, 0))
                if restoring or size >= MIN_MOVE_CHARS:
                    inserts.append((index, offset, insert))
                index += size
                offset += size
                inserted += size
            if delete:
                self._delete(index, delete, rev)
                deleted += delete
        if rev != self._pool_rev:
            self._pool_rev, self._pool_size = rev, 0
        self._pool_size += deleted
        if inserts and (restoring or self._pool_size >= MIN_MOVE_CHARS):
            self._credit(inserts, seq, rev, restores if restoring else None)
        return inserted, deleted

    def _credit(self, inserts: list[Insert], seq: int, rev: int, restores: int | None) -> None:
        """Credit moved or restored characters among a record's insertions to their authors."""
        # Later ops of a delta lie beyond earlier insertions, so their indexes still hold.
        finder = Finder(self.credits, seq, rev, restores)
        around = [self._around(at, len(text)) for at, _, text in inserts] if restores else []
        finder.credit(inserts, around, (run for chunk in self._chunks for run in chunk))
        self._pool_size -= finder.returned_now

    def _around(self, index: int, size: int) -> list[RawRun]:
        """Tombstones next to the ``size`` visible characters from ``index``, in order."""
        chunks, vis = self._chunks, self._vis
        k, x = self._tree.find(index)
        r = _locate(vis[k], x)[0] - 1
        found: list[RawRun] = []
        while k >= 0:
            if r < 0:
                k -= 1
                r = len(chunks[k]) - 1 if k >= 0 else 0
                continue
            if vis[k][r]:
                break
            found.append(chunks[k][r])
            r -= 1
        found.reverse()
        k, x = self._tree.find(index + size - 1)
        r = _locate(vis[k], x)[0] + 1
        while k < len(chunks):
            if r >= len(chunks[k]):
                k, r = k + 1, 0
                continue
            if vis[k][r]:
                break
            found.append(chunks[k][r])
            r += 1
        return found

    def _insert(self, index: int, run: RawRun) -> None:
        size = len(run[2])
        if not self._chunks:
            self._chunks, self._vis, self._sums = [[]], [[]], [0]
            self._tree = Fenwick(self._sums)
        if index == self._length:
            # At the end, after trailing tombstones, as Yjs skips deleted items to its right.
            k = len(self._chunks) - 1
            self._chunks[k].append(run)
            self._vis[k].append(size)
        else:
            k, x = self._tree.find(index)
            chunk, vis = self._chunks[k], self._vis[k]
            r, before = _locate(vis, x)
            if before == 0:
                chunk.insert(r, run)
                vis.insert(r, size)
            else:
                seq, off, text, ins_rev, del_rev = chunk[r]
                chunk[r : r + 1] = [
                    (seq, off, text[:before], ins_rev, del_rev),
                    run,
                    (seq, off + before, text[before:], ins_rev, del_rev),
                ]
                vis[r : r + 1] = [before, size, vis[r] - before]
        self._sums[k] += size
        self._tree.add(k, size)
        self._length += size
        if len(self._chunks[k]) > 2 * CHUNK_RUNS:
            self._split(k)

    def _delete(self, index: int, count: int, rev: int) -> None:
        k, x = self._tree.find(index)
        r, before = _locate(self._vis[k], x)
        first = k
        while count:
            done = self._delete_in_chunk(k, r, before, count, rev)
            self._sums[k] -= done
            self._tree.add(k, -done)
            self._length -= done
            count -= done
            k, r, before = k + 1, 0, 0
        # Splitting grows no more than two runs per chunk; split afterwards, last first,
        # so the chunk numbers still to visit stay valid.
        for j in range(k - 1, first - 1, -1):
            if len(self._chunks[j]) > 2 * CHUNK_RUNS:
                self._split(j)

    def _delete_in_chunk(self, k: int, r: int, before: int, count: int, rev: int) -> int:
        """Tombstone up to ``count`` visible chars from run ``r``, offset ``before``, on."""
        chunk, vis = self._chunks[k], self._vis[k]
        done = 0
        first = r
        while r < len(chunk) and done < count:
            size = vis[r]
            if not size:
                r += 1
                continue
            seq, off, text, ins_rev, _ = chunk[r]
            take = min(size - before, count - done)
            end = before + take
            pieces = [(seq, off + before, text[before:end], ins_rev, rev)]
            lengths = [0]
            if before:
                pieces.insert(0, (seq, off, text[:before], ins_rev, 0))
                lengths.insert(0, before)
            if end < size:
                pieces.append((seq, off + end, text[end:], ins_rev, 0))
                lengths.append(size - end)
            chunk[r : r + 1] = pieces
            vis[r : r + 1] = lengths
            r += len(pieces)
            done += take
            before = 0
        _merge_tombstones(chunk, vis, max(first - 1, 0), min(r + 1, len(chunk)))
        return done

    def _split(self, k: int) -> None:
        """Split an over-full chunk in two halves."""
        chunk, vis = self._chunks[k], self._vis[k]
        half = len(chunk) // 2
        self._chunks[k : k + 1] = [chunk[:half], chunk[half:]]
        self._vis[k : k + 1] = [vis[:half], vis[half:]]
        self._sums[k : k + 1] = [sum(vis[:half]), sum(vis[half:])]
        # Rebuilding costs O(chunks) but happens once per CHUNK_RUNS new runs at most.
        self._tree = Fenwick(self._sums)

    def to_bytes(self) -> bytes:
        """A compact encoding: a version byte, then zlib-compressed columns, credits, text."""
        runs = [run for chunk in self._chunks for run in chunk]
        seqs = [run[0] for run in runs]
        columns = [
            # Neighbouring characters were mostly typed one after another: small steps pack well.
            pack_ints(list(map(sub, seqs, [0, *seqs[:-1]])), signed=True),
            pack_ints([run[1] for run in runs]),
            pack_ints([len(run[2]) for run in runs]),
            pack_ints([run[3] for run in runs]),
            pack_ints([run[4] for run in runs]),
            self.credits.to_bytes(),
            pack_ints([self._pool_rev, self._pool_size]),
        ]
        text = "".join(run[2] for run in runs).encode("utf-8", "surrogatepass")
        body = b"".join([len(runs).to_bytes(4, "little"), *columns, text])
        return bytes([FORMAT_VERSION]) + zlib.compress(body, 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> Attribution:
        """Decode what to_bytes made; raises ValueError on anything else."""
        if not data or data[0] != FORMAT_VERSION:
            raise ValueError(f"not attribution data of format version {FORMAT_VERSION}")
        try:
            body = zlib.decompress(data[1:])
        except zlib.error as error:
            raise ValueError(f"attribution data is corrupt: {error}") from error
        count = int.from_bytes(body[:4], "little")
        at = 4
        columns: list[list[int]] = []
        for signed in (True, False, False, False, False):
            values, at = unpack_ints(body, at, count, signed=signed)
            columns.append(values)
        credits, at = Credits.from_bytes(body, at)
        pool, at = unpack_ints(body, at, 2)
        text = body[at:].decode("utf-8", "surrogatepass")
        made = cls._from_columns(columns, text)
        made.credits, (made._pool_rev, made._pool_size) = credits, pool
        return made

    @classmethod
    def _from_columns(cls, columns: list[list[int]], text: str) -> Attribution:
        seq_steps, offs, sizes, ins_revs, del_revs = columns
        if sum(sizes) != len(text) or min(sizes, default=1) < 1 or min(ins_revs, default=1) < 1:
            raise ValueError("attribution data is inconsistent")
        starts = list(accumulate(sizes, initial=0))
        seqs = accumulate(seq_steps)
        runs: list[RawRun] = [
            (seq, off, text[a:b], ins, dele)
            for seq, off, a, b, ins, dele in zip(
                seqs, offs, starts, starts[1:], ins_revs, del_revs, strict=False
            )
        ]
        made = cls()
        cuts = range(0, len(runs), CHUNK_RUNS)
        made._chunks = [runs[i : i + CHUNK_RUNS] for i in cuts]
        made._vis = [[0 if run[4] else len(run[2]) for run in chunk] for chunk in made._chunks]
        made._sums = [sum(vis) for vis in made._vis]
        made._tree = Fenwick(made._sums)
        made._length = sum(made._sums)
        return made


def _locate(vis: list[int], x: int) -> tuple[int, int]:
    """The run holding visible position ``x`` of a chunk, and x's offset in it."""
    ends = list(accumulate(vis))
    r = bisect_right(ends, x)
    return r, x - (ends[r - 1] if r else 0)


def _merge_tombstones(chunk: list[RawRun], vis: list[int], lo: int, hi: int) -> None:
    """Rejoin neighbouring tombstones of one insert deleted by one revision (backspacing)."""
    for i in range(hi - 1, lo, -1):
        left, right = chunk[i - 1], chunk[i]
        if (
            right[4]
            and left[4] == right[4]
            and left[0] == right[0]
            and left[3] == right[3]
            and left[1] + len(left[2]) == right[1]
        ):
            chunk[i - 1 : i + 1] = [(left[0], left[1], left[2] + right[2], left[3], left[4])]
            vis[i - 1 : i + 1] = [0]
