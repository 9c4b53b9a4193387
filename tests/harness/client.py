"""Signing in over HTTP, and a plain python-socketio client of ``/collab``, as any Yjs client.

Frames carry y-protocols messages (``crdt.protocol``) as ``{"doc": slug, "msg": bytes}``; the
server answers each event with an acknowledgement.
"""

from __future__ import annotations

import contextlib
import queue
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import socketio

from crdt import protocol
from crdt.engine import Doc, get_engine

NAMESPACE = "/collab"
TIMEOUT_S = 10.0
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')  # a form's hidden token


class SignInError(RuntimeError):
    """The login form was missing or refused the account."""


def signed_in_session(
    base_url: str, email: str, password: str, timeout_s: float = TIMEOUT_S
) -> requests.Session:
    """An HTTP session with a signed-in cookie, through the real login form."""
    http = requests.Session()
    token = CSRF.search(http.get(f"{base_url}/login", timeout=timeout_s).text)
    if token is None:
        raise SignInError("no CSRF token on the login form")
    answer = http.post(
        f"{base_url}/login",
        data={"csrf_token": token.group(1), "email": email, "password": password},
        allow_redirects=False,
        timeout=timeout_s,
    )
    if answer.status_code != 302:
        raise SignInError(f"signing in as {email} answered {answer.status_code}")
    return http


@dataclass
class CollabClient:
    """One socket; frames the server sends are queued for the caller's thread to read.

    ``on_frame`` takes each frame's data on the socket's reading thread instead;
    ``ordered=False`` leaves python-engineio's thread per message (see :func:`in_order`).
    """

    base_url: str
    http: requests.Session | None = None
    transport: str = "websocket"
    frames: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    on_frame: Callable[[Any], None] | None = None
    ordered: bool = True
    timeout_s: float = TIMEOUT_S

    def __post_init__(self) -> None:
        self.sio = socketio.Client(http_session=self.http, reconnection=False)
        if self.ordered:
            in_order(self.sio)
        self.sio.on("frame", self.on_frame or self.frames.put, namespace=NAMESPACE)
        self.sio.connect(
            self.base_url,
            namespaces=[NAMESPACE],
            transports=[self.transport],
            wait_timeout=self.timeout_s,
        )

    def call(self, event: str, data: dict[str, Any]) -> Any:
        """Emit and wait for the acknowledgement."""
        return self.sio.call(event, data, namespace=NAMESPACE, timeout=self.timeout_s)

    def emit(
        self, event: str, data: dict[str, Any], callback: Callable[..., None] | None = None
    ) -> None:
        """Emit without waiting; ``callback`` takes the acknowledgement when it comes."""
        self.sio.emit(event, data, namespace=NAMESPACE, callback=callback)

    def send(self, doc: str, msg: bytes) -> Any:
        """Send one y-protocols message and wait for its acknowledgement."""
        return self.call("frame", {"doc": doc, "msg": msg})

    def next_frame(self, timeout: float = TIMEOUT_S) -> protocol.Message:
        """The next message the server sent."""
        return protocol.decode_message(self.frames.get(timeout=timeout)["msg"])

    def sync(self, doc: str, replica: Doc) -> None:
        """Sync step 1 and 2 both ways, applying what the server sends to ``replica``."""
        assert self.send(doc, protocol.encode_sync_step1(replica.state_vector())) == {"ok": True}
        step2 = self.next_frame()
        assert (step2.kind, step2.subtype) == ("sync", protocol.SYNC_STEP2)
        replica.apply_update(step2.payload)
        step1 = self.next_frame()
        assert (step1.kind, step1.subtype) == ("sync", protocol.SYNC_STEP1)
        reply = protocol.encode_sync_step2(replica.encode_diff(step1.payload))
        assert self.send(doc, reply)["ok"] is True

    def close(self) -> None:
        self.sio.disconnect()
        # After a lost connection (a killed server) engineio leaves its WebSocket open.
        websocket = getattr(self.sio.eio, "ws", None)
        if websocket is not None:
            with contextlib.suppress(OSError):
                websocket.close(timeout=0)


def in_order(client: socketio.Client) -> None:
    """Handle the socket's messages one after another, on its reading thread, as a browser does.

    python-engineio's client hands each message to a new thread; a binary event arrives as
    a header and then its attachment, so under load two threads can take them out of order
    and the client misreads the attachment as a packet of its own.
    """
    trigger = client.eio._trigger_event

    def trigger_in_order(event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "message":
            kwargs["run_async"] = False
        return trigger(event, *args, **kwargs)

    client.eio._trigger_event = trigger_in_order  # type: ignore[method-assign]


def replica(client_id: int | None = None) -> Doc:
    """A local Yjs document on the server's default engine."""
    return get_engine().new_doc(client_id)
