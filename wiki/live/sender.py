"""The one module that sends to sockets.

A document's frames go to the sockets registered in it whose grant still holds; a socket
whose grant was retired is asked about again first, and closed if it lost access (or if its
answer cannot be settled: it reconnects and resyncs rather than miss a frame). Membership of
a document is therefore access, whichever thread sends and whenever access changed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Flask, current_app, has_app_context

from crdt import Listener, Stored, merge_updates, protocol
from wiki.extensions import socketio
from wiki.live.contract import EVENT_ACCESS, EVENT_FRAME, EVENT_INBOX, NAMESPACE
from wiki.live.gather import GATHER_KEY, Held, PollingGather, Recipient, polling_gather
from wiki.live.grants import recheck
from wiki.live.state import LiveState, Participant, live_state

# python-socketio methods that ``keep_packets_whole`` wraps; pyproject pins the version.
SEND_METHODS = (("server", "_send_packet"), ("manager", "emit"))


def to_socket(sid: str, slug: str, msg: bytes) -> None:
    """Send one y-protocols message to one socket that asked for it."""
    socketio.emit(EVENT_FRAME, {"doc": slug, "msg": msg}, to=sid, namespace=NAMESPACE)


def to_document(
    doc_id: int, msg: bytes, skip_sid: str | None = None, app: Flask | None = None
) -> None:
    """Send a message to every socket in the document that may still see it."""
    event_to_document(doc_id, EVENT_FRAME, {"msg": msg}, skip_sid, app)


def event_to_document(
    doc_id: int,
    event: str,
    data: dict[str, Any],
    skip_sid: str | None = None,
    app: Flask | None = None,
) -> None:
    """Send ``{"doc": slug, **data}`` as ``event`` to every socket that may still see it."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    _emit(event, data, holders(app, doc_id, skip_sid))


def holders(app: Flask, doc_id: int, skip_sid: str | None = None) -> set[Recipient]:
    """The document's sockets here whose grant holds, each with the address it joined by.

    Sockets whose grant was retired are asked about again first, and the lost ones closed.
    """
    state = live_state(app)
    members = [p for p in state.members(doc_id) if p.sid != skip_sid]
    stale = [p for p in members if not state.holds(p.grant)]
    if stale:
        confirm(stale, app)
    return {(p.sid, p.slug) for p in members if state.holds(p.grant)}


def _emit(
    event: str,
    data: dict[str, Any],
    recipients: set[Recipient],
    polling: set[Recipient] | None = None,
) -> None:
    """Send to each recipient, its address as ``doc``; ``polling``: those on long-polling.

    A binary event goes to long-polling and to WebSocket sockets in separate sends.
    python-engineio encodes a message once for all its recipients, in the form the first
    one to send it needs: raw bytes for a WebSocket, base64 text for a polling answer. A
    polling answer handed the raw bytes failed (TypeError), and its socket was closed.
    """
    if polling is None:
        polling = {r for r in recipients if _polls(r[0])} if _holds_bytes(data) else set()
    sends: dict[tuple[str, bool], list[str]] = {}
    for recipient in recipients:
        sid, slug = recipient
        sends.setdefault((slug, recipient in polling), []).append(sid)
    for (slug, _polling), sids in sends.items():
        socketio.emit(
            event,
            {"doc": slug, **data},
            to=sids,
            namespace=NAMESPACE,
            ignore_queue=True,  # other processes send to their own sockets
        )


def _holds_bytes(data: dict[str, Any]) -> bool:
    return any(isinstance(value, bytes | bytearray) for value in data.values())


def person_room(person_id: int) -> str:
    """The Socket.IO room every socket of one signed-in person joins."""
    return f"person:{person_id}"


def to_people(person_ids: Iterable[int]) -> None:
    """Tell each person's sockets, in every process, that their inbox changed.

    The event carries nothing: the page asks for the count, which the policy answers.
    """
    for person_id in person_ids:
        socketio.emit(EVENT_INBOX, {}, to=person_room(person_id), namespace=NAMESPACE)


def close_sockets(sids: Iterable[str]) -> None:
    """Close sockets of this process at once."""
    for sid in sids:
        socketio.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)


def stored_listener(app: Flask) -> Listener:
    """A room listener that sends each stored batch to the document's sockets."""

    def listener(doc_id: int, stored: Sequence[Stored]) -> None:
        broadcast_stored(app, doc_id, stored)

    return listener


def broadcast_stored(app: Flask, doc_id: int, stored: Sequence[Stored]) -> None:
    """Send a batch of stored updates to this process's sockets in the document, as one frame.

    A busy room stores many updates at once; one merged update per batch, rather than a
    frame per update to every socket, keeps the sending from falling behind. A lone update
    skips its sender's socket. A merged one goes to every socket: a sender gets its own
    update back with the others', and Yjs ignores what it already holds. Long-polling
    sockets get a busy document's batches gathered (``wiki.live.gather``). Other processes
    get the updates from the cluster bus and send them to their own sockets.
    """
    origins = {update.origin for update in stored}
    sender = origins.pop() if len(origins) == 1 else None
    updates = [update.data for update in stored]
    recipients = holders(app, doc_id, sender if isinstance(sender, str) else None)
    polling = {r for r in recipients if _polls(r[0])}
    gather = polling_gather(app)
    if polling and gather is not None and gather.hold(doc_id, updates, polling):
        recipients, polling = recipients - polling, set()
    _emit(EVENT_FRAME, {"msg": _update_message(updates)}, recipients, polling)


def send_held(app: Flask, doc_id: int, held: Held) -> None:
    """Send what a document's window gathered to those of its sockets that still hold.

    Some may have moved to WebSocket meanwhile: ``_emit`` asks each its transport again.
    """
    recipients = held.recipients & holders(app, doc_id)
    _emit(EVENT_FRAME, {"msg": _update_message(held.updates)}, recipients)


def init_sender(app: Flask) -> None:
    """Give the app windows that gather a busy document's updates for long-polling sockets.

    A POLLING_GATHER_S of 0 gives none: every batch goes to every socket at once.
    """
    window_s = float(app.config["POLLING_GATHER_S"] or 0)
    if window_s > 0:
        app.extensions[GATHER_KEY] = PollingGather(
            window_s,
            send=lambda doc_id, held: send_held(app, doc_id, held),
            lose=lambda recipients: close_sockets(sid for sid, _slug in recipients),
            start=socketio.start_background_task,
            sleep=socketio.sleep,
        )


def _update_message(updates: list[bytes]) -> bytes:
    return protocol.encode_sync_update(merge_updates(updates))


def _polls(sid: str) -> bool:
    """Whether the socket is on long-polling; a closed socket counts as not."""
    try:
        return socketio.server.transport(sid, namespace=NAMESPACE) == "polling"  # type: ignore[no-any-return]
    except KeyError:
        return False


def confirm(stale: list[Participant], app: Flask | None = None) -> None:
    """Ask the policy again for each participant; unregister and close the lost ones."""
    if app is None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = live_state(app)
    same_app = has_app_context() and current_app._get_current_object() is app  # type: ignore[attr-defined]
    with contextlib.nullcontext() if same_app else app.app_context():
        lost = [participant.sid for participant in stale if not reconfirm(state, participant)]
    close_sockets(lost)


def reconfirm(state: LiveState, participant: Participant) -> bool:
    """Ask the policy again for one participant, and tell its socket if its rights changed.

    A socket whose level drops (edit to comment or view) or rises hears it at once, so the
    editor turns read-only or editable without reloading; False: it lost access.
    """
    before = participant.grant.rights
    if not recheck(state, participant):
        return False
    if participant.grant.rights != before:
        payload = {"doc": participant.slug, **participant.grant.rights}
        socketio.emit(
            EVENT_ACCESS, payload, to=participant.sid, namespace=NAMESPACE, ignore_queue=True
        )
    return True


def keep_packets_whole(server: Any) -> None:
    """Have each Socket.IO packet reach a socket in one piece, whichever thread sends it.

    python-socketio sends a binary event as a header message followed by one message per
    attachment, and nothing stops another thread from sending to the same socket in
    between; the client then reads that message as the attachment (the browser drops the
    connection, a Python client misreads the frame). Rooms broadcast on their own threads
    while handlers answer on theirs, and python-socketio offers no public hook around a
    packet's sends, so its own send methods are wrapped in one lock. They are private:
    the version is pinned, and a server whose methods are missing refuses to start.
    """
    owners = {"server": server, "manager": server.manager}
    missing = [
        f"{owner}.{name}"
        for owner, name in SEND_METHODS
        if not callable(getattr(owners[owner], name, None))
    ]
    if missing:
        raise RuntimeError(
            f"python-socketio has no {', '.join(missing)}: Jointly needs them to keep binary "
            "frames whole. Install the version pyproject.toml pins (pip install -e .)."
        )
    lock = threading.RLock()
    wrapped = [(owners[owner], name) for owner, name in SEND_METHODS]
    handle_emit = getattr(server.manager, "_handle_emit", None)  # a message queue's manager
    if callable(handle_emit):
        wrapped.append((server.manager, "_handle_emit"))
    for owner, name in wrapped:
        setattr(owner, name, _holding(lock, getattr(owner, name)))


def _holding(lock: threading.RLock, send: Callable[..., Any]) -> Callable[..., Any]:
    def send_whole(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return send(*args, **kwargs)

    return send_whole
