"""The mail queue: daily digests made at each person's hour, and the queue drained with backoff.

Run by ``flask --app wiki notify send`` (a systemd timer, or ``make run`` in the
background), never inside a request. Each mail is committed as it goes, so a crash or an
SMTP server that is away loses nothing: a failed attempt is tried again after a delay that
doubles each time, and after the last attempt the mail is kept as failed with its error.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, select

from wiki.extensions import db
from wiki.notify import preferences
from wiki.notify.mail import Postman, compose
from wiki.storage.models import Mail, MailKind, MailStatus, Notification, Person
from wiki.storage.models.types import utcnow

log = logging.getLogger(__name__)
BATCH = 100
MAX_ERROR_CHARS = 500


@dataclass
class Run:
    """What one run of the queue did."""

    digests: int = 0
    sent: int = 0
    dropped: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def last_hour_at(hour: int, now: datetime) -> datetime:
    """The latest moment at or before ``now`` when the clock showed ``hour``:00 UTC."""
    today = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return today if today <= now else today - timedelta(days=1)


def build_digests(now: datetime | None = None) -> int:
    """Queue a digest for each person whose hour has come and who has notices waiting."""
    now = now or utcnow()
    waiting = select(Notification).where(
        Notification.digest, Notification.mail_id.is_(None), Notification.read_at.is_(None)
    )
    by_person: dict[int, list[Notification]] = {}
    for notice in db.session.scalars(waiting.order_by(Notification.id)):
        by_person.setdefault(notice.person_id, []).append(notice)
    made = 0
    for person_id, found in by_person.items():
        person = db.session.get(Person, person_id)
        if person is None:
            continue
        chosen = preferences.settings_of(person)
        due_at = last_hour_at(chosen.digest_hour, now)
        since = chosen.last_digest_at or min(n.created_at for n in found)
        if not chosen.digest or since >= due_at:
            continue
        mail = Mail(person_id=person_id, kind=MailKind.DIGEST, next_attempt_at=now)
        db.session.add(mail)
        db.session.flush()
        for notice in found:
            notice.mail_id, notice.digest = mail.id, False
        preferences.saved_settings(person).last_digest_at = now
        made += 1
    db.session.commit()
    return made


def drain(now: datetime | None = None) -> Run:
    """Send every mail whose time has come, committing each outcome as it happens."""
    now = now or utcnow()
    run = Run()
    due = (
        select(Mail.id)
        .where(Mail.status == MailStatus.PENDING, Mail.next_attempt_at <= now)
        .order_by(Mail.id)
        .limit(BATCH)
    )
    ids = list(db.session.scalars(due))
    with Postman(current_app.config) as postman:
        for mail_id in ids:
            mail: Mail | None = db.session.scalar(taken(mail_id))
            if mail is None or mail.status is not MailStatus.PENDING:
                db.session.rollback()
                continue
            deliver(mail, postman, now, run)
            db.session.commit()
    return run


def taken(mail_id: int) -> Select[Any]:
    """The mail, locked for this run (another run skips it) on PostgreSQL."""
    query = select(Mail).where(Mail.id == mail_id)
    locked = query.with_for_update(skip_locked=True, of=Mail.__table__)
    return locked.execution_options(populate_existing=True)


def deliver(mail: Mail, postman: Postman, now: datetime, run: Run) -> None:
    """Send one mail, or record why not and when to try again."""
    message = compose(mail)
    if message is None:
        mail.status = MailStatus.DROPPED
        run.dropped += 1
        return
    try:
        postman.send(message)
    except (OSError, smtplib.SMTPException) as error:
        failed(mail, error, now, run)
        return
    mail.status, mail.sent_at, mail.last_error = MailStatus.SENT, utcnow(), None
    mail.attempts += 1
    run.sent += 1
    how = "sent" if postman.delivers else "printed (no mail host)"
    log.info("mail %s %s to person %s", mail.id, how, mail.person_id)


def failed(mail: Mail, error: BaseException, now: datetime, run: Run) -> None:
    """Count a failed attempt; wait twice as long before each next one, then give up."""
    config = current_app.config
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
    run.errors.append(mail.last_error)
    if mail.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
        mail.status = MailStatus.FAILED
        run.failed += 1
        log.warning("mail %s failed for good after %s attempts", mail.id, mail.attempts)
        return
    delay_s = float(config["MAIL_RETRY_BASE_S"]) * 2 ** (mail.attempts - 1)
    mail.next_attempt_at = now + timedelta(seconds=delay_s)
    run.retrying += 1
    log.warning("mail %s not sent (attempt %s); next in %.0f s", mail.id, mail.attempts, delay_s)


def retry(mail: Mail) -> None:
    """Put a failed mail back in the queue, to be tried at once (an admin asked)."""
    mail.status, mail.next_attempt_at, mail.attempts = MailStatus.PENDING, utcnow(), 0


def troubled(limit: int = 100) -> list[Mail]:
    """Mails that failed for good, or are waiting after a failed attempt, newest first."""
    query = select(Mail).where(
        (Mail.status == MailStatus.FAILED)
        | ((Mail.status == MailStatus.PENDING) & (Mail.attempts > 0))
    )
    return list(db.session.scalars(query.order_by(Mail.id.desc()).limit(limit)))
