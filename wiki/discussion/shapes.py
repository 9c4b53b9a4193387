"""A comment as the API, the socket event and the pages show it."""

from __future__ import annotations

import base64
from typing import Any

from flask_login import current_user

from wiki.access.policy import Action, can, signed_in
from wiki.discussion.service import Placed
from wiki.storage.models import Comment, Document, Organisation, Person


def author(person: Person, organisation: Organisation) -> dict[str, str]:
    return {
        "name": person.name,
        "organisation": organisation.name,
        "kind": organisation.kind.value,
    }


def comment_json(placed: Placed) -> dict[str, Any]:
    """The public JSON of one comment with its replies."""
    comment = placed.comment
    decided = comment.decided_by
    return {
        "id": comment.id,
        "kind": comment.kind.value,
        "quote": placed.quote,
        "quote_then": comment.quote_then,
        "body": comment.body,
        "replacement": comment.replacement,
        "status": comment.status.value,
        "stale": placed.stale,
        "author": author(comment.person, comment.organisation),
        "created": comment.created_at.isoformat(),
        "decided_by": decided.name if decided is not None else None,
        "anchor": {
            "start": base64.b64encode(comment.anchor_start).decode(),
            "end": base64.b64encode(comment.anchor_end).decode(),
        },
        "replies": [
            {
                "id": reply.id,
                "body": reply.body,
                "author": author(reply.person, reply.organisation),
                "created": reply.created_at.isoformat(),
            }
            for reply in comment.replies
        ],
    }


def may_settle(doc: Document, comment: Comment) -> bool:
    """Whether the current person may resolve or re-open ``comment``: its author or an editor."""
    person = signed_in(current_user)
    if person is None or not can(person, Action.COMMENT, doc):
        return False
    return person.id == comment.person_id or can(person, Action.EDIT, doc)
