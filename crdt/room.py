"""A live document and the one worker thread that owns it.

y-py documents panic when touched from a thread other than their creator's, and
Flask-SocketIO runs each client in its own thread, so every engine call for a document
happens on its room's worker. Handlers queue jobs and wait on futures. Updates that
arrive together are verified, applied and stored in one commit (group commit), and
every future resolves only after that commit: nothing is acknowledged before it is
durable. If the commit fails the live document is rebuilt from storage, so it never
holds anything the log lacks.

Several server processes may hold the same document. Each stores what its own clients
send, under the document's log lock; a room that finds its seqs taken applies what the
others stored there and stores its batch after it, within the same lock (``_rebase``).
What the others stored reaches a room through ``follow``, read from the message or, when
one went missing, from the log.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import secrets
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from crdt.attribution import Attribution
from crdt.attributor import Attributor
from crdt.characters import PairGaps
from crdt.engine import Doc, Engine, release_orphans
from crdt.errors import (
    CrdtError,
    DocumentTooLarge,
    EngineFailure,
    ForeignClientId,
    MalformedUpdate,
    UpdateRejected,
)
from crdt.idset import IdSet
from crdt.revisions import REVISION_PAUSE_S
from crdt.store import HistoryStore, LogRecord, Sender, UpdateStore
from crdt.textdiff import text_ops
from crdt.updates import UpdateInfo, check_update, parse_state_vector, parse_update

log = logging.getLogger(__name__)

T = TypeVar("T")
STORED_ELSEWHERE: object = object()


@dataclass(frozen=True, slots=True)
class Stored:
    """An update now in the log and in the live doc, for the room's listener.

    ``origin`` is what ``submit`` was given, or ``STORED_ELSEWHERE`` for an update that
    another process stored and this room followed.
    """

    seq: int
    data: bytes
    origin: object


Listener = Callable[[int, Sequence[Stored]], None]
"""Called on the room's worker with (doc id, updates) once per batch, in log order.

One call per batch, not per update, so that a listener can pass a busy room's updates on
as one message.
"""
MAX_BATCH = 512
CATCH_UP_PAGE = 1000
IDLE_S = 0.005  # how long a room waits for work before it attributes stored updates
CLIENT_ID_LIMIT = 2**31  # ids the server hands out are 1 .. CLIENT_ID_LIMIT - 1


class StorageUnavailable(CrdtError):
    """The update could not be stored; the client keeps it and sends it again later."""


class MissingDependency(UpdateRejected):
    """An update builds on edits the room does not have yet; the client resends it after them."""


@dataclass(frozen=True)
class Limits:
    """Per-room limits and history settings, from the application's configuration."""

    max_update_bytes: int = 1024 * 1024
    max_document_chars: int = 500_000  # code points of the text, as ``len`` counts
    checkpoint_every: int = 500
    revision_pause_s: float = REVISION_PAUSE_S
    attribute_batch: int = 200


@dataclass(frozen=True)
class History:
    """Who wrote what, up to ``seq``: the text then and a read-only copy of its attribution."""

    seq: int
    text: str
    attribution: Attribution


@dataclass
class _Write:
    sender: Sender
    client_id: int
    data: bytes
    origin: object = None
    future: Future[int | None] = field(default_factory=Future)


@dataclass
class _Call:
    fn: Callable[[Doc], Any]
    future: Future[Any] = field(default_factory=Future)


@dataclass
class _Follow:
    seq: int | None  # None: whatever the log holds
    data: bytes | None


class Room:
    """One live document: queue work with ``submit`` and ``call``; the worker does it in order."""

    def __init__(
        self,
        doc_id: int,
        engine: Engine,
        store: UpdateStore,
        limits: Limits,
        history: HistoryStore | None = None,
        listener: Listener | None = None,
    ) -> None:
        self.doc_id = doc_id
        self._listener = listener
        self._engine = engine
        self._store = store
        self._limits = limits
        self._history = history
        self._attributor: Attributor | None = None
        self._attribution_failed = False
        self._jobs: queue.SimpleQueue[_Write | _Call | _Follow | None] = queue.SimpleQueue()
        self._doc: Doc | None = None
        self._head = 0
        self._checkpointed = 0
        self._owners: dict[int, int | None] = {}
        self._deleted: IdSet | None = None
        self._gaps: PairGaps | None = None
        self._length: int | None = None  # at least the text's length; None: not measured
        self._stored: list[Stored] = []  # for the listener, at the end of the batch
        self._thread = threading.Thread(target=self._run, name=f"room-{doc_id}", daemon=True)
        self._thread.start()

    def submit(
        self, sender: Sender, client_id: int, data: bytes, origin: object = None
    ) -> Future[int | None]:
        """Queue an update; the future gives its log seq (None if it held nothing new).

        Once stored, the update goes to the room's listener with ``origin``, so the
        listener can pass it on to everyone but whoever sent it.
        """
        job = _Write(sender, client_id, data, origin)
        self._jobs.put(job)
        return job.future

    def call(self, fn: Callable[[Doc], T]) -> Future[T]:
        """Run ``fn`` on the live document, after every update queued before it is stored."""
        job = _Call(fn)
        self._jobs.put(job)
        return job.future

    def follow(self, seq: int | None = None, data: bytes | None = None) -> None:
        """Take in update ``seq`` that another process stored (``data``, or read from the log).

        With no seq, or when earlier ones are missing, the room reads every record it lacks
        from the log. Updates the room already has are ignored.
        """
        self._jobs.put(_Follow(seq, data))

    def assign_client(self, person_id: int | None) -> Future[int]:
        """A fresh Yjs client id that only ``person_id`` may write under in this document."""
        return self.call(lambda _doc: self._new_client_id(person_id))

    def claim_client(self, person_id: int | None, client_id: int) -> Future[bool]:
        """Let only ``person_id`` write under ``client_id``; False if the id is taken.

        For an id picked before it was needed (``random_client_id``), such as a reader's
        that is stored only once its person may edit. Taken means assigned to anyone,
        the same person included (two sessions must never share a clock), or already
        written under.
        """
        if not 0 < client_id < CLIENT_ID_LIMIT:
            raise ValueError(f"client id {client_id} is outside 1 .. {CLIENT_ID_LIMIT - 1}")
        return self.call(lambda doc: self._claim_client(doc, person_id, client_id))

    def head(self) -> Future[int]:
        """The seq of the newest stored update."""
        return self.call(lambda _doc: self._head)

    def text(self) -> Future[tuple[str, int]]:
        """The document's text and the seq of the newest stored update it includes."""
        return self.call(lambda doc: (doc.text(), self._head))

    def text_at(self, seq: int) -> Future[str]:
        """The document's text as it was after update ``seq``."""
        return self.call(lambda _doc: self._rebuild(seq).text())

    def form_update(
        self, person_id: int | None, base_seq: int, text: str
    ) -> Future[tuple[int, bytes]]:
        """A new client id for the person, and the update from version ``base_seq`` to ``text``.

        The update is made against the document as it was at ``base_seq``: queued with
        ``submit``, the CRDT merges it with everything stored since, overwriting nothing.
        The update is empty when the text is unchanged.
        """

        def make(_doc: Doc) -> tuple[int, bytes]:
            client_id = self._new_client_id(person_id)
            base = self._rebuild(base_seq, client_id)
            ops = text_ops(base.text(), text)
            return client_id, base.edit(ops) if ops else b""

        return self.call(make)

    def history_at(self, seq: int) -> Future[History]:
        """Text and attribution as they were after update ``seq`` (nothing is stored)."""

        def replay(_doc: Doc) -> History:
            attributor = self._new_attributor()
            attributor.load(seq)
            attributor.catch_up(seq, persist=False)
            return History(attributor.seq, attributor.attribution.text(), attributor.attribution)

        return self.call(replay)

    def history(self) -> Future[History]:
        """Revisions and attribution brought up to date with every stored update."""
        return self.call(lambda doc: self._history_now(doc))

    def close(self) -> None:
        """Finish queued work and stop the worker."""
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            # y-py objects must also be dropped on the thread that made them.
            self._doc = None
            self._attributor = None
            release_orphans()

    def _serve(self) -> None:
        while True:
            try:
                # Attribute only once no job has come for IDLE_S, not in every gap of a
                # stream of updates: there it would take turns with, and halve, the stream.
                job = (
                    self._jobs.get(timeout=IDLE_S) if self._attribution_due() else self._jobs.get()
                )
            except queue.Empty:
                with contextlib.suppress(Exception):  # logged in _attribute
                    self._attribute(limit=self._limits.attribute_batch)
                continue
            if job is None:
                return
            release_orphans()
            batch = [job]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._process(batch)
                    return
                batch.append(more)
            self._process(batch)

    def _reload(self) -> None:
        snapshot = self._store.snapshot(self.doc_id)
        doc = self._engine.new_doc()
        if snapshot.state is not None:
            doc.apply_update(snapshot.state)
        for record in snapshot.tail:
            doc.apply_update(record.data)
        self._doc = doc
        self._head = snapshot.tail[-1].seq if snapshot.tail else snapshot.checkpoint_seq
        self._checkpointed = snapshot.checkpoint_seq
        self._owners = self._store.client_owners(self.doc_id)
        self._deleted = self._gaps = None
        self._length = None

    def _process(self, batch: list[_Write | _Call | _Follow]) -> None:
        if not self._ensure_loaded():
            for job in batch:
                if not isinstance(job, _Follow):  # the reload will read what it announced
                    _fail(
                        job,
                        StorageUnavailable(
                            "the server cannot reach its storage; try again shortly"
                        ),
                    )
            return
        self._follow([job for job in batch if isinstance(job, _Follow)])
        writes: list[tuple[_Write, LogRecord | None]] = []
        calls: list[_Call] = []
        for job in batch:
            if isinstance(job, _Follow):
                continue
            if isinstance(job, _Call):
                calls.append(job)
            elif self._doc is None and not self._ensure_loaded():
                _fail(job, StorageUnavailable("the server cannot reach its storage; resend it"))
            else:
                self._take(job, writes)
        self._commit(writes)
        self._tell_listener()
        for call in calls:
            self._run_call(call)

    def _take(self, job: _Write, writes: list[tuple[_Write, LogRecord | None]]) -> None:
        """Verify and apply one update, adding it to the batch waiting for the commit."""
        try:
            writes.append((job, self._accept(job)))
        except EngineFailure as error:
            # The engine failed part-way and the live doc can no longer be trusted: store
            # what this batch already accepted, then rebuild the doc from the log.
            log.warning("room %s: engine failure; rebuilding from the log", self.doc_id)
            _fail(job, error)
            self._commit(writes)
            writes.clear()
            self._doc = None
        except UpdateRejected as error:
            _fail(job, error)
        except Exception as error:  # one bad update must not take the room down
            log.exception("room %s: update of %d bytes failed", self.doc_id, len(job.data))
            _fail(job, UpdateRejected(f"the update could not be applied: {error}"))

    def _commit(self, writes: list[tuple[_Write, LogRecord | None]]) -> None:
        """Store the batch's records in one commit, then acknowledge each update."""
        stored = self._persist(writes)
        if stored is None:
            for job, _ in writes:
                _fail(job, StorageUnavailable("the server could not store the edit; resend it"))
            return
        for job, record in stored:
            job.future.set_result(record.seq if record else None)
            if record is not None:
                self._notify(record.seq, record.data, job.origin)

    def _rebase(
        self, writes: list[tuple[_Write, LogRecord | None]], theirs: Sequence[LogRecord]
    ) -> list[tuple[_Write, LogRecord | None]]:
        """Take in what another process stored at our seqs, and number our batch after it.

        The live doc already holds our batch; theirs is applied on top (and passed on to
        this process's sockets). An update of ours that theirs already holds in full (a
        client that resent it there) is not stored again.
        """
        self._head = theirs[0].seq - 1
        held = IdSet(), IdSet()  # the structs and the deletes theirs carry
        for stored in theirs:
            info = parse_update(stored.data)
            self._apply_stored(stored.seq, stored.data, info)
            for ids, ranges in zip(held, (info.structs, info.deletes), strict=True):
                for client, spans in ranges.items():
                    for clock, length in spans:
                        ids.add(client, clock, length)
        rebased: list[tuple[_Write, LogRecord | None]] = []
        for job, ours in writes:
            if ours is None or _held_in(parse_update(ours.data), *held):
                rebased.append((job, None))
                continue
            self._head += 1
            rebased.append((job, replace(ours, seq=self._head)))
        return rebased

    def _follow(self, follows: list[_Follow]) -> None:
        """Apply what other processes stored after our head, in log order."""
        if not follows or self._doc is None:
            return
        given = {job.seq: job.data for job in follows if job.seq is not None}
        wanted = None if any(job.seq is None for job in follows) else max(given)
        if wanted is not None and wanted <= self._head:
            return
        try:
            while wanted is None or self._head < wanted:
                data = given.get(self._head + 1)
                if data is not None:
                    self._apply_stored(self._head + 1, data)
                    continue
                records = self._store.records(self.doc_id, self._head, CATCH_UP_PAGE)
                for record in records:
                    self._apply_stored(record.seq, record.data)
                if len(records) < CATCH_UP_PAGE:
                    return
        except Exception:
            log.exception("room %s: following the log failed; reloading", self.doc_id)
            self._doc = None
            self._ensure_loaded()

    def _records_after(self, seq: int) -> list[LogRecord]:
        records: list[LogRecord] = []
        while True:
            page = self._store.records(self.doc_id, seq, CATCH_UP_PAGE)
            records.extend(page)
            if len(page) < CATCH_UP_PAGE:
                return records
            seq = page[-1].seq

    def _apply_stored(self, seq: int, data: bytes, info: UpdateInfo | None = None) -> None:
        """Apply an update the log already holds; the log vetted it when it was stored.

        ``info``: the update already parsed, if the caller has it.
        """
        assert self._doc is not None
        if self._deleted is None:
            info = None  # no index to keep yet: it is built from the state when first needed
        elif info is None:
            info = parse_update(data)
        self._doc.apply_update(data)
        if info is not None:
            self._remember_deletes(info)
            self._state_index()[1].add(info)
        if info is not None and self._length is not None:
            self._length += info.chars
        else:
            self._length = None
        self._head = seq
        self._notify(seq, data, STORED_ELSEWHERE)

    def _notify(self, seq: int, data: bytes, origin: object) -> None:
        if self._listener is not None:
            self._stored.append(Stored(seq, data, origin))

    def _tell_listener(self) -> None:
        stored, self._stored = self._stored, []
        if not stored or self._listener is None:
            return
        try:
            self._listener(self.doc_id, stored)
        except Exception:  # a broken listener must not stop the room
            log.exception("room %s: listener failed", self.doc_id)

    def _accept(self, job: _Write) -> LogRecord | None:
        assert self._doc is not None
        known = parse_state_vector(self._doc.state_vector())
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
        self._check_length(info, job.data)
        self._doc.apply_update(job.data)
        self._remember_deletes(info)
        self._state_index()[1].add(info)
        self._head += 1
        now = datetime.now(UTC)
        return LogRecord(self._head, job.data, job.sender, job.client_id, now)

    def _check(self, job: _Write, known: dict[int, int]) -> UpdateInfo:
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
        deleted = self._deleted_ids()
        for client, ranges in info.deletes.items():
            for clock, length in ranges:
                if not deleted.covers(client, clock, length):
                    return True
        return False

    def _check_length(self, info: UpdateInfo, data: bytes) -> None:
        """Refuse an update that would make the text longer than the limit, before applying.

        A CRDT cannot take an apply back. Nearly always the bound (the length, plus every
        character the update inserts) is under the limit and settles it; only over it is
        the text measured, then the update tried on a scratch copy. Updates that only
        delete always pass, and so does one that leaves an over-long text no longer.
        """
        if not info.chars:
            return
        limit = self._limits.max_document_chars
        if self._length is not None and self._length + info.chars <= limit:
            self._length += info.chars
            return
        assert self._doc is not None
        self._length = length = len(self._doc.text())
        after = length + info.chars
        if after > limit:
            after = self._length_after(data)
            if after > max(limit, length):
                raise DocumentTooLarge(
                    f"the text would be {after:,} characters long; the limit is {limit:,}"
                )
        self._length = after

    def _length_after(self, data: bytes) -> int:
        """The text's length once ``data`` is applied, found on a scratch copy of the doc."""
        assert self._doc is not None
        scratch = self._engine.new_doc()
        scratch.apply_update(self._doc.encode_state())
        try:
            scratch.apply_update(data)
        except EngineFailure as error:  # the live doc would have failed too, and is intact
            raise MalformedUpdate(str(error)) from None
        return len(scratch.text())

    def _claim_client(self, doc: Doc, person_id: int | None, client_id: int) -> bool:
        if client_id in self._owners or client_id in parse_state_vector(doc.state_vector()):
            return False
        if not self._store.assign_client(self.doc_id, person_id, client_id):
            return False
        self._owners[client_id] = person_id
        return True

    def _deleted_ids(self) -> IdSet:
        return self._state_index()[0]

    def _state_index(self) -> tuple[IdSet, PairGaps]:
        """What the live doc has deleted, and where its characters must not be cut."""
        # Built on first need: cold loads that only read never pay for parsing the state.
        if self._deleted is None or self._gaps is None:
            assert self._doc is not None
            state = parse_update(self._doc.encode_state())
            self._deleted, self._gaps = IdSet(), PairGaps()
            self._remember_deletes(state)
            self._gaps.add(state)
        return self._deleted, self._gaps

    def _remember_deletes(self, info: UpdateInfo) -> None:
        if not info.deletes:
            return
        deleted = self._deleted_ids()
        for client, ranges in info.deletes.items():
            for clock, length in ranges:
                deleted.add(client, clock, length)

    def _persist(
        self, writes: list[tuple[_Write, LogRecord | None]]
    ) -> list[tuple[_Write, LogRecord | None]] | None:
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
            log.exception("room %s: storing %d updates failed", self.doc_id, len(records))
            # Rebuilt from storage on the next job: it must not hold unstored edits.
            self._doc = None
            return None
        if checkpoint is not None:
            self._checkpointed = self._head
        return stored

    def _checkpoint(self) -> bytes | None:
        """The live doc's state when a checkpoint is due at the head, else None."""
        assert self._doc is not None
        due = self._head - self._checkpointed >= self._limits.checkpoint_every
        return self._doc.encode_state() if due else None

    def _attribution_due(self) -> bool:
        if self._history is None or self._attribution_failed or self._doc is None:
            return False
        return self._attributor is None or self._attributor.seq < self._head

    def _attribute(self, limit: int | None) -> Attributor:
        # Idle time and history requests both come here; a failure stops the idle
        # replays (no busy loop) until a history request tries again.
        try:
            if self._attributor is None:
                attributor = self._new_attributor()
                attributor.load()
                self._attributor = attributor
            self._attributor.catch_up(self._head, limit=limit)
        except Exception:
            log.exception("room %s: attribution failed", self.doc_id)
            self._attribution_failed = True
            self._attributor = None
            raise
        self._attribution_failed = False
        return self._attributor

    def _new_attributor(self) -> Attributor:
        if self._history is None:
            raise CrdtError("this room keeps no history")
        return Attributor(
            self.doc_id,
            self._engine,
            self._store,
            self._history,
            pause_s=self._limits.revision_pause_s,
            checkpoint_every=self._limits.checkpoint_every,
        )

    def _rebuild(self, seq: int, client_id: int | None = None) -> Doc:
        return rebuild(self._engine, self._store, self.doc_id, seq, client_id)

    def _history_now(self, doc: Doc) -> History:
        attributor = self._attribute(limit=None)
        return History(attributor.seq, doc.text(), attributor.snapshot())

    def _ensure_loaded(self) -> bool:
        if self._doc is not None:
            return True
        try:
            self._reload()
        except Exception:
            log.exception("room %s: loading from storage failed", self.doc_id)
            self._doc = None
            return False
        return True

    def _run_call(self, call: _Call) -> None:
        if self._doc is None and not self._ensure_loaded():
            _fail(call, StorageUnavailable("the server cannot reach its storage"))
            return
        try:
            assert self._doc is not None
            call.future.set_result(call.fn(self._doc))
        except Exception as error:
            _fail(call, error)

    def _new_client_id(self, person_id: int | None) -> int:
        while True:
            client_id = random_client_id()
            if client_id not in self._owners and self._store.assign_client(
                self.doc_id, person_id, client_id
            ):
                self._owners[client_id] = person_id
                return client_id


def random_client_id() -> int:
    """A random Yjs client id from the range the server hands out (1 .. CLIENT_ID_LIMIT - 1)."""
    return secrets.randbelow(CLIENT_ID_LIMIT - 1) + 1


def _held_in(info: UpdateInfo, structs: IdSet, deletes: IdSet) -> bool:
    """Whether every struct and delete of an update is among those given."""
    return all(
        ids.covers(client, clock, length)
        for ids, ranges in ((structs, info.structs), (deletes, info.deletes))
        for client, spans in ranges.items()
        for clock, length in spans
    )


def _fail(job: _Write | _Call, error: BaseException) -> None:
    # The error crosses to the waiting thread without its traceback: the traceback's
    # frames hold engine documents, which y-py must never drop off their own thread.
    error.__traceback__ = None
    error.__context__ = error.__cause__ = None
    job.future.set_exception(error)


def rebuild(
    engine: Engine, store: UpdateStore, doc_id: int, upto_seq: int, client_id: int | None = None
) -> Doc:
    """Load the newest checkpoint at or before ``upto_seq`` and replay the log up to it."""
    snapshot = store.snapshot(doc_id, upto_seq)
    doc = engine.new_doc(client_id)
    if snapshot.state is not None:
        doc.apply_update(snapshot.state)
    for record in snapshot.tail:
        doc.apply_update(record.data)
    return doc
