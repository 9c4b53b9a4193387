"""The running record of a plan in implementation: progress on each milestone, by each side.

Append-only: an update is never changed or deleted; a correction is a newer update.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.extensions import db
from wiki.storage.models.people import Organisation, Person
from wiki.storage.models.types import UTCDateTime, stored_enum, utcnow


class Progress(enum.StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    DELAYED = "delayed"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ProgressUpdate(db.Model):  # type: ignore[name-defined]
    """One side's report on one milestone: a status, a note, evidence links, who and when."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    side: Mapped[str] = mapped_column(String(20))  # the organisation's kind when it reported
    status: Mapped[Progress] = mapped_column(stored_enum(Progress, "progress_status"))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
