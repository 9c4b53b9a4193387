"""Sign-off bound to a revision, re-opening a frozen text, and consent to late commitments.

A signature holds the SHA-256 of the text at the revision signed. It is current while the
text is still that text; when every signatory's is current the text is frozen (the policy
refuses edits) until someone who may edit re-opens it with a reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from crdt import word_diff
from wiki.access.policy import may_reopen, plan_lead, speaks_for
from wiki.documents import content
from wiki.extensions import db
from wiki.history import service as history
from wiki.notify import events as notices
from wiki.plans.service import next_number
from wiki.storage.models import (
    Consent,
    Document,
    DocumentKind,
    Organisation,
    Person,
    Plan,
    Reopening,
    Revision,
    SignOff,
    Status,
)
from wiki.storage.models.types import utcnow

MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 2000


class Refused(Exception):
    """The person may see the document but may not do this (a 403)."""


class Conflict(Exception):
    """The request does not fit the document's state now (a 409)."""


@dataclass(frozen=True)
class Signature:
    """A signatory organisation and its signature, if it has one, as the board shows it."""

    organisation: Organisation
    signed: SignOff | None
    current: bool


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signatories(doc: Document) -> list[Organisation]:
    """Who signs: a commitment's lead and partners; a plan narrative's two leads."""
    if doc.kind is DocumentKind.COMMITMENT and doc.commitment is not None:
        record = doc.commitment
        orgs = [record.lead] if record.lead is not None else []
        orgs += [partner.organisation for partner in record.partners]
        return list(dict.fromkeys(orgs))
    if doc.kind is DocumentKind.NARRATIVE and doc.plan is not None:
        return [doc.plan.government_lead, doc.plan.civil_society_lead]
    return []


def sign_offs(doc: Document) -> list[SignOff]:
    query = select(SignOff).where(SignOff.document_id == doc.id).order_by(SignOff.at)
    return list(db.session.scalars(query))


def signature_of(doc: Document, organisation_id: int) -> SignOff | None:
    query = select(SignOff).where(
        SignOff.document_id == doc.id, SignOff.organisation_id == organisation_id
    )
    return db.session.scalar(query)


def signatures(doc: Document) -> list[Signature]:
    """Every signatory with its signature and whether that still holds for the text now."""
    found = {s.organisation_id: s for s in sign_offs(doc)}
    now = sha256(content.read_text(doc)[0]) if found else ""
    return [
        Signature(org, found.get(org.id), org.id in found and found[org.id].sha256 == now)
        for org in signatories(doc)
    ]


def sign(doc: Document, person: Person, revision: int) -> tuple[SignOff, bool]:
    """``person`` signs ``revision`` for their organisation; (the signature, whether new).

    Raises Refused when their organisation does not sign this document, Conflict when
    ``revision`` is not the newest (the signer must read what they sign).
    """
    if not signer(person, doc):
        raise Refused(f"{person.organisation.name} does not sign this document.")
    if doc.commitment is not None and doc.commitment.lead_id is None:
        raise Conflict("This commitment has no lead yet: agree its lead before signing.")
    latest = history.latest_revision(doc)
    found = history.find_revision(doc, revision) if revision == latest else None
    if found is None:
        raise Conflict(f"Revision {revision} is not the latest; sign revision {latest}.")
    digest = sha256(content.text_at(doc, found.last_seq))
    signature = signature_of(doc, person.organisation_id)
    if signature is not None and (signature.revision, signature.sha256) == (revision, digest):
        return signature, False
    if signature is None:
        signature = SignOff(document_id=doc.id, organisation_id=person.organisation_id)
        db.session.add(signature)
    signature.person, signature.revision = person, revision
    signature.seq, signature.sha256, signature.at = found.last_seq, digest, utcnow()
    db.session.flush()
    settle(doc)
    return signature, True


def settle(doc: Document) -> bool:
    """Freeze the text when every signatory's signature is current, thaw it when not.

    Asked after a signature, and again once sockets were told, so an edit that landed in
    between cannot leave a frozen text its signatures no longer match. Returns frozen.
    """
    found = signatures(doc)
    record = doc.commitment
    led = record is None or record.lead_id is not None
    complete = led and bool(found) and all(s.current for s in found)
    if complete and doc.signed_off_at is None:
        doc.signed_off_at = utcnow()
        if record is not None:
            record.status = Status.SIGNED_OFF
    elif not complete and doc.signed_off_at is not None:
        doc.signed_off_at = None
        if record is not None and record.status is Status.SIGNED_OFF:
            record.status = Status.AGREED
    return complete


def reopen(doc: Document, person: Person, reason: str) -> Reopening:
    """Open a signed-off text for edits again: its signatures are cleared, the reason kept."""
    if doc.signed_off_at is None:
        raise Conflict("This text is not signed off: it is open for edits already.")
    if not may_reopen(person, doc):
        raise Refused("Only someone who may edit this document can re-open it.")
    reason = reason.strip()
    if not MIN_REASON_CHARS <= len(reason) <= MAX_REASON_CHARS:
        raise Conflict(f"Say why in {MIN_REASON_CHARS} to {MAX_REASON_CHARS:,} characters.")
    cleared = sign_offs(doc)
    reopening = Reopening(
        document_id=doc.id,
        person=person,
        reason=reason,
        revision=history.latest_revision(doc),
        cleared=[s.organisation.name for s in cleared],
    )
    db.session.add(reopening)
    for signature in cleared:
        db.session.delete(signature)
    doc.signed_off_at = None
    if doc.commitment is not None:
        doc.commitment.status = Status.NEGOTIATING
    db.session.flush()
    notices.owes_sign_off(doc, signatories(doc), "re-opened, to be signed again")
    return reopening


def ask_signatories(plan: Plan) -> None:
    """The plan reached sign-off: each text's signatories who have not signed are asked."""
    texts = select(Document).where(
        Document.plan_id == plan.id,
        Document.kind.in_((DocumentKind.NARRATIVE, DocumentKind.COMMITMENT)),
        Document.signed_off_at.is_(None),
        Document.awaiting_consent.is_(False),
    )
    for doc in db.session.scalars(texts):
        signed = {s.organisation_id for s in sign_offs(doc)}
        owing = [org for org in signatories(doc) if org.id not in signed]
        notices.owes_sign_off(doc, owing, "the plan is in sign-off")


@dataclass(frozen=True)
class SinceSigned:
    """How the text changed after a signature: word pieces, and who made the change."""

    pieces: Sequence[tuple[str, str]]
    by: list[str]


def changes_since(doc: Document, signature: SignOff) -> SinceSigned:
    """The word diff from the text signed to the text now, with the people who changed it.

    From the exact update the signature holds, so a change within the signed revision
    (its author kept typing) shows as well.
    """
    signed, (now, _seq) = content.text_at(doc, signature.seq), content.read_text(doc)
    later = select(Revision.number).where(
        Revision.document_id == doc.id, Revision.last_seq > signature.seq
    )
    who = history.authors_of(doc, db.session.scalars(later))
    names = dict.fromkeys(f"{a.person_name}, {a.organisation_name}" for a in who.values())
    return SinceSigned(word_diff(signed, now), list(names))


def last_reopening(doc: Document) -> Reopening | None:
    query = select(Reopening).where(Reopening.document_id == doc.id)
    return db.session.scalars(query.order_by(Reopening.at.desc()).limit(1)).first()


def consents(doc: Document) -> list[Consent]:
    query = select(Consent).where(Consent.document_id == doc.id).order_by(Consent.at)
    return list(db.session.scalars(query))


def consent(doc: Document, person: Person) -> bool:
    """A lead of the plan consents to a late commitment; True once both leads have."""
    record = doc.commitment
    if not plan_lead(person, doc):
        raise Refused("Only the plan's two leads consent to late commitments.")
    if record is None or not record.late:
        raise Conflict("This is not a late commitment: it needs no consent.")
    if all(c.organisation_id != person.organisation_id for c in consents(doc)):
        db.session.add(
            Consent(document_id=doc.id, organisation_id=person.organisation_id, person=person)
        )
        db.session.flush()
    plan = doc.plan
    assert plan is not None
    given = {c.organisation_id for c in consents(doc)}
    if doc.awaiting_consent and set(plan.lead_ids) <= given:
        doc.awaiting_consent = False
        record.number = record.number or next_number(plan)
    return not doc.awaiting_consent


def signer(person: object, doc: Document) -> bool:
    """Whether ``person`` may sign ``doc`` for their organisation."""
    return speaks_for(person, doc, [org.id for org in signatories(doc)])
