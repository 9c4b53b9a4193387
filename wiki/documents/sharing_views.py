"""Who may see a document and what they may do in it: visibility, members' level, grants."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from wiki.access import audit
from wiki.access.gate import require_document
from wiki.access.policy import Action, signed_in
from wiki.documents.service import (
    Grant,
    add_grant,
    describe_sharing,
    remove_grant,
    set_embargo,
    set_visibility,
)
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.forms import ConfirmForm, EmbargoForm, MembersForm, ShareForm, VisibilityForm, choices
from wiki.live import enforce_access
from wiki.numbers import parse_number
from wiki.storage.models import Document, Level, Organisation, Person, Share

bp = Blueprint("sharing", __name__)


def share_form() -> ShareForm:
    """The grant form, offering every organisation and every active person."""
    form = ShareForm()
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name))
    people = db.session.scalars(select(Person).where(Person.active).order_by(Person.name))
    form.grantee.choices = choices(
        [(f"org:{o.id}", f"{o.name} (organisation)") for o in orgs]
        + [(f"person:{p.id}", f"{p.name}, {p.organisation.name}") for p in people]
    )
    return form


def render_sharing(doc: Document, **forms: object) -> tuple[str, int]:
    """The sharing page with the given forms (fresh ones where not given)."""
    visibility_form = forms.get("visibility_form") or VisibilityForm(
        visibility=doc.visibility.value
    )
    members_form = forms.get("members_form") or MembersForm(
        members="edit" if doc.members_edit else "comment"
    )
    grant_form = forms.get("grant_form") or share_form()
    embargo_form = forms.get("embargo_form") or EmbargoForm()
    shown = (visibility_form, members_form, grant_form, embargo_form)
    page = render_template(
        "sharing.html",
        doc=doc,
        visibility_form=visibility_form,
        members_form=members_form,
        grant_form=grant_form,
        embargo_form=embargo_form,
        remove_form=ConfirmForm(),
    )
    failed = any(getattr(form, "errors", None) for form in shown)
    return page, 400 if failed else 200


def changed(doc: Document, what: str, message: str) -> Response:
    """Audit a sharing change, commit it, drop sockets that lost access, back to the page."""
    audit.record(doc, signed_in(current_user), "sharing", detail=f"{what}: {describe_sharing(doc)}")
    db.session.commit()
    enforce_access(doc)
    flash(message)
    return redirect(url_for("sharing.show", slug=doc.slug))


@bp.get("/<slug>/sharing")
def show(slug: str) -> tuple[str, int]:
    return render_sharing(require_document(slug, Action.MANAGE))


@bp.post("/<slug>/sharing/visibility")
def visibility(slug: str) -> Response | tuple[str, int]:
    doc = require_document(slug, Action.MANAGE)
    form = VisibilityForm()
    if not form.validate_on_submit():
        return render_sharing(doc, visibility_form=form)
    set_visibility(doc, form.visibility.data or "")
    return changed(doc, "visibility", f"Visibility is now: {doc.visibility.label}.")


@bp.post("/<slug>/sharing/members")
def members(slug: str) -> Response | tuple[str, int]:
    doc = require_document(slug, Action.MANAGE)
    form = MembersForm()
    if not form.validate_on_submit():
        return render_sharing(doc, members_form=form)
    doc.members_edit = form.members.data == "edit"
    said = "Every member who can see it may edit." if doc.members_edit else "Members comment."
    return changed(doc, "members", said)


@bp.post("/<slug>/sharing/embargo")
def embargo(slug: str) -> Response | tuple[str, int]:
    doc = require_document(slug, Action.MANAGE)
    form = EmbargoForm()
    if form.validate_on_submit() and form.until.data is not None:
        try:
            set_embargo(doc, form.until.data, form.then.data or "")
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            return changed(doc, "embargo", f"Embargo set: {describe_sharing(doc)}.")
    return render_sharing(doc, embargo_form=form)


@bp.post("/<slug>/sharing/grants")
def grant(slug: str) -> Response | tuple[str, int]:
    doc = require_document(slug, Action.MANAGE)
    form = share_form()
    if form.validate_on_submit():
        try:
            grantee = parse_grantee(form.grantee.data or "", Level(form.access.data))
            share = add_grant(doc, grantee)
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            return changed(doc, f"granted {grant_words(share)}", "Shared.")
    return render_sharing(doc, grant_form=form)


@bp.post("/<slug>/sharing/grants/<int:share_id>/remove")
def revoke(slug: str, share_id: int) -> Response:
    doc = require_document(slug, Action.MANAGE)
    share = remove_grant(doc, share_id) if ConfirmForm().validate_on_submit() else None
    if share is None:
        abort(404)
    return changed(doc, f"withdrew {grant_words(share)}", "Access withdrawn.")


def grant_words(share: Share) -> str:
    """``edit to Open Data Charity`` or ``comment to Chidi Cso``."""
    who = share.organisation.name if share.organisation else share.person.name  # type: ignore[union-attr]
    return f"{share.level.value} to {who}"


def parse_grantee(value: str, level: Level) -> Grant:
    """Turn the form's ``org:ID`` or ``person:ID`` into a grant."""
    kind, _, raw_id = value.partition(":")
    number = parse_number(raw_id)
    if number is not None and kind == "org" and (org := db.session.get(Organisation, number)):
        return Grant(organisation=org, person=None, level=level)
    if number is not None and kind == "person" and (person := db.session.get(Person, number)):
        return Grant(organisation=None, person=person, level=level)
    raise InvalidInput({"grantee": "Choose an organisation or a person."})
