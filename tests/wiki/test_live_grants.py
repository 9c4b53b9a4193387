"""Access withdrawn in the middle of a join: the socket stays out, whatever the join had read.

The race of issue 19, item 1, placed exactly: the policy has answered a join, and before the
socket is registered the owner withdraws the share through the real route. The join's own
database session still holds the document with its share as it read it a moment before;
asking again from that copy would hand the socket a grant of the new epoch, and every later
frame with it. ``tests/protocol/test_live_revocation.py`` races the same over real sockets.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask

from crdt import protocol
from crdt.engine import get_engine
from tests.wiki.test_policy import make_document
from wiki.extensions import db, socketio
from wiki.live import NAMESPACE
from wiki.live import namespace as live_namespace
from wiki.live.state import Grant
from wiki.storage.models import Document, Person

SHARED_WITH = "cso@example.org"  # Open Data Charity: view grant on the restricted draft
OWNER = "gov@example.org"  # Cabinet Office: owns it, may edit
ADMIN = "admin@example.org"


def share_id(app: Flask, slug: str) -> int:
    with app.app_context():
        doc = db.session.scalars(db.select(Document).where(Document.slug == slug)).one()
        (share,) = [s for s in doc.shares if s.organisation is not None]
        return share.id


def person_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalars(db.select(Person.id).where(Person.email == email)).one()


# How access goes, as (who acts, form page, action, form fields); {share} and {person} filled in.
WITHDRAWALS = {
    "share withdrawn": (OWNER, "/{slug}/sharing", "/{slug}/sharing/grants/{share}/remove", {}),
    "made private": (
        OWNER,
        "/{slug}/sharing",
        "/{slug}/sharing/visibility",
        {"visibility": "private"},
    ),
    "account disabled": (ADMIN, "/-/admin/people", "/-/admin/people/{person}/active", {}),
}


@pytest.mark.parametrize("withdrawal", list(WITHDRAWALS))
def test_access_withdrawn_while_a_join_is_answered_keeps_the_socket_out(
    app: Flask,
    as_person: Any,
    monkeypatch: pytest.MonkeyPatch,
    withdrawal: str,
) -> None:
    with app.app_context():
        slug = make_document("restricted")
    who, form, action, fields = WITHDRAWALS[withdrawal]
    names = {"slug": slug, "share": share_id(app, slug), "person": person_id(app, SHARED_WITH)}
    actor = as_person(who)
    writer = socketio.test_client(
        app, namespace=NAMESPACE, flask_test_client=as_person(OWNER).client
    )
    joined = writer.emit("join", {"doc": slug}, namespace=NAMESPACE, callback=True)
    assert joined["ok"] and joined["can_edit"]

    answered = live_namespace.grant_for
    statuses: list[int] = []

    def withdraw() -> None:
        url = action.format(**names)
        statuses.append(actor.submit(form.format(**names), fields, action=url).status_code)

    def withdrawn_meanwhile(person: Person | None, doc: Document, epoch: int) -> Grant:
        grant = answered(person, doc, epoch)  # the policy said: may view
        request = threading.Thread(target=withdraw)  # another request, as on the server
        request.start()
        request.join()
        return grant

    monkeypatch.setattr(live_namespace, "grant_for", withdrawn_meanwhile)
    http = as_person(SHARED_WITH).client
    reader = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=http)
    answer = reader.emit("join", {"doc": slug}, namespace=NAMESPACE, callback=True)
    assert statuses == [302]
    if not reader.is_connected(NAMESPACE):
        return  # closed with the person's sessions: nothing more can reach it
    assert answer["ok"] is False and answer["code"] == "not_found", answer
    reader.get_received(NAMESPACE)

    update = get_engine().new_doc(joined["client_id"]).edit([(0, 0, "Written after. ")])
    frame = {"doc": slug, "msg": protocol.encode_sync_update(update)}
    assert writer.emit("frame", frame, namespace=NAMESPACE, callback=True) == {"ok": True}
    sent = [p for p in reader.get_received(NAMESPACE) if p["name"] == "frame"]
    assert sent == []
