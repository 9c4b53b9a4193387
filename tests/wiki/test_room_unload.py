"""Rooms come and go: an idle room is checkpointed and unloaded, and reloads with everything."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from tests.wiki.conftest import FAST_HASHING, Browser, seed_cast
from tests.wiki.history_helpers import alternating_live_edits, live_edit, make_document, write
from wiki import create_app
from wiki.documents import content
from wiki.documents.service import find_document
from wiki.extensions import db, socketio
from wiki.history import service as history
from wiki.live import NAMESPACE
from wiki.storage.models import AttributionCheckpoint, Checkpoint, UpdateRecord

IDLE_S = 0.4
UNLOAD_WAIT_S = 15.0
GOV, CSO = "gov@example.org", "cso@example.org"


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    """The test app, with rooms that unload after ``IDLE_S`` without work or sockets."""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "ROOM_IDLE_S": IDLE_S,
            **FAST_HASHING,
        }
    )
    with app.app_context():
        upgrade()
        seed_cast()
    yield app
    with app.app_context():
        content.hub().close()
        db.engine.dispose()
    gc.collect()


def doc_id(app: Flask, slug: str) -> int:
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        return doc.id


def room_threads(doc: int) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"room-{doc}"]


def wait_unloaded(app: Flask, doc: int) -> None:
    """Wait until the document's room is closed and its worker thread has ended."""
    deadline = time.monotonic() + UNLOAD_WAIT_S
    while doc in content_hub(app).open_rooms() or room_threads(doc):
        assert time.monotonic() < deadline, "the idle room was not unloaded"
        time.sleep(0.05)


def content_hub(app: Flask) -> Any:
    with app.app_context():
        return content.hub()


def everything(app: Flask, slug: str) -> dict[str, Any]:
    """What a reader sees of the document: text, revisions, attribution, paragraphs."""
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        now = history.current(doc)
        return {
            "text": content.read_text(doc),
            "seq": now.seq,
            "attributed_text": now.text,
            "attribution": now.attribution.to_bytes(),
            "revisions": [
                (r.number, r.person_id, r.organisation_id, r.first_seq, r.last_seq, r.inserted)
                for r in history.revisions(doc)
            ],
            "paragraphs": [(p.id, p.text, p.shares) for p in history.paragraphs(doc)],
        }


def test_an_idle_room_is_unloaded_and_reloads_with_text_attribution_and_history(
    app: Flask,
) -> None:
    make_document(app, "plan", "Cabinet Office", grants=[("Open Data Charity", None, "edit")])
    lines = [
        f"Line {i} by {'government' if i % 2 == 0 else 'civil society'}.\n\n" for i in range(6)
    ]
    alternating_live_edits(app, "plan", [GOV, CSO], lines)
    before = everything(app, "plan")
    assert len(before["revisions"]) == 6 and before["text"][0] == "".join(lines)
    doc = doc_id(app, "plan")
    assert doc in content_hub(app).open_rooms() and room_threads(doc)

    wait_unloaded(app, doc)

    with app.app_context():
        head = db.session.scalar(
            select(func.max(UpdateRecord.seq)).where(UpdateRecord.document_id == doc)
        )
        checkpoints = db.session.scalars(
            select(Checkpoint.seq).where(Checkpoint.document_id == doc)
        )
        history_checkpoints = db.session.scalars(
            select(AttributionCheckpoint.seq).where(AttributionCheckpoint.document_id == doc)
        )
        assert head in set(checkpoints), "no checkpoint of the text at the head"
        assert head in set(history_checkpoints), "no checkpoint of the attribution at the head"
    assert everything(app, "plan") == before
    assert doc in content_hub(app).open_rooms()

    # The reloaded room goes on where it stopped: the last writer's next edit, within the
    # pause, continues their open revision, as it would have without the unload.
    seq = live_edit(app, "plan", CSO, [(0, 0, "Preamble.\n\n")])
    assert seq == before["seq"] + 1
    after = everything(app, "plan")
    assert after["text"][0] == "Preamble.\n\n" + before["text"][0]
    assert after["revisions"][:-1] == before["revisions"][:-1]
    number, person_id, organisation_id, first_seq, _last, inserted = before["revisions"][-1]
    assert after["revisions"][-1] == (
        number,
        person_id,
        organisation_id,
        first_seq,
        seq,
        inserted + len("Preamble.\n\n"),
    )


def test_a_room_followed_by_a_socket_stays_open(app: Flask, as_person: Any) -> None:
    make_document(app, "plan", "Cabinet Office")
    write(app, "plan", GOV, "We will publish.")
    doc = doc_id(app, "plan")
    http = as_person(GOV).client
    client = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=http)
    assert client.emit("join", {"doc": "plan"}, namespace=NAMESPACE, callback=True)["ok"]
    time.sleep(IDLE_S * 5)
    assert doc in content_hub(app).open_rooms() and room_threads(doc)
    client.disconnect(namespace=NAMESPACE)
    wait_unloaded(app, doc)


def test_search_reads_stored_text_without_opening_rooms(app: Flask, browser: Browser) -> None:
    make_document(app, "plan", "Cabinet Office")
    write(app, "plan", GOV, "Beneficial ownership registers.")
    doc = doc_id(app, "plan")
    wait_unloaded(app, doc)
    browser.login(GOV)
    page = browser.get("/-/search?q=ownership").get_data(as_text=True)
    assert "/plan" in page
    assert doc not in content_hub(app).open_rooms() and not room_threads(doc)
