"""Document housekeeping: renaming (title and address), archiving, deleting and purging.

A renamed document keeps every address it had (``FormerSlug``); the gate sends those who
may see it on to the new one. An archived document is read-only and out of the lists; a
deleted one answers as missing to everyone, and gives up its addresses, while its update
log is kept for ``DELETED_RETENTION_DAYS`` and then purged. Services flush; the edge commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Table, delete, select, update

from wiki.access.policy import Action, can
from wiki.documents.service import find_document, slug_errors, suffixed_slug, title_errors
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.storage.models import AuditEvent, Document, FormerSlug, Person
from wiki.storage.models.types import utcnow

# Tables whose rows name a document but must outlive it: the audit chain.
KEPT_TABLES = frozenset({AuditEvent.__tablename__})


@dataclass(frozen=True)
class Renamed:
    """What a rename did: the old address, and the new one (with a suffix, if it had to)."""

    old_slug: str
    new_slug: str
    suffixed: bool = False

    @property
    def moved(self) -> bool:
        return self.old_slug != self.new_slug


def rename_document(doc: Document, title: str, slug: str, person: Person | None) -> Renamed:
    """Give ``doc`` a new title and address; the old address keeps leading to it.

    An address held by a document ``person`` may not see is answered as creating one would:
    the new address gets a random suffix. Raises InvalidInput naming the fields at fault.
    """
    title, slug = title.strip(), slug.strip()
    errors = title_errors(title) | slug_errors(slug)
    taken = find_document(slug) if "slug" not in errors and slug != doc.slug else None
    suffixed = False
    if taken is not None and taken.id != doc.id:
        if person is None or can(person, Action.VIEW, taken):
            errors["slug"] = f"A document with the address “{slug}” already exists."
        else:
            slug, suffixed = suffixed_slug(slug), True
    if errors:
        raise InvalidInput(errors)
    old = doc.slug
    doc.title = title
    if slug != old:
        # Taking back one of its own former addresses: that one is current again.
        db.session.execute(delete(FormerSlug).where(FormerSlug.slug == slug))
        doc.slug = slug
        db.session.flush()
        db.session.add(FormerSlug(slug=old, document_id=doc.id))
    db.session.flush()
    return Renamed(old, slug, suffixed)


def former_slugs(doc: Document) -> list[str]:
    """The addresses ``doc`` had before, oldest first; each still leads to it."""
    query = (
        select(FormerSlug.slug)
        .where(FormerSlug.document_id == doc.id)
        .order_by(FormerSlug.renamed_at, FormerSlug.slug)
    )
    return list(db.session.scalars(query))


def archive_document(doc: Document) -> None:
    """Make ``doc`` read-only and take it out of the lists; it stays readable and searchable."""
    if doc.archived_at is None:
        doc.archived_at = utcnow()
    db.session.flush()


def unarchive_document(doc: Document) -> None:
    """Bring an archived document back: editable and listed again."""
    doc.archived_at = None
    db.session.flush()


def delete_document(doc: Document) -> str:
    """Delete ``doc``: it answers as missing to everyone from now on; returns its address.

    Its addresses are given up (a new document may take them), so the row keeps a
    placeholder that no request can name. The log stays until ``purge_deleted``.
    """
    slug = doc.slug
    doc.deleted_at = utcnow()
    doc.slug = tombstone_slug(doc.id)
    db.session.execute(delete(FormerSlug).where(FormerSlug.document_id == doc.id))
    db.session.flush()
    return slug


def tombstone_slug(doc_id: int) -> str:
    """The placeholder address of a deleted document: not a valid slug, so never routed to one."""
    return f"-deleted-{doc_id}"


def purge_deleted(retention_days: int, now: datetime | None = None) -> list[int]:
    """Remove the log, text and everything else of documents deleted more than
    ``retention_days`` ago; returns their ids. Flushes.

    The document row stays, emptied of its content, because the audit chain names it.
    """
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    query = select(Document.id).where(Document.deleted_at.is_not(None))
    ids = list(db.session.scalars(query.where(Document.deleted_at < cutoff)))
    if not ids:
        return []
    for table, foreign_key in document_references():
        column = table.c[foreign_key.parent.name]
        if foreign_key.ondelete == "CASCADE":
            db.session.execute(delete(table).where(column.in_(ids)))
        else:  # a link from another document (a carried commitment): forget it
            db.session.execute(update(table).where(column.in_(ids)).values({column.name: None}))
    db.session.flush()
    return ids


def document_references() -> list[tuple[Table, ForeignKey]]:
    """Every column of another table that names a document, but the audit chain's."""
    documents = Document.__table__
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in KEPT_TABLES or table is documents:
            continue
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table is documents:
                found.append((table, foreign_key))
    return found
