"""The limits of the live protocol, spoken by plain python-socketio clients (issue 19).

Presence is strict JSON, small and rate-limited per socket, so that nobody can break the
others' parsers or flood them; the update allowance belongs to a person and a document,
whatever socket or process the updates come through; a guest's join stores nothing and joins
are limited; and ``MAX_DOCUMENT_CHARS`` holds for live edits, in every process's room.
"""

from __future__ import annotations

import json
import queue
import time
from typing import Any

import pytest

from crdt import protocol
from crdt.engine import Doc
from tests.harness.client import NAMESPACE, CollabClient, replica
from tests.harness.server import create_document
from tests.protocol.instances import LIMITS_SETTINGS, OPEN_SETTINGS, Site
from wiki.live.presence import MAX_AWARENESS_BURST, MAX_AWARENESS_BYTES, MAX_AWARENESS_PER_S

NETWORK_DOC = "meeting-notes-14-may"  # network, owned by Maria's Civil Society Network
PUBLIC_DOC = "open-letter"  # public, added here for guests to follow
PUBLIC_OWNER = "Civil Society Network"  # so Maria edits it and Jo only reads it
MARIA = "maria@civilsociety.example.org"
ALEX = "alex@cabinet.example.gov"
PRIYA = "priya@business.example.gov"  # her department owns beneficial-ownership, extractives
KWAME = "kwame@openownership.example.org"  # edits beneficial-ownership, ask-lobbying-register
LENA = "lena@pwyp.example.org"  # edits extractive-payments
REVIEWER = "jo@integrity.example.org"
WAIT_S = 10.0
NOT_JSON = ["1e999", "-1e999", "1E400", "NaN", "Infinity", "-Infinity"]
NOT_JSON_TEXT = [b"Infinity", b"NaN", b"1e999", b"1E400"]


def add_public_document(site: Site) -> str:
    """A public document on ``site``, added with ``flask create-doc``."""
    text = "An open letter on the national action plan.\n"
    return create_document(
        site.instance.env, PUBLIC_DOC, text, owner=PUBLIC_OWNER, visibility="public"
    )


@pytest.fixture(scope="module")
def open_public(open_site: Site) -> str:
    return add_public_document(open_site)


@pytest.fixture(scope="module")
def limits_public(limits_site: Site) -> str:
    return add_public_document(limits_site)


def presence(client_id: int, clock: int, state: str) -> bytes:
    """An awareness message with one entry: ``state`` is the JSON text as sent."""
    entry = protocol.AwarenessEntry(client_id, clock, state)
    return protocol.encode_awareness(protocol.encode_awareness_update([entry]))


def frames_until(client: CollabClient, marker: str) -> list[bytes]:
    """The messages a socket receives up to the first carrying ``marker``, that one included."""
    got, deadline = [], time.monotonic() + WAIT_S
    while True:
        msg = client.frames.get(timeout=max(0.0, deadline - time.monotonic()))["msg"]
        got.append(msg)
        if marker.encode() in msg:
            return got


def fence(sender: CollabClient, slug: str, client_id: int, clock: int, marker: str) -> None:
    """Send a small valid presence carrying ``marker``, waiting out a rate limit if need be."""
    state = json.dumps({"cursor": None, "note": marker})
    deadline = time.monotonic() + WAIT_S
    while not sender.send(slug, presence(client_id, clock, state))["ok"]:
        assert time.monotonic() < deadline, "the presence allowance never came back"
        time.sleep(1 / MAX_AWARENESS_PER_S)


def at_once(client: CollabClient, slug: str, messages: list[bytes]) -> list[dict[str, Any]]:
    """Send every message without waiting for acknowledgements; their answers."""
    acks: queue.Queue[dict[str, Any]] = queue.Queue()
    for msg in messages:
        client.sio.emit("frame", {"doc": slug, "msg": msg}, namespace=NAMESPACE, callback=acks.put)
    return [acks.get(timeout=WAIT_S * 3) for _ in messages]


def pair(
    site: Site, slug: str, sockets: list[CollabClient], sender: str | None
) -> tuple[CollabClient, CollabClient, int]:
    """A sender (``None``: a guest) and a watcher joined to ``slug``; the sender's client id."""
    watcher = site.socket(ALEX, sockets)
    speaker = site.socket(sender, sockets)
    assert watcher.call("join", {"doc": slug})["ok"]
    ack = speaker.call("join", {"doc": slug})
    assert ack["ok"], ack
    return speaker, watcher, ack["client_id"]


def test_presence_with_numbers_json_cannot_carry_is_refused_and_never_relayed(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    sender, watcher, client_id = pair(open_site, NETWORK_DOC, sockets, MARIA)
    for clock, number in enumerate(NOT_JSON, start=1):
        state = f'{{"cursor":{{"anchor":{number},"head":[1,{number}]}}}}'
        answer = sender.send(NETWORK_DOC, presence(client_id, clock, state))
        assert (answer["ok"], answer.get("code"), answer.get("retry")) == (
            False,
            "malformed",
            False,
        ), (
            number,
            answer,
        )
    fence(sender, NETWORK_DOC, client_id, len(NOT_JSON) + 1, "after the bad ones")
    relayed = frames_until(watcher, "after the bad ones")
    assert [m for m in relayed for bad in NOT_JSON_TEXT if bad in m] == []
    (entry,) = protocol.decode_awareness(protocol.decode_message(relayed[-1]).payload)
    state = json.loads(entry.state_json, parse_constant=lambda name: {}[name])
    assert state["note"] == "after the bad ones" and state["user"]["name"] == "Maria Santos"


def test_presence_over_the_size_limit_is_refused_and_never_relayed(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    sender, watcher, client_id = pair(open_site, NETWORK_DOC, sockets, MARIA)
    small = json.dumps({"cursor": None, "note": "n" * (MAX_AWARENESS_BYTES - 200)})
    assert sender.send(NETWORK_DOC, presence(client_id, 1, small)) == {"ok": True}
    big = json.dumps({"cursor": None, "note": "B" * MAX_AWARENESS_BYTES})
    answer = sender.send(NETWORK_DOC, presence(client_id, 2, big))
    assert (answer["ok"], answer.get("code")) == (False, "too_large"), answer
    assert str(MAX_AWARENESS_BYTES) in answer["error"]
    fence(sender, NETWORK_DOC, client_id, 3, "after the big one")
    relayed = frames_until(watcher, "after the big one")
    assert [len(m) for m in relayed if b"B" * 100 in m] == []
    assert len(relayed) == 2  # the small state, then the fence


def test_many_entries_of_ones_own_in_one_message_are_not_fanned_out(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    """Each entry under the limit, together 800 KB: the limit is on what is relayed."""
    sender, watcher, client_id = pair(open_site, NETWORK_DOC, sockets, MARIA)
    state = json.dumps({"cursor": None, "note": "M" * (MAX_AWARENESS_BYTES - 100)})
    entries = [protocol.AwarenessEntry(client_id, clock, state) for clock in range(1, 201)]
    flood = protocol.encode_awareness(protocol.encode_awareness_update(entries))
    assert len(flood) > 200 * MAX_AWARENESS_BYTES - 20_000
    sender.send(NETWORK_DOC, flood)
    fence(sender, NETWORK_DOC, client_id, 500, "after the many")
    relayed = frames_until(watcher, "after the many")
    assert max(len(m) for m in relayed) <= 2 * MAX_AWARENESS_BYTES


def test_presence_past_the_burst_is_refused_per_socket_and_not_relayed(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    sender, watcher, client_id = pair(open_site, NETWORK_DOC, sockets, MARIA)
    count = MAX_AWARENESS_BURST + 30
    started = time.monotonic()
    answers = at_once(
        sender,
        NETWORK_DOC,
        [presence(client_id, n, json.dumps({"cursor": None, "n": n})) for n in range(1, count)],
    )
    elapsed = time.monotonic() - started
    limited = [a for a in answers if not a["ok"]]
    assert limited, "every presence update of the burst was accepted"
    assert {(a.get("code"), a.get("retry")) for a in limited} == {("rate_limited", True)}
    accepted = len(answers) - len(limited)
    assert accepted <= MAX_AWARENESS_BURST + MAX_AWARENESS_PER_S * elapsed + 1
    fence(sender, NETWORK_DOC, client_id, count + 1, "after the burst")
    relayed = frames_until(watcher, "after the burst")
    assert len(relayed) - 1 == accepted  # each accepted one relayed, no refused one

    other = open_site.socket(MARIA, sockets)  # the allowance is the socket's, not the person's
    other_id = other.call("join", {"doc": NETWORK_DOC})["client_id"]
    assert other.send(NETWORK_DOC, presence(other_id, 1, "{}")) == {"ok": True}


def test_a_guests_large_presence_is_not_fanned_out(
    open_site: Site, sockets: list[CollabClient], open_public: str
) -> None:
    guest, watcher, client_id = pair(open_site, open_public, sockets, None)
    huge = json.dumps({"cursor": None, "note": "G" * 900_000})
    answer = guest.send(open_public, presence(client_id, 1, huge))
    assert (answer["ok"], answer.get("code")) == (False, "too_large"), answer
    pieces = json.dumps({"cursor": None, "note": "g" * 3_000})
    entries = [protocol.AwarenessEntry(client_id, clock, pieces) for clock in range(2, 302)]
    guest.send(open_public, protocol.encode_awareness(protocol.encode_awareness_update(entries)))
    fence(guest, open_public, client_id, 400, "a guest's cursor")
    relayed = frames_until(watcher, "a guest's cursor")
    assert max(len(m) for m in relayed) <= 2 * MAX_AWARENESS_BYTES
    (entry,) = protocol.decode_awareness(protocol.decode_message(relayed[-1]).payload)
    assert json.loads(entry.state_json)["user"]["name"] == "Guest"


def updates(doc: Doc, count: int) -> list[bytes]:
    return [protocol.encode_sync_update(doc.edit([(0, 0, "u")])) for _ in range(count)]


def took(answers: list[dict[str, Any]]) -> int:
    """How many answers spent a token: every one not refused for the rate."""
    return sum(1 for a in answers if a.get("code") != "rate_limited")


def test_a_new_socket_or_a_rejoin_brings_no_fresh_update_allowance(
    open_site: Site, sockets: list[CollabClient]
) -> None:
    burst = int(OPEN_SETTINGS["WIKI_MAX_UPDATE_BURST"])
    rate = float(OPEN_SETTINGS["WIKI_MAX_UPDATES_PER_S"])
    slug, started, taken = "extractive-payments", time.monotonic(), 0
    first = open_site.socket(PRIYA, sockets)
    doc = replica(first.call("join", {"doc": slug})["client_id"])
    answers = at_once(first, slug, updates(doc, burst + 20))
    assert any(a.get("code") == "rate_limited" for a in answers)
    taken += took(answers)
    second = open_site.socket(PRIYA, sockets)  # a new socket of the same person
    taken += took(at_once(second, slug, updates(replica(join(second, slug)), burst)))
    assert first.call("leave", {"doc": slug})["ok"]  # and a rejoin of the first
    taken += took(at_once(first, slug, updates(replica(join(first, slug)), burst)))
    elapsed = time.monotonic() - started
    assert taken <= burst + rate * elapsed + 2, (taken, elapsed)

    other_person = open_site.socket(LENA, sockets)  # not someone else's allowance
    fresh = replica(join(other_person, slug))
    assert other_person.send(slug, updates(fresh, 1)[0]) == {"ok": True}
    other_doc = open_site.socket(PRIYA, sockets)  # nor the same person's on another document
    fresh = replica(join(other_doc, "beneficial-ownership"))
    assert other_doc.send("beneficial-ownership", updates(fresh, 1)[0]) == {"ok": True}


def join(client: CollabClient, slug: str) -> int:
    ack = client.call("join", {"doc": slug})
    assert ack["ok"] and ack["can_edit"], ack
    return int(ack["client_id"])


def test_two_processes_share_one_update_allowance_through_redis(
    limits_site: Site, sockets: list[CollabClient]
) -> None:
    burst = int(LIMITS_SETTINGS["WIKI_MAX_UPDATE_BURST"])
    rate = float(LIMITS_SETTINGS["WIKI_MAX_UPDATES_PER_S"])
    slug, started = "beneficial-ownership", time.monotonic()
    here = limits_site.socket(KWAME, sockets, server=0)
    there = limits_site.socket(KWAME, sockets, server=1)
    taken = took(at_once(here, slug, updates(replica(join(here, slug)), burst * 2)))
    taken += took(at_once(there, slug, updates(replica(join(there, slug)), burst * 2)))
    elapsed = time.monotonic() - started
    assert taken <= burst + rate * elapsed + 1, (taken, elapsed)


def test_guests_joins_store_nothing_and_are_limited_across_processes(
    limits_site: Site, sockets: list[CollabClient], limits_public: str
) -> None:
    instance = limits_site.instance
    burst = int(LIMITS_SETTINGS["WIKI_MAX_JOIN_BURST"])
    rate = float(LIMITS_SETTINGS["WIKI_MAX_JOINS_PER_S"])
    before = instance.client_ids(limits_public)
    guests = [limits_site.socket(None, sockets, server=n % 2) for n in range(4)]
    started = time.monotonic()
    acks: queue.Queue[dict[str, Any]] = queue.Queue()
    for _ in range(burst):
        for guest in guests:
            guest.sio.emit("join", {"doc": limits_public}, namespace=NAMESPACE, callback=acks.put)
    answers = [acks.get(timeout=WAIT_S * 3) for _ in range(burst * len(guests))]
    elapsed = time.monotonic() - started
    joined = [a for a in answers if a["ok"]]
    refused = [a for a in answers if not a["ok"]]
    assert joined and all(a["can_edit"] is False for a in joined)
    assert {(a.get("code"), a.get("retry")) for a in refused} == {("rate_limited", True)}
    assert len(joined) <= burst + rate * elapsed + 2, (len(joined), elapsed)
    assert instance.client_ids(limits_public) == before

    reviewer = limits_site.socket(REVIEWER, sockets)  # a reader signed in stores none either
    assert reviewer.call("join", {"doc": limits_public})["ok"]
    assert instance.client_ids(limits_public) == before
    editor = limits_site.socket(MARIA, sockets)  # while an editor's id is the room's to know
    join(editor, limits_public)
    assert instance.client_ids(limits_public) == before + 1


def test_a_live_edit_past_max_document_chars_is_refused_and_nothing_is_stored(
    limits_site: Site, sockets: list[CollabClient]
) -> None:
    limit, slug = int(LIMITS_SETTINGS["WIKI_MAX_DOCUMENT_CHARS"]), "ask-lobbying-register"
    instance = limits_site.instance
    writer = limits_site.socket(KWAME, sockets, server=0)
    watcher = limits_site.socket(ALEX, sockets, server=1)
    doc = replica(join(writer, slug))
    writer.sync(slug, doc)
    assert watcher.call("join", {"doc": slug})["ok"]
    room = limit - len(doc.text())
    stored = instance.log_length(slug)

    filling = doc.edit([(0, 0, "a" * (room - 5))])
    assert writer.send(slug, protocol.encode_sync_update(filling)) == {"ok": True}
    over = writer.send(slug, protocol.encode_sync_update(doc.edit([(0, 0, "<over>")])))
    assert (over["ok"], over.get("code"), over.get("retry")) == (False, "too_large", False), over
    assert f"{limit:,}" in over["error"]
    assert instance.log_length(slug) == stored + 1

    other = limits_site.socket(MARIA, sockets, server=1)  # the other process's room
    theirs = replica(join(other, slug))
    other.sync(slug, theirs)
    assert len(theirs.text()) == limit - 5 and "<over>" not in theirs.text()
    filled = protocol.encode_sync_update(theirs.edit([(0, 0, "ccccc")]))
    assert other.send(slug, filled) == {"ok": True}  # exactly the limit
    past = other.send(slug, protocol.encode_sync_update(theirs.edit([(0, 0, "<x>")])))
    assert (past["ok"], past.get("code")) == (False, "too_large"), past
    assert instance.log_length(slug) == stored + 2
    text = instance.stored_text(slug)
    assert len(text) == limit and "<over>" not in text and "<x>" not in text
    seen = b"".join(frames_until(watcher, "ccccc"))
    assert b"<over>" not in seen and b"<x>" not in seen
