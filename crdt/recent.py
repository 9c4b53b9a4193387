"""The records a room stored lately, kept in memory for its attribution to read back."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Sequence

from crdt.store import LogRecord, Snapshot, UpdateStore

RECENT_RECORDS = 1000


class RecentLog:
    """The newest records a room stored, read back from memory; older ones from the store.

    A room's attribution reads each record moments after the room stored it: from here it
    costs no query. Records are kept only while their seqs run on without a gap, so a
    record stored by another process (known to the room without its sender) is never
    answered from here.
    """

    def __init__(self, store: UpdateStore, keep: int = RECENT_RECORDS) -> None:
        self._store = store
        self._records: deque[LogRecord] = deque(maxlen=keep)

    def add(self, records: Iterable[LogRecord]) -> None:
        """Keep records just stored, in log order."""
        for record in records:
            if self._records and record.seq != self._records[-1].seq + 1:
                self._records.clear()
            self._records.append(record)

    def clear(self) -> None:
        """Forget every record kept."""
        self._records.clear()

    def records(self, doc_id: int, after_seq: int, limit: int) -> Sequence[LogRecord]:
        """Up to ``limit`` records after ``after_seq``, from memory when it holds the next one."""
        kept = self._records
        if kept and kept[0].seq <= after_seq + 1 <= kept[-1].seq:
            start = after_seq + 1 - kept[0].seq
            return list(itertools.islice(kept, start, start + limit))
        return self._store.records(doc_id, after_seq, limit)

    def snapshot(self, doc_id: int, upto_seq: int | None = None) -> Snapshot:
        """The store's snapshot: a checkpoint and the records after it."""
        return self._store.snapshot(doc_id, upto_seq)
