"""Several server processes: what one stores or decides reaches the others over Redis.

The database log stays the source of truth; Redis carries the fan-out. Each process
publishes the updates its rooms store; the others pass them to their open rooms
(``Hub.follow``), which read the log for any message that went missing, and to their own
sockets. Decisions that close sockets (access withdrawn, a sign-out) are events that every
process carries out on the sockets it holds. Without ``REDIS_URL`` there is one process
and nothing here runs.

The processes of one deployment share its secret key, and their channels are named after
it: two deployments on one Redis (a staging and a live one) never hear each other, whose
document ids mean different documents.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import struct
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import redis
from flask import Flask, current_app

from crdt import STORED_ELSEWHERE, Hub, Listener, Stored

log = logging.getLogger(__name__)

BUS_KEY = "jointly.bus"
TOKEN_BYTES = 16
UPDATE_HEADER = struct.Struct(f">{TOKEN_BYTES}sQQ")  # sending process, document id, seq
RECONNECT_S = 1.0

EventHandler = Callable[[dict[str, Any]], None]
_handlers: dict[str, EventHandler] = {}


def handles(kind: str) -> Callable[[EventHandler], EventHandler]:
    """Register the function that carries out events of ``kind`` in this process."""

    def register(handler: EventHandler) -> EventHandler:
        _handlers[kind] = handler
        return handler

    return register


class Bus:
    """This process's link to the others: publishes what it stores, follows what they do."""

    def __init__(self, app: Flask, url: str, hub: Hub) -> None:
        self._app = app
        self._hub = hub
        prefix = channel_prefix(app)
        self._updates, self._events = f"{prefix}:updates", f"{prefix}:events"
        self._redis = redis.Redis.from_url(url)
        self._token = secrets.token_bytes(TOKEN_BYTES)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="cluster-bus", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closed.set()
        self._redis.close()

    def publish_update(self, doc_id: int, seq: int, data: bytes) -> None:
        """Tell the other processes that ``seq`` of a document is stored."""
        message = UPDATE_HEADER.pack(self._token, doc_id, seq) + data
        try:
            self._redis.publish(self._updates, message)
        except redis.RedisError:
            # Stored is stored: the others read it from the log at their next message.
            log.warning("cluster: could not announce seq %d of document %d", seq, doc_id)

    def publish_event(self, kind: str, payload: dict[str, Any]) -> None:
        """Have every other process carry out an event."""
        message = json.dumps({"from": self._token.hex(), "kind": kind, "payload": payload})
        try:
            self._redis.publish(self._events, message)
        except redis.RedisError:
            log.warning("cluster: could not announce a %s event", kind)

    def _listen(self) -> None:
        while not self._closed.is_set():
            try:
                self._follow()
            # ValueError: close() shut the connection under a blocked read, and redis-py
            # then reads from its closed buffer; any other time it is a lost connection.
            except (redis.RedisError, OSError, ValueError):
                if self._closed.is_set():
                    return
                log.warning("cluster: lost Redis; reconnecting in %.0f s", RECONNECT_S)
                time.sleep(RECONNECT_S)

    def _follow(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self._updates, self._events)
        # Whatever was published while we were not listening is in the log.
        self._hub.follow_all()
        for message in pubsub.listen():  # type: ignore[no-untyped-call]
            if message["channel"] == self._updates.encode():
                self._take_update(message["data"])
            else:
                self._take_event(message["data"])

    def _take_update(self, message: bytes) -> None:
        token, doc_id, seq = UPDATE_HEADER.unpack_from(message)
        if token != self._token:
            self._hub.follow(doc_id, seq, message[UPDATE_HEADER.size :])

    def _take_event(self, message: bytes) -> None:
        event = json.loads(message)
        handler = _handlers.get(event["kind"])
        if event["from"] == self._token.hex() or handler is None:
            return
        with self._app.app_context():
            try:
                handler(event["payload"])
            except Exception:  # one bad event must not stop the bus
                log.exception("cluster: %s event failed", event["kind"])


def channel_prefix(app: Flask) -> str:
    """The deployment's name on Redis: ``jointly-`` and a digest of its secret key."""
    secret = str(app.config["SECRET_KEY"]).encode()
    return "jointly-" + hashlib.sha256(b"jointly cluster channels\0" + secret).hexdigest()[:16]


def start_bus(app: Flask, hub: Hub) -> Bus | None:
    """Join the other processes when ``REDIS_URL`` is set."""
    url = app.config["REDIS_URL"]
    if not url:
        return None
    bus = Bus(app, url, hub)
    app.extensions[BUS_KEY] = bus
    bus.start()
    return bus


def publishing(bus: Bus | None, local: Listener) -> Listener:
    """A room listener that passes updates to local sockets and announces its own to others."""
    if bus is None:
        return local

    def listener(doc_id: int, stored: Sequence[Stored]) -> None:
        for update in stored:
            if update.origin is not STORED_ELSEWHERE:
                bus.publish_update(doc_id, update.seq, update.data)
        local(doc_id, stored)

    return listener


def tell_others(kind: str, **payload: Any) -> None:
    """Have every other process carry out an event (this one has done its part already)."""
    bus: Bus | None = current_app.extensions.get(BUS_KEY)
    if bus is not None:
        bus.publish_event(kind, payload)


def announce(kind: str, **payload: Any) -> None:
    """Carry out an event here, and in every other process when there are others."""
    _handlers[kind](payload)
    bus: Bus | None = current_app.extensions.get(BUS_KEY)
    if bus is not None:
        bus.publish_event(kind, payload)
