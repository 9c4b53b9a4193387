"""Plans and the records of their commitments: creating, phases, the template, promotion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from wiki.access.policy import visible
from wiki.documents import service as documents
from wiki.documents.service import SLUG_PATTERN, Grant, add_grant
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.notify import events as notices
from wiki.storage.models import (
    Commitment,
    Document,
    DocumentKind,
    Level,
    Milestone,
    Organisation,
    OrgKind,
    Partner,
    Person,
    Phase,
    Plan,
    Status,
)
from wiki.storage.models.types import utcnow

MAX_TITLE_CHARS = 200
MAX_FIELDS = 12
MAX_MILESTONES = 20
# Signed off is reached by signatures, never chosen; an annex ask becomes a commitment by
# promotion, so until then it is an ask or withdrawn.
CHOOSABLE = tuple(s for s in Status if s is not Status.SIGNED_OFF)
ASK_STATUSES = (Status.ANNEX, Status.WITHDRAWN)
DEFAULT_TEMPLATE = """\
## Problem addressed

What is the problem this commitment will address?

## Main objective

## Ambition

What will change, and for whom, if the commitment is met?

## Relevance to open-government values

Transparency, accountability, public participation: say which, and how.
"""
DEFAULT_FIELDS = ["Open-government values", "Start date", "End date"]


@dataclass(frozen=True)
class MilestoneChange:
    """One row of the record form's milestones: an existing one (its id) or a new one."""

    id: int | None
    title: str
    due: date | None


@dataclass(frozen=True)
class RecordChange:
    """What the record form sends: every field of a commitment's record."""

    number: int | None
    title: str
    lead: Organisation | None
    partners: Sequence[Organisation]
    status: str
    milestones: Sequence[MilestoneChange]
    fields: dict[str, str]
    carry_over: bool = False


def find_plan(slug: str) -> Plan | None:
    return db.session.scalars(select(Plan).where(Plan.slug == slug)).one_or_none()


def all_plans() -> list[Plan]:
    """Every plan, the current (newest) first."""
    return list(db.session.scalars(select(Plan).order_by(Plan.created_at.desc(), Plan.id.desc())))


def create_plan(
    slug: str, title: str, government: Organisation, civil_society: Organisation
) -> Plan:
    """A new plan in drafting, with the default commitment template."""
    errors: dict[str, str] = {}
    if not SLUG_PATTERN.match(slug):
        errors["slug"] = "Use 1 to 80 lower-case letters, digits and hyphens."
    elif find_plan(slug) is not None:
        errors["slug"] = f"A plan with the address “{slug}” already exists."
    if not title.strip() or len(title.strip()) > MAX_TITLE_CHARS:
        errors["title"] = f"Give the plan a title of 1 to {MAX_TITLE_CHARS} characters."
    if government.kind is not OrgKind.GOVERNMENT:
        errors["government_lead"] = f"{government.name} is not a government organisation."
    if civil_society.kind is not OrgKind.CIVIL_SOCIETY:
        errors["civil_society_lead"] = f"{civil_society.name} is not a civil-society organisation."
    if errors:
        raise InvalidInput(errors)
    plan = Plan(
        slug=slug,
        title=title.strip(),
        government_lead=government,
        civil_society_lead=civil_society,
        template_text=DEFAULT_TEMPLATE,
        template_fields=list(DEFAULT_FIELDS),
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def set_phase(plan: Plan, phase: str) -> None:
    """Move the plan to ``phase`` (forward or back: the coordinator corrects mistakes)."""
    if phase not in {p.value for p in Phase}:
        raise InvalidInput({"phase": "Choose one of: " + ", ".join(p.value for p in Phase) + "."})
    if plan.phase is not Phase(phase):
        plan.phase, plan.phase_changed_at = Phase(phase), utcnow()
        notices.phase_changed(plan)
        if plan.phase is Phase.SIGN_OFF:
            from wiki.plans.signoff import ask_signatories  # it imports this module

            ask_signatories(plan)


def set_template(plan: Plan, text: str, fields: Sequence[str]) -> None:
    """The section headings new commitments start from, and their extra record fields."""
    names = [name.strip() for name in fields if name.strip()]
    if len(names) > MAX_FIELDS or any(len(name) > 80 for name in names):
        raise InvalidInput({"fields": f"Use at most {MAX_FIELDS} fields of 80 characters."})
    plan.template_text = text.replace("\r\n", "\n")
    plan.template_fields = list(dict.fromkeys(names))


def plan_documents(plan: Plan, person: object) -> list[Document]:
    """The plan's documents ``person`` may see, commitments in number order."""
    query = select(Document).where(Document.plan_id == plan.id).order_by(Document.title)
    docs = visible(person, db.session.scalars(query))
    return sorted(docs, key=lambda d: (_number(d) is None, _number(d) or 0, d.title))


def starting_text(plan: Plan | None, kind: str) -> str:
    """The Markdown a new document starts from: a plan's commitment, its plan's template
    (the record holds lead, partners and milestones); any other, the plain template."""
    if plan is None or kind != DocumentKind.COMMITMENT.value:
        return documents.starting_text(kind)
    return plan.template_text


def join_plan(
    doc: Document, plan: Plan, proposer: Person | None, partners: Sequence[Organisation] = ()
) -> None:
    """Put a new document in ``plan``; a commitment or annex ask gets its record.

    After the cut-off a commitment is late: only its owner and the leads see it until both
    leads consent, and it gets its number then.
    """
    doc.plan = plan
    if doc.kind not in (DocumentKind.COMMITMENT, DocumentKind.ANNEX):
        return
    owner = doc.owner
    late = doc.kind is DocumentKind.COMMITMENT and plan.phase.after_cut_off
    record = Commitment(
        document_id=doc.id,
        number=next_number(plan) if doc.kind is DocumentKind.COMMITMENT and not late else None,
        lead_id=owner.id if owner.kind is OrgKind.GOVERNMENT else None,
        proposer_id=proposer.id if proposer is not None else None,
        proposer_organisation_id=owner.id,
        status=Status.ANNEX if doc.kind is DocumentKind.ANNEX else Status.PROPOSED,
        late=late,
        fields={},
    )
    doc.awaiting_consent = late
    db.session.add(record)
    db.session.flush()
    if late:
        notices.owes_consent(doc)
    sides = [*partners, owner] if owner.kind is OrgKind.CIVIL_SOCIETY else list(partners)
    set_partners(record, sides)


def next_number(plan: Plan) -> int:
    query = (
        select(func.max(Commitment.number))
        .join(Document, Document.id == Commitment.document_id)
        .where(Document.plan_id == plan.id)
    )
    return (db.session.scalar(query) or 0) + 1


def set_partners(record: Commitment, organisations: Sequence[Organisation]) -> None:
    """The civil-society partners; each may edit the text (a grant is added where missing)."""
    wanted = list(dict.fromkeys(organisations))
    if any(org.kind is not OrgKind.CIVIL_SOCIETY for org in wanted):
        raise InvalidInput({"partners": "Partners are civil-society organisations."})
    record.partners = [
        next((p for p in record.partners if p.organisation_id == org.id), None)
        or Partner(organisation=org)
        for org in wanted
    ]
    doc = record.document
    for org in wanted:
        let_edit(doc, org)


def let_edit(doc: Document, org: Organisation) -> None:
    """Grant ``org`` edit on ``doc`` unless it owns it or holds that grant already."""
    held = [share.level for share in doc.shares if share.organisation_id == org.id]
    if org.id != doc.owner_id and Level.EDIT not in held:
        add_grant(doc, Grant(organisation=org, person=None, level=Level.EDIT))


def update_record(record: Commitment, change: RecordChange) -> None:
    """Apply the record form; InvalidInput names every field at fault."""
    errors = _record_errors(record, change)
    if errors:
        raise InvalidInput(errors)
    record.number = change.number
    record.document.title = change.title.strip()
    record.lead = change.lead
    record.status = Status(change.status)
    set_milestones(record, change.milestones)
    record.carry_over = change.carry_over
    plan = record.document.plan
    allowed = plan.template_fields if plan is not None else []
    record.fields = {name: change.fields.get(name, "").strip()[:2000] for name in allowed}
    set_partners(record, change.partners)


def set_milestones(record: Commitment, rows: Sequence[MilestoneChange]) -> None:
    """Change milestones in place (their progress updates hang on them), add new ones, and
    drop those whose title was cleared."""
    existing = {m.id: m for m in record.milestones}
    kept: list[Milestone] = []
    for row in rows:
        title = row.title.strip()
        found = existing.get(row.id) if row.id is not None else None
        if not title:
            continue
        milestone = found or Milestone(title=title)
        milestone.title, milestone.due, milestone.position = title, row.due, len(kept)
        kept.append(milestone)
    record.milestones = kept


def _record_errors(record: Commitment, change: RecordChange) -> dict[str, str]:
    errors: dict[str, str] = {}
    if change.number is not None and change.number < 1:
        errors["number"] = "Use a whole number from 1."
    elif change.number is not None and _number_taken(record, change.number):
        errors["number"] = f"Another commitment of this plan is number {change.number}."
    if not change.title.strip() or len(change.title.strip()) > MAX_TITLE_CHARS:
        errors["title"] = f"Give a title of 1 to {MAX_TITLE_CHARS} characters."
    if change.lead is not None and change.lead.kind is not OrgKind.GOVERNMENT:
        errors["lead"] = "The lead is a government organisation."
    if any(org.kind is not OrgKind.CIVIL_SOCIETY for org in change.partners):
        errors["partners"] = "Partners are civil-society organisations."
    if change.status not in {s.value for s in statuses_for(record)}:
        errors["status"] = "Choose a status; signed off is reached by signatures."
    if len([m for m in change.milestones if m.title.strip()]) > MAX_MILESTONES:
        errors["milestones"] = f"Use at most {MAX_MILESTONES} milestones."
    reported = {m.id for m in record.milestones if m.updates}
    if any(m.id in reported and not m.title.strip() for m in change.milestones):
        errors["milestones"] = "A milestone with progress updates stays; rename it instead."
    return errors


def statuses_for(record: Commitment) -> tuple[Status, ...]:
    """What the record form offers: an annex ask is promoted, not set to a commitment status."""
    return ASK_STATUSES if record.document.kind is DocumentKind.ANNEX else CHOOSABLE


def _number_taken(record: Commitment, number: int) -> bool:
    plan_id = record.document.plan_id
    query = (
        select(Commitment.document_id)
        .join(Document, Document.id == Commitment.document_id)
        .where(Document.plan_id == plan_id, Commitment.number == number)
        .where(Commitment.document_id != record.document_id)
    )
    return db.session.scalar(query.limit(1)) is not None


def promote(record: Commitment, lead: Organisation | None) -> None:
    """Make an annex ask a commitment, keeping its text, history and where it came from."""
    doc = record.document
    if record.status is not Status.ANNEX:
        raise InvalidInput({"status": "Only an annex ask can be promoted."})
    if lead is None or lead.kind is not OrgKind.GOVERNMENT:
        raise InvalidInput({"lead": "Choose the government organisation that will lead it."})
    plan = doc.plan
    assert plan is not None  # annex asks with records belong to a plan
    doc.kind = DocumentKind.COMMITMENT
    record.status, record.lead = Status.PROPOSED, lead
    record.origin = f"Proposed by {record.proposer_organisation.name} in the annex"
    record.late = plan.phase.after_cut_off
    doc.awaiting_consent = record.late
    record.number = None if record.late else next_number(plan)
    let_edit(doc, lead)
    if record.late:
        notices.owes_consent(doc)


def _number(doc: Document) -> int | None:
    return doc.commitment.number if doc.commitment is not None else None
