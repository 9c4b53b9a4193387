"""The persistence port of the document layer; ``wiki`` implements it with SQLAlchemy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Sender:
    """Who sent an update, as the server authenticated them (never as the client claims)."""

    person_id: int | None
    organisation_id: int
    organisation_kind: str
    restores: int | None = None
    """The revision the update brings back, when the server made it to restore one."""


@dataclass(frozen=True)
class LogRecord:
    """One stored update with its sender and log position."""

    seq: int
    data: bytes
    sender: Sender
    client_id: int
    created_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """A checkpoint (or nothing, seq 0) and the log records after it, for rebuilding a doc."""

    checkpoint_seq: int
    state: bytes | None
    tail: Sequence[LogRecord]


Rebase = Callable[[Sequence[LogRecord]], tuple[Sequence[LogRecord], bytes | None]]
"""Given the records another process stored first: the records and checkpoint to store."""


class LogReader(Protocol):
    """What replays read of a document's log."""

    def snapshot(self, doc_id: int, upto_seq: int | None = None) -> Snapshot:
        """The newest checkpoint at or before ``upto_seq`` and the records after it up to it."""

    def records(self, doc_id: int, after_seq: int, limit: int) -> Sequence[LogRecord]:
        """Up to ``limit`` records with seq greater than ``after_seq``, in order."""


class UpdateStore(LogReader, Protocol):
    """Durable storage of one kind of document log; every method commits before returning."""

    def append(
        self,
        doc_id: int,
        records: Sequence[LogRecord],
        checkpoint: bytes | None,
        rebase: Rebase,
    ) -> None:
        """Store records (and a checkpoint at the last record's seq) in one transaction.

        The transaction holds the document's log lock. When another process already stored
        at ``records[0].seq``, the store passes the records after ``records[0].seq - 1`` to
        ``rebase`` and stores the records and checkpoint it returns instead: nobody can
        store in between, so a writer never loses the same race twice.
        """

    def save_checkpoint(self, doc_id: int, seq: int, state: bytes) -> None:
        """Store ``state``, the document after update ``seq``, unless one is stored at ``seq``."""

    def head_seq(self, doc_id: int) -> int:
        """The highest stored sequence number, 0 for an empty log."""

    def client_owners(self, doc_id: int) -> dict[int, int | None]:
        """Client id -> person id for every client id assigned on this document."""

    def assign_client(self, doc_id: int, person_id: int | None, client_id: int) -> bool:
        """Record a new assignment; False if the id is already taken anywhere."""


@dataclass
class RevisionRow:
    """A revision as the history stores it; ``name`` is kept by the store, not set here."""

    number: int
    person_id: int | None
    organisation_id: int
    organisation_kind: str
    first_seq: int
    last_seq: int
    started_at: datetime
    ended_at: datetime
    inserted: int = 0
    deleted: int = 0


@dataclass(frozen=True)
class HistoryCheckpoint:
    """The attribution state after replaying the log up to ``seq``."""

    seq: int
    tracker: str
    data: bytes


class HistoryStore(Protocol):
    """Durable storage of revisions and attribution checkpoints; methods commit."""

    def save_history(
        self, doc_id: int, revisions: Sequence[RevisionRow], checkpoint: HistoryCheckpoint | None
    ) -> None:
        """Insert or update revisions (keeping their names), and store a checkpoint."""

    def history_checkpoint(
        self, doc_id: int, upto_seq: int | None = None
    ) -> HistoryCheckpoint | None:
        """The newest attribution checkpoint at or before ``upto_seq``."""

    def revision_rows(self, doc_id: int, numbers: Sequence[int]) -> Sequence[RevisionRow]:
        """The stored revisions with these numbers."""
