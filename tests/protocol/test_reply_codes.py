"""Every kind of bad frame gets its own code, and only the passing troubles say retry."""

from __future__ import annotations

from typing import Any

from crdt import protocol
from tests.browser.conftest import LiveServer
from tests.crdt.update_helpers import SKIP, STRING, item, text, uints, update
from tests.harness.client import CollabClient, replica
from tests.protocol.test_collab_protocol import EDITOR, connect, raw

DOC = "ask-lobbying-register"


def code(reply: dict[str, Any]) -> tuple[bool, str, bool]:
    return reply["ok"], reply["code"], reply["retry"]


def joined(server: LiveServer, made: list[CollabClient]) -> tuple[CollabClient, int]:
    client = connect(server, made, EDITOR)
    ack = client.call("join", {"doc": DOC})
    assert ack["ok"] is True and ack["can_edit"] is True
    return client, ack["client_id"]


def test_events_for_documents_not_joined_or_not_there(live_server, sockets) -> None:  # type: ignore[no-untyped-def]
    client = connect(live_server, sockets, EDITOR)
    step1 = protocol.encode_sync_step1(b"\x00")
    assert code(client.send(DOC, step1)) == (False, "not_joined", False)
    assert code(client.call("leave", {"doc": DOC})) == (False, "not_joined", False)
    assert code(client.call("join", {"doc": "no-such-plan"})) == (False, "not_found", False)
    assert code(client.send("no-such-plan", step1)) == (False, "not_found", False)


def test_frames_that_break_the_rules_are_malformed_and_change_nothing(live_server, sockets) -> None:  # type: ignore[no-untyped-def]
    client, client_id = joined(live_server, sockets)
    before = raw(live_server, EDITOR, DOC)
    abc = item(STRING, text("abc"))

    def own(structs: list[bytes]) -> bytes:
        return protocol.encode_sync_update(update([(client_id, 0, structs)]))

    frames = {
        "not binary": {"doc": DOC, "msg": "a string"},
        "text beside a msg not binary": {"doc": DOC, "msg": "a string", "msg_base64": "AAAA"},
        "text not base64": {"doc": DOC, "msg_base64": "not base64!"},
        "text not ASCII": {"doc": DOC, "msg_base64": "AAé="},
        "base64 not text": {"doc": DOC, "msg_base64": b"AAAA"},
        "base64 of no message": {"doc": DOC, "msg_base64": "CQk="},
        "not a y-protocols message": {"doc": DOC, "msg": b"\x09\x09"},
        "not an update": {"doc": DOC, "msg": protocol.encode_sync_update(b"\x05\xff\xff")},
        # Structs after a Skip over clocks of its own that the server never had.
        "a hole in its own clock": {"doc": DOC, "msg": own([bytes([SKIP]) + uints(2), abc])},
        "content outside the text": {"doc": DOC, "msg": own([item(STRING, text("x"), "other")])},
    }
    for name, frame in frames.items():
        assert code(client.call("frame", frame)) == (False, "malformed", False), name
    assert raw(live_server, EDITOR, DOC) == before


def test_an_update_before_the_one_it_builds_on_is_kept_for_later(live_server, sockets) -> None:  # type: ignore[no-untyped-def]
    client, client_id = joined(live_server, sockets)
    doc = replica(client_id)
    client.sync(DOC, doc)
    first = doc.edit([(0, 0, "First. ")])
    second = doc.edit([(7, 0, "Second. ")])
    refused = client.send(DOC, protocol.encode_sync_update(second))
    assert code(refused) == (False, "missing_dependency", True)
    assert client.send(DOC, protocol.encode_sync_update(first))["ok"] is True
    assert client.send(DOC, protocol.encode_sync_update(second))["ok"] is True
    assert raw(live_server, EDITOR, DOC).startswith("First. Second. ")
