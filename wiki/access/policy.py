"""The one access policy: every read and write of a document asks ``can``."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from wiki.storage.models import Document, Person, Role, Share, Visibility


class Action(enum.Enum):
    VIEW = "view"
    EDIT = "edit"
    MANAGE = "manage"  # change title, visibility and sharing


def signed_in(person: Any) -> Person | None:
    """The active signed-in person behind ``person`` (a Flask-Login proxy or model), or None."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    actual = person._get_current_object() if hasattr(person, "_get_current_object") else person
    return actual if isinstance(actual, Person) and actual.active else None


def can(person: Any, action: Action, doc: Document) -> bool:
    """Whether ``person`` (None or anonymous for nobody) may do ``action`` to ``doc``."""
    who = signed_in(person)
    if who is None:
        return action is Action.VIEW and doc.visibility is Visibility.PUBLIC
    if who.role is Role.ADMIN:
        return True
    if not _may_view(who, doc):
        return False
    if action is Action.VIEW:
        return True
    if who.role is not Role.EDITOR:
        return False
    if action is Action.MANAGE:
        return who.organisation_id == doc.owner_id
    return _may_edit(who, doc)


def is_admin(person: Any) -> bool:
    """Whether ``person`` may administer organisations, people and the audit log."""
    who = signed_in(person)
    return who is not None and who.role is Role.ADMIN


def may_create(person: Any) -> bool:
    """Whether ``person`` may create documents (for their own organisation)."""
    who = signed_in(person)
    return who is not None and who.role is not Role.REVIEWER


def visible(person: Any, docs: Iterable[Document]) -> list[Document]:
    """The documents among ``docs`` that ``person`` may view: every listing goes through here."""
    return [doc for doc in docs if can(person, Action.VIEW, doc)]


def _may_view(who: Person, doc: Document) -> bool:
    if doc.visibility in (Visibility.PUBLIC, Visibility.NETWORK):
        return True
    if who.organisation_id == doc.owner_id:
        return True
    if doc.visibility is Visibility.PRIVATE:
        return False
    return any(_grants(share, who) for share in doc.shares)


def _may_edit(who: Person, doc: Document) -> bool:
    if doc.visibility in (Visibility.PUBLIC, Visibility.NETWORK):
        return True
    if who.organisation_id == doc.owner_id:
        return True
    if doc.visibility is Visibility.PRIVATE:
        return False
    return any(_grants(share, who) and share.can_edit for share in doc.shares)


def _grants(share: Share, who: Person) -> bool:
    return share.person_id == who.id or share.organisation_id == who.organisation_id
