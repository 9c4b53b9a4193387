"""The live rooms of one server process, and rebuilding a document as it was at any seq."""

from __future__ import annotations

import threading

from crdt.engine import Doc, Engine
from crdt.room import Limits, Room
from crdt.store import HistoryStore, UpdateStore


class Hub:
    """Creates each document's room on first use and keeps it while the process runs."""

    def __init__(
        self,
        engine: Engine,
        store: UpdateStore,
        limits: Limits,
        history: HistoryStore | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.limits = limits
        self.history = history
        self._rooms: dict[int, Room] = {}
        self._lock = threading.Lock()

    def room(self, doc_id: int) -> Room:
        """The live room of ``doc_id``, started if needed."""
        with self._lock:
            room = self._rooms.get(doc_id)
            if room is None:
                room = Room(doc_id, self.engine, self.store, self.limits, self.history)
                self._rooms[doc_id] = room
            return room

    def rebuild(self, doc_id: int, upto_seq: int, client_id: int | None = None) -> Doc:
        """A new document (owned by the calling thread) as it was after update ``upto_seq``."""
        return rebuild(self.engine, self.store, doc_id, upto_seq, client_id)

    def close(self) -> None:
        """Stop every room's worker after its queued work."""
        with self._lock:
            rooms, self._rooms = list(self._rooms.values()), {}
        for room in rooms:
            room.close()


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
