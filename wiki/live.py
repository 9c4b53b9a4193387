"""Open live connections, by login session, so ending a session closes its sockets."""

from __future__ import annotations

import threading
from collections.abc import Iterable

_lock = threading.Lock()
_sockets: dict[str, set[str]] = {}


def track(login_session_id: str, sid: str) -> None:
    """Remember that socket ``sid`` belongs to a login session."""
    with _lock:
        _sockets.setdefault(login_session_id, set()).add(sid)


def forget(sid: str) -> None:
    """Drop a closed socket."""
    with _lock:
        for sids in _sockets.values():
            sids.discard(sid)


def disconnect_sessions(login_session_ids: Iterable[str]) -> None:
    """Close every socket opened under these login sessions."""
    from wiki.extensions import socketio

    with _lock:
        sids = [sid for lsid in login_session_ids for sid in _sockets.pop(lsid, set())]
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/collab")
