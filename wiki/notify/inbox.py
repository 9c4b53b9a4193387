"""The inbox: a person's notices as they may read them now, the policy asked again each time.

A notice about a document the person may no longer see is left out, as if it never was;
in a mail, a restricted or private document gets its title and link, never any text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy import select, update

from wiki.access.policy import Action, can, may_see_plan
from wiki.extensions import db
from wiki.storage.models import (
    Comment,
    Document,
    NoticeKind,
    Notification,
    Person,
    Plan,
    Reply,
    Visibility,
)
from wiki.storage.models.types import utcnow

PAGE_SIZE = 50
EXCERPT_CHARS = 300
CLOSED = frozenset({Visibility.RESTRICTED, Visibility.PRIVATE})


@dataclass(frozen=True)
class Item:
    """One notice as its person may read it: what happened, where, and a link."""

    notice: Notification
    headline: str
    excerpt: str
    path: str
    doc: Document | None

    @property
    def unread(self) -> bool:
        return self.notice.read_at is None


def notices(person: Person, *, unread_only: bool, limit: int = PAGE_SIZE) -> list[Notification]:
    query = select(Notification).where(Notification.person_id == person.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.updated_at.desc(), Notification.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def readable(person: Person, found: Iterable[Notification], *, by_mail: bool) -> list[Item]:
    """The notices ``person`` may read now, each with its words; by mail, no closed text."""
    items = []
    for notice, doc, plan in allowed(person, list(found)):
        closed = doc is not None and doc.visibility in CLOSED
        excerpt = "" if by_mail and closed else excerpt_of(notice)
        path = path_of(notice, doc, plan)
        items.append(Item(notice, headline(notice, doc, plan), excerpt, path, doc))
    return items


def allowed(
    person: Person, found: list[Notification]
) -> list[tuple[Notification, Document | None, Plan | None]]:
    """The notices whose document (or plan) ``person`` may see now, with them.

    Their documents and plans are read in one query each, always from the database: a
    page about a hidden document must cost the queries a page about a missing one does,
    and one already in the session would otherwise be read for free.
    """
    docs = by_id(Document, {n.document_id for n in found if n.document_id is not None})
    plans = by_id(Plan, {n.plan_id for n in found if n.plan_id is not None})
    kept = []
    for notice in found:
        doc = docs.get(notice.document_id) if notice.document_id is not None else None
        plan = plans.get(notice.plan_id) if notice.plan_id is not None else None
        if notice.document_id is not None and (doc is None or not can(person, Action.VIEW, doc)):
            continue
        if doc is None and (plan is None or not may_see_plan(person, plan)):
            continue
        kept.append((notice, doc, plan))
    return kept


def by_id(model: type[Document] | type[Plan], ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    query = select(model).where(model.id.in_(sorted(ids)))
    rows: Iterable[Any] = db.session.scalars(query.execution_options(populate_existing=True))
    return {row.id: row for row in rows}


def unread_count(person: Person) -> int:
    """Unread notices ``person`` may still read (at most a page's worth are counted)."""
    return len(allowed(person, notices(person, unread_only=True)))


def mark_read(person: Person, ids: Sequence[int] | None = None) -> int:
    """Mark ``person``'s notices read: those of ``ids``, or every one; how many changed."""
    statement = update(Notification).where(
        Notification.person_id == person.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    result = db.session.execute(statement.values(read_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def headline(notice: Notification, doc: Document | None, plan: Plan | None) -> str:
    """What happened, in a sentence that names no text of the document."""
    actor = notice.actor.name if notice.actor is not None else "Someone"
    title = f"“{doc.title}”" if doc is not None else ""
    plan_title = f"“{plan.title}”" if plan is not None else ""
    said = {
        NoticeKind.MENTION: f"{actor} mentioned you or your organisation on {title}",
        NoticeKind.REPLY: f"{actor} replied in a thread you took part in on {title}",
        NoticeKind.SUGGESTION: f"{actor} suggested a change to {title}",
        NoticeKind.SHARED: f"{title} was shared with you or your organisation",
        NoticeKind.SIGN_OFF: f"Your organisation is asked to sign off {title}",
        NoticeKind.CONSENT: f"Your organisation's consent is asked for the late commitment {title}",
        NoticeKind.PHASE: f"The plan {plan_title} moved on",
        NoticeKind.EDITED: f"{title} was edited ({notice.count} changes)",
    }[notice.kind]
    return f"{said}: {notice.detail}" if notice.detail else said


def excerpt_of(notice: Notification) -> str:
    """The words of the comment or reply a notice is about, shortened; "" for others."""
    if notice.comment_id is None:
        return ""
    comment = db.session.get(Comment, notice.comment_id)
    if comment is None:
        return ""
    text = comment.body or (comment.replacement or "")
    if notice.kind is NoticeKind.REPLY or (notice.kind is NoticeKind.MENTION and comment.replies):
        by_actor = select(Reply.body).where(
            Reply.comment_id == comment.id,
            Reply.person_id == notice.actor_id,
            Reply.created_at <= notice.created_at,
        )
        text = db.session.scalars(by_actor.order_by(Reply.id.desc()).limit(1)).first() or text
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def path_of(notice: Notification, doc: Document | None, plan: Plan | None) -> str:
    """Where the notice leads: the thread, the sign-off board, the document or the plan."""
    if doc is not None and notice.comment_id is not None:
        base = url_for("discussion.show", slug=doc.slug, status="all")
        return f"{base}#c{notice.comment_id}"
    if doc is not None and notice.kind is NoticeKind.SIGN_OFF and doc.plan is not None:
        return url_for("board.show", plan_slug=doc.plan.slug) + f"#doc-{doc.slug}"
    if doc is not None:
        return url_for("pages.view", slug=doc.slug)
    assert plan is not None
    return url_for("plans.overview", plan_slug=plan.slug)
