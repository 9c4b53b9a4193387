"""Notifications, watched documents, each person's mail settings, and the mail queue.

A notification holds who it is for, what happened and where, never a document's text or
title: those are read, and the policy asked again, when the inbox or a mail is built.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.extensions import db
from wiki.storage.models.people import Person
from wiki.storage.models.types import UTCDateTime, stored_enum, utcnow


class NoticeKind(enum.StrEnum):
    MENTION = "mention"  # the person or their organisation was @mentioned
    REPLY = "reply"  # a reply in a thread they took part in
    SUGGESTION = "suggestion"  # a suggestion on a document they may edit
    SHARED = "shared"  # a document newly shared with them or their organisation
    SIGN_OFF = "sign_off"  # a sign-off their organisation owes
    CONSENT = "consent"  # a late commitment their organisation must consent to
    PHASE = "phase"  # a plan they belong to changed phase
    EDITED = "edited"  # a document they watch was edited (one pending row per document)

    @property
    def immediate(self) -> bool:
        """Mentions and requests addressed to the person are mailed at once."""
        return self in (NoticeKind.MENTION, NoticeKind.SIGN_OFF, NoticeKind.CONSENT)

    @property
    def label(self) -> str:
        return {
            "mention": "Mentions of you or your organisation",
            "reply": "Replies in threads you took part in",
            "suggestion": "Suggestions on documents you may edit",
            "shared": "Documents shared with you or your organisation",
            "sign_off": "Sign-offs your organisation owes",
            "consent": "Consent your organisation owes to late commitments",
            "phase": "Phase changes of your plans",
            "edited": "Edits to documents you watch",
        }[self.value]


class MailKind(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class MailStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; kept for the admins to see
    DROPPED = "dropped"  # nothing in it was still the recipient's to read


class Notification(db.Model):  # type: ignore[name-defined]
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(stored_enum(NoticeKind, "notice_kind"))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Words that are no document's text: "Phase: sign-off", the names of the editors.
    detail: Mapped[str] = mapped_column(String(300), default="")
    count: Mapped[int] = mapped_column(Integer, default=1)  # updates, for an edited document
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True while it waits for the daily digest; the mail that carried it once it is queued.
    digest: Mapped[bool] = mapped_column(default=False)
    mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_queue.id", ondelete="SET NULL"), index=True
    )

    actor: Mapped[Person | None] = relationship(foreign_keys=[actor_id], lazy="joined")


class Watch(db.Model):  # type: ignore[name-defined]
    """A person follows a document's edits; ``seen_seq`` is how far they were gathered."""

    __tablename__ = "watches"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    seen_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotifySettings(db.Model):  # type: ignore[name-defined]
    """What one person gets by email, and when their digest comes (absent: the defaults)."""

    __tablename__ = "notify_settings"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    immediate: Mapped[bool] = mapped_column(default=True)
    digest: Mapped[bool] = mapped_column(default=True)
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)  # UTC
    mailed_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Mail(db.Model):  # type: ignore[name-defined]
    """One mail to send: built, and its notifications re-checked, only when it is sent."""

    __tablename__ = "mail_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MailKind] = mapped_column(stored_enum(MailKind, "mail_kind"))
    status: Mapped[MailStatus] = mapped_column(
        stored_enum(MailStatus, "mail_status"), default=MailStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(lazy="joined")
