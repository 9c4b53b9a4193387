"""Access withdrawn or sessions ended: carried out on this process's sockets, and announced.

Each announcement starts a new epoch in every process, which retires every socket's grant;
the document's members are then asked about again and those who lost access are closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wiki.live.cluster import announce, handles
from wiki.live.contract import EVENT_COMMENT
from wiki.live.sender import close_sockets, confirm, event_to_document
from wiki.live.state import live_state
from wiki.storage.models import Document

EVENT_ACCESS_CHANGED = "access-changed"  # cluster events, not socket events
EVENT_SIGNED_OUT = "signed-out"
EVENT_COMMENTED = "commented"


def enforce_access(doc: Document) -> None:
    """Close every socket in ``doc`` whose person may no longer see it, in every process.

    Call after the change is committed.
    """
    announce(EVENT_ACCESS_CHANGED, doc=doc.id)


def announce_comment(doc: Document, comment: dict[str, Any]) -> None:
    """Send a comment, as the API shows it, to the document's sockets in every process.

    Call after it is committed. Each socket gets it only while its grant holds, as frames.
    """
    announce(EVENT_COMMENTED, doc=doc.id, comment=comment)


def disconnect_sessions(login_session_ids: Iterable[str]) -> None:
    """Close every socket opened under these login sessions, in every server process."""
    announce(EVENT_SIGNED_OUT, sessions=list(login_session_ids))


@handles(EVENT_ACCESS_CHANGED)
def _enforce_here(payload: dict[str, Any]) -> None:
    state = live_state()
    state.access_changed()
    confirm(state.members(payload["doc"]))


@handles(EVENT_COMMENTED)
def _comment_here(payload: dict[str, Any]) -> None:
    event_to_document(payload["doc"], EVENT_COMMENT, {"comment": payload["comment"]})


@handles(EVENT_SIGNED_OUT)
def _disconnect_here(payload: dict[str, Any]) -> None:
    state = live_state()
    state.access_changed()
    close_sockets(state.sockets_of(payload["sessions"]))
