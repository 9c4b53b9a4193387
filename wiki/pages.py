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
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from wiki import audit, content, history
from wiki.documents import create_document, find_document, stand_in, starting_text
from wiki.errors import InvalidInput
from wiki.extensions import db, limiter
from wiki.forms import DocumentForm, EditForm
from wiki.models import Document, DocumentKind, Role
from wiki.policy import Action, can, signed_in, visible
from wiki.render import render_markdown
from wiki.render_cache import rendered_document
from wiki.security import embedded_request

bp = Blueprint("pages", __name__)


def load_document(slug: str, action: Action, *, audit_view: bool = True) -> Document:
    """The document at ``slug`` if the current person may do ``action``; 404 otherwise.

    Every page that shows a restricted or private document comes through here, so this
    is where its reading is audited: the row is committed before anything is shown. Only
    a page a person opens is a reading; a browser fetching it for an image, a frame or a
    script is refused. A caller that records a more precise row itself (an export) passes
    ``audit_view=False``.
    """
    doc = find_document(slug)
    # A missing document is asked about too, so that it takes what a hidden one takes.
    allowed = can(current_user, action, doc if doc is not None else stand_in(slug))
    if doc is None or not allowed:
        abort(404)
    if audit_view and request.method == "GET" and audit.audited(doc):
        if embedded_request():  # an <img> must not record a reading in its reader's name
            abort(404)
        number = (request.view_args or {}).get("number")
        revision = number if isinstance(number, int) else history.latest_revision(doc)
        audit.record(doc, signed_in(current_user), "view", revision=revision, detail=request.path)
        db.session.commit()
    return doc


@bp.get("/")
def home() -> str:
    docs = visible(current_user, db.session.scalars(select(Document).order_by(Document.title)))
    by_kind = {kind: [d for d in docs if d.kind is kind] for kind in DocumentKind}
    return render_template("home.html", by_kind=by_kind)


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
    if person is None or person.role is Role.REVIEWER:
        abort(404)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
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
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            text = starting_text(doc.kind.value)
            content.edit_text(doc, person, person.organisation, 0, text)
            flash(f"Created “{doc.title}” at /{doc.slug}.")
            return redirect(url_for("pages.edit", slug=doc.slug))
    return render_template("new.html", form=form), 400 if form.errors else 200


@bp.get("/<slug>")
def view(slug: str) -> str:
    doc = load_document(slug, Action.VIEW)
    text, seq = content.read_text(doc)
    html = rendered_document(doc.id, seq, text)
    return render_template("document.html", doc=doc, html=html, seq=seq)


@bp.get("/<slug>/raw")
def raw(slug: str) -> tuple[str, int, dict[str, str]]:
    doc = load_document(slug, Action.VIEW)
    text, _seq = content.read_text(doc)
    return text, 200, {"Content-Type": "text/markdown; charset=utf-8"}


def _preview_limit() -> str:
    return str(current_app.config["PREVIEW_RATE_LIMIT"])


def _preview_key() -> str:
    # Per person, not per address: a whole ministry may sit behind one.
    person = signed_in(current_user)
    return f"person:{person.id}" if person else get_remote_address()


@bp.post("/<slug>/preview")
@limiter.limit(_preview_limit, key_func=_preview_key)
def preview(slug: str) -> str:
    """The live editor's rendering of unsaved text, for people who may edit ``slug``."""
    load_document(slug, Action.EDIT)
    text = request.form.get("text", "")
    if len(text) > current_app.config["MAX_DOCUMENT_CHARS"]:
        abort(413)
    return str(render_markdown(text))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> ResponseReturnValue:
    """The editor: live where scripts run, a plain form otherwise; read-only for viewers."""
    doc = load_document(slug, Action.VIEW)
    person = signed_in(current_user)
    editable = can(current_user, Action.EDIT, doc)
    if request.method == "POST" and (person is None or not editable):
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
