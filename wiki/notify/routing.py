"""Where a new notice goes: an immediate mail, the digest, or the inbox alone."""

from __future__ import annotations

from wiki.extensions import db
from wiki.notify import preferences
from wiki.storage.models import Mail, MailKind, Notification, Person
from wiki.storage.models.types import utcnow

PENDING_PEOPLE = "notify_people"  # session.info key: whose inbox changed in this transaction


def route(person: Person, notice: Notification) -> None:
    """Queue an immediate mail, or mark the notice for the digest, as the person chose."""
    changed(person.id)
    chosen = preferences.settings_of(person)
    if not preferences.mails(chosen, notice.kind):
        return
    if notice.kind.immediate and chosen.immediate:
        mail = Mail(person_id=person.id, kind=MailKind.IMMEDIATE, next_attempt_at=utcnow())
        db.session.add(mail)
        db.session.flush()
        notice.mail_id = mail.id
    elif chosen.digest:
        notice.digest = True


def changed(person_id: int) -> None:
    """Remember that ``person_id``'s inbox changed, to tell their sockets after the commit."""
    db.session.info.setdefault(PENDING_PEOPLE, set()).add(person_id)


def take_changed() -> set[int]:
    """The people whose inbox changed since the last call (the transaction just committed)."""
    found: set[int] = db.session.info.pop(PENDING_PEOPLE, set())
    return found
