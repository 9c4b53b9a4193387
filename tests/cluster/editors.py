"""Editors as any Yjs client would be: a replica, a socket, and the edits not yet confirmed.

An editor's replica and everything touching it stay on the test's thread (y-py requires
it); acknowledgements arrive on the socket's thread and only mark words as stored.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque

import requests
import socketio

from crdt import protocol
from crdt.engine import Doc
from tests.harness.client import CollabClient, replica, signed_in_session

SETTLE_S = 0.5
RETRY_S = 0.2


class Editor:
    """One person's live copy of a document, typing words each at the start of the text."""

    def __init__(self, name: str, email: str, password: str, server_url: str, slug: str) -> None:
        self.name = name
        self.slug = slug
        self.email, self.password = email, password
        self.typed: list[str] = []
        self.acknowledged: set[str] = set()
        self.refusals: list[dict[str, object]] = []
        self.delays: list[dict[str, object]] = []  # answers that asked for a resend
        self._lock = threading.Lock()
        self._outbox: deque[tuple[str, bytes]] = deque()
        self._in_flight = False
        self.doc: Doc | None = None
        self.client: CollabClient | None = None
        self.http: requests.Session | None = None
        self.connect(server_url)

    def connect(self, server_url: str) -> None:
        """Sign in, join and sync with the server at ``server_url``: step 2 resends the rest."""
        with self._lock:
            self._outbox.clear()  # the sync carries everything the server lacks
            self._in_flight = False
        self.close()
        self.http = signed_in_session(server_url, self.email, self.password)
        self.client = CollabClient(server_url, self.http)
        ack = self.client.call("join", {"doc": self.slug})
        assert ack["ok"] is True and ack["can_edit"] is True, ack
        if self.doc is None:
            self.doc = replica(ack["client_id"])
        # Edits made under an earlier connection's id stay this person's: they are resent.
        self.client.sync(self.slug, self.doc)

    def type(self, word: str) -> None:
        """Insert ``word`` at the start and queue it for sending.

        Like the browser's editor, an editor has one update in flight: the next leaves when
        the last is acknowledged (the server handles a socket's events on several threads).
        """
        assert self.doc is not None
        update = self.doc.edit([(0, 0, word)])
        self.typed.append(word)
        with self._lock:
            self._outbox.append((word, update))
            idle = not self._in_flight
            self._in_flight = True
        if idle:
            self._send_next()

    def _send_next(self) -> None:
        with self._lock:
            if not self._outbox or self.client is None:
                self._in_flight = False
                return
            word, update = self._outbox.popleft()
        try:
            self.client.emit(
                "frame",
                {"doc": self.slug, "msg": protocol.encode_sync_update(update)},
                callback=lambda reply: self._acknowledged(word, update, reply),
            )
        except socketio.exceptions.SocketIOError:  # the socket closed: connect resyncs
            with self._lock:
                self._in_flight = False

    def _acknowledged(self, word: str, update: bytes, reply: dict[str, object]) -> None:
        """Note the answer; like the browser, resend after a pause what is worth a retry."""
        with self._lock:
            if reply.get("ok") is True:
                self.acknowledged.add(word)
            elif reply.get("retry") is True:
                self.delays.append(reply)
                self._outbox.appendleft((word, update))
                threading.Timer(RETRY_S, self._send_next).start()
                return
            else:
                self.refusals.append(reply)
        self._send_next()

    def stored_words(self) -> set[str]:
        with self._lock:
            return set(self.acknowledged)

    def apply_frames(self) -> int:
        """Apply every update the server sent so far; how many there were."""
        assert self.doc is not None and self.client is not None
        applied = 0
        while True:
            try:
                frame = self.client.frames.get_nowait()
            except queue.Empty:
                return applied
            message = protocol.decode_message(frame["msg"])
            if message.kind == "sync" and message.subtype != protocol.SYNC_STEP1:
                self.doc.apply_update(message.payload)
                applied += 1

    def text(self) -> str:
        assert self.doc is not None
        return self.doc.text()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.http is not None:
            self.http.close()


def settle(editors: list[Editor], until: float) -> None:
    """Apply what the servers send until nothing has come for SETTLE_S, or ``until`` passes."""
    quiet_since = time.monotonic()
    while time.monotonic() < until:
        if sum(editor.apply_frames() for editor in editors):
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > SETTLE_S:
            return
        time.sleep(0.02)
