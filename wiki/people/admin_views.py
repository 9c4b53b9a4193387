"""Administration: organisations and people, for the coordinator and the admin."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from wiki.access.gate import staff_required
from wiki.access.policy import is_admin
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.forms import ConfirmForm, OrganisationForm, PersonForm, choices
from wiki.live import disconnect_sessions
from wiki.people.directory import create_organisation, create_person, set_active
from wiki.storage.models import Organisation, Person, Role

bp = Blueprint("admin", __name__, url_prefix="/-/admin")


@bp.route("/organisations", methods=["GET", "POST"])
@staff_required
def organisations() -> ResponseReturnValue:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = create_organisation(form.name.data or "", form.kind.data or "")
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(f"Added {org.name}.")
            return redirect(url_for("admin.organisations"))
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    status = 400 if form.errors else 200
    return render_template("admin/organisations.html", form=form, orgs=orgs), status


@bp.route("/people", methods=["GET", "POST"])
@staff_required
def people() -> ResponseReturnValue:
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form = PersonForm()
    form.organisation.choices = choices((org.name, org.name) for org in orgs)
    if not is_admin(current_user):  # the coordinator adds people; only an admin adds admins
        form.role.choices = [(r.value, r.value.capitalize()) for r in Role if r is not Role.ADMIN]
    if form.validate_on_submit():
        try:
            person = create_person(
                form.email.data or "",
                form.name.data or "",
                form.organisation.data or "",
                form.role.data or "",
                form.password.data or "",
            )
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash(f"Added {person.name}.")
            return redirect(url_for("admin.people"))
    everyone = db.session.scalars(select(Person).order_by(Person.name)).all()
    status = 400 if form.errors else 200
    return render_template(
        "admin/people.html", form=form, people=everyone, toggle=ConfirmForm()
    ), status


@bp.post("/people/<int:person_id>/active")
@staff_required
def toggle_active(person_id: int) -> Response:
    person = db.get_or_404(Person, person_id)
    if person.is_admin and not is_admin(current_user):
        abort(404)  # the coordinator runs people, not the accounts that run the instance
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = set_active(person, not person.active)
    db.session.commit()
    disconnect_sessions(ended)
    flash(f"{person.name} is now {'enabled' if person.active else 'disabled'}.")
    return redirect(url_for("admin.people"))
