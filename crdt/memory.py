"""An in-process implementation of the stores, for Flask-free tests and benchmarks."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

from crdt.store import HistoryCheckpoint, LogRecord, Rebase, RevisionRow, Snapshot


class MemoryStore:
    """Update log, checkpoints, client ids and history held in dictionaries, thread-safely."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # a rebase may read the store while append holds it
        self.logs: dict[int, list[LogRecord]] = {}
        self.checkpoints: dict[int, list[tuple[int, bytes]]] = {}
        self.clients: dict[int, tuple[int, int | None]] = {}
        self.revisions: dict[int, dict[int, RevisionRow]] = {}
        self.history: dict[int, list[HistoryCheckpoint]] = {}
        self.fail_appends = False
        """Set to make every append fail, as a full disk or a lost database would."""

    def append(
        self,
        doc_id: int,
        records: Sequence[LogRecord],
        checkpoint: bytes | None,
        rebase: Rebase,
    ) -> None:
        """Store records and an optional checkpoint at the last record, after any rebase."""
        with self._lock:
            if self.fail_appends:
                raise OSError("storage unavailable")
            log = self.logs.setdefault(doc_id, [])
            head = log[-1].seq if log else 0
            if records and records[0].seq <= head:
                records, checkpoint = rebase([r for r in log if r.seq >= records[0].seq])
            if records and records[0].seq != head + 1:
                raise ValueError("log records must follow each other")
            log.extend(records)
            if checkpoint is not None and records:
                self.checkpoints.setdefault(doc_id, []).append((records[-1].seq, checkpoint))

    def save_checkpoint(self, doc_id: int, seq: int, state: bytes) -> None:
        """Keep ``state`` as the checkpoint at ``seq`` unless one is there, in seq order."""
        with self._lock:
            points = self.checkpoints.setdefault(doc_id, [])
            if all(point[0] != seq for point in points):
                points.append((seq, state))
                points.sort(key=lambda point: point[0])

    def head_seq(self, doc_id: int) -> int:
        """The highest stored seq, 0 if none."""
        with self._lock:
            log = self.logs.get(doc_id)
            return log[-1].seq if log else 0

    def snapshot(self, doc_id: int, upto_seq: int | None = None) -> Snapshot:
        """Newest checkpoint at or before ``upto_seq`` and the records after it."""
        limit = upto_seq if upto_seq is not None else float("inf")
        with self._lock:
            points = [cp for cp in self.checkpoints.get(doc_id, []) if cp[0] <= limit]
            seq, state = points[-1] if points else (0, None)
            tail = [r for r in self.logs.get(doc_id, []) if seq < r.seq <= limit]
        return Snapshot(seq, state, tail)

    def records(self, doc_id: int, after_seq: int, limit: int) -> Sequence[LogRecord]:
        """Up to ``limit`` records after ``after_seq``."""
        with self._lock:
            return [r for r in self.logs.get(doc_id, []) if r.seq > after_seq][:limit]

    def client_owners(self, doc_id: int) -> dict[int, int | None]:
        """Client id -> person id on this document."""
        with self._lock:
            return {cid: pid for cid, (doc, pid) in self.clients.items() if doc == doc_id}

    def assign_client(self, doc_id: int, person_id: int | None, client_id: int) -> bool:
        """Record an assignment unless the id is taken."""
        with self._lock:
            if client_id in self.clients:
                return False
            self.clients[client_id] = (doc_id, person_id)
            return True

    def save_history(
        self, doc_id: int, revisions: Sequence[RevisionRow], checkpoint: HistoryCheckpoint | None
    ) -> None:
        """Store revisions and an optional attribution checkpoint."""
        with self._lock:
            rows = self.revisions.setdefault(doc_id, {})
            for row in revisions:
                rows[row.number] = replace(row)
            if checkpoint is not None:
                # One per seq, in seq order; a newer copy (a newer format) replaces the old.
                points = [cp for cp in self.history.get(doc_id, []) if cp.seq != checkpoint.seq]
                self.history[doc_id] = sorted([*points, checkpoint], key=lambda cp: cp.seq)

    def history_checkpoint(
        self, doc_id: int, upto_seq: int | None = None
    ) -> HistoryCheckpoint | None:
        """Newest attribution checkpoint at or before ``upto_seq``."""
        with self._lock:
            points = [
                cp for cp in self.history.get(doc_id, []) if upto_seq is None or cp.seq <= upto_seq
            ]
            return points[-1] if points else None

    def revision_rows(self, doc_id: int, numbers: Sequence[int]) -> Sequence[RevisionRow]:
        """Stored revisions with these numbers."""
        with self._lock:
            rows = self.revisions.get(doc_id, {})
            return [replace(rows[n]) for n in numbers if n in rows]
