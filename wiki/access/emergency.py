"""Emergency reads ("break-glass"): an admin or coordinator reads a document not theirs.

It takes a written reason, lasts an hour, is audited, and is shown to everyone the document
concerns on its page and its audit page, so the owner learns of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from wiki.access import audit
from wiki.access.policy import Action, can
from wiki.documents.service import find_document
from wiki.extensions import db
from wiki.storage.models import BreakGlass, Document, Person
from wiki.storage.models.types import utcnow

EMERGENCY_HOURS = 1


@dataclass(frozen=True)
class EmergencyRead:
    """One break-glass read, as those the document concerns are told of it."""

    reader: str
    role: str
    at: datetime
    until: datetime
    reason: str


def break_glass(slug: str, person: Person, reason: str) -> None:
    """Let ``person`` read the document at ``slug`` for a while, and record why.

    Nothing happens for an address with no document, or one they may read already.
    """
    doc = find_document(slug)
    if doc is None or not person.runs_instance or can(person, Action.VIEW, doc):
        return
    now = utcnow()
    until = now + timedelta(hours=EMERGENCY_HOURS)
    db.session.add(
        BreakGlass(document_id=doc.id, person_id=person.id, reason=reason, at=now, until=until)
    )
    audit.record(doc, person, "break-glass", detail=reason)
    db.session.commit()


def emergency_reads(doc: Document) -> list[EmergencyRead]:
    """Every break-glass read of ``doc``, newest first."""
    rows = db.session.execute(
        select(BreakGlass, Person)
        .join(Person, Person.id == BreakGlass.person_id)
        .where(BreakGlass.document_id == doc.id)
        .order_by(BreakGlass.at.desc())
    )
    return [
        EmergencyRead(
            f"{person.name}, {person.organisation.name}",
            person.role.value,
            read.at,
            read.until,
            read.reason,
        )
        for read, person in rows
    ]
