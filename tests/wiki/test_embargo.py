"""Embargoes open a restricted draft by themselves at their time; sharing changes are audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from tests.wiki.test_policy import make_document
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.storage.models import AuditEvent, Person

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
UNTIL = "2026-12-10T09:00"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The time the server sees; set ``clock[0]`` to move it."""
    now = [NOW]
    monkeypatch.setattr("wiki.storage.models.documents.utcnow", lambda: now[0])
    monkeypatch.setattr("wiki.documents.service.utcnow", lambda: now[0])
    return now


def sharing_rows(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == "sharing").order_by(AuditEvent.id)
        return list(db.session.scalars(query))


def test_embargo_opens_the_draft_to_the_network_at_its_time_and_not_before(
    app: Flask,
    as_person,
    clock: list[datetime],  # type: ignore[no-untyped-def]
) -> None:
    with app.app_context():
        slug = make_document("private")
    owner, outsider = as_person("gov@example.org"), as_person("treasury@example.org")
    response = owner.submit(
        f"/{slug}/sharing", {"until": UNTIL, "then": "network"}, action=f"/{slug}/sharing/embargo"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = owner.get(f"/{slug}/sharing").get_data(as_text=True)
    assert "restricted until 2026-12-10 09:00 UTC, then Network" in page.replace("\n", " ")

    shared = as_person("cso@example.org")  # the view grant applies while it is restricted
    document = shared.get(f"/{slug}")
    assert document.status_code == 200
    assert "Embargo: opens to network on 2026-12-10 09:00 UTC" in document.get_data(as_text=True)
    for moment in (NOW, datetime(2026, 12, 10, 8, 59, 59, tzinfo=UTC)):
        clock[0] = moment
        assert outsider.get(f"/{slug}").status_code == 404
        assert slug not in outsider.get("/api/docs").get_data(as_text=True)

    clock[0] = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    assert outsider.get(f"/{slug}").status_code == 200
    assert [d["slug"] for d in outsider.get("/api/docs").get_json()] == [slug]
    assert app.test_client().get(f"/{slug}").status_code == 404  # network, not public
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None and doc.visibility.value == "network"


def test_embargo_in_the_past_is_refused_on_the_form_and_changes_nothing(
    app: Flask,
    as_person,
    clock: list[datetime],  # type: ignore[no-untyped-def]
) -> None:
    with app.app_context():
        slug = make_document("private")
    owner = as_person("gov@example.org")
    response = owner.submit(
        f"/{slug}/sharing",
        {"until": "2026-12-01T09:00", "then": "public"},
        action=f"/{slug}/sharing/embargo",
    )
    assert response.status_code == 400
    assert "Choose a time in the future (UTC)." in response.get_data(as_text=True)
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        assert (doc.visibility.value, doc.embargo_until) == ("private", None)
    assert sharing_rows(app) == []


def test_choosing_a_visibility_ends_a_pending_embargo(
    app: Flask,
    as_person,
    clock: list[datetime],  # type: ignore[no-untyped-def]
) -> None:
    with app.app_context():
        slug = make_document("private")
    owner = as_person("gov@example.org")
    owner.submit(
        f"/{slug}/sharing", {"until": UNTIL, "then": "public"}, action=f"/{slug}/sharing/embargo"
    )
    owner.submit(
        f"/{slug}/sharing", {"visibility": "private"}, action=f"/{slug}/sharing/visibility"
    )
    clock[0] = NOW + timedelta(days=30)
    assert app.test_client().get(f"/{slug}").status_code == 404
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None and doc.visibility.value == "private"


def test_every_sharing_change_is_audited_with_who_and_what(
    app: Flask,
    as_person,
    clock: list[datetime],  # type: ignore[no-untyped-def]
) -> None:
    with app.app_context():
        slug = make_document("restricted")
        doc = find_document(slug)
        assert doc is not None
        charity_share = next(share.id for share in doc.shares if share.organisation)
    owner = as_person("gov@example.org")
    sharing, grants = f"/{slug}/sharing", f"/{slug}/sharing/grants"
    owner.submit(sharing, {"grantee": "org:2", "access": "edit"}, action=grants)
    owner.submit(sharing, {}, action=f"{grants}/{charity_share}/remove")
    owner.submit(sharing, {"until": UNTIL, "then": "network"}, action=f"{sharing}/embargo")
    owner.submit(sharing, {"visibility": "network"}, action=f"{sharing}/visibility")
    rows = sharing_rows(app)
    assert [row.detail for row in rows] == [
        "granted edit to Treasury: restricted",
        "withdrew view to Open Data Charity: restricted",
        "embargo: restricted until 2026-12-10 09:00 UTC, then network",
        "visibility: network",
    ]
    with app.app_context():
        gov = db.session.scalars(select(Person.id).where(Person.email == "gov@example.org")).one()
    assert {(row.person_id, row.organisation_id) for row in rows} == {(gov, 1)}
