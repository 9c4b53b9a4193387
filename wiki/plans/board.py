"""The sign-off board and its forms: sign the latest revision, re-open a frozen text, and a
lead's consent to a late commitment."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from wiki.access.gate import require_document, require_plan
from wiki.access.policy import Action, may_reopen, plan_lead, signed_in
from wiki.extensions import db
from wiki.history import service as history
from wiki.live import enforce_access
from wiki.plans import service, signoff
from wiki.plans.forms import ConsentForm, ReopenForm, SignForm
from wiki.plans.outcomes import attempt, commit_signature
from wiki.storage.models import Consent, Document, Person, Plan, Reopening

bp = Blueprint("board", __name__, url_prefix="/plans/<plan_slug>")


@dataclass(frozen=True)
class Entry:
    """One document on the board: its signatures, the revision to sign, what happened."""

    doc: Document
    signatures: list[signoff.Signature]
    latest: int
    reopened: Reopening | None
    consents: list[Consent]
    may_sign: bool
    may_reopen: bool
    may_consent: bool


@bp.get("/sign-off")
def show(plan_slug: str) -> str:
    plan = require_plan(plan_slug)
    return render_board(plan)


def render_board(plan: Plan, reopen_forms: dict[int, ReopenForm] | None = None) -> str:
    docs = service.plan_documents(plan, current_user)
    entries = [entry(doc) for doc in docs if signoff.signatories(doc) or doc.awaiting_consent]
    return render_template(
        "board.html",
        plan=plan,
        entries=entries,
        sign_form=SignForm(),
        consent_form=ConsentForm(),
        reopen_forms=reopen_forms or {},
        blank_reopen=ReopenForm(),
    )


def entry(doc: Document) -> Entry:
    record = doc.commitment
    consents = signoff.consents(doc) if record is not None and record.late else []
    person = signed_in(current_user)
    mine = person.organisation_id if person is not None else None
    consented = any(c.organisation_id == mine for c in consents)
    signatures = signoff.signatures(doc)
    signed = any(s.current and s.organisation.id == mine for s in signatures)
    return Entry(
        doc=doc,
        signatures=signatures,
        latest=history.latest_revision(doc),
        reopened=signoff.last_reopening(doc),
        consents=consents,
        may_sign=signoff.signer(current_user, doc) and not signed,
        may_reopen=may_reopen(current_user, doc),
        may_consent=doc.awaiting_consent and plan_lead(current_user, doc) and not consented,
    )


@bp.get("/sign-off/<slug>/changes/<int:organisation_id>")
def changes(plan_slug: str, slug: str, organisation_id: int) -> str:
    """What changed in the text since one signatory signed it."""
    plan = require_plan(plan_slug)
    doc = require_document(slug, Action.VIEW)
    signature = signoff.signature_of(doc, organisation_id) if doc.plan_id == plan.id else None
    if signature is None:
        abort(404)
    return render_template(
        "signed_changes.html",
        plan=plan,
        doc=doc,
        signature=signature,
        since=signoff.changes_since(doc, signature),
        latest=history.latest_revision(doc),
    )


@bp.post("/sign-off/<slug>")
def sign(plan_slug: str, slug: str) -> Response:
    plan, doc, person = acting(plan_slug, slug)
    form = SignForm()
    if not form.validate_on_submit():
        abort(400, description="The form had expired; sign again from the board.")
    made, _new = attempt(lambda: signoff.sign(doc, person, form.revision.data or 0))
    commit_signature(doc)
    flash(f"{person.organisation.name} signed revision {made.revision} of “{doc.title}”.")
    return redirect(url_for("board.show", plan_slug=plan.slug) + f"#doc-{doc.slug}")


@bp.post("/reopen/<slug>")
def reopen(plan_slug: str, slug: str) -> Response | tuple[str, int]:
    plan, doc, person = acting(plan_slug, slug)
    form = ReopenForm()
    if not form.validate_on_submit():
        return render_board(plan, {doc.id: form}), 400
    made = attempt(lambda: signoff.reopen(doc, person, form.reason.data or ""))
    db.session.commit()
    enforce_access(doc)
    cleared = ", ".join(made.cleared) or "none"
    flash(f"“{doc.title}” is open for edits again. Signatures cleared: {cleared}.")
    return redirect(url_for("board.show", plan_slug=plan.slug) + f"#doc-{doc.slug}")


@bp.post("/consent/<slug>")
def consent(plan_slug: str, slug: str) -> Response:
    plan, doc, person = acting(plan_slug, slug)
    if not ConsentForm().validate_on_submit():
        abort(400, description="The form had expired; consent again from the board.")
    joined = attempt(lambda: signoff.consent(doc, person))
    db.session.commit()
    note = "It joins the plan now." if joined else "It joins once the other lead consents."
    flash(f"{person.organisation.name} consented to “{doc.title}”. {note}")
    return redirect(url_for("board.show", plan_slug=plan.slug))


def acting(plan_slug: str, slug: str) -> tuple[Plan, Document, Person]:
    """The plan, one of its documents the person may see, and who they are; or 404."""
    plan = require_plan(plan_slug)
    doc = require_document(slug, Action.VIEW, audit_view=False)
    person = signed_in(current_user)
    if doc.plan_id != plan.id or person is None:
        abort(404)
    return plan, doc, person
