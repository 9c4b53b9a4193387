"""A commitment's record (number, title, lead, partners, status, milestones), read by all who
see it and changed by its editors through a plain form; promoting an annex ask."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wiki.access.gate import refuse_openly, require_document
from wiki.access.policy import Action, can, signed_in
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.forms import choices
from wiki.live import enforce_access
from wiki.numbers import parse_number
from wiki.plans import progress, service
from wiki.plans.forms import (
    PromoteForm,
    RecordForm,
    government_choices,
    progress_form,
    record_form,
)
from wiki.plans.outcomes import attempt
from wiki.storage.models import Commitment, Document, Organisation, Phase

bp = Blueprint("record", __name__)


@bp.route("/<slug>/record", methods=["GET", "POST"])
def show(slug: str) -> ResponseReturnValue:
    doc, record = with_record(slug)
    editable = can(current_user, Action.EDIT, doc)
    if request.method == "POST" and not editable:
        refuse_openly(doc, Action.EDIT)
        abort(404)
    form = record_form(record, doc.plan)
    if editable and form.validate_on_submit():
        try:
            service.update_record(record, change_from(form, doc))
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            enforce_access(doc)  # a new partner edits now; the live editor learns it
            flash("The commitment's record is saved.")
            return redirect(url_for("record.show", slug=doc.slug))
    return render_record(doc, record, form, editable)


def render_record(
    doc: Document, record: Commitment, form: RecordForm, editable: bool, **forms: Any
) -> tuple[str, int]:
    promote = forms.get("promote")
    if promote is None:
        promote = PromoteForm()
        promote.lead.choices = choices(government_choices("Choose an organisation"))
    reporting = forms.get("progress") or progress_form(record)
    page = render_template(
        "record.html",
        doc=doc,
        record=record,
        form=form,
        editable=editable,
        promote_form=promote,
        progress_form=reporting,
        may_report=progress.may_report(current_user, doc),
        reporting_open=doc.plan is not None and doc.plan.phase is Phase.IMPLEMENTATION,
    )
    failed = form.errors or promote.errors or reporting.errors
    return page, 400 if failed else 200


@bp.post("/<slug>/progress")
def report(slug: str) -> ResponseReturnValue:
    doc, record = with_record(slug)
    person = signed_in(current_user)
    if person is None:
        abort(403, description="Sign in to report progress.")
    form = progress_form(record)
    if form.validate_on_submit():
        milestone = next(m for m in record.milestones if str(m.id) == form.milestone.data)
        fields = (form.status.data or "", form.note.data or "", form.evidence.data or "")
        try:
            attempt(lambda: progress.report(doc, milestone, person, *fields))
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(f"Progress on “{milestone.title}” is recorded.")
            return redirect(url_for("record.show", slug=doc.slug) + f"#milestone-{milestone.id}")
    editable = can(current_user, Action.EDIT, doc)
    return render_record(doc, record, record_form(record, doc.plan), editable, progress=form)


@bp.post("/<slug>/promote")
def promote(slug: str) -> ResponseReturnValue:
    doc, record = with_record(slug, Action.EDIT)
    form = PromoteForm()
    form.lead.choices = choices(government_choices("Choose an organisation"))
    if form.validate_on_submit():
        try:
            service.promote(record, organisation(form.lead.data))
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            enforce_access(doc)
            flash(f"“{doc.title}” is now a commitment. {record.origin}.")
            return redirect(url_for("record.show", slug=doc.slug))
    return render_record(doc, record, record_form(record, doc.plan), True, promote=form)


def with_record(slug: str, action: Action = Action.VIEW) -> tuple[Document, Commitment]:
    """A document the person may ``action`` that has a commitment record, and the record."""
    doc = require_document(slug, action, audit_view=action is Action.VIEW)
    if doc.commitment is None:
        abort(404)
    return doc, doc.commitment


def change_from(form: RecordForm, doc: Document) -> service.RecordChange:
    partners = [organisation(value) for value in form.partners.data or []]
    plan = doc.plan
    names = plan.template_fields if plan is not None else []
    return service.RecordChange(
        number=form.number.data,
        title=form.title.data or "",
        lead=organisation(form.lead.data),
        partners=[org for org in partners if org is not None],
        status=form.status.data or "",
        milestones=[
            service.MilestoneChange(m.form.id.data, m.form.title.data or "", m.form.due.data)
            for m in form.milestones
        ],
        fields=dict(zip(names, [e.data or "" for e in form.extra], strict=False)),
        carry_over=bool(form.carry_over.data),
    )


def organisation(value: str | None) -> Organisation | None:
    number = parse_number(value)
    return db.session.get(Organisation, number) if number is not None else None
