"""The plan as one document: title page, foreword, narrative, commitments in register order
(their record as a table, then their text), the annex, and a provenance annex (who wrote
each commitment and who signed which revision). Only what the reader may see goes in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wiki.access import audit
from wiki.documents import content
from wiki.history import service as history
from wiki.history.authorship import KIND_WORDS, word_shares, writers
from wiki.plans.progress import MilestoneRow
from wiki.plans.service import plan_documents
from wiki.plans.signoff import Signature, signatures
from wiki.publish.markdown import blocks
from wiki.publish.model import Block, Book, Heading, Inline, Paragraph, Table, text
from wiki.storage.models import Document, DocumentKind, OrgKind, Person, Plan, Status

LEFT_OUT = (Status.ANNEX, Status.WITHDRAWN)


@dataclass(frozen=True)
class Part:
    """One document of the plan as it goes into the export: its text now, and revision."""

    doc: Document
    text: str
    revision: int


@dataclass(frozen=True)
class Assembly:
    plan: Plan
    narrative: list[Part]
    commitments: list[Part]
    annex: list[Part]

    @property
    def parts(self) -> list[Part]:
        return [*self.narrative, *self.commitments, *self.annex]

    @property
    def audited(self) -> list[Part]:
        """The restricted and private parts: each export of them is audited."""
        return [part for part in self.parts if audit.audited(part.doc)]


def stamp(at: datetime) -> str:
    """A time as an export states it: '2026-12-02 17:40 UTC'."""
    return at.strftime("%Y-%m-%d %H:%M UTC")


def assemble(plan: Plan, person: object) -> Assembly:
    """The parts of ``plan`` that ``person`` may read, in the order the plan presents them."""
    narrative, commitments, annex = [], [], []
    for doc in plan_documents(plan, person):  # commitments come in number order
        record = doc.commitment
        if doc.awaiting_consent or (record is not None and record.status is Status.WITHDRAWN):
            continue
        text_now, _seq = content.read_text(doc)
        part = Part(doc, text_now, history.latest_revision(doc))
        if doc.kind is DocumentKind.NARRATIVE:
            narrative.append(part)
        elif doc.kind is DocumentKind.ANNEX or (record and record.status is Status.ANNEX):
            annex.append(part)
        elif doc.kind is DocumentKind.COMMITMENT:
            commitments.append(part)
    return Assembly(plan, narrative, commitments, annex)


def record_audit(assembly: Assembly, person: Person | None, fmt: str) -> datetime | None:
    """An "export" row for each restricted part; the time of the last (None if none)."""
    at = None
    for part in assembly.audited:
        detail = f"plan {assembly.plan.slug} as {fmt}"
        at = audit.record(part.doc, person, "export", revision=part.revision, detail=detail).at
    return at


def plan_book(assembly: Assembly, footer: str, base_url: str, stamp: str) -> Book:
    plan = assembly.plan
    found: list[Block] = [*foreword(assembly, stamp)]
    if assembly.narrative:
        found.append(Heading(1, text("Plan narrative")))
        for part in assembly.narrative:
            found += blocks(part.text, base_url=base_url, shift=1)
    if assembly.commitments:
        found.append(Heading(1, text("Commitments")))
        for part in assembly.commitments:
            found += commitment_blocks(part, base_url)
    if assembly.annex:
        found.append(Heading(1, text("Annex of civil-society asks")))
        for part in assembly.annex:
            found += [
                Heading(2, text(part.doc.title)),
                *blocks(part.text, base_url=base_url, shift=2),
            ]
    found += provenance_blocks(assembly.commitments)
    leads = f"Led by {plan.government_lead.name} and {plan.civil_society_lead.name}"
    subtitle = (leads, f"Phase: {plan.phase.label}", f"Exported on {stamp}")
    metadata = {"author": leads, "subject": plan.title, "language": "en-GB"}
    return Book(plan.title, subtitle, tuple(found), footer, metadata)


def foreword(assembly: Assembly, stamp: str) -> list[Block]:
    plan = assembly.plan
    counts = (len(assembly.commitments), len(assembly.annex))
    return [
        Heading(1, text("Foreword")),
        Paragraph(
            text(
                f"{plan.title} is drafted together by {plan.government_lead.name} (government) "
                f"and {plan.civil_society_lead.name} (civil society) with the organisations "
                f"named in each commitment. This copy, made on {stamp} while the plan is in "
                f"the {plan.phase.label.lower()} phase, holds its narrative, {counts[0]} "
                f"commitments in the order of the register, {counts[1]} civil-society asks "
                "in the annex, and a provenance annex: who wrote each commitment and who "
                "signed which revision of it, with the SHA-256 of the text they signed."
            )
        ),
    ]


def commitment_blocks(part: Part, base_url: str) -> list[Block]:
    record = part.doc.commitment
    assert record is not None  # commitments of a plan have records
    number = f"Commitment {record.number}: " if record.number else ""
    proposer = record.proposer.name + ", " if record.proposer else ""
    rows = [
        ("Number", str(record.number or "–")),
        ("Lead", record.lead.name if record.lead else "To be agreed"),
        ("Partners", "; ".join(p.organisation.name for p in record.partners) or "–"),
        ("Status", record.status.label),
        ("Proposed", f"by {proposer}{record.proposer_organisation.name}"),
        *((("Origin", record.origin),) if record.origin else ()),
        *((name, value) for name, value in record.fields.items() if value),
    ]
    found: list[Block] = [
        Heading(2, text(number + part.doc.title)),
        Table((text("Field"), text("Value")), tuple((text(k), text(v)) for k, v in rows)),
    ]
    if record.milestones:
        milestones = tuple(
            (text(m.title), text(m.due.isoformat() if m.due else "–")) for m in record.milestones
        )
        found.append(Table((text("Milestone"), text("Due")), milestones))
    return found + list(blocks(part.text, base_url=base_url, shift=2))


def provenance_blocks(parts: list[Part]) -> list[Block]:
    if not parts:
        return []
    found: list[Block] = [
        Heading(1, text("Provenance")),
        Paragraph(
            text(
                "For each commitment: the share of its words written by government and by "
                "civil society, the organisations that wrote it, and its sign-offs. A "
                "sign-off holds the SHA-256 of the text at the revision signed; “current” "
                "means the text has not changed since."
            )
        ),
    ]
    for part in parts:
        found += [Heading(2, text(part.doc.title)), Paragraph(text(authorship_line(part.doc)))]
        found.append(signature_table(signatures(part.doc)))
    return found


def authorship_line(doc: Document) -> str:
    """Each side's share of the words and who wrote them, from one pass over the text."""
    segments = history.marked_runs(doc, None)
    shares = word_shares(segments)
    words = ", ".join(
        f"{shares.get(kind, 0)}% {KIND_WORDS[kind]}"
        for kind in (OrgKind.GOVERNMENT.value, OrgKind.CIVIL_SOCIETY.value)
    )
    names = "; ".join(writers(segments)) or "nobody yet"
    return f"Words: {words}. Written by: {names}."


def signature_table(found: list[Signature]) -> Table:
    header = tuple(text(h) for h in ("Organisation", "Person", "Revision", "SHA-256", "Date"))
    rows = []
    for s in found:
        signed = s.signed
        cells = (
            (
                s.organisation.name,
                signed.person.name,
                str(signed.revision),
                signed.sha256,
                signed.at.strftime("%Y-%m-%d %H:%M UTC")
                + ("" if s.current else " (text changed since)"),
            )
            if signed is not None
            else (s.organisation.name, "Not signed", "–", "–", "–")
        )
        rows.append(tuple(text(cell) for cell in cells))
    return Table(header, tuple(rows))


def document_book(doc: Document, body: str, revision: int, footer: str, base_url: str) -> Book:
    """One document as a Book: its text, then who wrote it and, if it is signed, who signed."""
    found: list[Block] = list(blocks(body, base_url=base_url))
    found += [Heading(1, text("Provenance")), Paragraph(text(authorship_line(doc)))]
    signed = signatures(doc)
    if signed:
        found.append(signature_table(signed))
    subtitle = (
        f"{doc.kind.label} · Owner: {doc.owner.name} ({doc.owner.kind.label})",
        f"{doc.visibility.label} · Revision {revision}",
    )
    metadata = {"author": doc.owner.name, "subject": doc.kind.label, "language": "en-GB"}
    return Book(doc.title, subtitle, tuple(found), footer, metadata)


def self_assessment_book(plan: Plan, rows: list[MilestoneRow], stamp_text: str) -> Book:
    """The end-of-term self-assessment: per commitment, each milestone with each side's latest
    status and note; where the sides disagree, the row says so."""
    found: list[Block] = []
    by_doc: dict[int, list[MilestoneRow]] = {}
    for row in rows:
        by_doc.setdefault(row.doc.id, []).append(row)
    for group in by_doc.values():
        doc, record = group[0].doc, group[0].doc.commitment
        assert record is not None  # milestones belong to commitments
        number = f"{record.number}. " if record.number else ""
        found += [
            Heading(1, text(number + doc.title)),
            Paragraph(
                text(
                    f"Lead: {record.lead.name if record.lead else 'to be agreed'}. "
                    f"Status: {record.status.label}."
                )
            ),
            Table(
                tuple(text(h) for h in ("Milestone", "Due", "Government", "Civil society")),
                tuple(assessment_row(row) for row in group),
            ),
        ]
    subtitle = (
        f"Led by {plan.government_lead.name} and {plan.civil_society_lead.name}",
        f"Exported on {stamp_text}",
    )
    footer = f"Exported from Jointly: {plan.title}, self-assessment, on {stamp_text}."
    return Book(f"End-of-term self-assessment: {plan.title}", subtitle, tuple(found), footer)


def assessment_row(row: MilestoneRow) -> tuple[Inline, ...]:
    title = row.milestone.title + (" (the sides disagree)" if row.disagree else "")
    due = row.milestone.due.isoformat() if row.milestone.due else "–"
    sides = []
    for side in (OrgKind.GOVERNMENT.value, OrgKind.CIVIL_SOCIETY.value):
        update = row.latest.get(side)
        sides.append(
            text(
                f"{update.status.label} ({update.organisation.name}, "
                f"{update.at.strftime('%Y-%m-%d')})" + (f": {update.note}" if update.note else "")
            )
            if update is not None
            else text("Not reported")
        )
    return (text(title), text(due), *sides)
