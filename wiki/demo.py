"""The demo instance: a national action plan drafted by two departments and three CSOs.

Its defaults follow the process: the narrative is open to the network while it is drafted,
each side edits what it owns and what it was given, everyone else who sees a document
comments on it, the final draft is restricted, and the coordinator and the admin sit in a
secretariat that owns nothing, so neither side's editing rights include them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from wiki.documents import content
from wiki.documents.service import Grant, create_document
from wiki.extensions import db
from wiki.people.directory import create_organisation, create_person
from wiki.storage.models import Level, Organisation

DEMO_DIR = Path(__file__).parent / "demo"

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

# (slug, title, kind, owner, visibility, file, shares: (organisation, level))
DOCUMENTS = [
    (
        "plan-narrative",
        "National Action Plan 2026–2028",
        "narrative",
        "Cabinet Office Transparency Team",
        "network",
        "narrative.md",
        [("Department for Business and Trade", "edit"), ("Civil Society Network", "edit")],
    ),
    (
        "beneficial-ownership",
        "Commitment 1: a public register of beneficial ownership",
        "commitment",
        "Department for Business and Trade",
        "network",
        "beneficial-ownership.md",
        [("Open Ownership Network", "edit")],
    ),
    (
        "extractive-payments",
        "Commitment 2: payments by extractive industries",
        "commitment",
        "Department for Business and Trade",
        "network",
        "extractives.md",
        [("Publish What You Pay Coalition", "edit")],
    ),
    (
        "anti-corruption-plan",
        "Commitment 3: a cross-government anti-corruption plan",
        "commitment",
        "Cabinet Office Transparency Team",
        "network",
        "anti-corruption.md",
        [("Civil Society Network", "edit")],
    ),
    (
        "civil-society-asks",
        "Annex: what civil society asked for",
        "annex",
        "Civil Society Network",
        "network",
        "annex.md",
        [("Open Ownership Network", "edit"), ("Publish What You Pay Coalition", "edit")],
    ),
    (
        "meeting-notes-14-may",
        "Meeting notes: drafting group, 14 May",
        "notes",
        "Civil Society Network",
        "network",
        "meeting-notes.md",
        [("Cabinet Office Transparency Team", "edit")],
    ),
    (
        "final-draft",
        "Final draft for sign-off",
        "narrative",
        "Cabinet Office Transparency Team",
        "restricted",
        "final-draft.md",
        [
            ("Department for Business and Trade", "edit"),
            ("Civil Society Network", "edit"),
            ("Open Ownership Network", "comment"),
            ("Publish What You Pay Coalition", "view"),
        ],
    ),
]


def seed(*, if_empty: bool) -> bool:
    """Create the demo instance; with ``if_empty``, only when there are no organisations."""
    if if_empty and db.session.scalars(select(Organisation)).first() is not None:
        return False
    orgs = {name: create_organisation(name, kind) for name, kind in ORGANISATIONS}
    accounts = []
    for email, name, org, role in PEOPLE:
        password = secrets.token_urlsafe(12)
        create_person(email, name, org, role, password)
        accounts.append(f"{role:11} {email:34} {password}   ({name}, {org})")
    docs = []
    for slug, title, kind, owner, visibility, filename, shares in DOCUMENTS:
        grants = [Grant(orgs[name], None, Level(level)) for name, level in shares]
        limit = current_app.config["MAX_DOCUMENT_CHARS"]
        doc = create_document(slug, title, kind, orgs[owner], visibility, grants, max_chars=limit)
        docs.append((doc, orgs[owner], (DEMO_DIR / filename).read_text()))
    db.session.commit()
    for doc, owner, text in docs:
        content.edit_text(doc, None, owner, 0, text)
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
