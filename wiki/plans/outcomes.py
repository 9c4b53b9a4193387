"""What the plan pages and the API do alike with a sign-off service call's outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort

from wiki.extensions import db
from wiki.live import enforce_access
from wiki.plans import signoff
from wiki.storage.models import Document

T = TypeVar("T")


def attempt(action: Callable[[], T]) -> T:
    """Run a sign-off service call, answering 403 or 409 for what it refuses."""
    try:
        return action()
    except signoff.Refused as error:
        abort(403, description=str(error))
    except signoff.Conflict as error:
        abort(409, description=str(error))


def commit_signature(doc: Document) -> None:
    """Commit a signature; once it freezes the text, close editing and look again.

    An edit that reached the text before the sockets were told makes the signatures
    stale: the text is thawed then, and the board shows what changed.
    """
    db.session.commit()
    if doc.signed_off_at is None:
        return
    enforce_access(doc)
    if not signoff.settle(doc):
        db.session.commit()
        enforce_access(doc)
