"""Organisations, the people in them, and their server-side login sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wiki.extensions import db
from wiki.storage.models.types import UTCDateTime, stored_enum, utcnow


class OrgKind(enum.StrEnum):
    GOVERNMENT = "government"
    CIVIL_SOCIETY = "civil_society"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"government": "Government", "civil_society": "Civil society"}.get(self, "Other")


class Role(enum.StrEnum):
    """What a person does on the instance; what they may do in a document is its grants'."""

    ADMIN = "admin"  # runs the instance: accounts and settings
    COORDINATOR = "coordinator"  # runs the process: organisations, people, shared documents
    EDITOR = "editor"
    REVIEWER = "reviewer"  # views and comments, never edits


class Organisation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrgKind] = mapped_column(stored_enum(OrgKind, "org_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    people: Mapped[list[Person]] = relationship(back_populates="organisation")


class Person(UserMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[Role] = mapped_column(stored_enum(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="people", lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive people
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def runs_instance(self) -> bool:
        """An admin or a coordinator: reaches the administration pages, never others' drafts."""
        return self.role in (Role.ADMIN, Role.COORDINATOR)


class LoginSession(db.Model):  # type: ignore[name-defined]
    """One signed-in browser; deleting the row ends that session everywhere at once."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")
