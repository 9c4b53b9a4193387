"""The audit log pages: one document's rows for those who manage it, every row for admins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select

from wiki.access import audit
from wiki.access.gate import admin_required, require_document
from wiki.access.policy import Action
from wiki.extensions import db
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
    doc = require_document(slug, Action.MANAGE)
    rows = describe(audit.events_for(doc))
    return render_template("audit.html", doc=doc, rows=rows, status=chain_status())


@bp.get("/-/admin/audit")
@admin_required
def full_log() -> str:
    rows = describe(audit.recent_events())
    return render_template("audit_all.html", rows=rows, status=chain_status())
