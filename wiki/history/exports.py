"""Traceable exports: a document as Markdown or a standalone HTML page, naming who took it.

A restricted or private copy, exported or printed, says who it was made for, when, and at
which revision, so a copy that turns up elsewhere can be traced to the audit row that made it.
An export is a POST carrying the CSRF token, from the Download buttons: a GET, which any
image in a page could make in its reader's name, would write that row for someone who never
asked for a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from wiki.access import audit
from wiki.access.gate import require_document, require_revision
from wiki.access.policy import Action, signed_in
from wiki.discussion.annex import open_comments_annex
from wiki.documents import content
from wiki.extensions import db
from wiki.history import service as history
from wiki.numbers import whole_number
from wiki.publish import formats
from wiki.publish.assemble import document_book, stamp
from wiki.publish.formats import FORMATS
from wiki.render.markdown import render_markdown
from wiki.storage.models import Document, Person, Visibility
from wiki.storage.models.types import utcnow

bp = Blueprint("exports", __name__)

MARKDOWN_TYPE = "text/markdown; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
WARNINGS = {
    Visibility.RESTRICTED: "Restricted: shared with named organisations only; do not forward.",
    Visibility.PRIVATE: "Private: for {owner} only; do not forward.",
}
EXPORT_LINE = "Exported for {who}, on {time}, revision {revision}. {warning}"
PRINT_LINE = "Copy for {who}, opened on {time}, revision {revision}. {warning}"
PLAIN_LINE = "Exported from Jointly: {title}, revision {revision}, on {time}."


@dataclass(frozen=True)
class Export:
    """The text of one export, the revision it is, and the line that ends it."""

    text: str
    revision: int
    footer: str


def recipient_line(
    template: str, doc: Document, person: Person, revision: int, at: datetime
) -> str:
    """The line naming who a restricted or private copy is for, when and at which revision."""
    return template.format(
        who=f"{person.name} <{person.email}>, {person.organisation.name}",
        time=stamp(at),
        revision=revision,
        warning=WARNINGS[doc.visibility].format(owner=doc.owner.name),
    )


def footer_for(doc: Document, person: Person | None, revision: int, at: datetime) -> str:
    """The last line of an export: its recipient where the document is audited."""
    if person is not None and audit.audited(doc):
        return recipient_line(EXPORT_LINE, doc, person, revision, at)
    return PLAIN_LINE.format(title=doc.title, revision=revision, time=stamp(at))


def requested_text(doc: Document) -> tuple[str, int]:
    """The text and revision asked for: ``?revision=N`` (404 if there is none), else the newest."""
    if "revision" in request.args:
        number = request.args.get("revision", type=whole_number)
        if number is None:
            abort(404)
    else:
        number = history.latest_revision(doc)
        if number == 0:
            return "", 0
    revision = require_revision(doc, number)
    return content.text_at(doc, revision.last_seq), revision.number


def prepare_export(doc: Document, fmt: str) -> Export:
    """Read what to export and, for an audited document, commit its "export" row first.

    With ``comments=1`` in the form, the open comments follow the text as an annex.
    """
    text, number = requested_text(doc)
    if request.form.get("comments") == "1":
        annex = open_comments_annex(doc)
        text = f"{text.rstrip()}\n\n{annex}" if annex else text
        fmt = f"{fmt} with open comments"
    person = signed_in(current_user)
    at = utcnow()
    if audit.audited(doc):
        event = audit.record(doc, person, "export", revision=number, detail=fmt)
        at = event.at  # the footer states the very time the audit row holds
        db.session.commit()
    return Export(text, number, footer_for(doc, person, number, at))


def markdown_with_footer(export: Export) -> str:
    """The Markdown, then a horizontal rule and the footer."""
    body = export.text.rstrip("\n")
    return f"{body}\n\n---\n\n{export.footer}\n" if body else f"---\n\n{export.footer}\n"


def attachment(
    body: str | bytes, content_type: str, doc: Document, revision: int, ext: str
) -> Response:
    """A download named after the document and revision, never shown in the browser."""
    name = f"{secure_filename(doc.slug) or 'document'}-revision-{revision}.{ext}"
    return formats.attachment(body, content_type, name)


@bp.post("/<slug>/export.md")
def markdown(slug: str) -> Response:
    doc = require_document(slug, Action.VIEW, audit_view=False)
    export = prepare_export(doc, "markdown")
    return attachment(markdown_with_footer(export), MARKDOWN_TYPE, doc, export.revision, "md")


@bp.post("/<slug>/export.html")
def html(slug: str) -> Response:
    doc = require_document(slug, Action.VIEW, audit_view=False)
    export = prepare_export(doc, "html")
    page = render_template("export.html", doc=doc, export=export, html=render_markdown(export.text))
    return attachment(page, HTML_TYPE, doc, export.revision, "html")


@bp.post("/<slug>/export.<any(docx, odt, pdf):ext>")
def document_file(slug: str, ext: str) -> Response:
    """The document as Word, OpenDocument or PDF: real headings, lists, tables and links,
    its provenance, and the footer on every page."""
    doc = require_document(slug, Action.VIEW, audit_view=False)
    chosen = FORMATS[ext]
    export = prepare_export(doc, chosen.ext)
    book = document_book(doc, export.text, export.revision, export.footer, request.host_url)
    return attachment(chosen.write(book), chosen.content_type, doc, export.revision, ext)


@bp.app_template_global()
def print_notice(doc: Document) -> str | None:
    """The recipient line a printed restricted or private page carries, or None."""
    person = signed_in(current_user)
    if person is None or not audit.audited(doc):
        return None
    return recipient_line(PRINT_LINE, doc, person, history.latest_revision(doc), utcnow())
