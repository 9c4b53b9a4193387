"""A room's commit path: the live doc and its log, kept describing one and the same document.

Only the room's worker thread touches a ``Ledger``. It vets each update against the live
doc (writers, clocks, dependencies, size), applies it, stores a batch in one commit
(group commit) and resolves each future only after that commit. When another process
stored at the same seqs first, the batch is renumbered after theirs (``rebase``); what
other processes store reaches the live doc through ``follow``. Whenever the live doc might
hold something the log lacks, it is dropped and reloaded from the log.
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from crdt.characters import PairGaps
from crdt.engine import Doc, Engine
from crdt.errors import EngineFailure, ForeignClientId, UpdateRejected
from crdt.idset import IdSet
from crdt.recent import RecentLog
from crdt.size import SizeGuard
from crdt.store import LogRecord, Sender, Snapshot, UpdateStore
from crdt.terms import (
    STORED_ELSEWHERE,
    Limits,
    Listener,
    MissingDependency,
    StorageUnavailable,
    Stored,
)
from crdt.updates import UpdateInfo, check_update, parse_state_vector, parse_update

log = logging.getLogger(__name__)

CATCH_UP_PAGE = 1000
CLIENT_ID_LIMIT = 2**31  # ids the server hands out are 1 .. CLIENT_ID_LIMIT - 1


@dataclass
class Write:
    """An update waiting for the commit; its future gives its seq (None: nothing new)."""

    sender: Sender
    client_id: int
    data: bytes
    origin: object = None
    future: Future[int | None] = field(default_factory=Future)


Batch = list[tuple[Write, LogRecord | None]]


class Ledger:
    """The live doc of one document and what the log holds of it, on the room's worker."""

    def __init__(
        self,
        doc_id: int,
        engine: Engine,
        store: UpdateStore,
        limits: Limits,
        listener: Listener | None,
    ) -> None:
        self.doc_id = doc_id
        self.doc: Doc | None = None  # None: to be (re)loaded from the log before use
        self.head = 0
        self._engine = engine
        self._store = store
        self._limits = limits
        self._listener = listener
        self._checkpointed = 0
        self._owners: dict[int, int | None] = {}
        self._deleted: IdSet | None = None
        self._gaps: PairGaps | None = None
        self._size = SizeGuard(engine, limits.max_document_chars)
        self._stored: list[Stored] = []  # for the listener, at the end of the batch
        self.recent = RecentLog(store)
        """The log as this room stored it lately, for its attribution to read."""

    def ensure_loaded(self) -> bool:
        """Load the live doc from the log if it is not there; False if storage failed."""
        if self.doc is not None:
            return True
        try:
            self._reload()
        except Exception:
            storage_failed("room %s: loading from storage failed", self.doc_id)
            self.doc = None
            return False
        return True

    def take(self, job: Write, writes: Batch) -> None:
        """Verify and apply one update, adding it to the batch waiting for the commit."""
        try:
            writes.append((job, self._accept(job)))
        except EngineFailure as error:
            # The engine failed part-way and the live doc can no longer be trusted: store
            # what this batch already accepted, then rebuild the doc from the log.
            log.warning("room %s: engine failure; rebuilding from the log", self.doc_id)
            fail(job.future, error)
            self.commit(writes)
            writes.clear()
            self.doc = None
        except UpdateRejected as error:
            fail(job.future, error)
        except Exception as error:  # one bad update must not take the room down
            log.exception("room %s: update of %d bytes failed", self.doc_id, len(job.data))
            fail(job.future, UpdateRejected(f"the update could not be applied: {error}"))

    def commit(self, writes: Batch) -> None:
        """Store the batch's records in one commit, then acknowledge each update."""
        stored = self._persist(writes)
        if stored is None:
            for job, _ in writes:
                fail(
                    job.future, StorageUnavailable("the server could not store the edit; resend it")
                )
            return
        self.recent.add(record for _, record in stored if record is not None)
        for job, record in stored:
            job.future.set_result(record.seq if record else None)
            if record is not None:
                self._notify(record.seq, record.data, job.origin)

    def follow(self, given: dict[int, bytes | None], to_end: bool) -> None:
        """Apply what other processes stored after our head, in log order.

        ``given`` maps seqs to the updates announced with them (None: read from the log);
        ``to_end`` reads on to whatever the log holds.
        """
        if self.doc is None or not (given or to_end):
            return
        wanted = None if to_end else max(given)
        if wanted is not None and wanted <= self.head:
            return
        try:
            while wanted is None or self.head < wanted:
                data = given.get(self.head + 1)
                if data is not None:
                    self._apply_stored(self.head + 1, data)
                    continue
                records = self._store.records(self.doc_id, self.head, CATCH_UP_PAGE)
                for record in records:
                    self._apply_stored(record.seq, record.data)
                if len(records) < CATCH_UP_PAGE:
                    return
        except Exception:
            storage_failed("room %s: following the log failed; reloading", self.doc_id)
            self.doc = None
            self.ensure_loaded()

    def tell_listener(self) -> None:
        """Pass what the batch stored or followed on to the listener, in one call."""
        stored, self._stored = self._stored, []
        if not stored or self._listener is None:
            return
        try:
            self._listener(self.doc_id, stored)
        except Exception:  # a broken listener must not stop the room
            log.exception("room %s: listener failed", self.doc_id)

    def checkpoint_now(self) -> None:
        """Store the live doc's state at the head, unless a checkpoint is there already."""
        if self.doc is None or self.head <= self._checkpointed:
            return
        self._store.save_checkpoint(self.doc_id, self.head, self.doc.encode_state())
        self._checkpointed = self.head

    def new_client_id(self, person_id: int | None) -> int:
        """A fresh client id, stored as ``person_id``'s to write under."""
        while True:
            client_id = random_client_id()
            if client_id not in self._owners and self._store.assign_client(
                self.doc_id, person_id, client_id
            ):
                self._owners[client_id] = person_id
                return client_id

    def claim_client(self, doc: Doc, person_id: int | None, client_id: int) -> bool:
        """Store ``client_id`` as ``person_id``'s if nobody holds or wrote under it."""
        if client_id in self._owners or client_id in parse_state_vector(doc.state_vector()):
            return False
        if not self._store.assign_client(self.doc_id, person_id, client_id):
            return False
        self._owners[client_id] = person_id
        return True

    def _reload(self) -> None:
        self.recent.clear()
        snapshot = self._store.snapshot(self.doc_id)
        self.doc = replay(self._engine.new_doc(), snapshot)
        self.head = snapshot.tail[-1].seq if snapshot.tail else snapshot.checkpoint_seq
        self._checkpointed = snapshot.checkpoint_seq
        self._owners = self._store.client_owners(self.doc_id)
        self._deleted = self._gaps = None
        self._size.forget()

    def _accept(self, job: Write) -> LogRecord | None:
        assert self.doc is not None
        known = parse_state_vector(self.doc.state_vector())
        try:
            info = self._check(job, known)
        except ForeignClientId:
            # Another process may have given this person the id (a client that reconnected
            # here with edits made there): ask the store before refusing.
            self._owners = self._store.client_owners(self.doc_id)
            info = self._check(job, known)
        if not self._is_new(info, known):
            return None
        if any(known.get(client, 0) < clock for client, clock in info.needs.items()):
            # Held back, it would be in the log but not the text: a checkpoint taken meanwhile
            # would lose it, and once it fitted it would be credited to whoever sent the edit
            # it waited for (a way to put words in someone else's name).
            raise MissingDependency(
                "the update builds on edits the server does not have yet; "
                "it will be resent after them"
            )
        self._state_index()[1].check(info, known)
        self._size.check(self.doc, info.chars, job.data)
        self.doc.apply_update(job.data)
        self._remember_deletes(info)
        self._state_index()[1].add(info)
        self.head += 1
        return LogRecord(self.head, job.data, job.sender, job.client_id, datetime.now(UTC))

    def _check(self, job: Write, known: dict[int, int]) -> UpdateInfo:
        allowed = {cid for cid, pid in self._owners.items() if pid == job.sender.person_id}
        return check_update(
            job.data,
            max_bytes=self._limits.max_update_bytes,
            allowed_writers=allowed,
            known=known,
        )

    def _is_new(self, info: UpdateInfo, known: dict[int, int]) -> bool:
        # Plain loops: this runs for every update, where generators cost more than the test.
        for client, ranges in info.structs.items():
            reached = known.get(client, 0)
            for clock, length in ranges:
                if clock + length > reached:
                    return True
        if not info.deletes:
            return False
        deleted = self._state_index()[0]
        for client, ranges in info.deletes.items():
            for clock, length in ranges:
                if not deleted.covers(client, clock, length):
                    return True
        return False

    def _state_index(self) -> tuple[IdSet, PairGaps]:
        """What the live doc has deleted, and where its characters must not be cut."""
        # Built on first need: cold loads that only read never pay for parsing the state.
        if self._deleted is None or self._gaps is None:
            assert self.doc is not None
            state = parse_update(self.doc.encode_state())
            self._deleted, self._gaps = IdSet(), PairGaps()
            self._remember_deletes(state)
            self._gaps.add(state)
        return self._deleted, self._gaps

    def _remember_deletes(self, info: UpdateInfo) -> None:
        if not info.deletes:
            return
        deleted = self._state_index()[0]
        for client, ranges in info.deletes.items():
            for clock, length in ranges:
                deleted.add(client, clock, length)

    def _persist(self, writes: Batch) -> Batch | None:
        """Store the batch; the writes as stored (renumbered by a rebase), None on failure."""
        records = [record for _, record in writes if record is not None]
        if not records:
            return writes
        stored, checkpoint = writes, self._checkpoint()

        def rebase(theirs: Sequence[LogRecord]) -> tuple[list[LogRecord], bytes | None]:
            nonlocal stored, checkpoint
            stored, checkpoint = self._rebase(writes, theirs), self._checkpoint()
            return [record for _, record in stored if record is not None], checkpoint

        try:
            self._store.append(self.doc_id, records, checkpoint, rebase)
        except Exception:
            storage_failed("room %s: storing %d updates failed", self.doc_id, len(records))
            # Rebuilt from storage on the next job: it must not hold unstored edits.
            self.doc = None
            return None
        if checkpoint is not None:
            self._checkpointed = self.head
        return stored

    def _rebase(self, writes: Batch, theirs: Sequence[LogRecord]) -> Batch:
        """Take in what another process stored at our seqs, and number our batch after it.

        The live doc already holds our batch; theirs is applied on top (and passed on to
        this process's sockets). An update of ours that theirs already holds in full (a
        client that resent it there) is not stored again.
        """
        self.head = theirs[0].seq - 1
        held = IdSet(), IdSet()  # the structs and the deletes theirs carry
        for stored in theirs:
            info = parse_update(stored.data)
            self._apply_stored(stored.seq, stored.data, info)
            for ids, ranges in zip(held, (info.structs, info.deletes), strict=True):
                for client, spans in ranges.items():
                    for clock, length in spans:
                        ids.add(client, clock, length)
        rebased: Batch = []
        for job, ours in writes:
            if ours is None or _held_in(parse_update(ours.data), *held):
                rebased.append((job, None))
                continue
            self.head += 1
            rebased.append((job, replace(ours, seq=self.head)))
        return rebased

    def _checkpoint(self) -> bytes | None:
        """The live doc's state when a checkpoint is due at the head, else None."""
        assert self.doc is not None
        due = self.head - self._checkpointed >= self._limits.checkpoint_every
        return self.doc.encode_state() if due else None

    def _apply_stored(self, seq: int, data: bytes, info: UpdateInfo | None = None) -> None:
        """Apply an update the log already holds; the log vetted it when it was stored.

        ``info``: the update already parsed, if the caller has it.
        """
        assert self.doc is not None
        if self._deleted is None:
            info = None  # no index to keep yet: it is built from the state when first needed
        elif info is None:
            info = parse_update(data)
        self.doc.apply_update(data)
        if info is not None:
            self._remember_deletes(info)
            self._state_index()[1].add(info)
        self._size.grown(info.chars if info is not None else None)
        self.head = seq
        self._notify(seq, data, STORED_ELSEWHERE)

    def _notify(self, seq: int, data: bytes, origin: object) -> None:
        if self._listener is not None:
            self._stored.append(Stored(seq, data, origin))


def replay(doc: Doc, snapshot: Snapshot) -> Doc:
    """Load a snapshot's checkpoint into ``doc`` and apply the records after it."""
    if snapshot.state is not None:
        doc.apply_update(snapshot.state)
    for record in snapshot.tail:
        doc.apply_update(record.data)
    return doc


def storage_failed(message: str, *args: object) -> None:
    """Log a failure to reach storage, inside an ``except``: one line, its traceback at DEBUG.

    A lost database is an expected refusal (the client resends), not a bug; the line names
    the error's type and first line only, never the statement's parameters (update bytes).
    """
    error = sys.exc_info()[1]
    first = str(error).splitlines()[0] if error is not None and str(error) else ""
    log.warning(message + ": %s%s", *args, type(error).__name__, f" {first}" if first else "")
    log.debug(message, *args, exc_info=True)


def random_client_id() -> int:
    """A random Yjs client id from the range the server hands out (1 .. CLIENT_ID_LIMIT - 1)."""
    return secrets.randbelow(CLIENT_ID_LIMIT - 1) + 1


def fail(future: Future[Any], error: BaseException) -> None:
    """Fail ``future`` with ``error``, stripped of the frames that hold engine docs."""
    # The error crosses to the waiting thread without its traceback: the traceback's
    # frames hold engine documents, which y-py must never drop off their own thread.
    error.__traceback__ = None
    error.__context__ = error.__cause__ = None
    future.set_exception(error)


def _held_in(info: UpdateInfo, structs: IdSet, deletes: IdSet) -> bool:
    """Whether every struct and delete of an update is among those given."""
    return all(
        ids.covers(client, clock, length)
        for ids, ranges in ((structs, info.structs), (deletes, info.deletes))
        for client, spans in ranges.items()
        for clock, length in spans
    )
