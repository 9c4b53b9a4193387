"""Live connections: the namespace's names, sockets by login session, and broadcasting."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

from crdt.engine import merge_updates
from crdt.protocol import encode_sync_update
from crdt.room import Stored
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
_epoch = 0  # how many access changes this process has heard of


def access_epoch() -> int:
    """A number that changes whenever who may see or edit a document may have changed.

    Sockets keep the policy's answer for as long as it stays the same: read it before
    reading what the policy depends on, so that a change committed meanwhile retires it.
    """
    return _epoch


def access_changed() -> None:
    """Note that access may have changed; call once the change is committed."""
    global _epoch
    with _lock:
        _epoch += 1


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
    access_changed()
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


def broadcast_stored(doc_id: int, stored: Sequence[Stored]) -> None:
    """Send a batch of stored updates to this process's sockets in the document, as one frame.

    A busy room stores many updates at once; one merged update per batch, rather than a
    frame per update to every socket, keeps the sending from falling behind. A lone update
    skips its sender's socket. A merged one goes to every socket: a sender gets its own
    update back with the others', and Yjs ignores what it already holds. Other processes
    get the updates from the cluster bus and send them to their own sockets.
    """
    with _lock:
        slug = _slugs.get(doc_id)
    if slug is None:  # nobody has joined it live
        return
    origins = {update.origin for update in stored}
    sender = origins.pop() if len(origins) == 1 else None
    socketio.emit(
        EVENT_FRAME,
        {"doc": slug, "msg": encode_sync_update(merge_updates([u.data for u in stored]))},
        to=room_name(doc_id),
        namespace=NAMESPACE,
        skip_sid=sender if isinstance(sender, str) else None,
        ignore_queue=True,
    )
