"""The public ``/collab`` contract, spoken by a plain python-socketio client."""

from __future__ import annotations

import base64
import json
import queue
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from crdt import Doc, protocol
from tests.browser.conftest import LiveServer
from tests.harness.client import NAMESPACE, CollabClient, replica, signed_in_session
from tests.protocol.instances import close_at_once

NOT_FOUND = {
    "ok": False,
    "code": "not_found",
    "error": "There is no such document, or you do not have access to it.",
    "retry": False,
}
READ_ONLY = {
    "ok": False,
    "code": "read_only",
    "error": "You can view this document but not edit it.",
    "retry": False,
}
EDITOR = "maria@civilsociety.example.org"  # Civil Society Network: owns the notes and the annex
GOV = "alex@cabinet.example.gov"  # Cabinet Office Transparency Team: owns final-draft
REVIEWER = "jo@integrity.example.org"  # Integrity Watch, not shared with final-draft
BUSINESS = "priya@business.example.gov"  # Department for Business and Trade: edits final-draft
PWYP = "lena@pwyp.example.org"  # Publish What You Pay Coalition: edits extractive-payments
KWAME = "kwame@openownership.example.org"  # Open Ownership Network: comments on final-draft


@pytest.fixture
def clients(live_server: LiveServer) -> Iterator[list[CollabClient]]:
    made: list[CollabClient] = []
    yield made
    for client in made:
        close_at_once(client)


def connect(
    server: LiveServer, made: list[CollabClient], email: str | None, transport: str = "websocket"
) -> CollabClient:
    http = signed_in_session(server.url, email, server.accounts[email]) if email else None
    client = CollabClient(server.url, http, transport)
    made.append(client)
    return client


def raw(server: LiveServer, email: str, slug: str) -> str:
    http = signed_in_session(server.url, email, server.accounts[email])
    return http.get(server.url_for(f"/{slug}/raw"), timeout=10).text


def synced_pair(
    server: LiveServer, made: list[CollabClient], writer_transport: str, reader_transport: str
) -> tuple[CollabClient, CollabClient, Doc, Doc]:
    """Two people who may edit the commitment, joined and synced: sockets and replicas."""
    writer = connect(server, made, BUSINESS, writer_transport)
    reader = connect(server, made, KWAME, reader_transport)
    acks = [client.call("join", {"doc": "beneficial-ownership"}) for client in (writer, reader)]
    w_doc, r_doc = (replica(ack["client_id"]) for ack in acks)
    writer.sync("beneficial-ownership", w_doc)
    reader.sync("beneficial-ownership", r_doc)
    return writer, reader, w_doc, r_doc


def test_join_sync_and_edit_reach_the_stored_document(live_server, clients) -> None:  # type: ignore[no-untyped-def]
    client = connect(live_server, clients, EDITOR)
    ack = client.call("join", {"doc": "meeting-notes-14-may"})
    assert ack["ok"] is True and ack["can_edit"] is True and isinstance(ack["client_id"], int)
    doc = replica(ack["client_id"])
    client.sync("meeting-notes-14-may", doc)
    assert doc.text() == raw(live_server, EDITOR, "meeting-notes-14-may")
    update = doc.edit([(0, 0, "Protocol test line.\n\n")])
    assert client.send("meeting-notes-14-may", protocol.encode_sync_update(update)) == {"ok": True}
    assert raw(live_server, EDITOR, "meeting-notes-14-may").startswith("Protocol test line.")


def test_update_is_broadcast_to_the_other_clients_over_both_transports(
    live_server, clients
) -> None:  # type: ignore[no-untyped-def]
    writer, reader, w_doc, r_doc = synced_pair(live_server, clients, "websocket", "polling")
    update = w_doc.edit([(0, 0, "Broadcast! ")])
    assert writer.send("beneficial-ownership", protocol.encode_sync_update(update))["ok"]
    message = reader.next_frame()
    assert (message.kind, message.subtype) == ("sync", protocol.SYNC_UPDATE)
    r_doc.apply_update(message.payload)
    assert r_doc.text() == w_doc.text()


def test_an_update_sent_as_base64_text_is_checked_stored_and_broadcast_as_binary(
    live_server, clients
) -> None:  # type: ignore[no-untyped-def]
    writer, reader, w_doc, r_doc = synced_pair(live_server, clients, "polling", "websocket")

    def as_text(update: bytes) -> dict[str, str]:
        msg = protocol.encode_sync_update(update)
        return {"doc": "beneficial-ownership", "msg_base64": base64.b64encode(msg).decode()}

    forged = replica(r_doc.client_id).edit([(0, 0, "Forged in text. ")])
    assert writer.call("frame", as_text(forged))["code"] == "forged"
    assert writer.call("frame", as_text(w_doc.edit([(0, 0, "Sent as text. ")]))) == {"ok": True}
    message = reader.next_frame()
    assert (message.kind, message.subtype) == ("sync", protocol.SYNC_UPDATE)
    r_doc.apply_update(message.payload)
    assert r_doc.text() == w_doc.text()
    assert raw(live_server, EDITOR, "beneficial-ownership").startswith("Sent as text. ")


def test_unknown_and_hidden_documents_answer_the_same_error(live_server, clients) -> None:  # type: ignore[no-untyped-def]
    reviewer = connect(live_server, clients, REVIEWER)
    anonymous = connect(live_server, clients, None)
    for client, slug in (
        (reviewer, "no-such-document"),
        (reviewer, "final-draft"),
        (anonymous, "meeting-notes-14-may"),
        (anonymous, "no-such-document"),
    ):
        assert client.call("join", {"doc": slug}) == NOT_FOUND
        assert client.send(slug, protocol.encode_sync_step1(b"\x00")) == NOT_FOUND


def test_anonymous_people_may_follow_public_documents_read_only(
    live_server, clients, public_doc
) -> None:  # type: ignore[no-untyped-def]
    anonymous = connect(live_server, clients, None)
    ack = anonymous.call("join", {"doc": public_doc})
    assert ack["ok"] is True and ack["can_edit"] is False and ack["can_comment"] is False
    doc = replica(ack["client_id"])
    assert anonymous.send(public_doc, protocol.encode_sync_step1(doc.state_vector()))["ok"]
    doc.apply_update(anonymous.next_frame().payload)
    assert "Why this plan" in doc.text()
    refused = anonymous.send(public_doc, protocol.encode_sync_update(doc.edit([(0, 0, "x")])))
    assert refused == READ_ONLY


def test_reviewer_updates_are_refused_and_change_nothing(live_server, clients) -> None:  # type: ignore[no-untyped-def]
    reviewer = connect(live_server, clients, REVIEWER)
    ack = reviewer.call("join", {"doc": "meeting-notes-14-may"})
    assert ack["ok"] is True and ack["can_edit"] is False
    before = raw(live_server, EDITOR, "meeting-notes-14-may")
    update = replica(ack["client_id"]).edit([(0, 0, "Reviewer was here. ")])
    refused = reviewer.send("meeting-notes-14-may", protocol.encode_sync_update(update))
    assert refused == READ_ONLY
    assert raw(live_server, EDITOR, "meeting-notes-14-may") == before


def test_update_under_a_foreign_client_id_is_refused(live_server, clients) -> None:  # type: ignore[no-untyped-def]
    victim = connect(live_server, clients, BUSINESS)  # both may edit extractive-payments
    forger = connect(live_server, clients, PWYP)
    victim_id = victim.call("join", {"doc": "extractive-payments"})["client_id"]
    forger.call("join", {"doc": "extractive-payments"})
    before = raw(live_server, EDITOR, "extractive-payments")
    forged = replica(victim_id).edit([(0, 0, "Forged words. ")])
    refused = forger.send("extractive-payments", protocol.encode_sync_update(forged))
    assert (refused["ok"], refused["code"], refused["retry"]) == (False, "forged", False)
    assert str(victim_id) in refused["error"] and "another" in refused["error"]
    assert raw(live_server, EDITOR, "extractive-payments") == before


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_two_megabyte_frame_is_refused_and_the_connection_stays(  # type: ignore[no-untyped-def]
    live_server, clients, transport
) -> None:
    # A big paste: twice the update limit. Refused with a reason, never a dropped socket
    # (on which the client would send it again, and again, on every reconnect).
    client = connect(live_server, clients, EDITOR, transport)
    ack = client.call("join", {"doc": "ask-lobbying-register"})
    before = raw(live_server, EDITOR, "ask-lobbying-register")
    doc = replica(ack["client_id"])
    paste = doc.edit([(0, 0, "x" * (2 * 1024 * 1024))])
    refused = client.send("ask-lobbying-register", protocol.encode_sync_update(paste))
    assert refused["code"] == "too_large" and refused["retry"] is False
    assert client.sio.connected
    assert client.call("leave", {"doc": "ask-lobbying-register"})["ok"]
    assert raw(live_server, EDITOR, "ask-lobbying-register") == before


def test_oversized_and_malformed_frames_are_refused_with_a_reason(live_server, clients) -> None:  # type: ignore[no-untyped-def]
    client = connect(live_server, clients, EDITOR)
    ack = client.call("join", {"doc": "ask-lobbying-register"})
    before = raw(live_server, EDITOR, "ask-lobbying-register")
    big = replica(ack["client_id"]).edit([(0, 0, "x" * (1024 * 1024 + 10))])
    refused = client.send("ask-lobbying-register", protocol.encode_sync_update(big))
    assert refused["code"] == "too_large" and "limit" in refused["error"]
    garbage = client.send("ask-lobbying-register", protocol.encode_sync_update(b"\x05\xff\xff"))
    assert garbage["code"] == "malformed" and "malformed" in garbage["error"]
    not_binary = client.call("frame", {"doc": "ask-lobbying-register", "msg": "text"})
    assert not_binary["code"] == "malformed"
    assert raw(live_server, EDITOR, "ask-lobbying-register") == before


def test_awareness_identity_is_set_by_the_server(live_server, clients) -> None:  # type: ignore[no-untyped-def]
    sender = connect(live_server, clients, EDITOR)
    watcher = connect(live_server, clients, GOV)
    s_id = sender.call("join", {"doc": "anti-corruption-plan"})["client_id"]
    watcher.call("join", {"doc": "anti-corruption-plan"})
    forged = {
        "user": {"name": "The Minister", "organisation": "Cabinet", "kind": "government"},
        "cursor": None,
    }
    update = protocol.encode_awareness_update(
        [protocol.AwarenessEntry(s_id, 1, json.dumps(forged))]
    )
    assert sender.send("anti-corruption-plan", protocol.encode_awareness(update))["ok"]
    message = watcher.next_frame()
    assert message.kind == "awareness"
    (entry,) = protocol.decode_awareness(message.payload)
    user = json.loads(entry.state_json)["user"]
    assert user["name"] == "Maria Santos"
    assert user["organisation"] == "Civil Society Network"
    assert user["kind"] == "civil_society"


def test_logging_out_disconnects_open_sockets(live_server, clients) -> None:  # type: ignore[no-untyped-def]
    http = signed_in_session(live_server.url, GOV, live_server.accounts[GOV])
    client = CollabClient(live_server.url, http)
    clients.append(client)
    assert client.call("join", {"doc": "plan-narrative"})["ok"]
    home = http.get(live_server.url_for("/"), timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', home)
    assert token
    http.post(live_server.url_for("/logout"), data={"csrf_token": token.group(1)}, timeout=10)
    deadline = time.monotonic() + 5
    while client.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not client.sio.connected


def test_withdrawing_a_share_disconnects_the_socket_at_once(live_server, clients) -> None:  # type: ignore[no-untyped-def]
    owner = signed_in_session(live_server.url, GOV, live_server.accounts[GOV])
    member = connect(live_server, clients, KWAME)
    assert member.call("join", {"doc": "final-draft"})["ok"] is True
    sharing = owner.get(live_server.url_for("/final-draft/sharing"), timeout=10).text
    share_id = re.search(
        r'action="/final-draft/sharing/grants/(\d+)/remove"[^<]*<input[^>]*value="([^"]+)"'
        r"[^<]*<button[^>]*>Withdraw<span[^>]*> access of Open Ownership Network",
        sharing,
    )
    assert share_id, "the sharing page lists the Open Ownership Network grant"
    try:
        owner.post(
            live_server.url_for(f"/final-draft/sharing/grants/{share_id.group(1)}/remove"),
            data={"csrf_token": share_id.group(2)},
            timeout=10,
        )
        deadline = time.monotonic() + 5
        while member.sio.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not member.sio.connected
        again = connect(live_server, clients, KWAME)
        assert again.call("join", {"doc": "final-draft"}) == NOT_FOUND
    finally:  # the demo's grant back, for the tests after this one
        set_access(live_server, owner, "Open Ownership Network", "comment")


def test_turning_a_grant_to_view_only_refuses_the_next_update_and_keeps_the_socket(
    live_server, clients
) -> None:  # type: ignore[no-untyped-def]
    owner = signed_in_session(live_server.url, GOV, live_server.accounts[GOV])
    member = connect(live_server, clients, BUSINESS)
    ack = member.call("join", {"doc": "final-draft"})
    assert ack["ok"] is True and ack["can_edit"] is True
    doc = replica(ack["client_id"])
    member.sync("final-draft", doc)
    first = member.send("final-draft", protocol.encode_sync_update(doc.edit([(0, 0, "Agreed. ")])))
    assert first == {"ok": True}  # the socket now holds the policy's answer: may edit

    set_access(live_server, owner, "Department for Business and Trade", "view")
    try:
        late = doc.edit([(0, 0, "Too late. ")])
        refused = member.send("final-draft", protocol.encode_sync_update(late))
        assert refused == READ_ONLY
        assert member.sio.connected  # viewing is still allowed
        text = raw(live_server, GOV, "final-draft")
        assert "Agreed. " in text and "Too late. " not in text
    finally:
        set_access(live_server, owner, "Department for Business and Trade", "edit")


def set_access(server: LiveServer, owner: Any, organisation: str, access: str) -> None:
    """Give ``organisation`` ``access`` to final-draft (new or changed grant), as its owner."""
    page = owner.get(server.url_for("/final-draft/sharing"), timeout=10).text
    form = re.search(r'action="/final-draft/sharing/grants".*?</form>', page, re.S)
    assert form, "the sharing page has the grant form"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.group(0))
    grantee = re.search(
        rf'<option[^>]*value="(org:\d+)"[^>]*>{re.escape(organisation)} \(organisation\)',
        form.group(0),
    )
    assert token and grantee
    answer = owner.post(
        server.url_for("/final-draft/sharing/grants"),
        data={"csrf_token": token.group(1), "grantee": grantee.group(1), "access": access},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]


def test_late_joiners_and_awareness_queries_get_everyone_present(live_server, clients) -> None:  # type: ignore[no-untyped-def]
    present = connect(live_server, clients, EDITOR)
    p_id = present.call("join", {"doc": "extractive-payments"})["client_id"]
    state = json.dumps({"cursor": None})
    update = protocol.encode_awareness_update([protocol.AwarenessEntry(p_id, 1, state)])
    assert present.send("extractive-payments", protocol.encode_awareness(update))["ok"]
    late = connect(live_server, clients, GOV)
    assert late.call("join", {"doc": "extractive-payments"})["ok"]
    for message in (late.next_frame(), None):
        if message is None:
            assert late.send("extractive-payments", protocol.encode_query_awareness())["ok"]
            message = late.next_frame()
        assert message.kind == "awareness"
        (entry,) = protocol.decode_awareness(message.payload)
        assert entry.client_id == p_id
        assert json.loads(entry.state_json)["user"]["name"] == "Maria Santos"


def test_a_flood_of_updates_is_refused_past_the_rate_limit_and_resent_without_loss(
    live_server, clients
) -> None:  # type: ignore[no-untyped-def]
    slug = "anti-corruption-plan"
    client = connect(live_server, clients, EDITOR)
    doc = replica(client.call("join", {"doc": slug})["client_id"])
    client.sync(slug, doc)
    acks: queue.Queue[dict[str, Any]] = queue.Queue()
    flood = [doc.edit([(0, 0, "x")]) for _ in range(600)]  # three times the burst allowed
    for update in flood:  # all at once, without waiting for acknowledgements
        client.sio.emit(
            "frame",
            {"doc": slug, "msg": protocol.encode_sync_update(update)},
            namespace=NAMESPACE,
            callback=acks.put,
        )
    answers = [acks.get(timeout=30) for _ in flood]
    limited = [a for a in answers if not a["ok"] and a["error"].startswith("Too many edits")]
    assert limited, answers[-3:]
    assert all(a["retry"] is True and a["code"] == "rate_limited" for a in limited)
    assert limited[0]["error"] == (
        "Too many edits at once (the limit is 50 a second); the editor resends them."
    )
    time.sleep(0.5)  # the allowance refills; a sync sends everything the server lacks at once
    client.sync(slug, doc)
    assert raw(live_server, EDITOR, slug) == doc.text()
    assert doc.text().startswith("x" * 600)


def test_a_socket_from_another_origin_is_refused(live_server) -> None:  # type: ignore[no-untyped-def]
    http = signed_in_session(live_server.url, EDITOR, live_server.accounts[EDITOR])
    foreign = socketio.Client(http_session=http, reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(
            live_server.url,
            namespaces=[NAMESPACE],
            transports=["polling"],
            headers={"Origin": "http://drafts.example.net"},
            wait_timeout=10,
        )
    same = socketio.Client(http_session=http, reconnection=False)
    same.connect(
        live_server.url,
        namespaces=[NAMESPACE],
        transports=["polling"],
        headers={"Origin": live_server.url},
        wait_timeout=10,
    )
    assert same.connected
    same.disconnect()
