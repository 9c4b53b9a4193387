"""Document pages: the list, reading, creating and editing without JavaScript."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from wiki.access.emergency import emergency_reads
from wiki.access.gate import refuse_openly, require_document
from wiki.access.policy import (
    Action,
    archived,
    can,
    may_create,
    may_see_plan,
    signed_in,
    visible,
)
from wiki.access.sessions import requester_key
from wiki.discussion.service import open_threads_by_block
from wiki.documents import content
from wiki.documents.service import create_document
from wiki.errors import InvalidInput
from wiki.extensions import db, limiter
from wiki.forms import DocumentForm, EditForm, choices
from wiki.plans import service as plans
from wiki.render.cache import rendered_document
from wiki.render.markdown import render_markdown
from wiki.storage.models import Document, DocumentKind, Person

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    docs = visible(current_user, db.session.scalars(select(Document).order_by(Document.title)))
    listed = [d for d in docs if not archived(d)]  # archived ones get a list of their own
    by_kind = {kind: [d for d in listed if d.kind is kind] for kind in DocumentKind}
    shown = [plan for plan in plans.all_plans() if may_see_plan(current_user, plan)]
    shelved = [d for d in docs if archived(d)]
    return render_template("home.html", by_kind=by_kind, plans=shown, archived_docs=shelved)


@bp.get("/favicon.ico")
def favicon() -> Response:
    # Browsers ask for this on pages that name no icon, such as raw Markdown.
    return send_from_directory(
        current_app.static_folder or "static", "favicon.svg", mimetype="image/svg+xml"
    )


@bp.route("/-/new", methods=["GET", "POST"])
@login_required
def new_document() -> ResponseReturnValue:
    person = signed_in(current_user)
    if person is None or not may_create(person):
        abort(404)
    form = document_form()
    if form.validate_on_submit():
        try:
            doc = create_from(form, person)
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            text = plans.starting_text(doc.plan, doc.kind.value)
            content.edit_text(doc, person, person.organisation, 0, text)
            flash(f"Created “{doc.title}” at /{doc.slug}.")
            return redirect(url_for("pages.edit", slug=doc.slug))
    return render_template("new.html", form=form), 400 if form.errors else 200


def document_form() -> DocumentForm:
    """The new-document form; a plan and kind in the address (from a plan page) preselect."""
    form = DocumentForm(plan=request.args.get("plan", ""), kind=request.args.get("kind"))
    form.plan.choices = choices(
        [("", "None")] + [(plan.slug, plan.title) for plan in plans.all_plans()]
    )
    return form


def create_from(form: DocumentForm, person: Person) -> Document:
    """The document the form describes, in its plan if one was chosen."""
    plan = plans.find_plan(form.plan.data or "") if form.plan.data else None
    doc = create_document(
        form.slug.data or "",
        form.title.data or "",
        form.kind.data or "",
        person.organisation,
        form.visibility.data or "",
        [],
        max_chars=current_app.config["MAX_DOCUMENT_CHARS"],
        creator=person,
    )
    if plan is not None:
        plans.join_plan(doc, plan, person)
    return doc


@bp.get("/<slug>")
def view(slug: str) -> str:
    doc = require_document(slug, Action.VIEW)
    text, seq = content.read_text(doc)
    blocks = rendered_document(doc.id, seq, text)
    reads = emergency_reads(doc) if can(current_user, Action.AUDIT, doc) else []
    return render_template(
        "document.html",
        doc=doc,
        blocks=blocks,
        seq=seq,
        emergency_reads=reads,
        counts=open_threads_by_block(doc, blocks),
        may_comment=can(current_user, Action.COMMENT, doc),
    )


@bp.get("/<slug>/raw")
def raw(slug: str) -> tuple[str, int, dict[str, str]]:
    doc = require_document(slug, Action.VIEW)
    text, _seq = content.read_text(doc)
    return text, 200, {"Content-Type": "text/markdown; charset=utf-8"}


def _preview_limit() -> str:
    return str(current_app.config["PREVIEW_RATE_LIMIT"])


@bp.post("/<slug>/preview")
@limiter.limit(_preview_limit, key_func=requester_key)
def preview(slug: str) -> str:
    """The live editor's rendering of unsaved text, for people who may edit ``slug``."""
    require_document(slug, Action.EDIT)
    text = request.form.get("text", "")
    if len(text) > current_app.config["MAX_DOCUMENT_CHARS"]:
        abort(413)
    return str(render_markdown(text))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> ResponseReturnValue:
    """The editor: live where scripts run, a plain form otherwise; read-only for viewers."""
    doc = require_document(slug, Action.VIEW)
    person = signed_in(current_user)
    editable = can(current_user, Action.EDIT, doc)
    if request.method == "POST" and (person is None or not editable):
        refuse_openly(doc, Action.EDIT)
        abort(404)
    form = EditForm()
    if form.validate_on_submit():
        assert person is not None
        try:
            content.submit_form(doc, person, form.base.data or 0, form.text.data or "")
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            flash("Your changes are saved.")
            return redirect(url_for("pages.view", slug=doc.slug))
    elif request.method == "GET":
        form.text.data, form.base.data = content.read_text(doc)
    status = 400 if form.errors else 200
    return render_template("edit.html", doc=doc, form=form, editable=editable), status
