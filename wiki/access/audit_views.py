"""The audit log pages and emergency reads.

A document's rows are for those it concerns (``Action.AUDIT``); the log of every document
shows an admin or coordinator only the rows of documents they may audit, so that it names
no restricted document to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from wiki.access import audit
from wiki.access.emergency import EMERGENCY_HOURS, break_glass, emergency_reads
from wiki.access.gate import require_document, staff_required
from wiki.access.policy import Action, can, signed_in
from wiki.extensions import db
from wiki.forms import BreakGlassForm
from wiki.storage.models import AuditEvent, Document, Organisation, Person

bp = Blueprint("auditing", __name__)
bp.add_app_template_global(audit.audited, "audited")


@dataclass(frozen=True)
class AuditRow:
    """One audit row as the page shows it, with names instead of ids."""

    event: AuditEvent
    person: str
    organisation: str
    document: Document | None


@dataclass(frozen=True)
class ChainStatus:
    """Whether the whole chain verifies, and the line that says so."""

    intact: bool
    summary: str


def by_id(model: Any, ids: set[int | None]) -> dict[int | None, Any]:
    """The rows of ``model`` with these ids, by id: one query, not one per audit row."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(wanted)))}


def describe(events: Sequence[AuditEvent]) -> list[AuditRow]:
    """The rows with the names of their people, organisations and documents."""
    people = by_id(Person, {e.person_id for e in events})
    orgs = by_id(Organisation, {e.organisation_id for e in events})
    docs = by_id(Document, {e.document_id for e in events})
    rows = []
    for event in events:
        person, org = people.get(event.person_id), orgs.get(event.organisation_id)
        who = f"{person.name} <{person.email}>" if person else "Nobody signed in"
        rows.append(AuditRow(event, who, org.name if org else "None", docs.get(event.document_id)))
    return rows


def chain_status() -> ChainStatus:
    """Verify the whole chain, every document's rows, from the first row on."""
    count, broken = audit.verify()
    return ChainStatus(broken is None, audit.summary(count, broken))


@bp.get("/<slug>/audit")
def document_log(slug: str) -> str:
    doc = require_document(slug, Action.AUDIT)
    rows = describe(audit.events_for(doc))
    reads = emergency_reads(doc)
    return render_template(
        "audit.html", doc=doc, rows=rows, status=chain_status(), emergency_reads=reads
    )


@bp.get("/-/admin/audit")
@staff_required
def full_log() -> str:
    rows = describe(audit.recent_events())
    mine = [row for row in rows if row.document and can(current_user, Action.AUDIT, row.document)]
    return render_template("audit_all.html", rows=mine, status=chain_status())


@bp.route("/-/admin/emergency-read", methods=["GET", "POST"])
@staff_required
def emergency() -> ResponseReturnValue:
    """Break the glass: read one document not shared with you, for a written reason.

    Whatever the address, the answer is the same: the reader is sent there, and finds the
    document (the read is audited and shown to those it concerns) or a 404.
    """
    form = BreakGlassForm()
    if form.validate_on_submit():
        slug = (form.address.data or "").strip().strip("/")
        person = signed_in(current_user)
        assert person is not None  # staff_required let them in
        break_glass(slug, person, (form.reason.data or "").strip())
        return redirect(url_for("pages.view", slug=slug))
    page = render_template("emergency_read.html", form=form, hours=EMERGENCY_HOURS)
    return page, 400 if form.errors else 200
