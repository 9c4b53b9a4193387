"""Documents: validating and creating them, their templates, finding them by slug."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from wiki.access.policy import Action, can
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.notify import events as notices
from wiki.storage.models import (
    Document,
    DocumentKind,
    FormerSlug,
    Level,
    Organisation,
    Person,
    Share,
    Visibility,
)
from wiki.storage.models.types import utcnow

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
MAX_SLUG_CHARS = 80
# Top-level paths the app itself uses; a document may not take them.
RESERVED_SLUGS = frozenset(
    {"api", "login", "logout", "plans", "static", "socket.io", "favicon.ico"}
)
MAX_TITLE_CHARS = 200
# A random suffix says nothing about which other addresses are taken, as "-2", "-3" would.
SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
SUFFIX_CHARS = 5

COMMITMENT_TEMPLATE = """\
## Lead organisation

## Civil-society partners

## Problem addressed

What is the problem this commitment will address?

## Main objective

## Ambition

What will change, and for whom, if the commitment is met?

## Relevance to open-government values

Transparency, accountability, public participation: say which, and how.

## Milestones

| Milestone | Start date | End date |
|---|---|---|
|  |  |  |

## Contacts

| Role | Name | Organisation | Email |
|---|---|---|---|
| Lead |  |  |  |
"""


@dataclass(frozen=True)
class Grant:
    """A share to create: an organisation or a person, with a level."""

    organisation: Organisation | None
    person: Person | None
    level: Level


def find_document(slug: str) -> Document | None:
    """The document with this slug, or that had it before a rename, whoever may see it;
    callers ask the policy next (and compare ``doc.slug`` to see whether it moved).

    One query, found or not: its grants come in the same query, so a document the policy
    then refuses costs what a missing one does.
    """
    former = select(FormerSlug.document_id).where(FormerSlug.slug == slug).scalar_subquery()
    query = (
        select(Document)
        .where(or_(Document.slug == slug, Document.id == former))
        .options(joinedload(Document.shares))
    )
    found = db.session.scalars(query).unique().all()
    # Addresses are kept apart when taken; should two writers have raced, the current wins.
    return next((doc for doc in found if doc.slug == slug), found[0] if found else None)


def stand_in(slug: str) -> Document:
    """A document shared with nobody, never stored: what the policy is asked where none exists."""
    return Document(slug=slug, title="", visibility=Visibility.RESTRICTED)


def starting_text(kind: str) -> str:
    """The Markdown a new document of this kind starts from (its title is shown above it)."""
    return COMMITMENT_TEMPLATE if kind == DocumentKind.COMMITMENT.value else ""


def validate_document(
    slug: str,
    title: str,
    kind: str,
    visibility: str,
    text: str,
    max_chars: int,
    creator: Person | None = None,
) -> dict[str, str]:
    """What is wrong with these fields of a new document, by field name.

    A taken address is an error only where ``creator`` may see the document that has it
    (None: the operator, who may know them all); see ``create_document``.
    """
    errors = slug_errors(slug) | title_errors(title.strip())
    if (
        "slug" not in errors
        and (taken := find_document(slug)) is not None
        and (creator is None or can(creator, Action.VIEW, taken))
    ):
        errors["slug"] = f"A document with the address “{slug}” already exists."
    if kind not in {k.value for k in DocumentKind}:
        errors["kind"] = "Choose a kind of document."
    if visibility not in {v.value for v in Visibility}:
        errors["visibility"] = "Choose who can see the document."
    if len(text) > max_chars:
        errors["text"] = f"The text is {len(text):,} characters; the limit is {max_chars:,}."
    return errors


def slug_errors(slug: str) -> dict[str, str]:
    """What is wrong with the form of an address (not whether it is taken), by field name."""
    if not SLUG_PATTERN.match(slug):
        return {
            "slug": "Use 1 to 80 lower-case letters, digits and hyphens, "
            "starting and ending with a letter or digit."
        }
    if slug in RESERVED_SLUGS:
        return {"slug": f"“{slug}” is used by Jointly itself; choose another."}
    return {}


def title_errors(title: str) -> dict[str, str]:
    """What is wrong with a (stripped) document title, by field name."""
    if not title:
        return {"title": "Enter a title."}
    if len(title) > MAX_TITLE_CHARS:
        return {"title": f"Use at most {MAX_TITLE_CHARS} characters for the title."}
    return {}


def create_document(
    slug: str,
    title: str,
    kind: str,
    owner: Organisation,
    visibility: str,
    grants: list[Grant],
    *,
    max_chars: int,
    creator: Person | None = None,
) -> Document:
    """Add a document row and its shares (telling whoever they reach, as a later share does);
    the text is written through the edit pipeline.

    ``creator`` is the person asking (None: the operator at the command line). An address
    taken by a document they may not see is answered as a free one would be: the new
    document is made, at the address with a random suffix, so its existence does not show.
    """
    slug = slug.strip()
    errors = validate_document(slug, title, kind, visibility, "", max_chars, creator)
    if errors:
        raise InvalidInput(errors)
    if find_document(slug) is not None:
        slug = suffixed_slug(slug)
    doc = Document(
        slug=slug,
        title=title.strip(),
        kind=DocumentKind(kind),
        owner=owner,
        visibility=Visibility(visibility),
    )
    for grant in grants:
        doc.shares.append(
            Share(organisation=grant.organisation, person=grant.person, level=grant.level)
        )
    db.session.add(doc)
    db.session.flush()
    notices.shared(doc, doc.shares, creator)
    return doc


def suffixed_slug(slug: str) -> str:
    """``slug`` with a random suffix no document has, within MAX_SLUG_CHARS."""
    stem = slug[: MAX_SLUG_CHARS - SUFFIX_CHARS - 1].rstrip("-")
    while True:
        suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_CHARS))
        if find_document(candidate := f"{stem}-{suffix}") is None:
            return candidate


def set_visibility(doc: Document, visibility: str) -> None:
    """Change who can see the document."""
    if visibility not in {v.value for v in Visibility}:
        raise InvalidInput({"visibility": "Choose who can see the document."})
    doc.visibility = Visibility(visibility)


def set_embargo(doc: Document, until: datetime, then: str) -> None:
    """Restrict the document until ``until`` (UTC), when it opens to ``then`` by itself."""
    if then not in (Visibility.NETWORK.value, Visibility.PUBLIC.value):
        raise InvalidInput({"then": "Choose who can see the document after the embargo."})
    until = until.replace(tzinfo=UTC) if until.tzinfo is None else until.astimezone(UTC)
    if until <= utcnow():
        raise InvalidInput({"until": "Choose a time in the future (UTC)."})
    doc.visibility = Visibility.RESTRICTED
    doc.embargo_until, doc.embargo_then = until, Visibility(then)


def describe_sharing(doc: Document) -> str:
    """Who may see the document, in words, with its embargo if one is pending."""
    members = "; every member may edit" if doc.members_edit else ""
    if doc.embargo_then is not None and not doc.embargo_lifted():
        assert doc.embargo_until is not None
        until = doc.embargo_until.strftime("%Y-%m-%d %H:%M UTC")
        return f"{doc.visibility.value} until {until}, then {doc.embargo_then.value}{members}"
    return f"{doc.visibility.value}{members}"


def add_grant(doc: Document, grant: Grant) -> Share:
    """Share the document with an organisation or a person, replacing an earlier grant."""
    for share in doc.shares:
        if share.organisation == grant.organisation and share.person == grant.person:
            share.level = grant.level
            return share
    share = Share(organisation=grant.organisation, person=grant.person, level=grant.level)
    doc.shares.append(share)
    db.session.flush()
    notices.shared(doc, [share])
    return share


def remove_grant(doc: Document, share_id: int) -> Share | None:
    """Withdraw one grant; returns it, or None if the document has no such grant."""
    for share in doc.shares:
        if share.id == share_id:
            doc.shares.remove(share)
            db.session.flush()
            return share
    return None
