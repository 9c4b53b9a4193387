"""After a commit that changed someone's inbox, tell their sockets (the count is asked for)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from wiki.live import to_people
from wiki.notify.routing import PENDING_PEOPLE

log = logging.getLogger(__name__)


def init_notify(app: Flask) -> None:
    """Listen to every session's commits and rollbacks, once per process."""
    if not event.contains(Session, "after_commit", _told):
        event.listen(Session, "after_commit", _told)
        event.listen(Session, "after_soft_rollback", _forgot)


def _told(session: Session) -> None:
    people: set[int] = session.info.pop(PENDING_PEOPLE, set())
    if not people:
        return
    try:
        to_people(sorted(people))
    except Exception:  # a socket that cannot be told must not undo a committed change
        log.exception("could not tell %s people that their inbox changed", len(people))


def _forgot(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING_PEOPLE, None)
