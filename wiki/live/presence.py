"""Awareness (who is here, where their cursor is): relayed with the identity the server knows.

A state is parsed strictly (JSON as browsers write it: no NaN or Infinity), limited in size
and rate per socket, and re-serialised with the server's identity for the person, so that
nothing a client sends can break another client's parser or speak for someone else.

With several processes, each passes the presence of its own sockets to the others over the
cluster bus; they relay it to theirs and keep it, so that someone who joins on another
process sees at once who is here. A kept entry not renewed within REMOTE_PRESENCE_S (Yjs
clients renew theirs every 15 s) is dropped, as a client times out a silent peer.
"""

from __future__ import annotations

import json
import math
from typing import Any

from crdt import ProtocolError, protocol
from wiki.live.cluster import handles, tell_others
from wiki.live.contract import Code, ok, refuse
from wiki.live.sender import to_document, to_socket
from wiki.live.state import Participant, live_state

MAX_AWARENESS_BYTES = 4096  # one person's presence: a name, a colour, a cursor
MAX_AWARENESS_PER_S = 20  # per socket; the editor sends at most ten a second
MAX_AWARENESS_BURST = 40
TOO_BIG = f"A presence state may be at most {MAX_AWARENESS_BYTES} bytes."
TOO_OFTEN = "Presence updates too often; the editor sends the newest again shortly."
REMOTE_PRESENCE_S = 45.0
EVENT_PRESENCE = "presence"  # a cluster event, not a socket event


def relay_awareness(participant: Participant, payload: bytes) -> dict[str, Any]:
    """Relay a participant's own presence to the others, with its identity set by the server."""
    if not participant.awareness.take():
        return refuse(Code.RATE_LIMITED, TOO_OFTEN)
    # A socket speaks only for its own client id, never for someone else's, and only its
    # newest state counts: a message repeating its own entry must not multiply the fan-out.
    own = [e for e in protocol.decode_awareness(payload) if e.client_id == participant.client_id]
    if not own:
        return ok()
    entry = max(reversed(own), key=lambda e: e.clock)  # the last of the newest
    if len(entry.state_json.encode()) > MAX_AWARENESS_BYTES:
        return refuse(Code.TOO_LARGE, TOO_BIG)
    state = parse_state(entry.state_json)
    if state is not None:
        state["user"] = participant.grant.identity
    text = json.dumps(state, allow_nan=False, separators=(",", ":"))
    rewritten = protocol.AwarenessEntry(entry.client_id, entry.clock, text)
    participant.awareness_clocks[entry.client_id] = entry.clock
    participant.presence = rewritten if state is not None else None
    update = protocol.encode_awareness_update([rewritten])
    to_document(participant.doc_id, protocol.encode_awareness(update), participant.sid)
    tell_others_of(participant.doc_id, [rewritten])
    return ok()


def tell_others_of(doc_id: int, entries: list[protocol.AwarenessEntry]) -> None:
    """Pass presence of this process's sockets to the other processes' sockets."""
    rows = [[entry.client_id, entry.clock, entry.state_json] for entry in entries]
    tell_others(EVENT_PRESENCE, doc=doc_id, entries=rows)


@handles(EVENT_PRESENCE)
def _presence_from_elsewhere(payload: dict[str, Any]) -> None:
    entries = [protocol.AwarenessEntry(*row) for row in payload["entries"]]
    live_state().remember_remote(payload["doc"], entries)
    update = protocol.encode_awareness_update(entries)
    to_document(payload["doc"], protocol.encode_awareness(update))


def parse_state(text: str) -> dict[str, Any] | None:
    """A presence state: an object, or null when the client left; anything else is refused."""
    try:
        state = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except ValueError as error:
        raise ProtocolError(f"the presence state is not JSON: {error}") from error
    if state is not None and not isinstance(state, dict):
        raise ProtocolError("a presence state must be a JSON object or null")
    return state


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999: valid JSON that no JSON writer can write back
        raise ValueError(f"{text} is too large a number")
    return number


def send_presence(asking: Participant) -> None:
    """Send the asking socket everyone else's current presence in the document."""
    state = live_state()
    entries = [
        other.presence
        for other in state.members(asking.doc_id)
        if other.sid != asking.sid and other.presence is not None
    ]
    entries += state.remote_presence(asking.doc_id, REMOTE_PRESENCE_S)
    if entries:
        update = protocol.encode_awareness_update(entries)
        to_socket(asking.sid, asking.slug, protocol.encode_awareness(update))


def announce_gone(participant: Participant) -> None:
    """Tell the others at once that a participant left, instead of waiting for a timeout."""
    if not participant.awareness_clocks:
        return
    entries = [
        protocol.AwarenessEntry(cid, clock + 1, "null")
        for cid, clock in participant.awareness_clocks.items()
    ]
    msg = protocol.encode_awareness(protocol.encode_awareness_update(entries))
    to_document(participant.doc_id, msg, participant.sid)
    tell_others_of(participant.doc_id, entries)
