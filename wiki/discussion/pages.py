"""Discussion pages: every thread of a document, and plain forms that need no JavaScript."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from crdt import StorageUnavailable, UpdateRejected
from wiki.access.gate import require_document
from wiki.access.policy import Action, can, signed_in
from wiki.discussion import service
from wiki.discussion.shapes import comment_json, may_settle
from wiki.documents import content
from wiki.errors import InvalidInput
from wiki.extensions import db
from wiki.forms import CommentForm, DecideForm, ReplyForm
from wiki.live import announce_comment
from wiki.numbers import parse_number
from wiki.render.cache import rendered_document
from wiki.storage.models import Comment, CommentStatus, Document, OrgKind, Person

bp = Blueprint("discussion", __name__)

SETTLED = (CommentStatus.RESOLVED, CommentStatus.ACCEPTED, CommentStatus.REJECTED)
STATUS_FILTERS = {"open": (CommentStatus.OPEN,), "resolved": SETTLED, "all": tuple(CommentStatus)}


@dataclass(frozen=True)
class Group:
    """The threads started by one organisation."""

    organisation: str
    kind: str
    threads: list[service.Placed]


@bp.get("/<slug>/discussion")
def show(slug: str) -> str:
    doc = require_document(slug, Action.VIEW)
    status = request.args.get("status", "open")
    side = request.args.get("side", "")
    mine = request.args.get("mine") == "1"
    comments = db.session.scalars(db.select(Comment).where(Comment.document_id == doc.id))
    chosen = chosen_threads(comments, STATUS_FILTERS.get(status, ()), side, mine)
    return render_template(
        "discussion.html",
        doc=doc,
        groups=grouped(service.placed_comments(doc, chosen)),
        filters={"status": status, "side": side, "mine": mine},
        reply_form=ReplyForm(),
        decide_form=DecideForm(),
        may_settle=may_settle,
    )


@bp.route("/<slug>/discussion/new", methods=["GET", "POST"])
def new(slug: str) -> ResponseReturnValue:
    doc = require_document(slug, Action.COMMENT)
    form = CommentForm()
    if request.method == "GET":
        form.quote.data = block_text(doc, parse_number(request.args.get("block", "")))
    elif form.validate_on_submit():
        try:
            comment = add_from_form(doc, form)
        except InvalidInput as error:
            db.session.rollback()
            form.add_errors(error.errors)
        else:
            publish(doc, comment)
            flash("Your comment is added." if comment.replacement is None else "Suggested.")
            return redirect(thread_url(doc, comment))
    page = render_template("comment_new.html", doc=doc, form=form)
    return page, 400 if form.errors else 200


@bp.post("/<slug>/discussion/<int:comment_id>/reply")
def reply(slug: str, comment_id: int) -> Response:
    doc, comment = thread(slug, comment_id, Action.COMMENT)
    form = ReplyForm()
    if not form.validate_on_submit():
        flash("Write the reply before sending it.")
        return redirect(thread_url(doc, comment))
    try:
        service.add_reply(comment, asker(), form.body.data or "")
    except InvalidInput as error:
        db.session.rollback()
        flash(" ".join(error.errors.values()))
        return redirect(thread_url(doc, comment))
    return published(doc, comment, "Your reply is added.")


@bp.post("/<slug>/discussion/<int:comment_id>/<any(resolve, reopen):change>")
def settle(slug: str, comment_id: int, change: str) -> Response:
    doc, comment = thread(slug, comment_id, Action.COMMENT)
    if not DecideForm().validate_on_submit():
        abort(400)
    if not may_settle(doc, comment):
        abort(403, description="Only its author or an editor of the document may do that.")
    return attempt(
        doc,
        comment,
        lambda: service.set_resolved(comment, asker(), change == "resolve"),
        "Resolved." if change == "resolve" else "Re-opened.",
    )


@bp.post("/<slug>/discussion/<int:comment_id>/<any(accept, reject):decision>")
def decide(slug: str, comment_id: int, decision: str) -> Response:
    doc, comment = thread(slug, comment_id, Action.EDIT)
    form = DecideForm()
    if not form.validate_on_submit():
        abort(400)
    accept = decision == "accept"
    return attempt(
        doc,
        comment,
        lambda: service.decide(
            doc, comment, asker(), accept=accept, confirm_stale=bool(form.confirm_stale.data)
        ),
        "Accepted: the document now reads as suggested." if accept else "Rejected.",
    )


def attempt(doc: Document, comment: Comment, change: Callable[[], None], said: str) -> Response:
    """Make a change to a thread and say how it went, back on the thread."""
    try:
        change()
    except service.StaleSuggestion:
        flash(
            "The text changed since this was suggested. Compare then and now, tick the box, "
            "and accept again."
        )
    except service.NotOpen:
        flash("This thread is not open to that any more.")
    except (StorageUnavailable, UpdateRejected) as error:
        db.session.rollback()
        flash(f"Not accepted: {error}. Try again.")
    else:
        return published(doc, comment, said)
    return redirect(thread_url(doc, comment))


def published(doc: Document, comment: Comment, said: str) -> Response:
    publish(doc, comment)
    flash(said)
    return redirect(thread_url(doc, comment))


def publish(doc: Document, comment: Comment) -> None:
    """Commit a change to a thread and send it to the document's live sockets."""
    db.session.commit()
    reader, _head = service.reader_for(doc)
    announce_comment(doc, comment_json(service.place(reader, comment)))


def thread(slug: str, comment_id: int, action: Action) -> tuple[Document, Comment]:
    doc = require_document(slug, action)
    comment = service.find_comment(doc, comment_id)
    if comment is None:
        abort(404)
    return doc, comment


def asker() -> Person:
    person = signed_in(current_user)
    if person is None:
        abort(404)
    return person


def thread_url(doc: Document, comment: Comment) -> str:
    return url_for("discussion.show", slug=doc.slug, status="all") + f"#c{comment.id}"


def add_from_form(doc: Document, form: CommentForm) -> Comment:
    suggestion = form.kind.data == "suggestion"
    return service.add_comment(
        doc,
        asker(),
        body=form.body.data or "",
        quote=(form.quote.data or "").replace("\r\n", "\n"),
        occurrence=form.occurrence.data or 1,
        replacement=(form.replacement.data or "") if suggestion else None,
    )


def block_text(doc: Document, number: int | None) -> str:
    """The text of the read page's block ``number``, without the blank lines after it."""
    text, seq = content.read_text(doc)
    for block in rendered_document(doc.id, seq, text):
        if block.number == number:
            return text[block.start : block.end].strip()
    return ""


def chosen_threads(
    comments: Iterable[Comment], statuses: tuple[CommentStatus, ...], side: str, mine: bool
) -> list[Comment]:
    person = signed_in(current_user)
    return [
        comment
        for comment in comments
        if comment.status in statuses
        and (not side or comment.organisation.kind.value == side)
        and (not mine or (person is not None and comment.person_id == person.id))
    ]


def grouped(placed: list[service.Placed]) -> list[Group]:
    groups: dict[str, Group] = {}
    for item in placed:
        org = item.comment.organisation
        label = OrgKind(org.kind).label
        groups.setdefault(org.name, Group(org.name, label, [])).threads.append(item)
    return sorted(groups.values(), key=lambda group: group.organisation)


def may_decide(doc: Document) -> bool:
    return can(current_user, Action.EDIT, doc)


bp.add_app_template_global(may_decide, "may_decide")
