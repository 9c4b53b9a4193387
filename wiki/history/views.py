"""History pages: revisions, the document at a revision, diffs, restore, attribution."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from wiki.access.gate import require_document, require_revision
from wiki.access.policy import Action, signed_in
from wiki.discussion.service import accepted_in
from wiki.documents import content
from wiki.extensions import db
from wiki.forms import ConfirmForm, NameForm
from wiki.history import service as history
from wiki.history import timeslider as slider
from wiki.history.attribution_page import attribution_context
from wiki.numbers import whole_number
from wiki.render.markdown import render_markdown

bp = Blueprint("timeline", __name__)


@bp.get("/<slug>/history")
def revisions(slug: str) -> str | Response:
    doc = require_document(slug, Action.VIEW)
    page = max(request.args.get("page", 1, type=whole_number) or 1, 1)
    rows, total = history.revision_page(doc, request.args, page)
    pages = max(1, -(-total // history.PAGE_SIZE))
    filter_args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and v}
    if page > pages:
        return redirect(url_for("timeline.revisions", slug=doc.slug, page=pages, **filter_args))
    organisations, people = history.contributors(doc)
    return render_template(
        "history.html",
        doc=doc,
        rows=rows,
        who=history.authors(rows),
        page=page,
        pages=pages,
        filters=request.args,
        filter_args=filter_args,
        name_form=NameForm(),
        named=history.named_revisions(doc),
        accepted=accepted_in(doc, rows),
        organisations=organisations,
        people=people,
    )


@bp.get("/<slug>/history/timeslider")
def timeslider(slug: str) -> str:
    doc = require_document(slug, Action.VIEW)
    latest = history.latest_revision(doc)
    number = slider.chosen(request.args.get("revision", type=whole_number), latest)
    frame = slider.frame(doc, require_revision(doc, number), latest) if number else None
    return render_template(
        "timeslider.html", doc=doc, frame=frame, speeds=slider.SPEEDS, restore_form=ConfirmForm()
    )


@bp.get("/<slug>/revisions/<int:number>")
def revision(slug: str, number: int) -> str:
    doc = require_document(slug, Action.VIEW)
    revision = require_revision(doc, number)
    latest = history.latest_revision(doc)
    text = content.text_at(doc, revision.last_seq)
    who = history.authors([revision])[number]
    return render_template(
        "revision.html",
        doc=doc,
        revision=revision,
        author=who,
        latest=latest,
        html=render_markdown(text),
        restore_form=ConfirmForm(),
    )


@bp.get("/<slug>/revisions")
def jump(slug: str) -> Response:
    doc = require_document(slug, Action.VIEW)
    number = request.args.get("number", type=whole_number)
    if number is None:
        return redirect(url_for("timeline.revisions", slug=doc.slug))
    return redirect(url_for("timeline.revision", slug=doc.slug, number=number))


@bp.post("/<slug>/revisions/<int:number>/restore")
def restore(slug: str, number: int) -> Response:
    doc = require_document(slug, Action.EDIT)
    revision = require_revision(doc, number)
    person = signed_in(current_user)
    if person is None or not ConfirmForm().validate_on_submit():
        abort(400)
    seq = history.restore(doc, person, revision)
    if seq is None:
        flash(f"The document already reads as revision {number}; nothing was changed.")
    else:
        flash(f"Restored revision {number} as a new edit.")
    return redirect(url_for("pages.view", slug=doc.slug))


@bp.post("/<slug>/revisions/<int:number>/name")
def name(slug: str, number: int) -> Response | tuple[str, int]:
    doc = require_document(slug, Action.EDIT)
    revision = require_revision(doc, number)
    form = NameForm()
    if not form.validate_on_submit():
        flash("Give the version a name of 1 to 200 characters.")
        return redirect(url_for("timeline.revisions", slug=doc.slug))
    revision.name = (form.name.data or "").strip()
    db.session.commit()
    flash(f"Revision {number} is now named “{revision.name}”.")
    return redirect(url_for("timeline.revisions", slug=doc.slug))


@bp.get("/<slug>/diff")
def diff(slug: str) -> str:
    doc = require_document(slug, Action.VIEW)
    latest = history.latest_revision(doc)
    new = min(max(request.args.get("to", latest, type=int) or 0, 0), latest)
    old = min(max(request.args.get("from", max(new - 1, 0), type=int) or 0, 0), latest)
    old, new = min(old, new), max(old, new)  # "from 4 to 1" means the changes between them
    organisation = request.args.get("organisation", type=whole_number)
    changes = history.diff(doc, old, new, organisation)
    return render_template(
        "diff.html",
        doc=doc,
        old=old,
        new=new,
        changes=changes,
        latest=latest,
        organisation=history.organisation_name(organisation),
    )


@bp.get("/<slug>/attribution")
def attribution(slug: str) -> str:
    doc = require_document(slug, Action.VIEW)
    number = request.args.get("revision", type=whole_number)
    revision = require_revision(doc, number) if number is not None else None
    marks = request.args.get("marks") == "1"
    return render_template("attribution.html", **attribution_context(doc, revision, marks))


@bp.get("/<slug>/attribution/<paragraph_id>")
def paragraph(slug: str, paragraph_id: str) -> str:
    doc = require_document(slug, Action.VIEW)
    try:
        changes = history.paragraph_changes(doc, paragraph_id)
    except LookupError:
        abort(404)
    who = history.authors([change.revision for change in changes])
    return render_template(
        "paragraph.html", doc=doc, paragraph_id=paragraph_id, changes=changes, who=who
    )
