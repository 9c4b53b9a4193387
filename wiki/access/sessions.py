"""Server-side login sessions: the cookie names a row, so deleting the row signs out for good."""

from __future__ import annotations

import secrets

from flask import request, session
from flask_login import current_user
from sqlalchemy import delete, select

from wiki.access.policy import signed_in
from wiki.extensions import db, login_manager
from wiki.storage.models import LoginSession, Person

SESSION_KEY = "sid"


def start_session(person: Person) -> LoginSession:
    """Record a new login session for ``person`` and remember it in the cookie."""
    session.clear()
    row = LoginSession(id=secrets.token_urlsafe(32), person_id=person.id)
    db.session.add(row)
    db.session.flush()
    session[SESSION_KEY] = row.id
    return row


def end_session() -> None:
    """End the current browser's login session."""
    sid = session.pop(SESSION_KEY, None)
    if sid:
        db.session.execute(delete(LoginSession).where(LoginSession.id == sid))
    session.clear()


def end_all_sessions(person: Person) -> list[str]:
    """End every login session of ``person``; returns their ids."""
    ids = list(
        db.session.scalars(select(LoginSession.id).where(LoginSession.person_id == person.id))
    )
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id))
    return ids


def current_session_id() -> str | None:
    """The id of this browser's login session, if it has one."""
    sid = session.get(SESSION_KEY)
    return sid if isinstance(sid, str) else None


@login_manager.user_loader
def load_person(user_id: str) -> Person | None:
    """Flask-Login's loader: the person only while their login session row exists."""
    sid = current_session_id()
    if sid is None:
        return None
    row = db.session.get(LoginSession, sid)
    if row is None or str(row.person_id) != user_id or not row.person.active:
        return None
    return row.person


def requester_key() -> str:
    """Whose requests count together against a limit: a person's, or an address's.

    Per person where there is one, not per address: a whole ministry may sit behind one.
    """
    person = signed_in(current_user)
    return f"person:{person.id}" if person else f"address:{request.remote_addr}"
