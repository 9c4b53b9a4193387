"""Renaming, archiving and deleting documents: who may, what readers and outsiders see."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from crdt import protocol
from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import form_edit, make_document, text_of, write
from wiki.documents.service import find_document
from wiki.extensions import db, socketio
from wiki.live import NAMESPACE
from wiki.storage.models import AuditEvent, Document, FormerSlug, UpdateRecord
from wiki.storage.models.types import utcnow

AsPerson = Callable[[str], Browser]
GOV, TREASURY, CSO, COORDINATOR = (
    "gov@example.org",
    "treasury@example.org",
    "cso@example.org",
    "coordinator@example.org",
)
CSRF = re.compile(r'name="csrf_token"[^>]*value="[^"]*"')
TEXT = "## Why\n\nThe department publishes every contract.\n"


def draft(app: Flask, slug: str = "draft", visibility: str = "network", **kwargs: Any) -> None:
    make_document(app, slug, "Cabinet Office", visibility, title="Draft", **kwargs)
    write(app, slug, GOV, TEXT)


def missing_page(person: Browser, path: str) -> tuple[int, str]:
    """Status and body, with the address asked for (which a 404 page names) left out."""
    response = person.get(path)
    slug = path.split("/")[1]
    body = response.get_data(as_text=True).replace(f"/{slug}", "/SLUG")
    return response.status_code, CSRF.sub("CSRF", body)


def rename(person: Browser, slug: str, new_slug: str, title: str = "Renamed") -> Any:
    data = {"title": title, "slug": new_slug}
    return person.submit(f"/{slug}/rename", data)


def test_renaming_keeps_every_former_address_for_readers_and_none_for_outsiders(
    app: Flask, as_person: AsPerson, browser: Browser
) -> None:
    draft(app, visibility="network")
    gov, cso = as_person(GOV), as_person(CSO)
    response = rename(gov, "draft", "open-contracting", "Open contracting")
    assert response.status_code == 302
    assert response.headers["Location"] == "/open-contracting"
    assert rename(gov, "open-contracting", "open-contracting-2026").status_code == 302
    for old in ("draft", "open-contracting"):
        moved = cso.get(f"/{old}/history?page=1")
        assert moved.status_code == 301
        assert moved.headers["Location"] == "/open-contracting-2026/history?page=1"
        # To someone who may not see it, a former address is a page that never existed.
        assert missing_page(browser, f"/{old}") == missing_page(browser, "/never-was")
        assert missing_page(browser, f"/{old}/raw") == missing_page(browser, "/never-was/raw")
    page = cso.get("/open-contracting-2026").get_data(as_text=True)
    assert "<h1>Renamed</h1>" in page
    # A form posted to a former address is sent on with its method and body.
    posted = gov.submit("/open-contracting-2026", {"text": "x"}, action="/draft/preview")
    assert posted.status_code == 308
    assert posted.headers["Location"] == "/open-contracting-2026/preview"
    form_edit(gov, "open-contracting-2026", TEXT + "\nMore.\n")
    assert text_of(app, "open-contracting-2026").endswith("More.\n")
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "rename"))
        assert list(actions) == [
            "draft -> open-contracting: Open contracting",
            "open-contracting -> open-contracting-2026: Renamed",
        ]


def test_a_rename_refuses_a_taken_address_and_suffixes_a_hidden_one(
    app: Flask, as_person: AsPerson
) -> None:
    draft(app)
    make_document(app, "seen", "Treasury", "network")
    make_document(app, "hidden", "Treasury", "private")
    gov = as_person(GOV)
    for slug, message in (
        ("seen", "A document with the address “seen” already exists."),
        ("Not A Slug", "Use 1 to 80 lower-case letters"),
        ("login", "is used by Jointly itself"),
    ):
        refused = rename(gov, "draft", slug)
        assert refused.status_code == 400
        assert message in refused.get_data(as_text=True)
    response = rename(gov, "draft", "hidden")
    assert response.status_code == 302
    new = response.headers["Location"].lstrip("/")
    assert new.startswith("hidden-") and len(new) == len("hidden-") + 5
    # Taking back a former address of its own makes it current again.
    assert rename(gov, new, "draft").headers["Location"] == "/draft"
    with app.app_context():
        assert list(db.session.scalars(select(FormerSlug.slug))) == [new]


def test_only_those_who_manage_a_document_rename_archive_or_delete_it(
    app: Flask, as_person: AsPerson
) -> None:
    draft(app)
    treasury = as_person(TREASURY)  # sees and comments, does not manage
    for path in ("/draft/rename", "/draft/delete"):
        assert treasury.get(path).status_code == 404
    for path in ("/draft/rename", "/draft/archive", "/draft/unarchive", "/draft/delete"):
        token = treasury.token("/draft")
        data = {"csrf_token": token, "title": "Mine", "slug": "mine", "confirm": "1"}
        assert treasury.client.post(path, data=data).status_code == 404
    assert "Rename, archive or delete" not in treasury.get("/draft").get_data(as_text=True)
    coordinator = as_person(COORDINATOR)  # a coordinator manages documents open to members
    assert "Rename, archive or delete" in coordinator.get("/draft").get_data(as_text=True)
    assert rename(coordinator, "draft", "draft-2").status_code == 302


def test_an_archived_document_is_read_only_on_every_way_in_and_out_of_the_lists(
    app: Flask, as_person: AsPerson
) -> None:
    draft(app)
    gov, treasury = as_person(GOV), as_person(TREASURY)
    response = gov.submit("/draft/rename", {}, action="/draft/archive")
    assert response.status_code == 302
    page = gov.get("/draft").get_data(as_text=True)
    assert "Archived on" in page and "Unarchive" in page
    before = text_of(app, "draft")
    edit = gov.submit("/draft/edit", {"text": "Changed.", "base": "1"})
    assert edit.status_code == 403
    assert "This document is archived" in edit.get_data(as_text=True)
    assert gov.submit("/draft/history", {}, action="/draft/revisions/1/restore").status_code == 403
    said = {"quote": "every contract", "kind": "comment", "body": "Hm."}
    api = treasury.client.post(
        "/api/docs/draft/comments", json=said, headers={"X-CSRFToken": treasury.token("/draft")}
    )
    assert api.status_code == 403 and "archived" in api.get_data(as_text=True)
    assert treasury.submit("/draft", said, action="/draft/discussion/new").status_code == 403
    assert text_of(app, "draft") == before
    socket = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=gov.client)
    joined = socket.emit("join", {"doc": "draft"}, namespace=NAMESPACE, callback=True)
    socket.disconnect(namespace=NAMESPACE)
    assert joined["ok"] and not joined["can_edit"] and not joined["can_comment"]
    home = gov.get("/").get_data(as_text=True)
    assert home.count('href="/draft"') == 1  # only in the archived list
    assert "Archived documents (1)" in home
    found = treasury.get("/-/search", query_string={"q": "publishes"}).get_data(as_text=True)
    assert 'href="/draft"' in found
    assert gov.submit("/draft", {}, action="/draft/unarchive").status_code == 302
    form_edit(gov, "draft", "Changed.\n")
    assert "Archived documents" not in gov.get("/").get_data(as_text=True)
    with app.app_context():
        actions = select(AuditEvent.action).order_by(AuditEvent.id)
        assert list(db.session.scalars(actions)) == ["archive", "unarchive"]


def test_a_deleted_document_answers_as_missing_to_everyone_until_its_log_is_purged(
    app: Flask, as_person: AsPerson
) -> None:
    draft(app, visibility="network")
    gov, cso = as_person(GOV), as_person(CSO)
    assert rename(gov, "draft", "plan-draft", "Draft").status_code == 302
    confirm = gov.get("/plan-draft/delete").get_data(as_text=True)
    assert "What will happen" in confirm and "365 days" in confirm
    assert 'action="/plan-draft/delete"' in confirm
    assert find_id(app, "plan-draft") is not None  # a GET deletes nothing
    doc_id = find_id(app, "plan-draft")
    response = gov.submit("/plan-draft/delete", {})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Deleted “Draft”. Its address /plan-draft is free again." in gov.get("/").get_data(
        as_text=True
    )
    for person in (gov, cso):
        for path in ("/plan-draft", "/draft", "/plan-draft/history", "/plan-draft/attribution"):
            assert missing_page(person, path) == missing_page(person, path.replace("draft", "x"))
        assert 'href="/plan-draft"' not in person.get("/").get_data(as_text=True)
        found = person.get("/-/search", query_string={"q": "publishes"}).get_data(as_text=True)
        assert "plan-draft" not in found
    socket = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=gov.client)
    joined = socket.emit("join", {"doc": "plan-draft"}, namespace=NAMESPACE, callback=True)
    socket.disconnect(namespace=NAMESPACE)
    assert not joined["ok"]
    # Its addresses are free again; its log stays for the audit period.
    make_document(app, "plan-draft", "Cabinet Office", "network")
    assert kept_updates(app, doc_id) > 0
    runner = app.test_cli_runner()
    assert "Purged 0 document(s)" in runner.invoke(args=["purge-deleted"]).output
    assert kept_updates(app, doc_id) > 0
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        assert doc is not None
        doc.deleted_at = utcnow() - timedelta(days=366)
        db.session.commit()
    result = runner.invoke(args=["purge-deleted"])
    assert (
        result.exit_code == 0
        and f"Purged 1 document(s) deleted over 365 days ago (ids {doc_id})" in result.output
    )
    assert kept_updates(app, doc_id) == 0
    with app.app_context():
        events = select(AuditEvent.action).where(AuditEvent.document_id == doc_id)
        assert list(db.session.scalars(events)) == ["rename", "delete"]  # the chain keeps it


def test_purging_honours_the_configured_retention(app: Flask, as_person: AsPerson) -> None:
    app.config["DELETED_RETENTION_DAYS"] = 30
    draft(app)
    doc_id = find_id(app, "draft")
    assert as_person(GOV).submit("/draft/delete", {}).status_code == 302
    with app.app_context():
        doc = db.session.get(Document, doc_id)
        assert doc is not None
        doc.deleted_at = utcnow() - timedelta(days=29)
        db.session.commit()
    runner = app.test_cli_runner()
    assert "Purged 0" in runner.invoke(args=["purge-deleted"]).output
    assert "Purged 1" in runner.invoke(args=["purge-deleted", "--days", "7"]).output
    assert kept_updates(app, doc_id) == 0


def test_live_editing_keeps_working_through_a_rename(app: Flask, as_person: AsPerson) -> None:
    draft(app)
    gov = as_person(GOV)
    before = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=gov.client)
    assert before.emit("join", {"doc": "draft"}, namespace=NAMESPACE, callback=True)["ok"]
    assert rename(gov, "draft", "renamed").status_code == 302
    step1 = protocol.encode_sync_step1(b"\x00")
    # A socket that joined at the old address goes on; one that joins there now gets in.
    frame = before.emit("frame", {"doc": "draft", "msg": step1}, namespace=NAMESPACE, callback=True)
    assert frame["ok"]
    after = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=gov.client)
    rejoined = after.emit("join", {"doc": "draft"}, namespace=NAMESPACE, callback=True)
    assert rejoined["ok"] and rejoined["can_edit"]
    again = after.emit("frame", {"doc": "draft", "msg": step1}, namespace=NAMESPACE, callback=True)
    assert again["ok"]
    for client in (before, after):
        client.disconnect(namespace=NAMESPACE)


def find_id(app: Flask, slug: str) -> int | None:
    with app.app_context():
        doc = find_document(slug)
        return doc.id if doc is not None else None


def kept_updates(app: Flask, doc_id: int | None) -> int:
    with app.app_context():
        query = select(func.count()).where(UpdateRecord.document_id == doc_id)
        return db.session.scalar(query) or 0
