"""The demo instance: a national action plan drafted by two departments and four CSOs.

Its defaults follow the process: each side edits what it owns and what it was given,
everyone else who sees a document comments on it, the final draft is restricted, and the
coordinator and the admin sit in a secretariat that owns nothing, so neither side's editing
rights include them. The plan itself, in sign-off, is made by ``wiki.demo_plan``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from wiki.demo_plan import seed_plan
from wiki.extensions import db
from wiki.people.directory import create_organisation, create_person
from wiki.storage.models import Organisation, Person

ORGANISATIONS = [
    ("Open Government Forum Secretariat", "other"),
    ("Cabinet Office Transparency Team", "government"),
    ("Department for Business and Trade", "government"),
    ("Civil Society Network", "civil_society"),
    ("Open Ownership Network", "civil_society"),
    ("Publish What You Pay Coalition", "civil_society"),
    ("Integrity Watch", "civil_society"),
]

# (email, name, organisation, role)
PEOPLE = [
    (
        "coordinator@jointly.example",
        "Sam Coordinator",
        "Open Government Forum Secretariat",
        "coordinator",
    ),
    ("admin@jointly.example", "Robin Admin", "Open Government Forum Secretariat", "admin"),
    ("alex@cabinet.example.gov", "Alex Morgan", "Cabinet Office Transparency Team", "editor"),
    (
        "priya@business.example.gov",
        "Priya Natarajan",
        "Department for Business and Trade",
        "editor",
    ),
    ("maria@civilsociety.example.org", "Maria Santos", "Civil Society Network", "editor"),
    ("kwame@openownership.example.org", "Kwame Mensah", "Open Ownership Network", "editor"),
    ("lena@pwyp.example.org", "Lena Fischer", "Publish What You Pay Coalition", "editor"),
    ("jo@integrity.example.org", "Jo Reviewer", "Integrity Watch", "reviewer"),
]


def seed(*, if_empty: bool) -> bool:
    """Create the demo instance; with ``if_empty``, only when there are no organisations."""
    if if_empty and db.session.scalars(select(Organisation)).first() is not None:
        return False
    orgs = {name: create_organisation(name, kind) for name, kind in ORGANISATIONS}
    people: dict[str, Person] = {}
    accounts = []
    for email, name, org, role in PEOPLE:
        password = secrets.token_urlsafe(12)
        people[email] = create_person(email, name, org, role, password)
        accounts.append(f"{role:11} {email:34} {password}   ({name}, {org})")
    seed_plan(orgs, people)
    write_accounts(accounts)
    return True


def accounts_file() -> Path:
    """Where the demo accounts of this instance are kept (readable by its owner only)."""
    return Path(current_app.instance_path) / str(current_app.config["DEMO_ACCOUNTS_FILE"])


def write_accounts(lines: list[str]) -> None:
    """Save the generated demo passwords so ``make run`` can show them again."""
    path = accounts_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def demo_accounts_text() -> str:
    """The demo accounts, for the terminal."""
    path = accounts_file()
    if not path.exists():
        return "This instance has no demo accounts."
    return "Demo accounts (role, email, password):\n" + path.read_text()
