"""The clients of a run: Jointly's ``/collab`` over Socket.IO, or y-websocket over WebSocket."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

import websocket

from crdt import protocol
from crdt.errors import CrdtError
from crdt.updates import parse_update
from tests.harness.client import CollabClient, signed_in_session

TRANSPORTS = ("websocket", "polling", "yws", "yws-durable")
PEERS = ("yws", "yws-durable")  # y-websocket, in memory and made durable
CLIENTS = ("node", "python")  # what Jointly's clients run on (bench/fanout/node.py)
CLOCK_BITS = 24  # a keystroke's key: client id << CLOCK_BITS | clock
CONNECT_TIMEOUT_S = 30.0

Done = Callable[[bool], None]  # called with whether the server took the frame


class Inbox:
    """What one client received: others' keystrokes with arrival times, its own round trips.

    Receiving threads add to it while the process reads it, so both go through one lock and the
    process reads a snapshot.
    """

    def __init__(self, own_id: int) -> None:
        self.own_id = own_id
        self.echo: dict[int, float] = {}  # y-websocket: first key of a frame -> when sent
        self.state: bytes | None = None
        self.state_ready = threading.Event()
        self._lock = threading.Lock()
        self._got: list[tuple[int, float]] = []
        self._acks: list[float] = []
        self._errors: list[str] = []

    def take(self, msg: bytes) -> None:
        now = time.monotonic()
        try:
            message = protocol.decode_message(msg)
            update = message.subtype == protocol.SYNC_UPDATE
            info = parse_update(message.payload) if update else None
        except CrdtError as error:
            self.add_error(f"undecodable frame: {error}")
            return
        if message.subtype == protocol.SYNC_STEP2:
            self.state = message.payload
            self.state_ready.set()
        got: list[tuple[int, float]] = []
        acks: list[float] = []
        for client, ranges in (info.structs if info else {}).items():
            for clock, length in ranges:
                if client == self.own_id:
                    sent_at = self.echo.pop(client << CLOCK_BITS | clock, None)
                    acks += [] if sent_at is None else [now - sent_at]
                else:
                    base = client << CLOCK_BITS
                    got += [(base | c, now) for c in range(clock, clock + length)]
        with self._lock:
            self._got += got
            self._acks += acks

    def add_ack(self, seconds: float) -> None:
        with self._lock:
            self._acks.append(seconds)

    def add_error(self, text: str) -> None:
        with self._lock:
            self._errors.append(text)

    def snapshot(self) -> tuple[list[tuple[int, float]], list[float], list[str]]:
        """Copies of (keystrokes received with their arrival times, round trips, errors)."""
        with self._lock:
            return list(self._got), list(self._acks), list(self._errors)


class JointlyClient:
    """A signed-in, joined client of the ``/collab`` namespace over one transport."""

    one_in_flight = True

    def __init__(
        self, url: str, room: str, transport: str, account: tuple[str, str], inline: bool
    ) -> None:
        self.room, self.inbox = room, Inbox(-1)  # the room is the document's address
        self.socket = CollabClient(
            url,
            signed_in_session(url, *account, timeout_s=CONNECT_TIMEOUT_S),
            transport,
            on_frame=self._frame,
            ordered=inline,
            timeout_s=CONNECT_TIMEOUT_S,
        )
        answer = self.socket.call("join", {"doc": room})
        if not (answer.get("ok") and answer.get("can_edit")):
            raise RuntimeError(f"joining {room} as {account[0]} answered {answer}")
        self.client_id = self.inbox.own_id = int(answer["client_id"])

    def _frame(self, data: Any) -> None:
        msg = data.get("msg") if isinstance(data, dict) else None
        if isinstance(msg, bytes):
            self.inbox.take(msg)
        else:  # the packet after a binary event's header was taken as its attachment
            self.inbox.add_error(
                "a frame's msg arrived as text: the server sent another packet "
                "between a binary event and its attachment"
            )

    def send(self, msg: bytes, _key: int, done: Done) -> None:
        sent_at = time.monotonic()

        def acked(answer: Any) -> None:
            ok = isinstance(answer, dict) and answer.get("ok") is True
            self.inbox.add_ack(time.monotonic() - sent_at)
            if not ok:
                self.inbox.add_error(str(answer)[:200])
            done(ok)

        self.socket.emit("frame", {"doc": self.room, "msg": msg}, callback=acked)

    def ask_state(self) -> None:
        msg = protocol.encode_sync_step1(b"\0")  # an empty state vector: send me everything
        self.socket.emit("frame", {"doc": self.room, "msg": msg})

    def close(self) -> None:
        self.socket.close()


class YwsClient:
    """A plain WebSocket client of y-websocket: y-protocols messages, the room in the path."""

    one_in_flight = False

    def __init__(self, url: str, room: str) -> None:
        self.room, self.client_id = room, secrets.randbelow(2**31 - 2) + 1
        self.inbox = Inbox(self.client_id)
        self.ws = websocket.create_connection(f"{url}/{room}", timeout=CONNECT_TIMEOUT_S)
        self.ws.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                msg = self.ws.recv()
            except (websocket.WebSocketException, OSError):
                return
            if isinstance(msg, bytes):
                self.inbox.take(msg)

    def send(self, msg: bytes, key: int, _done: Done) -> None:
        self.inbox.echo[key] = time.monotonic()
        self.ws.send_binary(msg)

    def ask_state(self) -> None:
        self.ws.send_binary(protocol.encode_sync_step1(b"\0"))

    def close(self) -> None:
        self.ws.close()


Client = JointlyClient | YwsClient


def connect(transport: str, url: str, room: str, account: tuple[str, str], inline: bool) -> Client:
    """A connected, joined client of the run's server."""
    if transport in PEERS:
        return YwsClient(url, room)
    return JointlyClient(url, room, transport, account, inline)
