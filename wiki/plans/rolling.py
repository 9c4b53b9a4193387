"""The rolling plan: the next plan starts from this one, with its template, its leads and the
commitments marked to carry over, each linked to where it came from."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from wiki.documents import content
from wiki.documents.service import Grant, create_document, find_document, suffixed_slug
from wiki.extensions import db
from wiki.plans.progress import MilestoneRow, latest
from wiki.plans.service import MilestoneChange, create_plan, next_number, set_milestones
from wiki.storage.models import Commitment, Document, DocumentKind, Organisation, Partner, Plan
from wiki.storage.models.types import utcnow

MAX_SLUG_CHARS = 80


@dataclass(frozen=True)
class Carried:
    """A commitment copied into the next plan, and the text to write into it."""

    doc: Document
    text: str


def start_next(
    previous: Plan,
    slug: str,
    title: str,
    government: Organisation | None = None,
    civil_society: Organisation | None = None,
) -> tuple[Plan, list[Carried]]:
    """A new plan from ``previous``: same leads unless given, its template, and a copy of
    each commitment marked to carry over. The edge commits, then writes each text."""
    plan = create_plan(
        slug,
        title,
        government or previous.government_lead,
        civil_society or previous.civil_society_lead,
    )
    plan.previous_id = previous.id
    plan.template_text, plan.template_fields = (
        previous.template_text,
        list(previous.template_fields),
    )
    marked = db.session.scalars(
        db.select(Document)
        .join(Commitment, Commitment.document_id == Document.id)
        .where(
            Document.plan_id == previous.id,
            Document.deleted_at.is_(None),
            Commitment.carry_over,
        )
        .order_by(Commitment.number)
    )
    return plan, [carry(doc, plan) for doc in marked]


def carry(old: Document, plan: Plan) -> Carried:
    """A copy of the commitment ``old`` in ``plan``: text, record and its unfinished milestones."""
    record = old.commitment
    assert record is not None  # only commitments are marked to carry over
    wanted = f"{plan.slug}-{old.slug}"[:MAX_SLUG_CHARS].rstrip("-")
    slug = wanted if find_document(wanted) is None else suffixed_slug(wanted)
    grants = [Grant(s.organisation, s.person, s.level) for s in old.shares]
    doc = create_document(
        slug,
        old.title,
        DocumentKind.COMMITMENT.value,
        old.owner,
        old.declared_visibility.value,
        grants,
        max_chars=current_app.config["MAX_DOCUMENT_CHARS"],
    )
    doc.plan = plan
    previous = old.plan
    copy = Commitment(
        document_id=doc.id,
        number=next_number(plan),
        lead_id=record.lead_id,
        proposer_organisation_id=record.proposer_organisation_id,
        proposed_at=utcnow(),
        origin=f"Carried over from {previous.title if previous else 'the last plan'}"
        + (f", commitment {record.number}" if record.number else ""),
        fields=dict(record.fields),
        carried_from_id=old.id,
    )
    db.session.add(copy)
    db.session.flush()
    copy.partners = [Partner(organisation_id=p.organisation_id) for p in record.partners]
    unfinished = [m for m in record.milestones if not MilestoneRow(old, m, latest(m)).done]
    set_milestones(copy, [MilestoneChange(None, m.title, m.due) for m in unfinished])
    return Carried(doc, content.read_text(old)[0])


def write_texts(carried: list[Carried]) -> None:
    """Write each carried commitment's text, once the new plan is committed."""
    for item in carried:
        if item.text:
            content.edit_text(item.doc, None, item.doc.owner, 0, item.text)
