"""What each person gets by email and when, and the signed links that unsubscribe them."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.storage.models import NoticeKind, NotifySettings, Person

TOKEN_SALT = "jointly-unsubscribe"
DEFAULT_DIGEST_HOUR = 8


class Stop(enum.StrEnum):
    """What an unsubscribe link stops."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    ALL = "all"

    @property
    def label(self) -> str:
        return {
            "immediate": "emails sent at once about mentions and requests",
            "digest": "the daily digest",
            "all": "every email from Jointly",
        }[self.value]


def settings_of(person: Person) -> NotifySettings:
    """The person's settings; the defaults, unsaved, when they never chose."""
    found = db.session.get(NotifySettings, person.id)
    if found is not None:
        return found
    return NotifySettings(
        person_id=person.id,
        immediate=True,
        digest=True,
        digest_hour=DEFAULT_DIGEST_HOUR,
        mailed_kinds=[kind.value for kind in NoticeKind],
    )


def mails(chosen: NotifySettings, kind: NoticeKind) -> bool:
    """Whether notices of ``kind`` go by email at all for these settings."""
    return kind.value in (chosen.mailed_kinds or [])


def saved_settings(person: Person) -> NotifySettings:
    """The person's settings row, made from the defaults when missing; flushed."""
    chosen = settings_of(person)
    if chosen not in db.session:
        db.session.add(chosen)
        db.session.flush()
    return chosen


def save(
    person: Person, *, immediate: bool, digest: bool, hour: int, kinds: Iterable[str]
) -> NotifySettings:
    """Store what ``person`` chose on the settings page."""
    if not 0 <= hour <= 23:
        raise InvalidInput({"digest_hour": "Choose an hour from 0 to 23."})
    known = {kind.value for kind in NoticeKind}
    chosen = saved_settings(person)
    chosen.immediate, chosen.digest, chosen.digest_hour = immediate, digest, hour
    chosen.mailed_kinds = [kind for kind in dict.fromkeys(kinds) if kind in known]
    return chosen


def serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def unsubscribe_token(person: Person, stop: Stop) -> str:
    """A link's token that stops ``stop`` for ``person`` alone, with no sign-in."""
    return str(serializer().dumps({"p": person.id, "s": stop.value}))


def read_token(token: str) -> tuple[Person, Stop] | None:
    """The person and what a token stops, or None for a token this instance did not sign."""
    try:
        data = serializer().loads(token)
        person = db.session.get(Person, int(data["p"]))
        stop = Stop(data["s"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return (person, stop) if person is not None else None


def unsubscribe(person: Person, stop: Stop) -> None:
    """Turn off what ``stop`` names in ``person``'s settings, and nothing else."""
    chosen = saved_settings(person)
    if stop in (Stop.IMMEDIATE, Stop.ALL):
        chosen.immediate = False
    if stop in (Stop.DIGEST, Stop.ALL):
        chosen.digest = False
