"""The commitment register: one row per commitment a reader may see, sorted and filtered."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import func, select

from wiki.extensions import db
from wiki.history import service as history
from wiki.history.authorship import word_shares
from wiki.plans.service import plan_documents
from wiki.plans.signoff import Signature, consents, signatures
from wiki.storage.models import Commitment, Consent, Document, OrgKind, Plan, Revision, Status

# A cell a spreadsheet would run as a formula starts with one of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "Number",
    "Title",
    "Lead",
    "Partners",
    "Status",
    "Late",
    "Consents",
    "Signed",
    "Signatories",
    "Government words %",
    "Civil-society words %",
    "Last change (UTC)",
    "Address",
)


@dataclass(frozen=True)
class Row:
    """A commitment as the register shows it."""

    doc: Document
    record: Commitment
    signatures: list[Signature]
    consents: list[Consent]
    last_change: datetime | None

    @cached_property
    def shares(self) -> dict[str, int]:
        """Each organisation kind's whole percent of the words now: a pass over the text's
        attribution, made only where the shares are shown or sorted on."""
        return word_shares(history.marked_runs(self.doc, None))

    @property
    def signed(self) -> int:
        return sum(1 for s in self.signatures if s.current)


SORTS: dict[str, Callable[[Row], Any]] = {
    "number": lambda r: (r.record.number is None, r.record.number or 0),
    "title": lambda r: r.doc.title.lower(),
    "lead": lambda r: r.record.lead.name.lower() if r.record.lead else "~",
    "status": lambda r: list(Status).index(r.record.status),
    "signed": lambda r: (r.signed, len(r.signatures)),
    "government": lambda r: r.shares.get(OrgKind.GOVERNMENT.value, 0),
    "changed": lambda r: r.last_change.timestamp() if r.last_change else 0.0,
}


def rows(plan: Plan, person: object, args: Mapping[str, str]) -> list[Row]:
    """The register for ``person``: filtered by status, lead and partner, then sorted."""
    docs = [d for d in plan_documents(plan, person) if d.commitment is not None]
    docs = [d for d in docs if _matches(d.commitment, args)]  # type: ignore[arg-type]
    changed = last_changes([d.id for d in docs])
    found = [
        Row(d, d.commitment, signatures(d), consents(d), changed.get(d.id))
        for d in docs
        if d.commitment is not None
    ]
    key = SORTS.get(args.get("sort", ""), SORTS["number"])
    return sorted(found, key=key, reverse=args.get("order") == "desc")


def _matches(record: Commitment, args: Mapping[str, str]) -> bool:
    if args.get("status") and record.status.value != args["status"]:
        return False
    lead = args.get("lead")
    if lead and (record.lead is None or str(record.lead.id) != lead):
        return False
    partner = args.get("partner")
    return not partner or any(str(p.organisation_id) == partner for p in record.partners)


def last_changes(doc_ids: list[int]) -> dict[int, datetime]:
    """When each document was last changed, from its revisions."""
    if not doc_ids:
        return {}
    query = (
        select(Revision.document_id, func.max(Revision.ended_at))
        .where(Revision.document_id.in_(doc_ids))
        .group_by(Revision.document_id)
    )
    return {doc_id: at for doc_id, at in db.session.execute(query).all()}


def csv_text(found: list[Row], url_of: Callable[[Document], str]) -> str:
    """The register as CSV, one row per commitment."""
    return spreadsheet(CSV_COLUMNS, (csv_row(row, url_of) for row in found))


def csv_row(row: Row, url_of: Callable[[Document], str]) -> tuple[object, ...]:
    record = row.record
    return (
        record.number or "",
        row.doc.title,
        record.lead.name if record.lead else "",
        "; ".join(p.organisation.name for p in record.partners),
        record.status.label,
        "yes" if record.late else "no",
        "; ".join(f"{c.organisation.name} ({c.person.name})" for c in row.consents),
        row.signed,
        len(row.signatures),
        row.shares.get(OrgKind.GOVERNMENT.value, 0),
        row.shares.get(OrgKind.CIVIL_SOCIETY.value, 0),
        row.last_change.strftime("%Y-%m-%d %H:%M") if row.last_change else "",
        url_of(row.doc),
    )


def spreadsheet(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV that opens in a spreadsheet as written: UTF-8 with a byte-order mark (so dashes
    and accents read right), and no cell it would run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(spreadsheet_cell(cell) for cell in row)
    return "\ufeff" + out.getvalue()


def spreadsheet_cell(value: object) -> object:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
