"""The assembled plan as one file: ``POST /plans/<plan>/export.<html|docx|odt|pdf>``.

A POST with the CSRF token, as every download: a restricted part's export is audited, and
an image in a page must not write that row in its reader's name. The copy holds only what
the reader may see; with a restricted part in it, every page names its recipient.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, request
from flask_login import current_user
from werkzeug.wrappers import Response

from wiki.access.gate import require_plan
from wiki.access.policy import signed_in
from wiki.extensions import db
from wiki.plans import progress
from wiki.publish.assemble import (
    Assembly,
    assemble,
    plan_book,
    record_audit,
    self_assessment_book,
    stamp,
)
from wiki.publish.formats import FORMATS, attachment
from wiki.storage.models import Person
from wiki.storage.models.types import utcnow

bp = Blueprint("publish", __name__)


@bp.post("/plans/<plan_slug>/export.<ext>")
def plan_export(plan_slug: str, ext: str) -> Response:
    plan = require_plan(plan_slug)
    chosen = FORMATS.get(ext)
    if chosen is None:
        abort(404)
    person = signed_in(current_user)
    assembly = assemble(plan, current_user)
    at = record_audit(assembly, person, chosen.ext) or utcnow()
    db.session.commit()  # the audit rows stand before the copy leaves
    book = plan_book(assembly, plan_footer(assembly, person, at), request.host_url, stamp(at))
    name = f"{plan.slug}-{at:%Y-%m-%d}.{chosen.ext}"
    return attachment(chosen.write(book), chosen.content_type, name)


@bp.get("/plans/<plan_slug>/self-assessment.<any(docx, odt):ext>")
def self_assessment(plan_slug: str, ext: str) -> Response:
    """The end-of-term self-assessment as Word or OpenDocument: statuses and notes, no text."""
    plan = require_plan(plan_slug)
    chosen, at = FORMATS[ext], utcnow()
    book = self_assessment_book(plan, progress.rows(plan, current_user), stamp(at))
    return attachment(chosen.write(book), chosen.content_type, f"{plan.slug}-self-assessment.{ext}")


def plan_footer(assembly: Assembly, person: Person | None, at: datetime) -> str:
    """Every page's last line: its recipient when a restricted part is in it."""
    if person is not None and assembly.audited:
        parts = "; ".join(part.doc.title for part in assembly.audited)
        return (
            f"Exported for {person.name} <{person.email}>, {person.organisation.name}, on "
            f"{stamp(at)}. Includes restricted parts ({parts}): do not forward."
        )
    return f"Exported from Jointly: {assembly.plan.title}, on {stamp(at)}."
