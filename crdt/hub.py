"""The live rooms of one server process."""

from __future__ import annotations

import threading

from crdt.engine import Doc, Engine
from crdt.room import Room, rebuild
from crdt.store import HistoryStore, UpdateStore
from crdt.terms import Limits, Listener


class Hub:
    """Creates each document's room on first use and keeps it while the process runs."""

    def __init__(
        self,
        engine: Engine,
        store: UpdateStore,
        limits: Limits,
        history: HistoryStore | None = None,
        listener: Listener | None = None,
    ) -> None:
        self.engine = engine
        self.listener = listener
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
                room = Room(
                    doc_id, self.engine, self.store, self.limits, self.history, self.listener
                )
                self._rooms[doc_id] = room
            return room

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
        """A new document as it was after update ``upto_seq``, owned by the calling thread.

        For tools and tests; request handlers use the room's ``text_at`` and
        ``form_update``, so no engine document ever lives on a request thread.
        """
        return rebuild(self.engine, self.store, doc_id, upto_seq, client_id)

    def close(self) -> None:
        """Stop every room's worker after its queued work, then let go of the store's files."""
        with self._lock:
            rooms, self._rooms = list(self._rooms.values()), {}
        for room in rooms:
            room.close()
        close_store = getattr(self.store, "close", None)
        if callable(close_store):
            close_store()


__all__ = ["Hub", "rebuild"]
