"""What a socket may do in a document: the access policy's answer, asked and asked again.

Sockets ask here and nowhere else; this module asks ``wiki.policy``, the one policy.
"""

from __future__ import annotations

from wiki.access.policy import Action, can, signed_in, view_ends
from wiki.documents.content import sender_for
from wiki.extensions import db
from wiki.live.state import Grant, LiveState, Participant
from wiki.storage.models import Document, LoginSession, Person

RECHECK_TRIES = 3
KIND_COLOURS = {
    "government": ("#0b5394", "#0b539433"),
    "civil_society": ("#7a3e00", "#7a3e0033"),
    "other": ("#3d3d3d", "#3d3d3d33"),
}


def grant_for(person: Person | None, doc: Document, epoch: int) -> Grant:
    """The grant of ``person`` in ``doc``, which the policy already let them see."""
    sender = None
    if person is not None and can(person, Action.EDIT, doc):
        sender = sender_for(person, person.organisation)
    pending = doc.embargo_then is not None and not doc.embargo_lifted()
    # The answer lasts until access changes by itself: an embargo or an emergency read ends.
    ends = [doc.embargo_until if pending else None, view_ends(person, doc)]
    until = min((end for end in ends if end is not None), default=None)
    commenting = person is not None and can(person, Action.COMMENT, doc)
    return Grant(epoch, sender, identity(person), until, can_comment=commenting)


def regrant(state: LiveState, participant: Participant) -> Grant | None:
    """Ask the policy again for a socket whose grant no longer holds; None: it lost access.

    Reads the person through the socket's login session, so a sign-out or a disabled
    account counts as lost access even before the socket is closed.
    """
    epoch = state.epoch
    # Read afresh: the session may still hold the document and the person as its handler
    # loaded them before the change (a join does), and an answer built on those would
    # carry the new epoch and outlive the change.
    doc = db.session.get(Document, participant.doc_id, populate_existing=True)
    person = None
    if participant.login_session is not None:
        person = signed_in(session_person(participant.login_session, participant.person_id))
        if person is None:
            return None
    if doc is None or not can(person, Action.VIEW, doc):
        return None
    return grant_for(person, doc, epoch)


def recheck(state: LiveState, participant: Participant) -> bool:
    """Ask again for a participant whose grant was retired; one who lost access leaves.

    An answer retired while it was being made (access changed again meanwhile) is asked
    for again; one that cannot be settled counts as lost, so nothing reaches a socket on
    an answer that may be out of date.
    """
    for _ in range(RECHECK_TRIES):
        grant = regrant(state, participant)
        if grant is None:
            break
        if state.holds(grant):
            participant.grant = grant
            return True
    state.remove(participant.sid, participant.slug)
    return False


def session_person(login_session: str, person_id: int | None) -> Person | None:
    """The person of a login session that still exists, if it is ``person_id``'s."""
    row = db.session.get(LoginSession, login_session, populate_existing=True)
    return row.person if row is not None and row.person_id == person_id else None


def identity(person: Person | None) -> dict[str, str]:
    """Who a person is, for others' presence lists and cursor labels."""
    if person is None:
        name, organisation, kind = "Guest", "", "other"
    else:
        name, organisation = person.name, person.organisation.name
        kind = person.organisation.kind.value
    colour, light = KIND_COLOURS[kind]
    return {
        "name": name,
        "organisation": organisation,
        "kind": kind,
        "color": colour,
        "colorLight": light,
    }
