"""Who follows which document live in this process, and the epoch of access decisions.

Membership here is what the one sender delivers to: a socket receives a document's frames
only while it is registered in that document with a grant that still holds. State lives in
``app.extensions``, so two apps in one process share nothing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app

from crdt import AwarenessEntry, Hub, Sender
from wiki.live.cluster import channel_prefix
from wiki.live.sessions import open_sessions_once
from wiki.live.throttle import Allowance, TokenBucket, allowance
from wiki.storage.models.types import utcnow

STATE_KEY = "jointly.live"


@dataclass(frozen=True)
class Grant:
    """What the policy answered for one socket in one document, and whom it speaks as.

    A socket's frames ask the policy once, then use its answer until access may have
    changed. Every change of who may see or edit a document is announced in every process
    and starts a new epoch, which retires every grant made before it; an embargo changes
    access at its end by itself, so a grant made during one ends then.
    """

    epoch: int  # read before the policy's inputs were
    sender: Sender | None  # whom an edit is stored as; None: may not edit
    identity: dict[str, str]  # for others' presence lists and cursor labels
    until: datetime | None = None  # a pending embargo's end
    can_comment: bool = False

    @property
    def rights(self) -> dict[str, bool]:
        """What the socket may do, as the join's answer and the ``access`` event say it."""
        return {"can_edit": self.sender is not None, "can_comment": self.can_comment}


@dataclass
class Participant:
    """One socket's presence in one document."""

    sid: str
    doc_id: int
    slug: str
    client_id: int
    person_id: int | None
    login_session: str | None
    grant: Grant
    awareness: TokenBucket
    client_stored: bool = False  # the room knows the client id as this person's
    awareness_clocks: dict[int, int] = field(default_factory=dict)
    presence: AwarenessEntry | None = None  # the last state relayed, identity set


class LiveState:
    """The registry of one app's live sockets."""

    def __init__(self, updates: Allowance, joins: Allowance) -> None:
        self.updates, self.joins = updates, joins
        self._lock = threading.Lock()
        self._joined: dict[str, dict[str, Participant]] = {}
        self._by_doc: dict[int, dict[tuple[str, str], Participant]] = {}  # the same, by document
        self._sockets: dict[str, set[str]] = {}  # by login session
        self._epoch = 0
        # Presence of people on other processes, by document and client id: (entry, seen at).
        self.remote: dict[int, dict[int, tuple[AwarenessEntry, float]]] = {}

    @property
    def epoch(self) -> int:
        """Changes whenever who may see or edit a document may have changed.

        Read it before reading what the policy depends on, so that a change committed
        meanwhile retires the answer.
        """
        return self._epoch

    def access_changed(self) -> None:
        """Retire every grant; call once the change is committed."""
        with self._lock:
            self._epoch += 1

    def holds(self, grant: Grant) -> bool:
        """Whether nothing that could change the policy's answer happened since ``grant``."""
        return grant.epoch == self._epoch and (grant.until is None or utcnow() < grant.until)

    def remember_remote(self, doc_id: int, entries: list[AwarenessEntry]) -> None:
        """Keep presence relayed by another process; a null state forgets its client."""
        now = time.monotonic()
        with self._lock:
            known = self.remote.setdefault(doc_id, {})
            for entry in entries:
                if entry.state_json == "null":
                    known.pop(entry.client_id, None)
                else:
                    known[entry.client_id] = (entry, now)

    def remote_presence(self, doc_id: int, max_age_s: float) -> list[AwarenessEntry]:
        """Presence from other processes seen within ``max_age_s``; older entries are dropped."""
        oldest = time.monotonic() - max_age_s
        with self._lock:
            known = self.remote.get(doc_id, {})
            for client_id in [cid for cid, (_e, seen) in known.items() if seen < oldest]:
                del known[client_id]
            return [entry for entry, _seen in known.values()]

    def track(self, login_session: str, sid: str) -> None:
        with self._lock:
            self._sockets.setdefault(login_session, set()).add(sid)

    def sockets_of(self, login_sessions: list[str]) -> list[str]:
        """Forget and return the sockets opened under these login sessions."""
        with self._lock:
            return [sid for ls in login_sessions for sid in self._sockets.pop(ls, set())]

    def add(self, participant: Participant) -> None:
        with self._lock:
            joined = self._joined.setdefault(participant.sid, {})
            if (replaced := joined.get(participant.slug)) is not None:
                self._unindex(replaced)
            joined[participant.slug] = participant
            key = (participant.sid, participant.slug)
            self._by_doc.setdefault(participant.doc_id, {})[key] = participant

    def get(self, sid: str, slug: str) -> Participant | None:
        with self._lock:
            return self._joined.get(sid, {}).get(slug)

    def remove(self, sid: str, slug: str) -> Participant | None:
        with self._lock:
            participant = self._joined.get(sid, {}).pop(slug, None)
            if participant is not None:
                self._unindex(participant)
            return participant

    def drop_socket(self, sid: str) -> list[Participant]:
        """Forget a closed socket; the documents it was in."""
        with self._lock:
            for sids in self._sockets.values():
                sids.discard(sid)
            participants = list(self._joined.pop(sid, {}).values())
            for participant in participants:
                self._unindex(participant)
            return participants

    def _unindex(self, participant: Participant) -> None:
        members = self._by_doc.get(participant.doc_id, {})
        members.pop((participant.sid, participant.slug), None)
        if not members:
            self._by_doc.pop(participant.doc_id, None)

    def members(self, doc_id: int) -> list[Participant]:
        """Every registered participant of a document, whatever its grant."""
        with self._lock:
            return list(self._by_doc.get(doc_id, {}).values())

    def follows(self, doc_id: int) -> bool:
        """Whether a socket of this process is in the document (so its room stays open)."""
        return bool(self.members(doc_id))


def init_live(app: Flask) -> None:
    """Give the app its registry and its rate limits."""
    config, url = app.config, app.config["REDIS_URL"]
    prefix = channel_prefix(app)
    open_sessions_once(app)  # a socket's events reuse the session read at its connection
    app.extensions[STATE_KEY] = LiveState(
        updates=allowance(
            url, f"{prefix}:updates", config["MAX_UPDATES_PER_S"], config["MAX_UPDATE_BURST"]
        ),
        joins=allowance(
            url, f"{prefix}:joins", config["MAX_JOINS_PER_S"], config["MAX_JOIN_BURST"]
        ),
    )


def unload_idle_rooms(app: Flask, rooms: Hub) -> None:
    """Have ``rooms`` unload a room once no socket here follows it and it idled ROOM_IDLE_S.

    A ROOM_IDLE_S of 0 (or none) keeps every room open while the process runs.
    """
    idle_s = app.config["ROOM_IDLE_S"]
    if idle_s:
        rooms.unload_idle(float(idle_s), live_state(app).follows)


def live_state(app: Flask | None = None) -> LiveState:
    """The app's registry (the current app's by default)."""
    return (app or current_app).extensions[STATE_KEY]  # type: ignore[no-any-return]
