"""The coordinator and the admin read no draft that is not theirs, but for an audited emergency."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from crdt import protocol
from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import make_document, page, text_only, write
from wiki.extensions import db, socketio
from wiki.live import NAMESPACE
from wiki.storage.models import AuditEvent, BreakGlass, Person
from wiki.storage.models.types import utcnow

AsPerson = Callable[[str], Browser]
GOV, CSO, TREASURY = "gov@example.org", "cso@example.org", "treasury@example.org"
COORDINATOR, ADMIN = "coordinator@example.org", "admin@example.org"
READ = "/-/admin/emergency-read"
REASON = "The owner reported a leak of this draft and asked us to check what it says."
TEXT = "# Strategy\n\nOur private negotiating position.\n"


def hidden_drafts(app: Flask) -> None:
    make_document(app, "strategy", "Open Data Charity", "private", title="CSO strategy")
    make_document(
        app, "draft", "Cabinet Office", "restricted", grants=[("Open Data Charity", None, "view")]
    )
    write(app, "strategy", CSO, TEXT)
    write(app, "draft", GOV, TEXT)


def reads(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(BreakGlass).order_by(BreakGlass.id))
        return [(str(row.person_id), row.reason) for row in rows]


@pytest.mark.parametrize("email", [COORDINATOR, ADMIN])
def test_neither_the_coordinator_nor_the_admin_reads_a_draft_not_shared_with_them(
    app: Flask, as_person: AsPerson, email: str
) -> None:
    hidden_drafts(app)
    staff = as_person(email)
    for slug in ("strategy", "draft"):
        for suffix in ("", "/raw", "/history", "/attribution", "/audit", "/sharing"):
            assert staff.get(f"/{slug}{suffix}").status_code == 404, (slug, suffix)
        assert "CSO strategy" not in page(staff, "/")
        assert staff.get("/api/docs").get_json() == []


def test_an_emergency_read_needs_a_written_reason(app: Flask, as_person: AsPerson) -> None:
    hidden_drafts(app)
    coordinator = as_person(COORDINATOR)
    for reason, error in (("", "Write why you must read it."), ("Just curious", "20 to 2,000")):
        refused = coordinator.submit(READ, {"address": "strategy", "reason": reason})
        assert refused.status_code == 400
        assert error in refused.get_data(as_text=True)
    assert reads(app) == []
    assert coordinator.get("/strategy").status_code == 404
    # Only the people who run the instance have the form at all.
    for email in (GOV, CSO):
        assert as_person(email).get(READ).status_code == 404


def test_an_emergency_read_is_audited_read_only_and_shown_to_the_owner(
    app: Flask, as_person: AsPerson
) -> None:
    hidden_drafts(app)
    coordinator = as_person(COORDINATOR)
    response = coordinator.submit(READ, {"address": "strategy", "reason": REASON})
    assert response.status_code == 302 and response.headers["Location"] == "/strategy"
    assert "Our private negotiating position." in page(coordinator, "/strategy")
    # A read, never a change.
    refused = coordinator.submit("/strategy/edit", {"text": "# Mine\n", "base": 0})
    assert refused.status_code == 403
    assert coordinator.get("/strategy/sharing").status_code == 404
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "break-glass")
        ).all()
        assert [(row.detail, row.person_id is not None) for row in rows] == [(REASON, True)]
    # The owner organisation sees who read it, when and why, on the page and the audit log.
    notice = "Read by the coordinator Cora Coordinator, Forum Secretariat on"
    for url in ("/strategy", "/strategy/audit"):
        seen = " ".join(text_only(page(as_person(CSO), url)).split())
        assert notice in seen and f"reason “{REASON}”" in seen, url
    # Someone else granted nothing learns nothing; the other draft stays closed.
    assert as_person(TREASURY).get("/strategy").status_code == 404
    assert coordinator.get("/draft").status_code == 404


def test_an_emergency_read_ends_and_an_unknown_address_reveals_nothing(
    app: Flask, as_person: AsPerson
) -> None:
    hidden_drafts(app)
    admin = as_person(ADMIN)
    missing = admin.submit(READ, {"address": "no-such-draft", "reason": REASON})
    hidden = admin.submit(READ, {"address": "draft", "reason": REASON})
    assert missing.status_code == hidden.status_code == 302
    assert admin.get("/no-such-draft").status_code == 404
    assert admin.get("/draft").status_code == 200
    assert len(reads(app)) == 1
    with app.app_context():
        db.session.execute(update(BreakGlass).values(until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert admin.get("/draft").status_code == 404
    # What the owner was told stays on the page after the read ended.
    assert "Read by the admin Ada Admin" in " ".join(
        text_only(page(as_person(GOV), "/draft")).split()
    )


def test_the_coordinator_runs_people_but_not_the_admins_accounts(
    app: Flask, as_person: AsPerson
) -> None:
    coordinator, admin = as_person(COORDINATOR), as_person(ADMIN)
    new = {"name": "Nia New", "email": "nia@example.org", "organisation": "Treasury"}
    password = {"password": "a long enough password"}
    refused = coordinator.submit("/-/admin/people", {**new, **password, "role": "admin"})
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)
    added = coordinator.submit("/-/admin/people", {**new, **password, "role": "editor"})
    assert added.status_code == 302
    assert 'value="admin"' not in page(coordinator, "/-/admin/people")
    assert 'value="admin"' in page(admin, "/-/admin/people")
    with app.app_context():
        ada = db.session.scalar(select(Person).where(Person.email == ADMIN))
        assert ada is not None
        toggle = f"/-/admin/people/{ada.id}/active"
    assert coordinator.submit("/-/admin/people", {}, action=toggle).status_code == 404
    assert admin.get("/-/admin/people").status_code == 200  # still enabled


def test_a_live_socket_opened_in_an_emergency_read_ends_with_it(
    app: Flask, as_person: AsPerson
) -> None:
    hidden_drafts(app)
    coordinator = as_person(COORDINATOR)
    coordinator.submit(READ, {"address": "strategy", "reason": REASON})
    with app.app_context():  # a read that ends in two seconds, as if most of its hour had gone
        db.session.execute(update(BreakGlass).values(until=utcnow() + timedelta(seconds=2)))
        db.session.commit()
    client = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=coordinator.client)
    step1 = {"doc": "strategy", "msg": protocol.encode_sync_step1(b"\x00")}
    try:
        joined = client.emit("join", {"doc": "strategy"}, namespace=NAMESPACE, callback=True)
        assert joined["ok"] is True and joined["can_edit"] is False
        assert client.emit("frame", step1, namespace=NAMESPACE, callback=True)["ok"] is True
        time.sleep(2.5)
        # No change was announced: the socket's answer ends at the read's end by itself.
        after = client.emit("frame", step1, namespace=NAMESPACE, callback=True)
        assert after["ok"] is False and after["code"] == "not_found"
    finally:
        if client.is_connected(NAMESPACE):
            client.disconnect(namespace=NAMESPACE)
