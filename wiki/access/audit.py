"""Who looked at, exported or reshared a restricted or private document, in a hash chain.

Each row's hash covers its fields and the previous row's hash, so editing, deleting or
reordering a row breaks every hash after it: ``verify`` (and ``flask audit verify``) finds
the first row that no longer fits. Rows are only ever added, and only by ``record``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, text

from wiki.extensions import db
from wiki.storage.models import AuditEvent, Document, Person, Visibility
from wiki.storage.models.types import utcnow

GENESIS_HASH = "0" * 64
AUDITED = frozenset({Visibility.RESTRICTED, Visibility.PRIVATE})
ACTIONS = ("view", "export", "sharing", "break-glass", "rename", "archive", "unarchive", "delete")
# Rows are chained, so two writers must not read the same tail. The tail is read only
# once this transaction holds the database's write lock and keeps it until it commits:
# on SQLite the row is inserted first (taking the lock) and chained after; on PostgreSQL a
# transaction-scoped advisory lock comes first. A lock held only until the flush, as a
# process lock would be, lets a second writer read the tail before the first commits.
ADVISORY_LOCK_KEY = 0x4A4F494E  # "JOIN"


def audited(doc: Document) -> bool:
    """Whether reads of ``doc`` are audited: it is restricted or private right now."""
    return doc.visibility in AUDITED


def record(
    doc: Document,
    person: Person | None,
    action: str,
    *,
    revision: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add one row to the chain and flush it; the caller's transaction commits it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(ACTIONS)}")
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    placeholder = secrets.token_hex(32)  # unique until the row is chained below
    event = AuditEvent(
        document_id=doc.id,
        person_id=person.id if person else None,
        organisation_id=person.organisation_id if person else None,
        action=action,
        revision=revision,
        detail=detail,
        at=utcnow(),
        prev_hash=placeholder,
        hash=placeholder,
    )
    db.session.add(event)
    db.session.flush()  # on SQLite this takes the write lock, held until the commit
    tail = db.session.scalar(
        select(AuditEvent.hash)
        .where(AuditEvent.id < event.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    event.at = utcnow()  # times rise with the chain: taken once the lock is held
    event.prev_hash = tail or GENESIS_HASH
    event.hash = chain_hash(event)
    db.session.flush()
    return event


def chain_hash(event: AuditEvent) -> str:
    """The hash of a row: its fields and the hash of the row before it."""
    fields = {
        "at": event.at.isoformat(),
        "document": event.document_id,
        "person": event.person_id,
        "organisation": event.organisation_id,
        "action": event.action,
        "revision": event.revision,
        "detail": event.detail,
        "prev": event.prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first row where the chain no longer holds, and why."""

    event_id: int
    reason: str


def verify(events: Iterable[AuditEvent] | None = None) -> tuple[int, Break | None]:
    """Check the whole chain in order: how many rows were read, and the first break if any."""
    if events is not None:
        return _first_break(events)
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    # Streamed (a server-side cursor on PostgreSQL), so closed even when a break ends it early.
    with db.session.scalars(query) as rows:
        return _first_break(rows)


def _first_break(rows: Iterable[AuditEvent]) -> tuple[int, Break | None]:
    previous, count = GENESIS_HASH, 0
    for event in rows:
        count += 1
        if event.prev_hash != previous:
            return count, Break(event.id, "it does not follow the row before it")
        if chain_hash(event) != event.hash:
            return count, Break(event.id, "its contents do not match its hash")
        previous = event.hash
    return count, None


def summary(count: int, broken: Break | None) -> str:
    """What ``verify`` found, in one line for the CLI and the audit pages."""
    if broken is not None:
        return f"Audit log broken at row {broken.event_id}: {broken.reason}."
    return f"Audit log verified: {count} row{'' if count == 1 else 's'}."


def events_for(doc: Document, limit: int = 200) -> list[AuditEvent]:
    """The newest audit rows of one document."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.document_id == doc.id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def recent_events(limit: int = 200) -> list[AuditEvent]:
    """The newest audit rows across every document."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    return list(db.session.scalars(query))
