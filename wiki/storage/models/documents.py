"""Documents and who they are shared with; the text itself lives in the update log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.extensions import db
from wiki.storage.models.people import Organisation, Person
from wiki.storage.models.plans import Commitment, Plan
from wiki.storage.models.types import UTCDateTime, stored_enum, utcnow


class DocumentKind(enum.StrEnum):
    NARRATIVE = "narrative"
    COMMITMENT = "commitment"
    ANNEX = "annex"
    NOTES = "notes"
    PAGE = "page"

    @property
    def label(self) -> str:
        return {
            "narrative": "Plan narrative",
            "commitment": "Commitment",
            "annex": "Annex of civil-society asks",
            "notes": "Meeting notes",
            "page": "Page",
        }[self.value]


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    NETWORK = "network"
    RESTRICTED = "restricted"
    PRIVATE = "private"

    @property
    def label(self) -> str:
        return {
            "public": "Public: anyone, without signing in",
            "network": "Network: every signed-in member",
            "restricted": "Restricted: named organisations and people only",
            "private": "Private: the owner organisation only",
        }[self.value]


class Level(enum.StrEnum):
    """What a grant lets its holder do in a document, each level including the one before."""

    VIEW = "view"
    COMMENT = "comment"
    EDIT = "edit"

    @property
    def rank(self) -> int:
        return list(Level).index(self)

    @property
    def label(self) -> str:
        return {"view": "Can view", "comment": "Can view and comment", "edit": "Can edit"}[
            self.value
        ]


PLAN_TEXTS = frozenset({DocumentKind.NARRATIVE, DocumentKind.COMMITMENT})


class Document(db.Model):  # type: ignore[name-defined]
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DocumentKind] = mapped_column(stored_enum(DocumentKind, "document_kind"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # What the owner chose; ``visibility`` is what holds now, once an embargo has ended.
    declared_visibility: Mapped[Visibility] = mapped_column(
        "visibility", stored_enum(Visibility, "visibility")
    )
    embargo_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    embargo_then: Mapped[Visibility | None] = mapped_column(stored_enum(Visibility, "embargo_then"))
    # Off: members who may see it view and comment, and only grants of edit add editors.
    members_edit: Mapped[bool] = mapped_column(default=False)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)
    # A commitment proposed after its plan's cut-off, until both leads consent.
    awaiting_consent: Mapped[bool] = mapped_column(default=False)
    # Set when every signatory signed the current text: it is frozen until re-opened.
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived: kept to read and search, changed by nobody, out of the lists.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Deleted: answers as missing to everyone; its log is kept until purged.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    owner: Mapped[Organisation] = relationship(lazy="joined")
    shares: Mapped[list[Share]] = relationship(
        back_populates="document", cascade="all, delete-orphan", lazy="selectin"
    )
    plan: Mapped[Plan | None] = relationship(lazy="joined")
    commitment: Mapped[Commitment | None] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        lazy="select",
        foreign_keys="Commitment.document_id",
    )

    @property
    def visibility(self) -> Visibility:
        """Who may see the document now: an embargo lifts by itself at its time, and a plan
        in consultation or later opens its network narrative and commitments to the public."""
        held = self.declared_visibility
        if self.embargo_then is not None and self.embargo_lifted():
            held = self.embargo_then
        if held is Visibility.NETWORK and self.opened_by_plan:
            return Visibility.PUBLIC
        return held

    @visibility.setter
    def visibility(self, value: Visibility) -> None:
        """Set who may see it from now on, ending any embargo."""
        self.declared_visibility = value
        self.embargo_until = self.embargo_then = None

    @property
    def opened_by_plan(self) -> bool:
        """Whether the plan's phase makes this document public if members may read it."""
        return (
            self.plan is not None
            and self.plan.phase.open_to_public
            and self.kind in PLAN_TEXTS
            and not self.awaiting_consent
        )

    def embargo_lifted(self, now: datetime | None = None) -> bool:
        """Whether an embargo was set and its time has come."""
        return self.embargo_until is not None and (now or utcnow()) >= self.embargo_until


class FormerSlug(db.Model):  # type: ignore[name-defined]
    """An address a document had before it was renamed: it still leads there."""

    __tablename__ = "former_slugs"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    renamed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Share(db.Model):  # type: ignore[name-defined]
    """A grant of a level on a document, to an organisation or one person.

    On a restricted document a grant is also what lets its holder see it; on a network or
    public one it only raises what they may do there.
    """

    __tablename__ = "shares"
    __table_args__ = (
        CheckConstraint("(organisation_id IS NULL) != (person_id IS NULL)", name="one_grantee"),
        UniqueConstraint("document_id", "organisation_id", "person_id", name="uq_shares_grant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    level: Mapped[Level] = mapped_column(stored_enum(Level, "share_level"), default=Level.VIEW)

    document: Mapped[Document] = relationship(back_populates="shares")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    person: Mapped[Person | None] = relationship(lazy="joined")
