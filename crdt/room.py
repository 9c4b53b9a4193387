"""A live document and the one worker thread that owns it.

y-py documents panic when touched from a thread other than their creator's, and
Flask-SocketIO runs each client in its own thread, so every engine call for a document
happens on its room's worker. Handlers queue jobs and wait on futures. The worker takes
the jobs that arrived together as one batch: what other processes stored first, then the
updates through the commit path (``crdt.commit``, one commit for the batch), then the
calls, which so see every update queued before them. Between batches, when idle, it
brings the document's attribution up to date; it stores what it attributed once work
pauses for longer (``SAVE_IDLE_S``), and under steady work every ``SAVE_EVERY_S``.

A room that has had no work for a while may be retired (``retire_if_idle``): it takes no
more jobs, checkpoints the document and its attribution, and its worker lets go of them
and ends. Work that still reaches a retired room goes to its ``successor``, the room the
hub opens for the document next, which reads it all back from the log and checkpoints.

Several server processes may hold the same document. Each stores what its own clients
send, under the document's log lock; what the others stored reaches a room through
``follow``, read from the message or, when one went missing, from the log.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from crdt.attribution import Attribution
from crdt.attributor import Attributor, new_attributor
from crdt.commit import CLIENT_ID_LIMIT, Batch, Ledger, Write, fail, replay, storage_failed
from crdt.engine import Doc, Engine, release_orphans, release_thread
from crdt.store import HistoryStore, Sender, UpdateStore
from crdt.terms import Limits, Listener, StorageUnavailable
from crdt.textdiff import text_ops

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BATCH = 512
IDLE_S = 0.005  # how long a room waits for work before it attributes stored updates
SAVE_IDLE_S = 0.1  # how long a room waits for work before it stores what it attributed
SAVE_EVERY_S = 0.25  # how often, at least, it stores it while the work goes on
UNREACHABLE = "the server cannot reach its storage; try again shortly"


@dataclass(frozen=True)
class History:
    """Who wrote what, up to ``seq``: the text then and a read-only copy of its attribution."""

    seq: int
    text: str
    attribution: Attribution


@dataclass
class _Call:
    fn: Callable[[Doc], Any]
    future: Future[Any] = field(default_factory=Future)


@dataclass
class _Follow:
    seq: int | None  # None: whatever the log holds
    data: bytes | None


Job = Write | _Call | _Follow


class _Retire:
    """The last job of a retired room: checkpoint, then let the worker end."""


_RETIRE = _Retire()


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
        after: Room | None = None,
        *,
        stores_history: bool = True,
    ) -> None:
        """``after``: this document's retired room, whose worker must end before this one loads.

        ``stores_history`` false: the room keeps its attribution in memory and stores no
        revisions or checkpoints, for a process that only reads what another one stores.
        """
        self.doc_id = doc_id
        self.successor: Callable[[], Room] | None = None
        """Where work goes once this room is retired; without one, it fails."""
        self._engine = engine
        self._store = store
        self._limits = limits
        self._history = history
        self._stores_history = stores_history
        self._ledger = Ledger(doc_id, engine, store, limits, listener)
        self._attributor: Attributor | None = None
        self._attribution_failed = False
        self._jobs: queue.SimpleQueue[Job | _Retire | None] = queue.SimpleQueue()
        self._gate = threading.Lock()  # orders a job's arrival against retirement
        self._retired = False
        self._active_at = time.monotonic()
        self._after = after
        self._thread = threading.Thread(target=self._run, name=f"room-{doc_id}", daemon=True)
        self._thread.start()

    def submit(
        self, sender: Sender, client_id: int, data: bytes, origin: object = None
    ) -> Future[int | None]:
        """Queue an update; the future gives its log seq (None if it held nothing new).

        Once stored, the update goes to the room's listener with ``origin``, so the
        listener can pass it on to everyone but whoever sent it.
        """
        job = Write(sender, client_id, data, origin)
        self._put(job)
        return job.future

    def call(self, fn: Callable[[Doc], T]) -> Future[T]:
        """Run ``fn`` on the live document, after every update queued before it is stored."""
        job = _Call(fn)
        self._put(job)
        return job.future

    def follow(self, seq: int | None = None, data: bytes | None = None) -> None:
        """Take in update ``seq`` that another process stored (``data``, or read from the log).

        With no seq, or when earlier ones are missing, the room reads every record it lacks
        from the log. Updates the room already has are ignored.
        """
        self._put(_Follow(seq, data))

    def assign_client(self, person_id: int | None) -> Future[int]:
        """A fresh Yjs client id that only ``person_id`` may write under in this document."""
        return self.call(lambda _doc: self._ledger.new_client_id(person_id))

    def claim_client(self, person_id: int | None, client_id: int) -> Future[bool]:
        """Let only ``person_id`` write under ``client_id``; False if the id is taken.

        For an id picked before it was needed (``random_client_id``), such as a reader's
        that is stored only once its person may edit. Taken means assigned to anyone,
        the same person included (two sessions must never share a clock), or already
        written under.
        """
        if not 0 < client_id < CLIENT_ID_LIMIT:
            raise ValueError(f"client id {client_id} is outside 1 .. {CLIENT_ID_LIMIT - 1}")
        return self.call(lambda doc: self._ledger.claim_client(doc, person_id, client_id))

    def head(self) -> Future[int]:
        """The seq of the newest stored update."""
        return self.call(lambda _doc: self._ledger.head)

    def text(self) -> Future[tuple[str, int]]:
        """The document's text and the seq of the newest stored update it includes."""
        return self.call(lambda doc: (doc.text(), self._ledger.head))

    def state(self) -> Future[tuple[bytes, str, int]]:
        """The whole document as one update, its text and the seq of its newest update."""
        return self.call(lambda doc: (doc.encode_state(), doc.text(), self._ledger.head))

    def form_update(
        self, person_id: int | None, base_seq: int, text: str
    ) -> Future[tuple[int, bytes]]:
        """A new client id for the person, and the update from version ``base_seq`` to ``text``.

        The update is made against the document as it was at ``base_seq``: queued with
        ``submit``, the CRDT merges it with everything stored since, overwriting nothing.
        The update is empty when the text is unchanged.
        """

        def make(_doc: Doc) -> tuple[int, bytes]:
            client_id = self._ledger.new_client_id(person_id)
            base = self._rebuild(base_seq, client_id)
            ops = text_ops(base.text(), text)
            return client_id, base.edit(ops) if ops else b""

        return self.call(make)

    def history(self) -> Future[History]:
        """Revisions and attribution brought up to date with every stored update."""
        return self.call(lambda doc: self._history_now(doc))

    def close(self) -> None:
        """Finish queued work and stop the worker."""
        self._jobs.put(None)
        self._thread.join()

    @property
    def alive(self) -> bool:
        """Whether the worker still runs (a retired room's ends once it has checkpointed)."""
        return self._thread.is_alive()

    def retire_if_idle(self, idle_s: float) -> bool:
        """Retire the room if no work came and none was done for ``idle_s``; whether it did.

        From then on the room takes no job (``successor`` does); its worker checkpoints the
        document and its attribution, frees them and ends.
        """
        with self._gate:
            if self._retired or not self._jobs.empty():
                return False
            if time.monotonic() - self._active_at < idle_s:
                return False
            self._retired = True
            self._jobs.put(_RETIRE)
        return True

    def _put(self, job: Job) -> None:
        with self._gate:
            if not self._retired:
                self._active_at = time.monotonic()
                self._jobs.put(job)
                return
        if isinstance(job, _Follow):
            return  # the next room reads the log when it loads
        if self.successor is None:
            fail(job.future, StorageUnavailable("the document's room is closed; try again"))
            return
        self.successor()._put(job)

    def _run(self) -> None:
        try:
            if self._after is not None:  # its checkpoints first, then ours
                self._after._thread.join()
                self._after = None
            self._serve()
        finally:
            # y-py objects must be dropped on the thread that made them, and once this one
            # has ended nothing can drop them: every doc it made goes now, held or not.
            self._ledger.doc = None
            self._attributor = None
            release_thread()

    def _serve(self) -> None:
        while True:
            wait = self._idle_wait()
            try:
                job = self._jobs.get() if wait is None else self._jobs.get(timeout=wait)
            except queue.Empty:
                with contextlib.suppress(Exception):  # logged in _attribute
                    behind = self._attribution_due()
                    self._attribute(
                        limit=self._limits.attribute_batch, save_after=SAVE_EVERY_S if behind else 0
                    )
                self._active_at = time.monotonic()
                continue
            if job is None or isinstance(job, _Retire):
                self._wind_up(job)
                return
            release_orphans()
            batch: list[Job] = [job]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None or isinstance(more, _Retire):
                    self._process(batch)
                    self._wind_up(more)
                    return
                batch.append(more)
            self._process(batch)
            self._active_at = time.monotonic()

    def _wind_up(self, last: _Retire | None) -> None:
        """Before a retired room's worker ends: checkpoint the document and its attribution."""
        if last is None or self._ledger.doc is None or not self._stores_history:
            return
        try:
            self._ledger.checkpoint_now()
            if self._history is not None and not self._attribution_failed:
                self._attribute(limit=None).checkpoint_now()
        except Exception:
            storage_failed("room %s: checkpoint before unloading failed", self.doc_id)
        log.info("room %s: unloaded at seq %s", self.doc_id, self._ledger.head)

    def _process(self, batch: list[Job]) -> None:
        ledger = self._ledger
        if not ledger.ensure_loaded():
            for job in batch:
                if not isinstance(job, _Follow):  # the reload will read what it announced
                    fail(job.future, StorageUnavailable(UNREACHABLE))
            return
        follows = [job for job in batch if isinstance(job, _Follow)]
        given = {job.seq: job.data for job in follows if job.seq is not None}
        ledger.follow(given, to_end=any(job.seq is None for job in follows))
        writes: Batch = []
        for job in batch:
            if not isinstance(job, Write):
                continue
            if not ledger.ensure_loaded():  # an engine failure earlier in the batch dropped it
                fail(
                    job.future, StorageUnavailable("the server cannot reach its storage; resend it")
                )
            else:
                ledger.take(job, writes)
        ledger.commit(writes)
        ledger.tell_listener()
        for job in batch:
            if isinstance(job, _Call):
                self._run_call(job)

    def _run_call(self, call: _Call) -> None:
        if not self._ledger.ensure_loaded():
            fail(call.future, StorageUnavailable("the server cannot reach its storage"))
            return
        try:
            assert self._ledger.doc is not None
            call.future.set_result(call.fn(self._ledger.doc))
        except Exception as error:
            fail(call.future, error)

    def _attribution_due(self) -> bool:
        if self._history is None or self._attribution_failed or self._ledger.doc is None:
            return False
        return self._attributor is None or self._attributor.seq < self._ledger.head

    def _idle_wait(self) -> float | None:
        """How long to wait for a job before the idle work is due; None: none is due."""
        if self._attribution_due():
            # Attribute only once no job has come for IDLE_S, not in every gap of a
            # stream of updates: there it would take turns with, and halve, the stream.
            return IDLE_S
        unsaved_since = self._attributor.unsaved_since if self._attributor else None
        if unsaved_since is None:
            return None
        due = min(self._active_at + SAVE_IDLE_S, unsaved_since + SAVE_EVERY_S)
        return max(0.0, due - time.monotonic())

    def _attribute(self, limit: int | None, save_after: float = 0.0) -> Attributor:
        """Bring the attribution up to the head (at most ``limit`` records) and store it.

        What it attributed is stored once the oldest change not yet stored is
        ``save_after`` seconds old: under steady typing, one commit takes many updates.
        """
        # Idle time and history requests both come here; a failure stops the idle
        # replays (no busy loop) until a history request tries again.
        try:
            if self._attributor is None:
                attributor = self._new_attributor()
                attributor.load()
                self._attributor = attributor
            self._attributor.catch_up(
                self._ledger.head, limit=limit, persist=self._stores_history, defer=True
            )
            since = self._attributor.unsaved_since
            if since is not None and time.monotonic() - since >= save_after:
                self._attributor.save()
        except Exception:
            storage_failed("room %s: attribution failed", self.doc_id)
            self._attribution_failed = True
            self._attributor = None
            raise
        self._attribution_failed = False
        return self._attributor

    def _new_attributor(self) -> Attributor:
        return new_attributor(
            self.doc_id, self._engine, self._ledger.recent, self._limits, self._history
        )

    def _rebuild(self, seq: int, client_id: int | None = None) -> Doc:
        return rebuild(self._engine, self._store, self.doc_id, seq, client_id)

    def _history_now(self, doc: Doc) -> History:
        attributor = self._attribute(limit=None)
        return History(attributor.seq, doc.text(), attributor.snapshot())


def rebuild(
    engine: Engine, store: UpdateStore, doc_id: int, upto_seq: int, client_id: int | None = None
) -> Doc:
    """Load the newest checkpoint at or before ``upto_seq`` and replay the log up to it."""
    return replay(engine.new_doc(client_id), store.snapshot(doc_id, upto_seq))
