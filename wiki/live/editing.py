"""One frame's work: sync, presence, and edits handed to the document's room."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from flask import current_app

from crdt import (
    CrdtError,
    DocumentTooLarge,
    ForeignClientId,
    MissingDependency,
    OversizedUpdate,
    StorageUnavailable,
    protocol,
)
from wiki.documents.content import WAIT_S, hub
from wiki.errors import STORAGE_UNAVAILABLE
from wiki.extensions import db
from wiki.live.contract import BUSY, KEPT, NOT_JOINED, READ_ONLY, Code, ok, refuse
from wiki.live.presence import (
    MAX_AWARENESS_BURST,
    MAX_AWARENESS_PER_S,
    relay_awareness,
    send_presence,
)
from wiki.live.sender import to_socket
from wiki.live.state import Participant, live_state
from wiki.live.throttle import TokenBucket

T = TypeVar("T")


def handle_message(participant: Participant, message: protocol.Message) -> dict[str, Any]:
    """Answer one decoded y-protocols message from a participant, under its grant."""
    if message.kind == "awareness":
        return relay_awareness(participant, message.payload)
    if message.kind == "query":
        send_presence(participant)
        return ok()
    if message.subtype == protocol.SYNC_STEP1:
        answer_sync_step1(participant, message.payload)
        return ok()
    return submit_update(participant, message.payload)


def submit_update(participant: Participant, update: bytes) -> dict[str, Any]:
    """Store an update from a participant who may edit; acknowledged once it is durable."""
    sender = participant.grant.sender
    if sender is None:
        return refuse(Code.READ_ONLY, READ_ONLY)
    if not live_state().updates.take(f"{participant.person_id}:{participant.doc_id}"):
        return refuse(Code.RATE_LIMITED, too_many_updates())
    room = hub().room(participant.doc_id)
    if not participant.client_stored:
        # Joined read-only and may edit now: the id becomes theirs if nobody holds it.
        participant.client_stored = settle(
            room.claim_client(participant.person_id, participant.client_id)
        )
        if not participant.client_stored:  # taken meanwhile: a new join brings a new id
            return refuse(Code.NOT_JOINED, NOT_JOINED)
    settle(room.submit(sender, participant.client_id, update, origin=participant.sid))
    return ok()  # the room's listener has broadcast it to the others once stored


def answer_sync_step1(participant: Participant, state_vector: bytes) -> None:
    """Send what the client lacks (step 2), then ask for what the server lacks (step 1)."""
    diff, ours = settle(
        hub()
        .room(participant.doc_id)
        .call(lambda live: (live.encode_diff(state_vector), live.state_vector()))
    )
    to_socket(participant.sid, participant.slug, protocol.encode_sync_step2(diff))
    to_socket(participant.sid, participant.slug, protocol.encode_sync_step1(ours))


def code_of(error: BaseException) -> Code:
    """The reply code of an error from the room or the protocol."""
    if isinstance(error, StorageUnavailable):
        return Code.STORAGE_UNAVAILABLE
    if isinstance(error, FutureTimeout):
        return Code.BUSY
    if isinstance(error, MissingDependency):
        return Code.MISSING_DEPENDENCY
    if isinstance(error, ForeignClientId):
        return Code.FORGED
    if isinstance(error, OversizedUpdate | DocumentTooLarge):
        return Code.TOO_LARGE
    if isinstance(error, CrdtError):
        return Code.MALFORMED
    return Code.INTERNAL


def refusal_text(error: BaseException) -> str:
    """What the person is told about a refused frame."""
    if isinstance(error, StorageUnavailable):
        return f"{STORAGE_UNAVAILABLE} {KEPT}"
    return str(error) or BUSY


def settle(future: Future[T]) -> T:
    """Wait for the room's answer without holding a database connection meanwhile.

    With fifty editors, fifty handlers wait for the room at once; holding their connections
    would empty the pool, and the next frame would queue for a connection before it even
    reached the room. The person and document stay readable, detached from the session.
    """
    db.session.close()
    return future.result(WAIT_S)


def too_many_updates() -> str:
    rate = current_app.config["MAX_UPDATES_PER_S"]
    return f"Too many edits at once (the limit is {rate} a second); the editor resends them."


def awareness_bucket() -> TokenBucket:
    """A socket's allowance of presence updates."""
    return TokenBucket(MAX_AWARENESS_PER_S, MAX_AWARENESS_BURST)
