"""The comments API: ``/api/docs/<slug>/comments`` for scripts and the live editor.

Reads take the session cookie; writes take it and the page's CSRF token in an
``X-CSRFToken`` header. A document the person may not see answers as a missing one (404);
one they may see but not comment on (or, for accept and reject, not edit) answers 403.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, jsonify
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from crdt import Anchor, StorageUnavailable, UpdateRejected
from wiki.access.gate import require_document
from wiki.access.policy import Action, signed_in
from wiki.discussion import service
from wiki.discussion.shapes import comment_json, may_settle
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.jsonapi import json_body, json_error
from wiki.live import announce_comment
from wiki.storage.models import Comment, Document, Person

bp = Blueprint("discussion_api", __name__, url_prefix="/api/docs/<slug>/comments")
bp.register_error_handler(HTTPException, json_error)

STALE = "The text this suggestion is about changed since; send confirm_stale to accept it."
NOT_OPEN = "This thread is not open to that any more."


@bp.get("")
def listing(slug: str) -> Response:
    doc = require_document(slug, Action.VIEW)
    comments = list(db.session.scalars(db.select(Comment).where(Comment.document_id == doc.id)))
    placed = service.placed_comments(doc, comments)
    return jsonify({"comments": [comment_json(p) for p in placed]})


@bp.post("")
def create(slug: str) -> tuple[Response, int]:
    doc = require_document(slug, Action.COMMENT)
    data = json_body()
    person = signed_in(current_user)
    assert person is not None  # commenting needs a signed-in person
    comment = service.add_comment(
        doc,
        person,
        body=text_field(data, "body"),
        quote=text_field(data, "quote"),
        occurrence=data.get("occurrence", 1) if isinstance(data.get("occurrence"), int) else 1,
        anchor=anchor_field(data),
        replacement=data["replacement"] if isinstance(data.get("replacement"), str) else None,
    )
    return published(doc, comment, {"id": comment.id}, 201)


@bp.post("/<int:comment_id>/replies")
def reply(slug: str, comment_id: int) -> tuple[Response, int]:
    doc, comment, person = thread(slug, comment_id, Action.COMMENT)
    made = service.add_reply(comment, person, text_field(json_body(), "body"))
    return published(doc, comment, {"id": made.id}, 201)


@bp.post("/<int:comment_id>/resolve")
def resolve(slug: str, comment_id: int) -> tuple[Response, int]:
    return settle(slug, comment_id, lambda c, p: service.set_resolved(c, p, True))


@bp.post("/<int:comment_id>/reopen")
def reopen(slug: str, comment_id: int) -> tuple[Response, int]:
    return settle(slug, comment_id, lambda c, p: service.set_resolved(c, p, False))


@bp.post("/<int:comment_id>/accept")
def accept(slug: str, comment_id: int) -> tuple[Response, int]:
    return decide(slug, comment_id, accept=True)


@bp.post("/<int:comment_id>/reject")
def reject(slug: str, comment_id: int) -> tuple[Response, int]:
    return decide(slug, comment_id, accept=False)


def thread(slug: str, comment_id: int, action: Action) -> tuple[Document, Comment, Person]:
    """The document (if ``action`` is allowed), one of its comments and who asks; or 404."""
    doc = require_document(slug, action)
    comment = service.find_comment(doc, comment_id)
    person = signed_in(current_user)
    if comment is None or person is None:
        abort(404)
    return doc, comment, person


def settle(
    slug: str, comment_id: int, change: Callable[[Comment, Person], None]
) -> tuple[Response, int]:
    doc, comment, person = thread(slug, comment_id, Action.COMMENT)
    if not may_settle(doc, comment):
        abort(403, description="Only its author or an editor of the document may do that.")
    try:
        change(comment, person)
    except service.NotOpen:
        abort(409, description=NOT_OPEN)
    return published(doc, comment, {"id": comment.id, "status": comment.status.value}, 200)


def decide(slug: str, comment_id: int, *, accept: bool) -> tuple[Response, int]:
    doc, comment, person = thread(slug, comment_id, Action.EDIT)
    confirm = json_body().get("confirm_stale") is True
    try:
        service.decide(doc, comment, person, accept=accept, confirm_stale=confirm)
    except service.StaleSuggestion:
        abort(409, description=STALE)
    except service.NotOpen:
        abort(409, description=NOT_OPEN)
    except (StorageUnavailable, UpdateRejected) as error:
        db.session.rollback()
        abort(503, description=f"Not accepted: {error}. Try again.")
    return published(doc, comment, {"id": comment.id, "status": comment.status.value}, 200)


def published(
    doc: Document, comment: Comment, answer: dict[str, Any], status: int
) -> tuple[Response, int]:
    """Commit, send the thread as it stands to the document's sockets, and answer."""
    db.session.commit()
    reader, _head = service.reader_for(doc)
    announce_comment(doc, comment_json(service.place(reader, comment)))
    return jsonify(answer), status


def text_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        abort(422, description=f"{name} must be a string.")
    return value


def anchor_field(data: dict[str, Any]) -> Anchor | None:
    anchor = data.get("anchor")
    if anchor is None:
        return None
    try:
        return Anchor(base64.b64decode(anchor["start"]), base64.b64decode(anchor["end"]))
    except (TypeError, KeyError, ValueError, binascii.Error):
        abort(422, description="anchor must be {start, end}: base64 Yjs relative positions.")


@bp.errorhandler(InvalidInput)
def invalid(error: InvalidInput) -> tuple[Response, int]:
    """A write the person can correct: 422 with what is wrong."""
    db.session.rollback()
    return jsonify({"error": str(error), "errors": error.errors}), 422
