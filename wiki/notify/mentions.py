"""Who may be mentioned in a document's comments: people and organisations who may read it."""

from __future__ import annotations

from sqlalchemy import func, select

from wiki.access.policy import Action, can
from wiki.extensions import db
from wiki.storage.models import Document, Organisation, Person

MAX_NAMES = 10
MAX_QUERY_CHARS = 100


def mentionable(doc: Document, query: str) -> list[dict[str, str]]:
    """Up to ``MAX_NAMES`` names starting with (or containing) ``query`` that a mention of
    ``doc`` would reach: people who may read it, and organisations with someone who may."""
    words = query.strip()[:MAX_QUERY_CHARS].lower()
    pattern = f"%{words.replace('%', '').replace('_', '')}%"
    people = select(Person).where(Person.active, func.lower(Person.name).like(pattern))
    orgs = select(Organisation).where(func.lower(Organisation.name).like(pattern))
    found: list[dict[str, str]] = []
    for org in db.session.scalars(orgs.order_by(Organisation.name).limit(50)):
        if any(can(member, Action.VIEW, doc) for member in org.people if member.active):
            found.append({"name": org.name, "kind": "organisation", "detail": org.kind.label})
    for person in db.session.scalars(people.order_by(Person.name).limit(50)):
        if can(person, Action.VIEW, doc):
            found.append(
                {"name": person.name, "kind": "person", "detail": person.organisation.name}
            )
    found.sort(key=lambda entry: (not entry["name"].lower().startswith(words), entry["name"]))
    return found[:MAX_NAMES]
