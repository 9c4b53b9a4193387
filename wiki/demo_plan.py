"""The demo's plan, made in the order it happened: drafted, consulted on, cut off, signed.

“National Action Plan 2026–2028” (``nap-2026-28``) is led by the Cabinet Office Transparency
Team and the Civil Society Network and stands in sign-off, so its network narrative and the
commitments that joined in time are public. Its commitments, each with a record:

1. ``beneficial-ownership``: signed by the Department for Business and Trade, then changed
   by the Open Ownership Network, so that signature no longer holds;
2. ``extractive-payments``: half signed (the department has, Publish What You Pay not yet);
3. ``anti-corruption-plan``: agreed, signed by nobody yet;
4. ``open-contracting``: the Civil Society Network's annex ask, promoted during the
   consultation, signed off by the Cabinet Office and the network: its text is frozen;
   and, without a number, ``company-accounts-open-data``, which the department proposed
   after the cut-off: the Cabinet Office consented, the network not yet, so only the
   department and the two leads see it.

Three more annex asks (``ask-*``) and the meeting notes stay open to members only, and the
final draft stays restricted to the drafting group. People write, sign and change every
text, so its history names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app

from wiki.documents import content
from wiki.documents.service import Grant, create_document
from wiki.extensions import db
from wiki.history import service as history
from wiki.plans import service as plans
from wiki.plans import signoff
from wiki.storage.models import Document, Level, Organisation, Person, Phase, Plan

DEMO_DIR = Path(__file__).parent / "demo"
SLUG, TITLE = "nap-2026-28", "National Action Plan 2026–2028"
CABINET, BUSINESS = "Cabinet Office Transparency Team", "Department for Business and Trade"
NETWORK, OWNERSHIP = "Civil Society Network", "Open Ownership Network"
PWYP = "Publish What You Pay Coalition"
ALEX, PRIYA = "alex@cabinet.example.gov", "priya@business.example.gov"
MARIA, KWAME = "maria@civilsociety.example.org", "kwame@openownership.example.org"
LENA = "lena@pwyp.example.org"
PROMOTED, PROMOTED_FILE = "open-contracting", "open-contracting.md"  # its text once promoted
# What the Open Ownership Network changed in commitment 1 after the department signed it.
AMENDMENT = (
    "without paying or signing in.",
    "without paying or signing in, and download the whole register as open data.",
)


@dataclass(frozen=True)
class Text:
    """A document of the plan: its owner, the person who wrote it, who else edits or sees it."""

    slug: str
    title: str
    kind: str
    owner: str
    author: str  # the email of the person who wrote it
    file: str
    partners: tuple[str, ...] = ()  # a commitment's civil-society partners
    shares: tuple[tuple[str, str], ...] = ()  # (organisation, level)
    visibility: str = "network"


@dataclass(frozen=True)
class Record:
    """What a commitment's record says besides its number, title and partners."""

    lead: str
    status: str
    milestones: tuple[tuple[str, date], ...]
    values: str
    start: str
    end: str


DRAFTED = [
    Text(
        "plan-narrative", TITLE, "narrative", CABINET, ALEX, "narrative.md",
        shares=((BUSINESS, "edit"), (NETWORK, "edit")),
    ),
    Text(
        "beneficial-ownership", "A public register of beneficial ownership", "commitment",
        BUSINESS, PRIYA, "beneficial-ownership.md", partners=(OWNERSHIP,),
    ),
    Text(
        "extractive-payments", "Payments by extractive industries", "commitment",
        BUSINESS, PRIYA, "extractives.md", partners=(PWYP,),
    ),
    Text(
        "anti-corruption-plan", "A cross-government anti-corruption plan", "commitment",
        CABINET, ALEX, "anti-corruption.md", partners=(NETWORK,),
    ),
    Text(
        PROMOTED, "Open contracting by default", "annex", NETWORK, MARIA,
        "ask-open-contracting.md",
    ),
    Text(
        "ask-bidder-ownership", "The owners of companies bidding for public contracts", "annex",
        OWNERSHIP, KWAME, "ask-bidder-ownership.md",
    ),
    Text(
        "ask-extractive-projects", "Extractive payments reported project by project", "annex",
        PWYP, LENA, "ask-extractive-projects.md",
    ),
    Text(
        "ask-lobbying-register", "A lobbying register covering in-house lobbyists", "annex",
        NETWORK, MARIA, "ask-lobbying-register.md",
        shares=((OWNERSHIP, "edit"), (PWYP, "edit")),
    ),
    Text(
        "meeting-notes-14-may", "Meeting notes: drafting group, 14 May", "notes", NETWORK, MARIA,
        "meeting-notes.md", shares=((CABINET, "edit"),),
    ),
    Text(
        "final-draft", "Final draft for sign-off", "narrative", CABINET, ALEX, "final-draft.md",
        visibility="restricted",
        shares=((BUSINESS, "edit"), (NETWORK, "edit"), (OWNERSHIP, "comment"), (PWYP, "view")),
    ),
]  # fmt: skip
LATE = Text(
    "company-accounts-open-data", "Company accounts published as open data", "commitment",
    BUSINESS, PRIYA, "company-accounts.md", partners=(OWNERSHIP,),
)  # fmt: skip
RECORDS = {
    "beneficial-ownership": Record(
        BUSINESS, "agreed",
        (("Consultation on the data standard", date(2026, 5, 29)),
         ("Register opens, data free to download", date(2027, 6, 30))),
        "Transparency; accountability", "March 2026", "June 2027",
    ),
    "extractive-payments": Record(
        BUSINESS, "agreed",
        (("Multi-stakeholder group formed", date(2026, 4, 30)),
         ("First annual report published", date(2027, 12, 17))),
        "Transparency; public participation", "January 2026", "December 2027",
    ),
    "anti-corruption-plan": Record(
        CABINET, "agreed",
        (("Plan published", date(2026, 9, 30)), ("First progress report", date(2027, 3, 31))),
        "Accountability", "February 2026", "March 2027",
    ),
    PROMOTED: Record(
        CABINET, "agreed",
        (("Contracts over £10,000 published with their documents", date(2026, 12, 18)),
         ("Every amendment published within 30 days", date(2027, 9, 30))),
        "Transparency; accountability", "July 2026", "September 2027",
    ),
    LATE.slug: Record(
        BUSINESS, "proposed",
        (("Filing in a machine-readable format required", date(2027, 4, 1)),),
        "Transparency", "January 2027", "April 2028",
    ),
}  # fmt: skip
# Who signs what once the plan is in sign-off, in order: (document, person).
SIGNATURES = [
    (PROMOTED, ALEX),
    (PROMOTED, MARIA),
    ("extractive-payments", PRIYA),
    ("beneficial-ownership", PRIYA),
]


def seed_plan(orgs: Mapping[str, Organisation], people: Mapping[str, Person]) -> Plan:
    """Draft the plan, consult on it, cut it off and start signing it, as it happened."""
    plan = plans.create_plan(SLUG, TITLE, orgs[CABINET], orgs[NETWORK])
    docs = {text.slug: add(text, plan, orgs, people) for text in DRAFTED}
    db.session.commit()  # the rooms write the texts through their own connections
    for text in DRAFTED:
        write(docs[text.slug], people[text.author], (DEMO_DIR / text.file).read_text())
    consult(plan, docs, orgs, people)
    cut_off(plan, orgs, people)
    sign_off(plan, docs, people)
    return plan


def add(
    text: Text, plan: Plan, orgs: Mapping[str, Organisation], people: Mapping[str, Person]
) -> Document:
    """Create ``text``'s document in ``plan``, as ``flask create-doc --plan --partner`` does."""
    grants = [Grant(orgs[name], None, Level(level)) for name, level in text.shares]
    limit = current_app.config["MAX_DOCUMENT_CHARS"]
    owner = orgs[text.owner]
    doc = create_document(
        text.slug, text.title, text.kind, owner, text.visibility, grants, max_chars=limit
    )
    plans.join_plan(doc, plan, people[text.author], [orgs[name] for name in text.partners])
    return doc


def consult(
    plan: Plan,
    docs: Mapping[str, Document],
    orgs: Mapping[str, Organisation],
    people: Mapping[str, Person],
) -> None:
    """Open the plan to the public; the open-contracting ask becomes commitment 4."""
    plans.set_phase(plan, Phase.CONSULTATION.value)
    promoted = docs[PROMOTED]
    assert promoted.commitment is not None  # every annex ask in a plan has a record
    plans.promote(promoted.commitment, orgs[CABINET])
    for slug, doc in docs.items():
        if slug in RECORDS:
            fill_record(doc, RECORDS[slug], orgs)
    db.session.commit()
    write(promoted, people[ALEX], (DEMO_DIR / PROMOTED_FILE).read_text())


def cut_off(plan: Plan, orgs: Mapping[str, Organisation], people: Mapping[str, Person]) -> None:
    """Close the plan; the department's late commitment has the Cabinet Office's consent only."""
    plans.set_phase(plan, Phase.CUT_OFF.value)
    doc = add(LATE, plan, orgs, people)
    fill_record(doc, RECORDS[LATE.slug], orgs)
    db.session.commit()
    write(doc, people[LATE.author], (DEMO_DIR / LATE.file).read_text())
    signoff.consent(doc, people[ALEX])
    db.session.commit()


def sign_off(plan: Plan, docs: Mapping[str, Document], people: Mapping[str, Person]) -> None:
    """Sign the latest revisions; then commitment 1 changes under its one signature."""
    plans.set_phase(plan, Phase.SIGN_OFF.value)
    db.session.commit()
    for slug, email in SIGNATURES:
        doc = docs[slug]
        signoff.sign(doc, people[email], history.latest_revision(doc))
        db.session.commit()
    changed = docs["beneficial-ownership"]
    text, _ = content.read_text(changed)
    assert AMENDMENT[0] in text, "the amendment no longer fits beneficial-ownership.md"
    write(changed, people[KWAME], text.replace(*AMENDMENT))


def fill_record(doc: Document, record: Record, orgs: Mapping[str, Organisation]) -> None:
    """Fill in a commitment's record as its lead would on the record form."""
    held = doc.commitment
    assert held is not None  # commitments in a plan have records
    change = plans.RecordChange(
        number=held.number,
        title=doc.title,
        lead=orgs[record.lead],
        partners=[partner.organisation for partner in held.partners],
        status=record.status,
        milestones=[plans.MilestoneChange(None, title, due) for title, due in record.milestones],
        fields={
            "Open-government values": record.values,
            "Start date": record.start,
            "End date": record.end,
        },
    )
    plans.update_record(held, change)


def write(doc: Document, person: Person, text: str) -> None:
    """``person`` makes ``doc``'s text ``text``, as one edit to the text as it is now."""
    _, seq = content.read_text(doc)
    content.edit_text(doc, person, person.organisation, seq, text)
