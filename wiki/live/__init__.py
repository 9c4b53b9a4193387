"""Live co-editing: the ``/collab`` namespace, who is in which document, and the one sender.

Owns the socket contract (``contract``), the registry and the access epoch (``state``),
grants asked of the policy (``grants``), the one module that sends to sockets (``sender``)
and its windows for long-polling sockets (``gather``), presence (``presence``), a frame's
work (``editing``), access withdrawn (``access``), rate limits (``throttle``) and the socket
layer's HTTP entry (``handshake``). It may import the policy, documents, content and the
cluster bus, never another package's views.
"""

from __future__ import annotations

from wiki.live.access import announce_comment, disconnect_sessions, enforce_access
from wiki.live.contract import (
    EVENT_ACCESS,
    EVENT_COMMENT,
    EVENT_FRAME,
    EVENT_INBOX,
    EVENT_JOIN,
    EVENT_LEAVE,
    NAMESPACE,
    Code,
)
from wiki.live.sender import (
    broadcast_stored,
    init_sender,
    keep_packets_whole,
    stored_listener,
    to_people,
)
from wiki.live.state import init_live

__all__ = [
    "EVENT_ACCESS",
    "EVENT_COMMENT",
    "EVENT_FRAME",
    "EVENT_INBOX",
    "EVENT_JOIN",
    "EVENT_LEAVE",
    "NAMESPACE",
    "Code",
    "announce_comment",
    "broadcast_stored",
    "disconnect_sessions",
    "enforce_access",
    "init_live",
    "init_sender",
    "keep_packets_whole",
    "stored_listener",
    "to_people",
]
