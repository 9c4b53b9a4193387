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
