"""Organisations and people: creating, finding, checking passwords, disabling."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from wiki.access.sessions import end_all_sessions
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.storage.models import Organisation, OrgKind, Person, Role

MIN_PASSWORD_CHARS = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

HASHER_KEY = "jointly.password_hasher"


def hasher() -> PasswordHasher:
    """The app's Argon2 hasher, with the cost the configuration sets."""
    return _hashing()[0]


def _hashing() -> tuple[PasswordHasher, str]:
    """The hasher, and a hash to verify against when the email is unknown.

    Verifying against a dummy hash keeps the timing of a login the same whether or not the
    email exists. Both are made, then stored together, so that the first sign-ins after a
    start, arriving at once, each find both or neither (and then make their own).
    """
    found = current_app.extensions.get(HASHER_KEY)
    if found is None:
        hashes = PasswordHasher(
            time_cost=current_app.config["ARGON2_TIME_COST"],
            memory_cost=current_app.config["ARGON2_MEMORY_KIB"],
        )
        found = current_app.extensions[HASHER_KEY] = (hashes, hashes.hash("not a real password"))
    return found


def create_organisation(name: str, kind: str) -> Organisation:
    """Add an organisation; raises InvalidInput naming the field at fault."""
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the organisation's name."
    elif find_organisation(name) is not None:
        errors["name"] = f"An organisation called “{name}” already exists."
    if kind not in {k.value for k in OrgKind}:
        errors["kind"] = "Choose government, civil society or other."
    if errors:
        raise InvalidInput(errors)
    org = Organisation(name=name, kind=OrgKind(kind))
    db.session.add(org)
    db.session.flush()
    return org


def find_organisation(name: str) -> Organisation | None:
    """The organisation with this name, ignoring case."""
    query = select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())
    return db.session.scalars(query).first()


def find_person(email: str) -> Person | None:
    """The person with this email address, ignoring case."""
    query = select(Person).where(Person.email == email.strip().lower())
    return db.session.scalars(query).first()


def create_person(email: str, name: str, org_name: str, role: str, password: str) -> Person:
    """Add a person to an organisation; raises InvalidInput naming each field at fault."""
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if not EMAIL_PATTERN.match(email):
        errors["email"] = "Enter an email address like name@example.org."
    elif find_person(email) is not None:
        errors["email"] = "Someone with this email address already exists."
    if not name.strip():
        errors["name"] = "Enter the person's name."
    org = find_organisation(org_name)
    if org is None:
        errors["organisation"] = f"There is no organisation called “{org_name.strip()}”."
    if role not in {r.value for r in Role}:
        errors["role"] = f"Choose {', '.join(r.value for r in Role)}."
    if len(password) < MIN_PASSWORD_CHARS:
        errors["password"] = f"Use a password of at least {MIN_PASSWORD_CHARS} characters."
    if errors:
        raise InvalidInput(errors)
    assert org is not None
    person = Person(
        email=email,
        name=name.strip(),
        organisation=org,
        role=Role(role),
        password_hash=hasher().hash(password),
    )
    db.session.add(person)
    db.session.flush()
    return person


def authenticate(email: str, password: str) -> Person | None:
    """The active person with these credentials, or None; upgrades old password hashes."""
    person = find_person(email)
    hashes, dummy = _hashing()
    stored = person.password_hash if person is not None else dummy
    try:
        hashes.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if person is None or not person.active:
        return None
    if hashes.check_needs_rehash(person.password_hash):
        person.password_hash = hashes.hash(password)
    return person


def set_active(person: Person, active: bool) -> list[str]:
    """Enable or disable a person; disabling ends their sessions, whose ids are returned."""
    person.active = active
    return [] if active else end_all_sessions(person)
