"""Live connections: the namespace's names, sockets by login session, and broadcasting."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from crdt.protocol import encode_sync_update
from wiki.extensions import socketio

NAMESPACE = "/collab"
EVENT_JOIN = "join"
EVENT_FRAME = "frame"
EVENT_LEAVE = "leave"

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
    """Close every socket opened under these login sessions."""
    with _lock:
        sids = [sid for lsid in login_session_ids for sid in _sockets.pop(lsid, set())]
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/collab")


def remember_slug(doc_id: int, slug: str) -> None:
    """Note the slug of a document someone follows live, for the frames sent to them."""
    with _lock:
        _slugs[doc_id] = slug


def broadcast_update(doc_id: int, update: bytes, origin: object) -> None:
    """Send a stored update to everyone following the document but its sender (``origin``)."""
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
    )
