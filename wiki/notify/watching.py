"""Watched documents, and their edits gathered per document, never per keystroke.

Edits are read from the update log off the editing path: each watch remembers how far it
was gathered, and one pending "edited" notice per person and document counts what came
since, so a day of typing is one line of the inbox and one entry of the digest.
"""

from __future__ import annotations

from sqlalchemy import func, select

from wiki.extensions import db
from wiki.notify.routing import route
from wiki.storage.models import (
    Document,
    NoticeKind,
    Notification,
    Person,
    UpdateRecord,
    Watch,
)
from wiki.storage.models.types import utcnow


def head_seq(doc_id: int) -> int:
    query = select(func.max(UpdateRecord.seq)).where(UpdateRecord.document_id == doc_id)
    return db.session.scalar(query) or 0


def watching(person: Person, doc: Document) -> bool:
    return db.session.get(Watch, (person.id, doc.id)) is not None


def watch(person: Person, doc: Document) -> None:
    """Follow ``doc``'s edits from now on (nothing changes if already watching)."""
    if not watching(person, doc):
        db.session.add(Watch(person_id=person.id, document_id=doc.id, seen_seq=head_seq(doc.id)))
        db.session.flush()


def unwatch(person: Person, doc: Document) -> None:
    found = db.session.get(Watch, (person.id, doc.id))
    if found is not None:
        db.session.delete(found)
        db.session.flush()


def gather_edits(person_id: int | None = None) -> int:
    """Turn new updates of watched documents into pending "edited" notices; how many changed.

    One grouped query finds, for each watch with updates after it, who sent them and how
    many; the watcher's own updates only move the watch on.
    """
    query = (
        select(Watch, UpdateRecord.person_id, func.count(), func.max(UpdateRecord.seq))
        .join(UpdateRecord, UpdateRecord.document_id == Watch.document_id)
        .where(UpdateRecord.seq > Watch.seen_seq)
        .group_by(Watch.person_id, Watch.document_id, UpdateRecord.person_id)
    )
    if person_id is not None:
        query = query.where(Watch.person_id == person_id)
    found: dict[tuple[int, int], tuple[Watch, int, set[int]]] = {}
    for row_watch, sender, count, last in db.session.execute(query).all():
        key = (row_watch.person_id, row_watch.document_id)
        held = found.get(key, (row_watch, 0, set()))
        row_watch.seen_seq = max(row_watch.seen_seq, last)
        if sender is not None and sender != row_watch.person_id:
            held = (row_watch, held[1] + count, held[2] | {sender})
        found[key] = held
    changed = 0
    for row_watch, count, authors in found.values():
        if count:
            pending_edit(row_watch, count, authors)
            changed += 1
    db.session.flush()
    return changed


def pending_edit(row_watch: Watch, count: int, authors: set[int]) -> None:
    """Add ``count`` updates to the person's unread, unmailed notice about the document."""
    query = select(Notification).where(
        Notification.person_id == row_watch.person_id,
        Notification.document_id == row_watch.document_id,
        Notification.kind == NoticeKind.EDITED,
        Notification.read_at.is_(None),
        Notification.mail_id.is_(None),
    )
    notice = db.session.scalars(query.limit(1)).first()
    names = set(filter(None, (notice.detail if notice else "").split(", ")))
    names |= {p.name for p in db.session.scalars(select(Person).where(Person.id.in_(authors)))}
    detail = ", ".join(sorted(names))
    if notice is None:
        person = db.session.get(Person, row_watch.person_id)
        if person is None or not person.active:
            return
        notice = Notification(
            person_id=person.id, kind=NoticeKind.EDITED, document_id=row_watch.document_id, count=0
        )
        db.session.add(notice)
        route(person, notice)
    notice.count += count
    notice.detail, notice.updated_at = detail[:300], utcnow()
