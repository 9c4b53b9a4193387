"""The live rooms of one server process, opened on first use and unloaded when idle."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial

from crdt.attributor import new_attributor
from crdt.commit import replay
from crdt.engine import Doc, Engine
from crdt.room import History, Room, rebuild
from crdt.store import HistoryStore, UpdateStore
from crdt.terms import Limits, Listener

log = logging.getLogger(__name__)
InUse = Callable[[int], bool]
"""Whether a document is in use in this process (a socket follows it), so stays open."""


def _never(_doc_id: int) -> bool:
    return False


class Hub:
    """Creates each document's room on first use; with ``unload_idle``, lets idle ones go."""

    def __init__(
        self,
        engine: Engine,
        store: UpdateStore,
        limits: Limits,
        history: HistoryStore | None = None,
        listener: Listener | None = None,
        *,
        stores_history: bool = True,
    ) -> None:
        """``stores_history``: see ``Room``."""
        self.engine = engine
        self.stores_history = stores_history
        self.listener = listener
        self.store = store
        self.limits = limits
        self.history = history
        self._rooms: dict[int, Room] = {}
        self._retiring: dict[int, Room] = {}  # retired rooms whose workers may still run
        self._lock = threading.Lock()
        self._idle_s: float | None = None
        self._in_use: InUse = _never
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    def unload_idle(self, idle_s: float, in_use: InUse = _never) -> None:
        """Retire rooms that had no work for ``idle_s`` and are not ``in_use``, as they idle.

        A watcher thread looks a few times per ``idle_s`` (at least every 15 s), from the
        first room on.
        """
        if idle_s <= 0:
            raise ValueError(f"idle_s must be positive, not {idle_s}")
        self._idle_s, self._in_use = float(idle_s), in_use

    def room(self, doc_id: int) -> Room:
        """The live room of ``doc_id``, started if needed."""
        with self._lock:
            room = self._rooms.get(doc_id)
            if room is None:
                room = Room(
                    doc_id,
                    self.engine,
                    self.store,
                    self.limits,
                    self.history,
                    self.listener,
                    after=self._retiring.pop(doc_id, None),
                    stores_history=self.stores_history,
                )
                room.successor = partial(self.room, doc_id)
                self._rooms[doc_id] = room
                self._watch()
            return room

    def open_rooms(self) -> list[int]:
        """The documents whose rooms are open (retired ones not counted)."""
        with self._lock:
            return sorted(self._rooms)

    def stored_text(self, doc_id: int, timeout_s: float | None = None) -> tuple[str, int]:
        """The document's text and seq: from its room if open, else read from the log.

        Reading does not open a room: whoever reads many documents (the search index)
        does not load each one live. The log's copy is made, read and dropped on the
        calling thread.
        """
        with self._lock:
            room = self._rooms.get(doc_id)
        if room is not None:
            return room.text().result(timeout_s)
        snapshot = self.store.snapshot(doc_id)
        text = replay(self.engine.new_doc(), snapshot).text()
        return text, snapshot.tail[-1].seq if snapshot.tail else snapshot.checkpoint_seq

    def unload_idle_now(self) -> list[int]:
        """Retire every room idle past the setting and not in use; the documents retired."""
        if self._idle_s is None:
            return []
        retired = []
        with self._lock:
            for doc_id, room in list(self._rooms.items()):
                if not self._in_use(doc_id) and room.retire_if_idle(self._idle_s):
                    del self._rooms[doc_id]
                    self._retiring[doc_id] = room
                    retired.append(doc_id)
            self._retiring = {d: r for d, r in self._retiring.items() if r.alive}
        for doc_id in retired:
            if self._in_use(doc_id):  # a socket joined as the room retired: it keeps a room
                self.room(doc_id)
        return retired

    def _watch(self) -> None:
        """Start the idle watcher with the first room (under the hub's lock)."""
        if self._idle_s is None or self._reaper is not None:
            return
        self._reaper = threading.Thread(target=self._reap, name="room-reaper", daemon=True)
        self._reaper.start()

    def _reap(self) -> None:
        assert self._idle_s is not None
        every_s = min(15.0, max(0.05, self._idle_s / 4))
        while not self._stop.wait(every_s):
            try:
                self.unload_idle_now()
            except Exception:  # the watcher must outlive one failure
                log.exception("unloading idle rooms failed")

    def follow(self, doc_id: int, seq: int | None = None, data: bytes | None = None) -> None:
        """Pass an update another process stored to the document's room, if it is open here.

        With no ``doc_id`` room open, nothing happens: a room reads the log when it starts.
        """
        with self._lock:
            room = self._rooms.get(doc_id)
        if room is not None:
            room.follow(seq, data)

    def follow_all(self) -> None:
        """Have every open room read what it lacks from the log (after messages were lost)."""
        with self._lock:
            rooms = list(self._rooms.values())
        for room in rooms:
            room.follow()

    def rebuild(self, doc_id: int, upto_seq: int, client_id: int | None = None) -> Doc:
        """A new document as it was after update ``upto_seq``, owned by the calling thread."""
        return rebuild(self.engine, self.store, doc_id, upto_seq, client_id)

    def text_at(self, doc_id: int, seq: int) -> str:
        """The document's text as it was after update ``seq``.

        Like every replay of the past (``history_at``), it runs on the calling thread from
        the stored checkpoints and log, never on the room's worker: however long a reader's
        replay takes, the room goes on storing and sending what its writers type.
        """
        return self.rebuild(doc_id, seq).text()

    def history_at(self, doc_id: int, seq: int) -> History:
        """Text and attribution as they were after update ``seq`` (nothing is stored).

        Replayed on the calling thread from the newest stored attribution at or before
        ``seq``, so a reader never queues behind, or holds up, the room's writers.
        """
        attributor = new_attributor(doc_id, self.engine, self.store, self.limits, self.history)
        attributor.load(seq)
        attributor.catch_up(seq, persist=False)
        return History(attributor.seq, attributor.attribution.text(), attributor.attribution)

    def close(self) -> None:
        """Stop every room's worker after its queued work, then let go of the store's files."""
        self._stop.set()
        with self._lock:
            rooms, self._rooms = list(self._rooms.values()), {}
            rooms += self._retiring.values()
            self._retiring = {}
            reaper, self._reaper = self._reaper, None
        if reaper is not None:
            reaper.join()
        self._stop = threading.Event()  # a hub used again after closing watches again
        for room in rooms:
            room.close()
        close_store = getattr(self.store, "close", None)
        if callable(close_store):
            close_store()


__all__ = ["Hub", "InUse", "rebuild"]
