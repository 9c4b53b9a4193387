"""What a room stored in one batch reaches the document's sockets as one frame."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from crdt import STORED_ELSEWHERE, Stored, protocol
from crdt.engine import get_engine
from wiki.documents.service import create_document
from wiki.extensions import db, socketio
from wiki.live import NAMESPACE, broadcast_stored
from wiki.people.directory import find_organisation

Watcher = tuple[SocketIOTestClient, int]


@pytest.fixture
def watcher(app: Flask, as_person: Any) -> Iterator[Watcher]:
    """A socket joined to a fresh document, with what it received on joining read."""
    with app.app_context():
        owner = find_organisation("Cabinet Office")
        assert owner is not None
        doc = create_document("plan", "Plan", "page", owner, "network", [], max_chars=10_000)
        db.session.commit()
        doc_id = doc.id
    http = as_person("gov@example.org").client
    client = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=http)
    assert client.emit("join", {"doc": "plan"}, namespace=NAMESPACE, callback=True)["ok"]
    client.get_received(NAMESPACE)
    yield client, doc_id
    client.disconnect(namespace=NAMESPACE)


def updates_received(client: SocketIOTestClient) -> list[bytes]:
    messages = [
        protocol.decode_message(packet["args"][0]["msg"])
        for packet in client.get_received(NAMESPACE)
        if packet["name"] == "frame"
    ]
    return [m.payload for m in messages if m.subtype == protocol.SYNC_UPDATE]


def two_writers() -> list[bytes]:
    """Two people's updates, the second typed after the first."""
    engine = get_engine()
    first, second = engine.new_doc(101), engine.new_doc(202)
    typed = first.edit([(0, 0, "We will publish. ")])
    second.apply_update(typed)
    return [typed, second.edit([(17, 0, "Every year.")])]


def test_a_batch_from_several_sockets_arrives_as_one_update_holding_all(
    watcher: Watcher,
) -> None:
    client, doc_id = watcher
    app = client.app
    typed = two_writers()
    batch = [Stored(1, typed[0], "one-socket"), Stored(2, typed[1], STORED_ELSEWHERE)]
    broadcast_stored(app, doc_id, batch)
    received = updates_received(client)
    assert len(received) == 1
    replica = get_engine().new_doc()
    replica.apply_update(received[0])
    assert replica.text() == "We will publish. Every year."


def test_a_lone_update_goes_to_everyone_but_its_sender(watcher: Watcher) -> None:
    client, doc_id = watcher
    app = client.app
    own_sid = socketio.server.manager.sid_from_eio_sid(client.eio_sid, NAMESPACE)
    typed = two_writers()
    broadcast_stored(app, doc_id, [Stored(1, typed[0], own_sid)])
    assert updates_received(client) == []
    broadcast_stored(app, doc_id, [Stored(2, typed[1], "another-socket")])
    assert updates_received(client) == [typed[1]]
