"""A plan and its commitments as the JSON API shows them."""

from __future__ import annotations

from typing import Any

from wiki.plans.register import Row
from wiki.storage.models import Organisation, Plan


def organisation_json(org: Organisation) -> dict[str, str]:
    return {"name": org.name, "kind": org.kind.value}


def commitment_json(row: Row) -> dict[str, Any]:
    record = row.record
    return {
        "slug": row.doc.slug,
        "number": record.number,
        "title": row.doc.title,
        "status": record.status.value,
        "late": record.late,
        "consents": [
            {
                "organisation": c.organisation.name,
                "kind": c.organisation.kind.value,
                "person": c.person.name,
                "at": c.at.isoformat(),
            }
            for c in row.consents
        ],
        "lead": organisation_json(record.lead) if record.lead is not None else None,
        "partners": [organisation_json(p.organisation) for p in record.partners],
        "signoffs": [
            {
                "organisation": s.organisation.name,
                "kind": s.organisation.kind.value,
                "person": s.signed.person.name,
                "revision": s.signed.revision,
                "sha256": s.signed.sha256,
                "current": s.current,
            }
            for s in row.signatures
            if s.signed is not None
        ],
        "signed_off": row.doc.signed_off_at is not None,
    }


def plan_json(plan: Plan, found: list[Row]) -> dict[str, Any]:
    return {
        "slug": plan.slug,
        "title": plan.title,
        "phase": plan.phase.value,
        "government_lead": organisation_json(plan.government_lead),
        "civil_society_lead": organisation_json(plan.civil_society_lead),
        "commitments": [commitment_json(row) for row in found],
    }
