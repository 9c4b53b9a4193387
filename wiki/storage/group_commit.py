"""Group commit: appends to several documents' logs that arrive together share one transaction.

Each room stores its own batch, but twenty busy documents make twenty commits, and on
SQLite twenty waits for the disk, where one would do. The first append to arrive leads: it
lets the others of the same moment queue theirs (under gevent, the rest of the loop's
turn), stores them all in one transaction, and wakes their rooms. Appends that arrive
while it commits wait for the next group, which one of them leads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from crdt import LogRecord

Write = Callable[[Connection, int, Sequence[LogRecord], bytes | None], bool]
"""Store one document's records and checkpoint on ``conn``; False if their seqs are taken."""


@dataclass(eq=False)
class _Append:
    doc_id: int
    records: Sequence[LogRecord]
    checkpoint: bytes | None
    stored: bool = False
    done: bool = False


class GroupCommit:
    """Appends of many documents, stored in one transaction per group."""

    def __init__(self, engine: Engine, write: Write) -> None:
        self._engine = engine
        self._write = write
        self._changed = threading.Condition()
        self._waiting: list[_Append] = []
        self._leading = False

    def append(self, doc_id: int, records: Sequence[LogRecord], checkpoint: bytes | None) -> bool:
        """Store the records with the others of this moment; whether they were stored.

        False: the caller must store them alone, either because another process took
        their seqs first (only the room's own thread may rebase them) or because the
        group's transaction failed (so that a failure reaches only the room it is about).
        """
        job = _Append(doc_id, records, checkpoint)
        with self._changed:
            self._waiting.append(job)
            while self._leading and not job.done:
                self._changed.wait()
            if job.done:
                return job.stored
            self._leading = True
        try:
            time.sleep(0)  # let the appends of this moment queue up behind ours
            with self._changed:
                group, self._waiting = self._waiting, []
            self._commit(group)
        finally:
            with self._changed:
                self._leading = False
                self._changed.notify_all()
        return job.stored

    def _commit(self, group: list[_Append]) -> None:
        # Documents in one order, so that two processes' groups never wait for each
        # other's log locks in a cycle.
        try:
            with self._engine.begin() as conn:
                for job in sorted(group, key=lambda job: job.doc_id):
                    job.stored = self._write(conn, job.doc_id, job.records, job.checkpoint)
        except Exception:
            for job in group:
                job.stored = False
        for job in group:
            job.done = True
