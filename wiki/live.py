"""Live connections: the namespace's names, sockets by login session, and broadcasting."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from crdt.protocol import encode_sync_update
from wiki.cluster import announce, handles
from wiki.extensions import socketio

NAMESPACE = "/collab"
EVENT_JOIN = "join"
EVENT_FRAME = "frame"
EVENT_LEAVE = "leave"
EVENT_SIGNED_OUT = "signed-out"  # a cluster event, not a socket event

_lock = threading.Lock()
_sockets: dict[str, set[str]] = {}
_slugs: dict[int, str] = {}


def track(login_session_id: str, sid: str) -> None:
    """Remember that socket ``sid`` belongs to a login session."""
    with _lock:
        _sockets.setdefault(login_session_id, set()).add(sid)


def forget(sid: str) -> None:
    """Drop a closed socket."""
    with _lock:
        for sids in _sockets.values():
            sids.discard(sid)


def room_name(doc_id: int) -> str:
    """The Socket.IO room of a document."""
    return f"doc:{doc_id}"


def disconnect_sessions(login_session_ids: Iterable[str]) -> None:
    """Close every socket opened under these login sessions, in every server process."""
    announce(EVENT_SIGNED_OUT, sessions=list(login_session_ids))


@handles(EVENT_SIGNED_OUT)
def _disconnect_here(payload: dict[str, Any]) -> None:
    with _lock:
        sids = [sid for lsid in payload["sessions"] for sid in _sockets.pop(lsid, set())]
    for sid in sids:
        socketio.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)


def keep_packets_whole(server: Any) -> None:
    """Have each Socket.IO packet reach a socket in one piece, whichever thread sends it.

    python-socketio sends a binary event as a header message followed by one message per
    attachment, and nothing stops another thread from sending to the same socket in
    between; the client then reads that message as the attachment (the browser drops the
    connection, a Python client misreads the frame). Rooms broadcast on their own threads
    while handlers answer on theirs, so every send here goes through one lock: the server's
    own sends (acknowledgements), the manager's emits, and the emits it takes off Redis.
    """
    lock = threading.RLock()
    manager = server.manager
    for owner, name in ((server, "_send_packet"), (manager, "emit"), (manager, "_handle_emit")):
        send = getattr(owner, name, None)
        if send is not None:
            setattr(owner, name, _holding(lock, send))


def _holding(lock: threading.RLock, send: Any) -> Any:
    def send_whole(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return send(*args, **kwargs)

    return send_whole


def remember_slug(doc_id: int, slug: str) -> None:
    """Note the slug of a document someone follows live, for the frames sent to them."""
    with _lock:
        _slugs[doc_id] = slug


def broadcast_update(doc_id: int, _seq: int, update: bytes, origin: object) -> None:
    """Send a stored update to this process's sockets in the document but its sender's.

    Other processes get it from the cluster bus and send it to their own sockets.
    """
    with _lock:
        slug = _slugs.get(doc_id)
    if slug is None:  # nobody has joined it live
        return
    socketio.emit(
        EVENT_FRAME,
        {"doc": slug, "msg": encode_sync_update(update)},
        to=room_name(doc_id),
        namespace=NAMESPACE,
        skip_sid=origin if isinstance(origin, str) else None,
        ignore_queue=True,
    )
