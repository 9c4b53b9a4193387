"""Presence crosses processes: who is here on one server is listed on the other at once."""

from __future__ import annotations

import json
import queue
import time

from crdt import protocol
from tests.harness.client import CollabClient
from tests.protocol.instances import Site

SLUG = "meeting-notes-14-may"  # network: everyone here may see it
MARIA = "maria@civilsociety.example.org"
ALEX = "alex@cabinet.example.gov"
PRIYA = "priya@business.example.gov"
WITHIN_S = 2.0


def presence_of(client: CollabClient, client_id: int, within_s: float = WITHIN_S) -> dict | None:
    """The state ``client`` hears for ``client_id`` within ``within_s``; fails if none comes."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            data = client.frames.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no presence of {client_id} within {within_s} s") from None
        message = protocol.decode_message(data["msg"])
        if message.kind != "awareness":
            continue
        for entry in protocol.decode_awareness(message.payload):
            if entry.client_id == client_id:
                state: dict | None = json.loads(entry.state_json)
                return state


def test_presence_on_one_process_is_seen_on_the_other_at_once(
    limits_site: Site, sockets: list[CollabClient]
) -> None:
    here = limits_site.socket(ALEX, sockets, server=1)
    assert here.call("join", {"doc": SLUG})["ok"]
    there = limits_site.socket(MARIA, sockets, server=0)
    maria_id = there.call("join", {"doc": SLUG})["client_id"]
    state = json.dumps({"cursor": None, "note": "typing"})
    awareness = protocol.AwarenessEntry(maria_id, 1, state)
    update = protocol.encode_awareness(protocol.encode_awareness_update([awareness]))
    assert there.send(SLUG, update)["ok"]
    # Relayed live to a socket already in the document on the other process...
    heard = presence_of(here, maria_id)
    assert heard is not None and heard["user"]["name"] == "Maria Santos"
    assert heard["note"] == "typing"
    # ...and listed to one that joins there later, with the server's identity.
    late = limits_site.socket(PRIYA, sockets, server=1)
    assert late.call("join", {"doc": SLUG})["ok"]
    listed = presence_of(late, maria_id)
    assert listed is not None and listed["user"]["organisation"] == "Civil Society Network"
    # Leaving is heard there at once too.
    assert there.call("leave", {"doc": SLUG})["ok"]
    assert presence_of(here, maria_id) is None
