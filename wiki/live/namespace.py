"""The ``/collab`` Socket.IO namespace: y-protocols sync and awareness over Socket.IO.

Handlers translate: they ask for a grant, hand updates to the document's room and wait for
the stored acknowledgement; the room's listener broadcasts. A document the person may not
see answers exactly like one that does not exist.
"""

from __future__ import annotations

import logging
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from flask import request
from flask_login import current_user
from flask_socketio import join_room
from sqlalchemy.exc import DBAPIError

from crdt import CrdtError, protocol, random_client_id
from wiki.access.audit import audited, record
from wiki.access.policy import Action, can, signed_in
from wiki.access.sessions import current_session_id, requester_key
from wiki.documents.content import hub
from wiki.documents.service import find_document
from wiki.errors import STORAGE_UNAVAILABLE
from wiki.extensions import db, socketio
from wiki.history.service import latest_revision
from wiki.live.contract import (
    EVENT_FRAME,
    EVENT_JOIN,
    EVENT_LEAVE,
    INTERNAL,
    KEPT,
    NAMESPACE,
    NOT_BINARY,
    NOT_FOUND,
    NOT_JOINED,
    Code,
    frame_message,
    ok,
    refuse,
)
from wiki.live.editing import (
    awareness_bucket,
    code_of,
    handle_message,
    refusal_text,
    settle,
)
from wiki.live.grants import grant_for, recheck
from wiki.live.presence import announce_gone, send_presence
from wiki.live.sender import person_room, reconfirm
from wiki.live.state import Participant, live_state
from wiki.storage.models import Document

log = logging.getLogger(__name__)
TOO_MANY_JOINS = "Too many documents opened at once; the editor tries again shortly."


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(_auth: Any = None) -> None:
    login_session = current_session_id()
    person = signed_in(current_user)
    if login_session and person:
        live_state().track(login_session, request.sid)  # type: ignore[attr-defined]
        join_room(person_room(person.id))  # the inbox count: wiki.live.sender.to_people


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(reason: Any = None) -> None:
    # Why a socket went (the client left, its transport failed, its pings stopped), for an
    # operator wondering why someone's editor reconnects.
    log.info("socket closed: %s", reason or "no reason given")
    for participant in live_state().drop_socket(request.sid):  # type: ignore[attr-defined]
        announce_gone(participant)


@socketio.on(EVENT_JOIN, namespace=NAMESPACE)
def on_join(data: Any) -> dict[str, Any]:
    state = live_state()
    if not state.joins.take(requester_key()):
        return refuse(Code.RATE_LIMITED, TOO_MANY_JOINS)
    epoch = state.epoch
    doc = visible_document(data)
    if doc is None:
        return refuse(Code.NOT_FOUND, NOT_FOUND)
    participant = enter(doc, epoch, data["doc"])
    if participant is None:
        return refuse(Code.NOT_FOUND, NOT_FOUND)
    send_presence(participant)
    return ok(client_id=participant.client_id, **participant.grant.rights)


@socketio.on(EVENT_LEAVE, namespace=NAMESPACE)
def on_leave(data: Any) -> dict[str, Any]:
    slug = data.get("doc") if isinstance(data, dict) else None
    sid = request.sid  # type: ignore[attr-defined]
    participant = live_state().remove(sid, slug) if isinstance(slug, str) else None
    if participant is None:
        return refuse(Code.NOT_JOINED, NOT_JOINED)
    announce_gone(participant)
    return ok()


@socketio.on(EVENT_FRAME, namespace=NAMESPACE)
def on_frame(data: Any) -> dict[str, Any]:
    participant = current_participant(data)
    if participant is None and visible_document(data) is None:
        return refuse(Code.NOT_FOUND, NOT_FOUND)
    if participant is None:
        return refuse(Code.NOT_JOINED, NOT_JOINED)
    msg = frame_message(data)
    if msg is None:
        return refuse(Code.MALFORMED, NOT_BINARY)
    try:
        return handle_message(participant, protocol.decode_message(msg))
    except (CrdtError, FutureTimeout) as error:
        return refuse(code_of(error), refusal_text(error))
    except Exception:  # one bad frame must not take the connection or the room down
        log.exception("frame on document %s failed", participant.doc_id)
        return refuse(Code.INTERNAL, INTERNAL)


@socketio.on_error(NAMESPACE)
def on_error(error: Exception) -> dict[str, Any]:
    """The answer to an event that failed: a lost database is worth a retry, a bug is logged."""
    db.session.rollback()
    if isinstance(error, DBAPIError):
        log.warning("collab: database unavailable: %s", type(error.orig).__name__)
        return refuse(Code.STORAGE_UNAVAILABLE, f"{STORAGE_UNAVAILABLE} {KEPT}")
    log.error("collab: event failed", exc_info=error)
    return refuse(Code.INTERNAL, INTERNAL)


def visible_document(data: Any) -> Document | None:
    """The document an event names, if the current person may see it."""
    slug = data.get("doc") if isinstance(data, dict) else None
    doc = find_document(slug) if isinstance(slug, str) else None
    return doc if doc is not None and can(current_user, Action.VIEW, doc) else None


def enter(doc: Document, epoch: int, slug: str) -> Participant | None:
    """Register the current socket in ``doc`` under the ``slug`` it named (a former address
    of a renamed document, too); None if access was withdrawn meanwhile."""
    state, person = live_state(), signed_in(current_user)
    if audited(doc):
        record(doc, person, "view", revision=latest_revision(doc), detail="live editor: join")
        db.session.commit()
    grant = grant_for(person, doc, epoch)
    participant = Participant(
        sid=request.sid,  # type: ignore[attr-defined]
        doc_id=doc.id,
        slug=slug,
        client_id=random_client_id(),  # a reader's id is stored only if it comes to edit
        person_id=person.id if person else None,
        login_session=current_session_id() if person else None,
        grant=grant,
        awareness=awareness_bucket(),
    )
    if grant.sender is not None:  # only writers need an id the room knows to be theirs
        participant.client_id = settle(hub().room(doc.id).assign_client(participant.person_id))
        participant.client_stored = True
    # Registered first, checked second: a withdrawal either sees this socket in its sweep,
    # or has already retired the grant, which is then asked about again here.
    state.add(participant)
    if not state.holds(participant.grant) and not recheck(state, participant):
        return None
    return participant


def current_participant(data: Any) -> Participant | None:
    """The socket's participant in the document the frame names, with a grant that holds."""
    slug = data.get("doc") if isinstance(data, dict) else None
    state = live_state()
    participant = state.get(request.sid, slug) if isinstance(slug, str) else None  # type: ignore[attr-defined]
    if participant is None or state.holds(participant.grant) or reconfirm(state, participant):
        return participant
    return None
