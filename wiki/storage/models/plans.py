"""Plans, their commitment register, the leads' consents and sign-offs bound to revisions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.extensions import db
from wiki.storage.models.people import Organisation, Person
from wiki.storage.models.progress import ProgressUpdate
from wiki.storage.models.types import UTCDateTime, stored_enum, utcnow

if TYPE_CHECKING:
    from wiki.storage.models.documents import Document


class Phase(enum.StrEnum):
    """Where a plan stands, in the order it moves through them."""

    DRAFTING = "drafting"
    CONSULTATION = "consultation"
    CUT_OFF = "cut-off"
    SIGN_OFF = "sign-off"
    PUBLISHED = "published"
    IMPLEMENTATION = "implementation"

    @property
    def step(self) -> int:
        return list(Phase).index(self) + 1

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def open_to_public(self) -> bool:
        """From consultation on, the narrative and commitments members see are public."""
        return self.step >= Phase.CONSULTATION.step

    @property
    def after_cut_off(self) -> bool:
        """From the cut-off on, nothing joins the plan without both leads' consent."""
        return self.step >= Phase.CUT_OFF.step


class Status(enum.StrEnum):
    """A commitment's standing; ``signed_off`` is reached by signatures, never chosen."""

    PROPOSED = "proposed"
    NEGOTIATING = "negotiating"
    AGREED = "agreed"
    SIGNED_OFF = "signed_off"
    ANNEX = "annex"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"signed_off": "Signed off", "annex": "Annex ask"}.get(
            self.value, self.value.capitalize()
        )


class Plan(db.Model):  # type: ignore[name-defined]
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    government_lead_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    civil_society_lead_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    phase: Mapped[Phase] = mapped_column(stored_enum(Phase, "plan_phase"), default=Phase.DRAFTING)
    phase_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The commitment template: section headings as Markdown, and extra record fields.
    template_text: Mapped[str] = mapped_column(Text, default="")
    template_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The plan this one was started from: the rolling plan's previous cycle.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))

    # Loaded when read (organisations are few, and usually in the session already): a plan
    # comes joined to every document query, which should not join its leads as well.
    government_lead: Mapped[Organisation] = relationship(foreign_keys=[government_lead_id])
    civil_society_lead: Mapped[Organisation] = relationship(foreign_keys=[civil_society_lead_id])
    previous: Mapped[Plan | None] = relationship(remote_side=[id], lazy="select")

    @property
    def lead_ids(self) -> tuple[int, int]:
        return (self.government_lead_id, self.civil_society_lead_id)


class Commitment(db.Model):  # type: ignore[name-defined]
    """The record of a commitment (or an annex ask); its text is its document's."""

    __tablename__ = "commitments"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int | None] = mapped_column(Integer)
    # A government organisation; an ask from civil society has none until one takes it on.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    proposer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[Status] = mapped_column(
        stored_enum(Status, "commitment_status"), default=Status.PROPOSED
    )
    late: Mapped[bool] = mapped_column(default=False)
    origin: Mapped[str] = mapped_column(String(300), default="")
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Marked to be carried over into the next plan; and where a carried one came from.
    carry_over: Mapped[bool] = mapped_column(default=False)
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))

    document: Mapped[Document] = relationship(
        back_populates="commitment", foreign_keys=[document_id]
    )
    carried_from: Mapped[Document | None] = relationship(
        foreign_keys=[carried_from_id], lazy="select"
    )
    lead: Mapped[Organisation | None] = relationship(foreign_keys=[lead_id], lazy="joined")
    proposer: Mapped[Person | None] = relationship(foreign_keys=[proposer_id], lazy="joined")
    proposer_organisation: Mapped[Organisation] = relationship(
        foreign_keys=[proposer_organisation_id], lazy="joined"
    )
    partners: Mapped[list[Partner]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Partner.id"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Milestone.position"
    )


class Partner(db.Model):  # type: ignore[name-defined]
    __tablename__ = "commitment_partners"
    __table_args__ = (UniqueConstraint("document_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.document_id", ondelete="CASCADE")
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Milestone(db.Model):  # type: ignore[name-defined]
    """A milestone of a commitment; its progress updates hang on it, so it is changed in
    place, never replaced."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.document_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    due: Mapped[date | None] = mapped_column(Date)

    updates: Mapped[list[ProgressUpdate]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ProgressUpdate.at"
    )


class Consent(db.Model):  # type: ignore[name-defined]
    """A plan lead's consent to a late commitment joining the plan."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("document_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    person: Mapped[Person] = relationship(lazy="joined")


class SignOff(db.Model):  # type: ignore[name-defined]
    """One signatory organisation's signature of a document's text at one revision."""

    __tablename__ = "sign_offs"
    __table_args__ = (UniqueConstraint("document_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    revision: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)  # the last update the signed text holds
    sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    person: Mapped[Person] = relationship(lazy="joined")


class Reopening(db.Model):  # type: ignore[name-defined]
    """A signed-off text opened again for edits: who, why, and the signatures it cleared."""

    __tablename__ = "reopenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    cleared: Mapped[list[str]] = mapped_column(JSON, default=list)  # organisation names
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")
