"""The plan pages' forms: phase, template, commitment record, promotion, sign-off."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from wiki.extensions import db
from wiki.forms import ServiceForm, choices
from wiki.plans.service import statuses_for
from wiki.plans.signoff import MAX_REASON_CHARS, MIN_REASON_CHARS
from wiki.storage.models import (
    Commitment,
    Organisation,
    OrgKind,
    Phase,
    Plan,
    Progress,
    Status,
)

SPARE_MILESTONES = 2


class PhaseForm(ServiceForm):
    phase = SelectField("Phase", choices=choices((p.value, p.label) for p in Phase))


class TemplateForm(ServiceForm):
    text = TextAreaField(
        "Section headings and guidance",
        description="Markdown. New commitments of this plan start from this text.",
        validators=[Length(max=20000)],
    )
    fields = TextAreaField(
        "Extra record fields",
        description="One per line, for example “Start date”. Shown on every commitment's record.",
        validators=[Length(max=2000)],
    )


class MilestoneForm(Form):
    id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    title = StringField("Milestone", validators=[Length(max=300)])
    due = DateField("Due", validators=[Optional()])


class RecordForm(ServiceForm):
    number = IntegerField("Number", validators=[Optional()])
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=200)])
    lead = SelectField("Lead organisation (government)")
    partners = SelectMultipleField(
        "Partner organisations (civil society)",
        description="Each partner may edit the text and signs it off.",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    status = SelectField(
        "Status",
        description="“Signed off” is reached when every signatory signs the current revision.",
    )
    milestones = FieldList(FormField(MilestoneForm), min_entries=1)
    carry_over = BooleanField(
        "Carry over to the next plan",
        description="When the coordinator starts the next plan from this one, a copy of this "
        "commitment and its unfinished milestones joins it, linked to this one.",
    )
    extra = FieldList(TextAreaField(validators=[Length(max=2000)]))


class ProgressForm(ServiceForm):
    milestone = SelectField("Milestone reported on")
    status = SelectField("Status", choices=choices((p.value, p.label) for p in Progress))
    note = TextAreaField(
        "What happened",
        description="Up to 2,000 characters. Updates are never changed: to correct one, "
        "add a newer update.",
        validators=[Length(max=2000)],
    )
    evidence = TextAreaField(
        "Evidence (optional)",
        description="Web addresses, one per line, at most five.",
        validators=[Length(max=2600)],
    )


def progress_form(record: Commitment) -> ProgressForm:
    form = ProgressForm()
    form.milestone.choices = choices((str(m.id), m.title) for m in record.milestones)
    return form


class NextPlanForm(ServiceForm):
    slug = StringField(
        "Address of the next plan",
        description="Lower-case letters, digits and hyphens, for example nap-2028-30.",
        validators=[DataRequired("Enter an address.")],
    )
    title = StringField(
        "Title of the next plan", validators=[DataRequired("Enter a title."), Length(max=200)]
    )


class PromoteForm(ServiceForm):
    lead = SelectField(
        "Government organisation that will lead it",
        validators=[DataRequired("Choose the lead.")],
    )


class ConsentForm(ServiceForm):
    """A lead's consent to a late commitment: the button, and the CSRF token it carries."""


class SignForm(ServiceForm):
    revision = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ReopenForm(ServiceForm):
    reason = TextAreaField(
        "Why it must change",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description=f"{MIN_REASON_CHARS} to {MAX_REASON_CHARS:,} characters. The signatories "
        "see this on the sign-off board.",
        validators=[
            DataRequired("Say why the text must change."),
            Length(min=MIN_REASON_CHARS, max=MAX_REASON_CHARS),
        ],
    )


def organisations(kind: OrgKind) -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == kind).order_by(Organisation.name)
    return list(db.session.scalars(query))


def government_choices(blank: str | None) -> list[tuple[str, str]]:
    first = [("", blank)] if blank else []
    return first + [(str(o.id), o.name) for o in organisations(OrgKind.GOVERNMENT)]


def record_form(record: Commitment, plan: Plan | None) -> RecordForm:
    """The record form, filled from ``record`` unless the request carries data."""
    fields = plan.template_fields if plan is not None else []
    form = RecordForm(
        number=record.number,
        title=record.document.title,
        lead=str(record.lead_id or ""),
        partners=[str(p.organisation_id) for p in record.partners],
        status=record.status.value,
        carry_over=record.carry_over,
        milestones=[{"id": m.id, "title": m.title, "due": m.due} for m in record.milestones],
        extra=[record.fields.get(name, "") for name in fields],
    )
    form.lead.choices = choices(government_choices("To be agreed"))
    form.partners.choices = choices(
        (str(o.id), o.name) for o in organisations(OrgKind.CIVIL_SOCIETY)
    )
    statuses: Sequence[Status] = statuses_for(record)
    if record.status not in statuses:  # signed off: shown, though not chosen
        statuses = [record.status, *statuses]
    form.status.choices = choices((s.value, s.label) for s in statuses)
    if not form.is_submitted():
        for _ in range(SPARE_MILESTONES):
            form.milestones.append_entry()
    for number, row in enumerate(form.milestones, start=1):
        row.form.title.label.text = f"Milestone {number}"
        row.form.due.label.text = f"Milestone {number}: due"
    for entry, name in zip(form.extra, fields, strict=False):
        entry.label.text = name
    return form
