"""Comments and suggestions on a document, anchored to its text; replies to them.

They live in SQL, not in the Yjs document, so that the one policy and the audit cover them.
An anchor is two encoded Yjs relative positions (crdt.anchors) that follow the text.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.extensions import db
from wiki.storage.models.people import Organisation, Person
from wiki.storage.models.types import UTCDateTime, stored_enum, utcnow


class CommentKind(enum.StrEnum):
    COMMENT = "comment"
    SUGGESTION = "suggestion"  # proposes a replacement for its range


class CommentStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ACCEPTED = "accepted"  # a suggestion whose edit the server made
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Comment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[CommentKind] = mapped_column(stored_enum(CommentKind, "comment_kind"))
    body: Mapped[str] = mapped_column(Text, default="")
    replacement: Mapped[str | None] = mapped_column(Text)
    quote_then: Mapped[str] = mapped_column(Text)  # the anchored text when it was made
    anchor_start: Mapped[bytes] = mapped_column(LargeBinary)
    anchor_end: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[CommentStatus] = mapped_column(
        stored_enum(CommentStatus, "comment_status"), default=CommentStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_seq: Mapped[int | None] = mapped_column(Integer)  # the edit an accept stored

    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
    replies: Mapped[list[Reply]] = relationship(
        back_populates="comment",
        cascade="all, delete-orphan",
        order_by="Reply.id",
        lazy="selectin",
    )


class Reply(db.Model):  # type: ignore[name-defined]
    __tablename__ = "comment_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="replies")
    person: Mapped[Person] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
