"""The ``/collab`` Socket.IO namespace: y-protocols sync and awareness over Socket.IO.

Handlers translate: they ask the policy, hand updates to the document's room and wait
for the stored acknowledgement, then broadcast. A document the person may not see
answers exactly like one that does not exist.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app, request
from flask_login import current_user
from flask_socketio import emit, join_room, leave_room
from sqlalchemy.exc import DBAPIError

from crdt import protocol
from crdt.errors import CrdtError
from crdt.room import MissingDependency, StorageUnavailable
from crdt.store import Sender
from wiki.audit import audited, record
from wiki.cluster import announce, handles
from wiki.content import WAIT_S, hub, sender_for
from wiki.documents import find_document
from wiki.errors import STORAGE_UNAVAILABLE
from wiki.extensions import db, socketio
from wiki.history import latest_revision
from wiki.live import (
    EVENT_FRAME,
    EVENT_JOIN,
    EVENT_LEAVE,
    NAMESPACE,
    access_changed,
    access_epoch,
    forget,
    remember_slug,
    room_name,
    track,
)
from wiki.models import Document, Person
from wiki.models.types import utcnow
from wiki.policy import Action, can, signed_in
from wiki.sessions import current_session_id
from wiki.throttle import TokenBucket

log = logging.getLogger(__name__)
T = TypeVar("T")

NOT_FOUND = "There is no such document, or you do not have access to it."
READ_ONLY = "You can view this document but not edit it."
NOT_JOINED = "Join the document before sending to it."
KEPT = "Your unsaved edits stay in your browser and are sent when it is back."
EVENT_ACCESS_CHANGED = "access-changed"  # a cluster event, not a socket event
KIND_COLOURS = {
    "government": ("#0b5394", "#0b539433"),
    "civil_society": ("#7a3e00", "#7a3e0033"),
    "other": ("#3d3d3d", "#3d3d3d33"),
}


@dataclass(frozen=True)
class Grant:
    """What the policy answered for one socket in one document, and who the socket speaks as.

    A socket's frames ask the policy once, then use its answer until access may have
    changed. Every change of who may see or edit a document is announced in every process
    (``enforce_access``, ``wiki.live.disconnect_sessions``), and each announcement starts a
    new epoch, which retires every grant made before it; an embargo changes access at its
    end by itself, so a grant made during one ends then.
    """

    epoch: int  # read before the policy's inputs were
    sender: Sender | None  # whom an edit is stored as; None for someone who may not edit
    identity: dict[str, str]  # for others' presence lists and cursor labels
    until: datetime | None = None  # a pending embargo's end

    def holds(self) -> bool:
        """Whether nothing that could change the policy's answer happened since."""
        return self.epoch == access_epoch() and (self.until is None or utcnow() < self.until)


@dataclass
class Participant:
    """One socket's presence in one document."""

    doc_id: int
    slug: str
    client_id: int
    person_id: int | None
    grant: Grant
    awareness_clocks: dict[int, int] = field(default_factory=dict)
    presence: protocol.AwarenessEntry | None = None  # the last state relayed, identity set
    updates: TokenBucket | None = None  # None: no limit


_lock = threading.Lock()
_joined: dict[str, dict[str, Participant]] = {}


def ok() -> dict[str, Any]:
    return {"ok": True}


def refuse(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def visible_document(data: Any) -> Document | None:
    """The document an event names, if the current person may see it."""
    slug = data.get("doc") if isinstance(data, dict) else None
    doc = find_document(slug) if isinstance(slug, str) else None
    return doc if doc is not None and can(current_user, Action.VIEW, doc) else None


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(_auth: Any = None) -> None:
    login_session = current_session_id()
    if login_session and signed_in(current_user):
        track(login_session, request.sid)  # type: ignore[attr-defined]


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args: Any) -> None:
    sid = request.sid  # type: ignore[attr-defined]
    forget(sid)
    with _lock:
        joined = _joined.pop(sid, {})
    for slug, participant in joined.items():
        _announce_gone(slug, participant, sid)


@socketio.on(EVENT_JOIN, namespace=NAMESPACE)
def on_join(data: Any) -> dict[str, Any]:
    epoch = access_epoch()
    doc = visible_document(data)
    if doc is None:
        return refuse(NOT_FOUND)
    person = signed_in(current_user)
    if audited(doc):
        record(doc, person, "view", revision=latest_revision(doc), detail="live editor: join")
        db.session.commit()
    grant = grant_for(doc, epoch)
    client_id = settle(hub().room(doc.id).assign_client(person.id if person else None))
    join_room(room_name(doc.id))
    remember_slug(doc.id, doc.slug)
    participant = Participant(
        doc.id, doc.slug, client_id, person.id if person else None, grant, updates=update_bucket()
    )
    send_presence(participant)
    with _lock:
        _joined.setdefault(request.sid, {})[doc.slug] = participant  # type: ignore[attr-defined]
    return {"ok": True, "client_id": client_id, "can_edit": grant.sender is not None}


@socketio.on(EVENT_LEAVE, namespace=NAMESPACE)
def on_leave(data: Any) -> dict[str, Any]:
    slug = data.get("doc") if isinstance(data, dict) else None
    sid = request.sid  # type: ignore[attr-defined]
    with _lock:
        participant = _joined.get(sid, {}).pop(slug, None) if isinstance(slug, str) else None
    if participant is None:
        return refuse(NOT_JOINED)
    leave_room(room_name(participant.doc_id))
    _announce_gone(str(slug), participant, sid)
    return ok()


@socketio.on(EVENT_FRAME, namespace=NAMESPACE)
def on_frame(data: Any) -> dict[str, Any]:
    slug = data.get("doc") if isinstance(data, dict) else None
    with _lock:
        joined = _joined.get(request.sid, {})  # type: ignore[attr-defined]
        participant = joined.get(slug) if isinstance(slug, str) else None
    if participant is None or not participant.grant.holds():
        epoch = access_epoch()
        doc = visible_document(data)
        if doc is None:
            return refuse(NOT_FOUND)
        if participant is None:
            return refuse(NOT_JOINED)
        participant.grant = grant_for(doc, epoch)
    msg = data.get("msg")
    if not isinstance(msg, bytes):
        return refuse("A frame's msg must be binary: one y-protocols message.")
    try:
        return handle_message(participant, protocol.decode_message(msg))
    except StorageUnavailable:
        # The room could not store it (the frame itself needed no database): say so plainly.
        return {**refuse(f"{STORAGE_UNAVAILABLE} {KEPT}"), "retry": True}
    except (MissingDependency, FutureTimeout) as error:
        # Not the client's fault: it keeps the update and sends it again later.
        return {
            **refuse(str(error) or "The server is busy; the edit will be resent."),
            "retry": True,
        }
    except CrdtError as error:
        return refuse(str(error))
    except Exception:  # one bad frame must not take the connection or the room down
        log.exception("frame on document %s failed", participant.doc_id)
        return refuse("The server could not handle this message.")


@socketio.on_error(NAMESPACE)
def on_error(error: Exception) -> dict[str, Any]:
    """The answer to an event that failed: a lost database is worth a retry, a bug is logged."""
    db.session.rollback()
    if isinstance(error, DBAPIError):
        log.warning("collab: database unavailable: %s", type(error.orig).__name__)
        return {**refuse(f"{STORAGE_UNAVAILABLE} {KEPT}"), "retry": True}
    log.error("collab: event failed", exc_info=error)
    return refuse("The server could not handle this message.")


def handle_message(participant: Participant, message: Any) -> dict[str, Any]:
    """Answer one decoded y-protocols message from a participant, under its grant."""
    if message.kind == "awareness":
        return relay_awareness(participant, message.payload)
    if message.kind == "query":
        send_presence(participant)
        return ok()
    if message.subtype == protocol.SYNC_STEP1:
        answer_sync_step1(participant, message.payload)
        return ok()
    sender = participant.grant.sender
    if sender is None:
        return refuse(READ_ONLY)
    if participant.updates is not None and not participant.updates.take():
        return {**refuse(too_many_updates()), "retry": True}
    room = hub().room(participant.doc_id)
    sid = request.sid  # type: ignore[attr-defined]
    settle(room.submit(sender, participant.client_id, message.payload, origin=sid))
    return ok()  # the room's listener has broadcast it to the others once stored


def answer_sync_step1(participant: Participant, state_vector: bytes) -> None:
    """Send what the client lacks (step 2), then ask for what the server lacks (step 1)."""
    diff, ours = settle(
        hub()
        .room(participant.doc_id)
        .call(lambda live: (live.encode_diff(state_vector), live.state_vector()))
    )
    emit(EVENT_FRAME, {"doc": participant.slug, "msg": protocol.encode_sync_step2(diff)})
    emit(EVENT_FRAME, {"doc": participant.slug, "msg": protocol.encode_sync_step1(ours)})


def relay_awareness(participant: Participant, payload: bytes) -> dict[str, Any]:
    """Broadcast a participant's presence with its identity set by the server."""
    entries = []
    for entry in protocol.decode_awareness(payload):
        if entry.client_id != participant.client_id:
            continue  # a socket speaks only for its own client id, never for someone else's
        state = json.loads(entry.state_json)
        if state is not None:
            if not isinstance(state, dict):
                continue
            state["user"] = participant.grant.identity
        rewritten = protocol.AwarenessEntry(entry.client_id, entry.clock, json.dumps(state))
        participant.awareness_clocks[entry.client_id] = entry.clock
        participant.presence = rewritten if state is not None else None
        entries.append(rewritten)
    if entries:
        update = protocol.encode_awareness_update(entries)
        emit(
            EVENT_FRAME,
            {"doc": participant.slug, "msg": protocol.encode_awareness(update)},
            to=room_name(participant.doc_id),
            skip_sid=request.sid,  # type: ignore[attr-defined]
        )
    return ok()


def send_presence(asking: Participant) -> None:
    """Send the asking socket everyone's current presence in the document."""
    sid = request.sid  # type: ignore[attr-defined]
    with _lock:
        entries = [
            participant.presence
            for other, joined in _joined.items()
            if other != sid
            for participant in joined.values()
            if participant.doc_id == asking.doc_id and participant.presence is not None
        ]
    if entries:
        update = protocol.encode_awareness_update(entries)
        emit(EVENT_FRAME, {"doc": asking.slug, "msg": protocol.encode_awareness(update)})


def grant_for(doc: Document, epoch: int) -> Grant:
    """Ask the policy what the current person may do in ``doc`` (visible to them)."""
    person = signed_in(current_user)
    sender = None
    if person is not None and can(person, Action.EDIT, doc):
        sender = sender_for(person, person.organisation)
    pending = doc.embargo_then is not None and not doc.embargo_lifted()
    return Grant(epoch, sender, identity(), doc.embargo_until if pending else None)


def settle(future: Future[T]) -> T:
    """Wait for the room's answer without holding a database connection meanwhile.

    With fifty editors, fifty handlers wait for the room at once; holding their connections
    would empty the pool, and the next frame would queue for a connection before it even
    reached the room. The person and document stay readable, detached from the session.
    """
    db.session.close()
    return future.result(WAIT_S)


def update_bucket() -> TokenBucket:
    """A fresh allowance of updates for one session in one document."""
    config = current_app.config
    return TokenBucket(config["MAX_UPDATES_PER_S"], config["MAX_UPDATE_BURST"])


def too_many_updates() -> str:
    rate = current_app.config["MAX_UPDATES_PER_S"]
    return f"Too many edits at once (the limit is {rate} a second); the editor resends them."


def identity() -> dict[str, str]:
    """Who the current person is, for others' presence lists and cursor labels."""
    person = signed_in(current_user)
    if person is None:
        return {
            "name": "Guest",
            "organisation": "",
            "kind": "other",
            "color": KIND_COLOURS["other"][0],
            "colorLight": KIND_COLOURS["other"][1],
        }
    kind = person.organisation.kind.value
    colour, light = KIND_COLOURS[kind]
    return {
        "name": person.name,
        "organisation": person.organisation.name,
        "kind": kind,
        "color": colour,
        "colorLight": light,
    }


def enforce_access(doc: Document) -> None:
    """Disconnect every socket in the document whose person may no longer see it.

    Every server process does so for the sockets it holds; call after the change is committed.
    """
    announce(EVENT_ACCESS_CHANGED, doc=doc.id)


@handles(EVENT_ACCESS_CHANGED)
def _enforce_here(payload: dict[str, Any]) -> None:
    access_changed()
    doc = db.session.get(Document, payload["doc"])
    with _lock:
        present = [
            (sid, participant.person_id)
            for sid, joined in _joined.items()
            for participant in joined.values()
            if participant.doc_id == payload["doc"]
        ]
    for sid, person_id in present:
        person = db.session.get(Person, person_id) if person_id is not None else None
        if doc is None or not can(person, Action.VIEW, doc):
            socketio.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)


def _announce_gone(slug: str, participant: Participant, sid: str) -> None:
    # Others drop this participant's cursor at once instead of waiting for a timeout.
    if not participant.awareness_clocks:
        return
    entries = [
        protocol.AwarenessEntry(cid, clock + 1, "null")
        for cid, clock in participant.awareness_clocks.items()
    ]
    msg = protocol.encode_awareness(protocol.encode_awareness_update(entries))
    socketio.emit(
        EVENT_FRAME,
        {"doc": slug, "msg": msg},
        to=room_name(participant.doc_id),
        namespace=NAMESPACE,
        skip_sid=sid,
    )
