"""The SQLAlchemy implementation of the document layer's update store."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    BindParameter,
    Connection,
    Engine,
    Integer,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from crdt import HistoryCheckpoint, LogRecord, Rebase, RevisionRow, Sender, Snapshot
from wiki.storage.group_commit import GroupCommit
from wiki.storage.models import (
    AttributionCheckpoint,
    Checkpoint,
    ClientAssignment,
    Revision,
    UpdateRecord,
)

_log = UpdateRecord.__table__
_checkpoints = Checkpoint.__table__
_clients = ClientAssignment.__table__
_revisions = Revision.__table__
_history = AttributionCheckpoint.__table__
LOG_LOCK_SPACE = 0x4A4C  # the first key of the documents' log locks among advisory locks
REVISION_FIELDS = tuple(RevisionRow.__dataclass_fields__)

# The statements every update and every stored revision run, built once: building one is
# most of what executing it costs (its cache key is kept on the statement object).
_DOC: BindParameter[int] = bindparam("doc", type_=Integer)
_HEAD = select(func.max(_log.c.seq)).where(_log.c.document_id == _DOC)
_SQLITE_LOCK = update(_log).where(_log.c.document_id == _DOC, _log.c.seq < 0).values(seq=_log.c.seq)
_POSTGRESQL_LOCK = select(func.pg_advisory_xact_lock(LOG_LOCK_SPACE, _DOC))
_REVISIONS_STORED = select(_revisions.c.number).where(
    _revisions.c.document_id == _DOC, _revisions.c.number.in_(bindparam("numbers", expanding=True))
)
_INSERT_RECORD = insert(_log)
_INSERT_REVISION = insert(_revisions)
_UPDATE_REVISION = (
    update(_revisions)
    .where(_revisions.c.document_id == _DOC, _revisions.c.number == bindparam("row_number"))
    .values({name: bindparam(f"row_{name}") for name in REVISION_FIELDS if name != "number"})
)


class SqlUpdateStore:
    """Update log, checkpoints, client ids, revisions and attribution in the app's database."""

    def __init__(self, engine: Engine, derived: Engine | None = None) -> None:
        """``derived``: where revisions and attribution are written, if not ``engine``.

        They are derived from the log, which rebuilds them after a crash, so their writes
        may use a pool whose commits do not wait for the disk (``rooms_engine``).
        """
        self._engine = engine
        self._derived = derived or engine
        self._group = GroupCommit(engine, _store_records)

    def close(self) -> None:
        """Close the pooled connections; the store opens new ones if used again."""
        self._engine.dispose()
        self._derived.dispose()

    def append(
        self,
        doc_id: int,
        records: Sequence[LogRecord],
        checkpoint: bytes | None,
        rebase: Rebase,
    ) -> None:
        """Store records and an optional checkpoint in one committed transaction.

        The transaction holds the document's log lock, so the head it reads stays the head
        until it commits; records another process stored first go to ``rebase``. Appends
        of other documents that arrive meanwhile share the transaction (``GroupCommit``).
        """
        if self._group.append(doc_id, records, checkpoint):
            return
        with self._engine.begin() as conn:
            if _store_records(conn, doc_id, records, checkpoint):
                return
            theirs = conn.execute(self._records_query(doc_id, records[0].seq - 1))
            records, checkpoint = rebase([_record(row) for row in theirs])
            if records:
                _insert_records(conn, doc_id, records, checkpoint)

    def save_checkpoint(self, doc_id: int, seq: int, state: bytes) -> None:
        """Store a checkpoint at ``seq`` unless the document has one there (another process's)."""
        exists = select(_checkpoints.c.seq).where(
            _checkpoints.c.document_id == doc_id, _checkpoints.c.seq == seq
        )
        try:
            with self._engine.begin() as conn:
                if conn.execute(exists).first() is None:
                    conn.execute(
                        insert(_checkpoints).values(document_id=doc_id, seq=seq, state=state)
                    )
        except IntegrityError:
            pass  # stored meanwhile by another process: the same state

    def head_seq(self, doc_id: int) -> int:
        """The highest stored seq of the document, 0 if none."""
        with self._engine.connect() as conn:
            return conn.execute(_HEAD, {"doc": doc_id}).scalar() or 0

    def snapshot(self, doc_id: int, upto_seq: int | None = None) -> Snapshot:
        """Newest checkpoint at or before ``upto_seq`` plus the records after it."""
        cp_query = select(_checkpoints.c.seq, _checkpoints.c.state).where(
            _checkpoints.c.document_id == doc_id
        )
        if upto_seq is not None:
            cp_query = cp_query.where(_checkpoints.c.seq <= upto_seq)
        cp_query = cp_query.order_by(_checkpoints.c.seq.desc()).limit(1)
        with self._engine.connect() as conn:
            checkpoint = conn.execute(cp_query).first()
            after = checkpoint.seq if checkpoint else 0
            tail_query = self._records_query(doc_id, after)
            if upto_seq is not None:
                tail_query = tail_query.where(_log.c.seq <= upto_seq)
            tail = [_record(row) for row in conn.execute(tail_query)]
        return Snapshot(after, checkpoint.state if checkpoint else None, tail)

    def records(self, doc_id: int, after_seq: int, limit: int) -> Sequence[LogRecord]:
        """Up to ``limit`` records after ``after_seq``, in log order."""
        query = self._records_query(doc_id, after_seq).limit(limit)
        with self._engine.connect() as conn:
            return [_record(row) for row in conn.execute(query)]

    def client_owners(self, doc_id: int) -> dict[int, int | None]:
        """Client id -> person id of every client id assigned on the document."""
        query = select(_clients.c.client_id, _clients.c.person_id).where(
            _clients.c.document_id == doc_id
        )
        with self._engine.connect() as conn:
            return {row.client_id: row.person_id for row in conn.execute(query)}

    def assign_client(self, doc_id: int, person_id: int | None, client_id: int) -> bool:
        """Record a client id for a person; False when the id is already taken."""
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(_clients).values(
                        client_id=client_id, document_id=doc_id, person_id=person_id
                    )
                )
        except IntegrityError:
            return False
        return True

    def save_history(
        self, doc_id: int, revisions: Sequence[RevisionRow], checkpoint: HistoryCheckpoint | None
    ) -> None:
        """Insert new revisions, update changed ones (names untouched), store a checkpoint.

        Every process that holds the document derives the same history from the log; under
        the log lock, whichever stores second updates the first one's rows to the same values.
        """
        with self._derived.begin() as conn:
            lock_log(conn, doc_id)
            numbers = [row.number for row in revisions]
            stored = (
                set(conn.execute(_REVISIONS_STORED, {"doc": doc_id, "numbers": numbers}).scalars())
                if numbers
                else set()
            )
            inserts = [
                {"document_id": doc_id, **_revision_values(row)}
                for row in revisions
                if row.number not in stored
            ]
            updates = [
                {"doc": doc_id, **{f"row_{k}": v for k, v in _revision_values(row).items()}}
                for row in revisions
                if row.number in stored
            ]
            if inserts:
                conn.execute(_INSERT_REVISION, inserts)
            if updates:
                conn.execute(_UPDATE_REVISION, updates)
            if checkpoint is not None:
                values = {"tracker": checkpoint.tracker, "data": checkpoint.data}
                if self._has_history_checkpoint(conn, doc_id, checkpoint.seq):
                    # The same state another process stored, or one in a format that
                    # Attribution no longer reads: the newer code's copy replaces it.
                    conn.execute(
                        update(_history)
                        .where(_history.c.document_id == doc_id, _history.c.seq == checkpoint.seq)
                        .values(**values)
                    )
                else:
                    conn.execute(
                        insert(_history).values(document_id=doc_id, seq=checkpoint.seq, **values)
                    )

    @staticmethod
    def _has_history_checkpoint(conn: Connection, doc_id: int, seq: int) -> bool:
        query = select(_history.c.seq).where(
            _history.c.document_id == doc_id, _history.c.seq == seq
        )
        return conn.execute(query).first() is not None

    def history_checkpoint(
        self, doc_id: int, upto_seq: int | None = None
    ) -> HistoryCheckpoint | None:
        """The newest attribution checkpoint at or before ``upto_seq``."""
        query = select(_history.c.seq, _history.c.tracker, _history.c.data).where(
            _history.c.document_id == doc_id
        )
        if upto_seq is not None:
            query = query.where(_history.c.seq <= upto_seq)
        with self._engine.connect() as conn:
            row = conn.execute(query.order_by(_history.c.seq.desc()).limit(1)).first()
        return HistoryCheckpoint(row.seq, row.tracker, row.data) if row else None

    def revision_rows(self, doc_id: int, numbers: Sequence[int]) -> Sequence[RevisionRow]:
        """The stored revisions with these numbers."""
        query = select(*(_revisions.c[name] for name in REVISION_FIELDS)).where(
            _revisions.c.document_id == doc_id, _revisions.c.number.in_(list(numbers))
        )
        with self._engine.connect() as conn:
            return [RevisionRow(**row._mapping) for row in conn.execute(query)]

    @staticmethod
    def _records_query(doc_id: int, after_seq: int):  # type: ignore[no-untyped-def]
        return (
            select(_log)
            .where(_log.c.document_id == doc_id, _log.c.seq > after_seq)
            .order_by(_log.c.seq)
        )


def _record(row) -> LogRecord:  # type: ignore[no-untyped-def]
    sender = Sender(
        row.person_id, row.organisation_id, row.organisation_kind, row.restores_revision
    )
    return LogRecord(row.seq, row.data, sender, row.client_id, row.created_at)


def _store_records(
    conn: Connection, doc_id: int, records: Sequence[LogRecord], checkpoint: bytes | None
) -> bool:
    """Under the document's log lock, store records and a checkpoint at the last one.

    False, storing nothing, when another process already stored at the first record's seq.
    """
    lock_log(conn, doc_id)
    head = conn.execute(_HEAD, {"doc": doc_id}).scalar()
    if head is not None and records[0].seq <= head:
        return False
    _insert_records(conn, doc_id, records, checkpoint)
    return True


def _insert_records(
    conn: Connection, doc_id: int, records: Sequence[LogRecord], checkpoint: bytes | None
) -> None:
    conn.execute(_INSERT_RECORD, [_row(doc_id, record) for record in records])
    if checkpoint is not None:
        conn.execute(
            insert(_checkpoints).values(document_id=doc_id, seq=records[-1].seq, state=checkpoint)
        )


def lock_log(conn: Connection, doc_id: int) -> None:
    """Hold the document's log lock until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock on the document. SQLite: a write
    statement, which takes the database's write lock for the rest of the transaction.
    """
    lock = _POSTGRESQL_LOCK if conn.dialect.name == "postgresql" else _SQLITE_LOCK
    conn.execute(lock, {"doc": doc_id})


def _revision_values(row: RevisionRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in REVISION_FIELDS}


def _row(doc_id: int, record: LogRecord) -> dict[str, object]:
    return {
        "document_id": doc_id,
        "seq": record.seq,
        "data": record.data,
        "person_id": record.sender.person_id,
        "organisation_id": record.sender.organisation_id,
        "organisation_kind": record.sender.organisation_kind,
        "client_id": record.client_id,
        "created_at": record.created_at,
        "restores_revision": record.sender.restores,
    }
