"""The one access policy: every read and write of a document asks ``can``.

Two questions, kept apart: who may know a document exists (its visibility, and grants on a
restricted one) and what they may do in it (their level: view < comment < edit). The owner
organisation edits; a grant gives its level; every other member who may see a network or
public document comments, or edits when the owner opened it to every member. Reviewers
never edit. Running the instance (admin) or the process (coordinator) reads nothing that
is not theirs: an emergency read is a separate, audited, time-limited grant of view.

Plans add three rules: a plan in consultation or later opens its network narrative and
commitments to the public (``Document.visibility``); a late commitment is seen only by its
owner, its lead and the plan's two leads until both consent; a signed-off text is frozen.

Housekeeping adds two: an archived document is read by those who may see it and changed
or commented on by nobody until it is unarchived; a deleted one is seen by nobody.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from wiki.extensions import db
from wiki.storage.models import (
    BreakGlass,
    Document,
    Level,
    Person,
    Plan,
    Role,
    Share,
    Visibility,
)
from wiki.storage.models.types import utcnow


class Action(enum.Enum):
    VIEW = "view"
    COMMENT = "comment"
    EDIT = "edit"
    # Change title, visibility and sharing; rename, archive and delete: the owner
    # organisation's editors, or a coordinator where the document is open to members.
    MANAGE = "manage"
    AUDIT = "audit"  # read who viewed, exported and reshared it


NEEDED = {Action.VIEW: Level.VIEW, Action.COMMENT: Level.COMMENT, Action.EDIT: Level.EDIT}
OPEN = frozenset({Visibility.PUBLIC, Visibility.NETWORK})


def signed_in(person: Any) -> Person | None:
    """The active signed-in person behind ``person`` (a Flask-Login proxy or model), or None."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    actual = person._get_current_object() if hasattr(person, "_get_current_object") else person
    return actual if isinstance(actual, Person) and actual.active else None


def can(person: Any, action: Action, doc: Document) -> bool:
    """Whether ``person`` (None or anonymous for nobody) may do ``action`` to ``doc``."""
    who = signed_in(person)
    if deleted(doc):
        return False
    if action is Action.MANAGE:
        return who is not None and _may_manage(who, doc)
    if action is Action.AUDIT:
        return who is not None and _may_audit(who, doc)
    held = level(who, doc)
    if action in (Action.EDIT, Action.COMMENT) and archived(doc):
        return False
    if action is Action.EDIT and frozen(doc):
        return False
    return held is not None and held.rank >= NEEDED[action].rank


def level(person: Any, doc: Document) -> Level | None:
    """What ``person`` may do in ``doc``: a level, or None when they may not see it at all."""
    who = signed_in(person)
    if deleted(doc):
        return None
    if who is None:
        public = doc.visibility is Visibility.PUBLIC and not doc.awaiting_consent
        return Level.VIEW if public else None
    held = _granted(who, doc)
    if held is None:
        return Level.VIEW if reading_in_emergency(who, doc) else None
    if who.role is Role.REVIEWER and held is Level.EDIT:
        return Level.COMMENT
    return held


def runs_instance(person: Any) -> bool:
    """Whether ``person`` may run organisations and people (an admin or a coordinator)."""
    who = signed_in(person)
    return who is not None and who.runs_instance


def is_admin(person: Any) -> bool:
    """Whether ``person`` is the instance's admin."""
    who = signed_in(person)
    return who is not None and who.role is Role.ADMIN


def may_create(person: Any) -> bool:
    """Whether ``person`` may create documents (for their own organisation)."""
    who = signed_in(person)
    return who is not None and who.role is not Role.REVIEWER


def visible(person: Any, docs: Iterable[Document]) -> list[Document]:
    """The documents among ``docs`` that ``person`` may view: every listing goes through here."""
    return [doc for doc in docs if can(person, Action.VIEW, doc)]


def reading_in_emergency(who: Person, doc: Document) -> bool:
    """Whether an admin or coordinator holds a break-glass read of ``doc`` that has not ended."""
    return emergency_read_until(who, doc) is not None


def emergency_read_until(who: Person, doc: Document) -> datetime | None:
    """When ``who``'s running break-glass read of ``doc`` ends, or None if none runs.

    Asked the same way of a document that does not exist (id 0), so that it costs the same.
    """
    if not who.runs_instance:
        return None
    query = select(func.max(BreakGlass.until)).where(
        BreakGlass.document_id == (doc.id or 0),
        BreakGlass.person_id == who.id,
        BreakGlass.until > utcnow(),
    )
    until: datetime | None = db.session.scalar(query)
    return until


def view_ends(person: Any, doc: Document) -> datetime | None:
    """When ``person``'s view of ``doc`` ends by itself: an emergency read's end, if only
    that lets them see it; None when it does not end on its own."""
    who = signed_in(person)
    if who is None or _granted(who, doc) is not None:
        return None
    return emergency_read_until(who, doc)


def frozen(doc: Document) -> bool:
    """Whether every signatory signed the current text: nobody edits it until re-opened."""
    return doc.signed_off_at is not None


def archived(doc: Document) -> bool:
    """Whether ``doc`` is archived: read-only for everyone until it is unarchived."""
    return doc.archived_at is not None


def deleted(doc: Document) -> bool:
    """Whether ``doc`` was deleted: it answers as missing to everyone."""
    return doc.deleted_at is not None


def may_reopen(person: Any, doc: Document) -> bool:
    """Whether ``person`` may re-open a signed-off text: anyone who could edit it otherwise."""
    return frozen(doc) and level(person, doc) is Level.EDIT


def plan_lead(person: Any, doc: Document) -> bool:
    """Whether ``person`` speaks for one of the two leads of the plan ``doc`` belongs to."""
    return doc.plan is not None and speaks_for(person, doc, doc.plan.lead_ids)


def speaks_for(person: Any, doc: Document, organisations: Iterable[int]) -> bool:
    """Whether ``person`` may act for their organisation, one of ``organisations``, on
    ``doc``: sign it off, or report progress on it. Reviewers never do."""
    who = signed_in(person)
    return (
        who is not None
        and who.role is not Role.REVIEWER
        and who.organisation_id in set(organisations)
        and level(who, doc) is not None
    )


def may_see_plan(person: Any, plan: Plan) -> bool:
    """Whether ``person`` may know of ``plan``: members always, the public from consultation."""
    return signed_in(person) is not None or plan.phase.open_to_public


def coordinates(person: Any) -> bool:
    """Whether ``person`` moves plans through their phases and sets their templates."""
    who = signed_in(person)
    return who is not None and who.role is Role.COORDINATOR


def _granted(who: Person, doc: Document) -> Level | None:
    """The level from ownership, grants and visibility, before the role's cap."""
    if who.organisation_id == doc.owner_id:
        return Level.EDIT
    if doc.awaiting_consent:
        return _awaiting(who, doc)
    if doc.visibility is Visibility.PRIVATE:
        return None
    levels = [share.level for share in doc.shares if _grants(share, who)]
    if doc.visibility in OPEN:
        levels.append(Level.EDIT if doc.members_edit else Level.COMMENT)
    return max(levels, key=lambda held: held.rank, default=None)


def _awaiting(who: Person, doc: Document) -> Level | None:
    """A late commitment before both leads consent: its proposer's side (the owner, above),
    its lead and the plan's two leads see it, nobody else, whatever its grants say."""
    if doc.commitment is not None and who.organisation_id == doc.commitment.lead_id:
        return Level.EDIT  # the department an annex ask was given to lead
    leads = doc.plan.lead_ids if doc.plan is not None else ()
    return Level.COMMENT if who.organisation_id in leads else None


def _may_manage(who: Person, doc: Document) -> bool:
    if who.role is Role.COORDINATOR and doc.visibility in OPEN and not doc.awaiting_consent:
        return True
    return who.organisation_id == doc.owner_id and who.role is not Role.REVIEWER


def _may_audit(who: Person, doc: Document) -> bool:
    """Those a restricted or private document concerns: its owner and everyone granted on it."""
    if doc.visibility in OPEN:
        return _may_manage(who, doc)
    return _granted(who, doc) is not None


def _grants(share: Share, who: Person) -> bool:
    return share.person_id == who.id or share.organisation_id == who.organisation_id
