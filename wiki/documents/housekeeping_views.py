"""Renaming, archiving and deleting a document: plain forms that work without JavaScript."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from wiki.access import audit
from wiki.access.gate import require_document
from wiki.access.policy import Action, signed_in
from wiki.documents import housekeeping
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.forms import ConfirmForm, ServiceForm
from wiki.live import enforce_access
from wiki.storage.models import Document

bp = Blueprint("housekeeping", __name__)


class RenameForm(ServiceForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=200)])
    slug = StringField(
        "Address",
        description="Lower-case letters, digits and hyphens. The old address keeps leading "
        "here for everyone who may see the document.",
        validators=[DataRequired("Enter an address for the document.")],
    )


def render_manage(doc: Document, form: RenameForm | None = None) -> tuple[str, int]:
    """The rename, archive and delete page, with ``form`` (a fresh one if not given)."""
    form = form or RenameForm(formdata=None, title=doc.title, slug=doc.slug)
    page = render_template(
        "doc_rename.html",
        doc=doc,
        form=form,
        confirm_form=ConfirmForm(),
        former=housekeeping.former_slugs(doc),
    )
    return page, 400 if form.errors else 200


def done(doc: Document, action: str, detail: str, message: str, to: str) -> Response:
    """Audit a housekeeping change, commit it, re-ask the live sockets' access, redirect."""
    audit.record(doc, signed_in(current_user), action, detail=detail)
    db.session.commit()
    enforce_access(doc)
    flash(message)
    return redirect(to)


@bp.get("/<slug>/rename")
def manage(slug: str) -> tuple[str, int]:
    return render_manage(require_document(slug, Action.MANAGE))


@bp.post("/<slug>/rename")
def rename(slug: str) -> Response | tuple[str, int]:
    doc = require_document(slug, Action.MANAGE)
    form = RenameForm()
    if not form.validate_on_submit():
        return render_manage(doc, form)
    try:
        moved = housekeeping.rename_document(
            doc, form.title.data or "", form.slug.data or "", signed_in(current_user)
        )
    except InvalidInput as error:
        form.add_errors(error.errors)
        return render_manage(doc, form)
    said = rename_message(doc, moved)
    detail = f"{moved.old_slug} -> {moved.new_slug}: {doc.title}"
    return done(doc, "rename", detail, said, url_for("pages.view", slug=doc.slug))


def rename_message(doc: Document, moved: housekeeping.Renamed) -> str:
    """What the person who renamed is told."""
    if not moved.moved:
        return f"The title is now “{doc.title}”."
    taken = " (that address was taken, so it has a suffix)" if moved.suffixed else ""
    return (
        f"“{doc.title}” is now at /{moved.new_slug}{taken}; "
        f"/{moved.old_slug} leads here for everyone who may see it."
    )


@bp.post("/<slug>/archive")
def archive(slug: str) -> Response | tuple[str, int]:
    doc = require_document(slug, Action.MANAGE)
    if not ConfirmForm().validate_on_submit():
        return render_manage(doc)
    housekeeping.archive_document(doc)
    said = "Archived: the document is read-only and out of the lists; search still finds it."
    return done(doc, "archive", doc.slug, said, url_for("pages.view", slug=doc.slug))


@bp.post("/<slug>/unarchive")
def unarchive(slug: str) -> Response | tuple[str, int]:
    doc = require_document(slug, Action.MANAGE)
    if not ConfirmForm().validate_on_submit():
        return render_manage(doc)
    housekeeping.unarchive_document(doc)
    said = "Unarchived: the document can be changed again and is back in the lists."
    return done(doc, "unarchive", doc.slug, said, url_for("pages.view", slug=doc.slug))


@bp.get("/<slug>/delete")
def confirm_delete(slug: str) -> str:
    doc = require_document(slug, Action.MANAGE)
    return render_template("doc_delete.html", doc=doc, form=ConfirmForm(), **retention())


@bp.post("/<slug>/delete")
def delete(slug: str) -> Response | tuple[str, int]:
    doc = require_document(slug, Action.MANAGE)
    if not ConfirmForm().validate_on_submit():
        return render_template("doc_delete.html", doc=doc, form=ConfirmForm(), **retention()), 400
    title = doc.title
    old = housekeeping.delete_document(doc)
    said = f"Deleted “{title}”. Its address /{old} is free again."
    return done(doc, "delete", f"{old}: {title}", said, url_for("pages.home"))


def retention() -> dict[str, int]:
    """How long a deleted document's log is kept, for the confirmation page."""
    return {"retention_days": int(current_app.config["DELETED_RETENTION_DAYS"])}
