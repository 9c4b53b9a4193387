"""Plan pages without JavaScript: the overview, the commitment register and its CSV, and the
coordinator's phase and template forms."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from wiki.access.gate import require_plan
from wiki.access.policy import archived, coordinates, may_create
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.plans import progress, register, rolling, service
from wiki.plans.forms import (
    NextPlanForm,
    PhaseForm,
    TemplateForm,
    government_choices,
    organisations,
)
from wiki.storage.models import DocumentKind, OrgKind, Phase, Plan, Status

bp = Blueprint("plans", __name__, url_prefix="/plans")

FILTERS = ("status", "lead", "partner")


@bp.get("/<plan_slug>")
def overview(plan_slug: str) -> tuple[str, int]:
    plan = require_plan(plan_slug)
    return render_overview(plan)


def render_overview(plan: Plan, **forms: object) -> tuple[str, int]:
    # Archived documents leave the plan's lists; a commitment stays in its register.
    docs = [d for d in service.plan_documents(plan, current_user) if not archived(d)]
    page = render_template(
        "plan.html",
        plan=plan,
        by_kind={kind: [d for d in docs if d.kind is kind] for kind in DocumentKind},
        # Fresh forms read nothing from the request: a POST fills only the form it was for.
        phase_form=forms.get("phase_form") or PhaseForm(formdata=None, phase=plan.phase.value),
        next_form=forms.get("next_form") or NextPlanForm(formdata=None),
        template_form=forms.get("template_form")
        or TemplateForm(
            formdata=None, text=plan.template_text, fields="\n".join(plan.template_fields)
        ),
        may_coordinate=coordinates(current_user),
        may_propose=may_create(current_user),
    )
    return page, 400 if any(getattr(f, "errors", None) for f in forms.values()) else 200


@bp.post("/<plan_slug>/phase")
def phase(plan_slug: str) -> Response | tuple[str, int]:
    plan = coordinated(plan_slug)
    form = PhaseForm()
    if not form.validate_on_submit():
        return render_overview(plan, phase_form=form)
    service.set_phase(plan, form.phase.data or "")
    db.session.commit()
    flash(f"{plan.title} is now in the {Phase(plan.phase).label.lower()} phase.")
    return redirect(url_for("plans.overview", plan_slug=plan.slug))


@bp.post("/<plan_slug>/template")
def template(plan_slug: str) -> Response | tuple[str, int]:
    plan = coordinated(plan_slug)
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            service.set_template(plan, form.text.data or "", (form.fields.data or "").splitlines())
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash("The commitment template is saved; new commitments start from it.")
            return redirect(url_for("plans.overview", plan_slug=plan.slug))
    return render_overview(plan, template_form=form)


@bp.post("/<plan_slug>/next")
def start_next(plan_slug: str) -> Response | tuple[str, int]:
    plan = coordinated(plan_slug)
    form = NextPlanForm()
    if form.validate_on_submit():
        try:
            made, carried = rolling.start_next(plan, form.slug.data or "", form.title.data or "")
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            rolling.write_texts(carried)
            flash(f"{made.title} starts from {plan.title}, with {len(carried)} carried over.")
            return redirect(url_for("plans.overview", plan_slug=made.slug))
    return render_overview(plan, next_form=form)


def coordinated(plan_slug: str) -> Plan:
    """The plan, for the coordinator; 403 for others who may see it."""
    plan = require_plan(plan_slug)
    if not coordinates(current_user):
        abort(403, description="Only the coordinator changes a plan's phase and template.")
    return plan


@bp.get("/<plan_slug>/commitments")
def commitments(plan_slug: str) -> str:
    plan = require_plan(plan_slug)
    args = register_args()
    return render_template(
        "register.html",
        plan=plan,
        rows=register.rows(plan, current_user, args),
        args=args,
        statuses=list(Status),
        leads=government_choices(None),
        partners=[(str(o.id), o.name) for o in organisations(OrgKind.CIVIL_SOCIETY)],
        filtered=any(k in args for k in FILTERS),
    )


@bp.get("/<plan_slug>/commitments.csv")
def commitments_csv(plan_slug: str) -> tuple[str, int, dict[str, str]]:
    plan = require_plan(plan_slug)
    args = register_args()
    text = register.csv_text(
        register.rows(plan, current_user, args),
        lambda doc: url_for("pages.view", slug=doc.slug, _external=True),
    )
    return text, 200, csv_headers(f"{plan.slug}-commitments.csv")


@bp.get("/<plan_slug>/progress")
def progress_page(plan_slug: str) -> str:
    plan = require_plan(plan_slug)
    return render_template("progress.html", plan=plan, rows=progress.rows(plan, current_user))


@bp.get("/<plan_slug>/progress.csv")
def progress_csv(plan_slug: str) -> tuple[str, int, dict[str, str]]:
    plan = require_plan(plan_slug)
    text = progress.csv_text(
        progress.rows(plan, current_user),
        lambda doc: url_for("record.show", slug=doc.slug, _external=True),
    )
    return text, 200, csv_headers(f"{plan.slug}-progress.csv")


@bp.get("/<plan_slug>/self-assessment.html")
def self_assessment(plan_slug: str) -> str:
    plan = require_plan(plan_slug)
    by_doc: dict[int, list[progress.MilestoneRow]] = {}
    for row in progress.rows(plan, current_user):
        by_doc.setdefault(row.doc.id, []).append(row)
    return render_template("self_assessment.html", plan=plan, commitments=list(by_doc.values()))


def register_args() -> dict[str, str]:
    """The register's filters and sort order from the address, the empty ones left out."""
    return {k: v for k, v in request.args.items() if k in (*FILTERS, "sort", "order") and v}


def csv_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
