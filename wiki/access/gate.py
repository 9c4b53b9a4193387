"""The gate of every page: the policy's answer turned into a 404, and readings audited.

Views ask here, never the policy and ``abort`` themselves, so that a document someone may
not see answers exactly like one that does not exist, everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user

from wiki.access import audit
from wiki.access.policy import (
    Action,
    archived,
    can,
    frozen,
    level,
    may_see_plan,
    runs_instance,
    signed_in,
)
from wiki.documents.service import find_document, stand_in
from wiki.extensions import db
from wiki.history import service as history
from wiki.plans.service import find_plan
from wiki.security import embedded_request
from wiki.storage.models import Document, Level, Plan, Revision

SAID_OPENLY = frozenset({Action.EDIT, Action.COMMENT})
SAFE = frozenset({"GET", "HEAD"})


def require_document(slug: str, action: Action, *, audit_view: bool = True) -> Document:
    """The document at ``slug`` if the current person may do ``action``; 404 otherwise.

    Every page that shows a restricted or private document comes through here, so this
    is where its reading is audited: the row is committed before anything is shown. Only
    a page a person opens is a reading; a browser fetching it for an image, a frame or a
    script is refused. A caller that records a more precise row itself (an export) passes
    ``audit_view=False``.
    """
    doc = find_document(slug)
    # A missing document is asked about too, so that it takes what a hidden one takes.
    subject = doc if doc is not None else stand_in(slug)
    allowed = can(current_user, action, subject)
    if not allowed and action in SAID_OPENLY:
        refuse_openly(subject, action)
    if doc is None or not allowed:
        abort(404)
    if doc.slug != slug:  # a former address: only those who may see it learn where it went
        abort(redirect(moved_url(slug, doc.slug), 301 if request.method in SAFE else 308))
    if audit_view and request.method == "GET" and audit.audited(doc):
        if embedded_request():  # an <img> must not record a reading in its reader's name
            abort(404)
        number = (request.view_args or {}).get("number")
        revision = number if isinstance(number, int) else history.latest_revision(doc)
        audit.record(doc, signed_in(current_user), "view", revision=revision, detail=request.path)
        db.session.commit()
    return doc


def refuse_openly(doc: Document, action: Action) -> None:
    """To someone who may see ``doc`` but not change it: a 403 that says so; else nothing.

    They know the document exists, so a 404 would only mislead them.
    """
    held = level(current_user, doc)
    if held is None:
        return
    if archived(doc):
        abort(
            403,
            description="This document is archived: it is kept to read, and nobody changes "
            f"or comments on it. {doc.owner.name}, which owns it, can unarchive it.",
        )
    if signed_in(current_user) is None:
        abort(403, description="Sign in to change or comment on this document.")
    if held is Level.EDIT and frozen(doc):
        abort(
            403,
            description="Every signatory signed this text, so it is frozen. "
            "Someone who may edit it can re-open it, with a reason, on the sign-off board.",
        )
    may = "view and comment on" if held is Level.COMMENT else "view"
    wanted = "edit" if action is Action.EDIT else "comment on"
    abort(
        403,
        description=f"You can {may} this document, but not {wanted} it. "
        f"Ask {doc.owner.name}, which owns it, for more access.",
    )


def moved_url(old: str, new: str) -> str:
    """The address of this request with the document's former slug ``old`` made ``new``."""
    args: dict[str, Any] = {
        name: new if value == old else value for name, value in (request.view_args or {}).items()
    }
    url = url_for(request.endpoint or "pages.view", **args)
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


def require_plan(slug: str) -> Plan:
    """The plan at ``slug`` if the current person may know of it; 404 otherwise."""
    plan = find_plan(slug)
    if plan is None or not may_see_plan(current_user, plan):
        abort(404)
    return plan


def require_revision(doc: Document, number: int) -> Revision:
    """A revision of a visible document, or 404."""
    revision = history.find_revision(doc, number)
    if revision is None:
        abort(404)
    return revision


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only admins and coordinators reach the view; others see the 404 of a missing page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not runs_instance(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapped
