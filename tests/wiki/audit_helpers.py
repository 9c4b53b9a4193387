"""Builders for the export and audit tests: a restricted draft with two revisions, and its rows."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import make_document, revision_rows, write
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.storage.models import AuditEvent

SLUG = "budget-draft"
TITLE = "Budget transparency draft"
GOV = "gov@example.org"
ADMIN = "admin@example.org"
COORDINATOR = "coordinator@example.org"
CSO = "cso@example.org"
TREASURY = "treasury@example.org"
REVIEWER = "reviewer@example.org"
V1 = "# Budget\n\nThe ministry will publish the budget every quarter.\n"
V2 = V1 + "\nCivil society may comment on each publication for thirty days.\n"
RESTRICTED = "Restricted: shared with named organisations only; do not forward."

SignIn = Callable[[str], Browser]  # the ``as_person`` fixture
Row = tuple[str, int | None, int | None, int | None, str]


def restricted_draft(app: Flask, slug: str = SLUG, visibility: str = "restricted") -> None:
    """A Cabinet Office draft shared (view only) with both CSOs: revision 1 reads V1, 2 V2."""
    make_document(
        app,
        slug,
        "Cabinet Office",
        visibility,
        title=TITLE,
        grants=[("Open Data Charity", None, "view"), ("Transparency Watch", None, "view")],
    )
    write(app, slug, GOV, V1)
    write(app, slug, ADMIN, V2)  # another person's edit starts revision 2
    assert [(r.number, r.person_id is not None) for r in revision_rows(app, slug)] == [
        (1, True),
        (2, True),
    ]


def download(person: Browser, url: str) -> TestResponse:
    """An export as its Download button asks for it: a POST with the person's CSRF token.

    The token comes from a page that records nothing, so the rows are the export's alone.
    """
    form_page = "/login" if person.get("/login").status_code == 200 else "/"
    return person.submit(form_page, {}, action=url)


def audit_rows(app: Flask, slug: str = SLUG) -> list[Row]:
    """(action, person id, organisation id, revision, detail) of the document's rows, in order."""
    with app.app_context():
        doc = find_document(slug)
        assert doc is not None
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.document_id == doc.id).order_by(AuditEvent.id)
        )
        return [(e.action, e.person_id, e.organisation_id, e.revision, e.detail) for e in events]


def audit_ids(app: Flask) -> list[int]:
    """The ids of every audit row, in chain order."""
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
