"""The running record: progress updates on milestones, each labelled with its side, and the
plan's progress table (latest status per side, overdue milestones) for the page and CSV."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from wiki.access.policy import speaks_for
from wiki.errors import InvalidInput
from wiki.plans.register import spreadsheet
from wiki.plans.service import plan_documents
from wiki.plans.signoff import Refused, signatories
from wiki.storage.models import (
    Document,
    Milestone,
    OrgKind,
    Person,
    Phase,
    Plan,
    Progress,
    ProgressUpdate,
)
from wiki.storage.models.types import utcnow

MAX_NOTE_CHARS = 2000
MAX_EVIDENCE_LINKS = 5
SIDES = (OrgKind.GOVERNMENT.value, OrgKind.CIVIL_SOCIETY.value)
CSV_COLUMNS = (
    "Commitment",
    "Number",
    "Milestone",
    "Due",
    "Government status",
    "Civil-society status",
    "Last update (UTC)",
    "Overdue",
    "Address",
)


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone as the progress page shows it: each side's latest update, overdue or not."""

    doc: Document
    milestone: Milestone
    latest: dict[str, ProgressUpdate]  # side -> that side's newest update

    @property
    def last_update(self) -> ProgressUpdate | None:
        return self.milestone.updates[-1] if self.milestone.updates else None

    @property
    def done(self) -> bool:
        """Reported complete in either side's latest update."""
        return any(u.status is Progress.COMPLETE for u in self.latest.values())

    @property
    def overdue(self) -> bool:
        """Due before today and not reported complete by either side."""
        due = self.milestone.due
        return due is not None and due < date.today() and not self.done

    @property
    def disagree(self) -> bool:
        statuses = {update.status for update in self.latest.values()}
        return len(self.latest) == len(SIDES) and len(statuses) > 1


def may_report(person: object, doc: Document) -> bool:
    """Whether ``person`` reports on ``doc``'s milestones: its lead's and partners' people."""
    return speaks_for(person, doc, [org.id for org in signatories(doc)])


def report(
    doc: Document, milestone: Milestone, person: Person, status: str, note: str, links: str
) -> ProgressUpdate:
    """Add one side's update; raises Refused, or InvalidInput naming the fields at fault."""
    if not may_report(person, doc):
        raise Refused(f"{person.organisation.name} does not report on this commitment.")
    errors: dict[str, str] = {}
    plan = doc.plan
    if plan is None or plan.phase is not Phase.IMPLEMENTATION:
        errors["status"] = "Progress is recorded once the plan is in implementation."
    elif status not in {p.value for p in Progress}:
        errors["status"] = "Choose a status."
    if len(note.strip()) > MAX_NOTE_CHARS:
        errors["note"] = f"Use at most {MAX_NOTE_CHARS:,} characters."
    evidence = [line.strip() for line in links.splitlines() if line.strip()]
    if len(evidence) > MAX_EVIDENCE_LINKS or not all(map(web_address, evidence)):
        errors["evidence"] = f"Give up to {MAX_EVIDENCE_LINKS} http or https addresses."
    if errors:
        raise InvalidInput(errors)
    update = ProgressUpdate(
        person=person,
        organisation=person.organisation,
        side=person.organisation.kind.value,
        status=Progress(status),
        note=note.strip(),
        evidence=evidence,
        at=utcnow(),
    )
    milestone.updates.append(update)
    return update


def web_address(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(link) <= 500


def latest(milestone: Milestone) -> dict[str, ProgressUpdate]:
    """Each side's newest update on ``milestone``."""
    return {update.side: update for update in milestone.updates}


def rows(plan: Plan, person: object) -> list[MilestoneRow]:
    """Every milestone of every commitment ``person`` may see, in register order."""
    found = []
    for doc in plan_documents(plan, person):
        if doc.commitment is None or doc.awaiting_consent:
            continue
        for milestone in doc.commitment.milestones:
            found.append(MilestoneRow(doc, milestone, latest(milestone)))
    return found


def csv_text(found: Sequence[MilestoneRow], url_of: Callable[[Document], str]) -> str:
    """The progress table as CSV, one row per milestone."""
    return spreadsheet(CSV_COLUMNS, (csv_row(row, url_of) for row in found))


def csv_row(row: MilestoneRow, url_of: Callable[[Document], str]) -> tuple[object, ...]:
    last = row.last_update
    return (
        row.doc.title,
        row.doc.commitment.number if row.doc.commitment else "",
        row.milestone.title,
        row.milestone.due.isoformat() if row.milestone.due else "",
        *(row.latest[side].status.label if side in row.latest else "" for side in SIDES),
        last.at.strftime("%Y-%m-%d %H:%M") if last else "",
        "yes" if row.overdue else "no",
        url_of(row.doc),
    )
