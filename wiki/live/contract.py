"""The ``/collab`` wire contract: namespace, events and the codes of every refusal.

A refusal is ``{"ok": False, "code": ..., "error": ..., "retry": ...}``: clients decide on
``code`` and ``retry`` only; ``error`` is for people. ``wiki/static/src/constants.js``
mirrors these names and ``tests/browser/test_collab_constants.py`` checks that they match.
"""

from __future__ import annotations

import base64
import enum
from typing import Any

NAMESPACE = "/collab"
EVENT_JOIN = "join"
EVENT_FRAME = "frame"
EVENT_LEAVE = "leave"
EVENT_ACCESS = "access"  # server to client: what the socket may do now, when it changed
EVENT_COMMENT = "comment"  # server to client: a comment made or changed, as the API gives it
EVENT_INBOX = "inbox"  # server to client: your inbox changed; ask /-/inbox/count


class Code(enum.StrEnum):
    """Why the server refused an event."""

    NOT_FOUND = "not_found"  # no such document, or not for you: the same answer
    NOT_JOINED = "not_joined"  # join the document before sending to it
    READ_ONLY = "read_only"  # you may view but not edit
    TOO_LARGE = "too_large"  # the update, or the document it would make, is over a limit
    MALFORMED = "malformed"  # the message or update does not decode, or breaks a Yjs rule
    FORGED = "forged"  # the update writes under a client id the server did not give you
    RATE_LIMITED = "rate_limited"  # too many at once: send it again a little later
    MISSING_DEPENDENCY = "missing_dependency"  # it builds on edits the server lacks yet
    STORAGE_UNAVAILABLE = "storage_unavailable"  # the database is away: send it again later
    BUSY = "busy"  # the server did not finish in time: send it again later
    INTERNAL = "internal"  # a fault of the server's, logged


RETRYABLE = frozenset(
    {Code.RATE_LIMITED, Code.MISSING_DEPENDENCY, Code.STORAGE_UNAVAILABLE, Code.BUSY}
)

NOT_FOUND = "There is no such document, or you do not have access to it."
NOT_JOINED = "Join the document before sending to it."
READ_ONLY = "You can view this document but not edit it."
NOT_BINARY = (
    "A frame's msg must be binary, or its msg_base64 a base64 string: one y-protocols message."
)
INTERNAL = "The server could not handle this message."
BUSY = "The server is busy; the edit will be resent."
KEPT = "Your unsaved edits stay in your browser and are sent when it is back."


def ok(**fields: Any) -> dict[str, Any]:
    """An acknowledgement."""
    return {"ok": True, **fields}


def refuse(code: Code, error: str) -> dict[str, Any]:
    """A refusal: the code decides what a client does, the error is for the person."""
    return {"ok": False, "code": code.value, "error": error, "retry": code in RETRYABLE}


def frame_message(data: dict[str, Any]) -> bytes | None:
    """A frame's y-protocols message: ``msg`` as binary, or ``msg_base64`` as text; None if neither.

    Over long-polling socket.io-client sends a binary event's header and its attachment in
    two HTTP requests, one after the other; the same message as base64 text travels in one.
    """
    msg = data.get("msg")
    if msg is not None:
        return msg if isinstance(msg, bytes) else None
    text = data.get("msg_base64")
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:  # not base64, or not ASCII
        return None
