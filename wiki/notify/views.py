"""The inbox, notification settings, watching a document, unsubscribing, and failed mail."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from wiki.access.gate import require_document
from wiki.access.policy import Action, is_admin, signed_in
from wiki.errors import InvalidInput
from wiki.extensions import csrf, db
from wiki.forms import ConfirmForm
from wiki.notify import inbox, preferences, queue, watching
from wiki.notify.forms import SettingsForm, parse_ids
from wiki.notify.mentions import mentionable
from wiki.storage.models import Document, Mail, MailStatus, NoticeKind, Person

bp = Blueprint("notify", __name__)


def person_or_login() -> Person:
    """The signed-in person; anyone else is sent to sign in (``abort`` with a redirect)."""
    person = signed_in(current_user)
    if person is None:
        abort(redirect(url_for("auth.login", next=request.path)))
    return person


@bp.get("/-/inbox")
def show() -> str:
    person = person_or_login()
    every = request.args.get("show") == "all"
    watching.gather_edits(person.id)
    db.session.commit()
    found = inbox.notices(person, unread_only=not every)
    items = inbox.readable(person, found, by_mail=False)
    return render_template("inbox.html", items=items, every=every, form=ConfirmForm())


@bp.post("/-/inbox/read")
def read() -> Response:
    person = person_or_login()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = parse_ids(request.form.getlist("id"))
    changed = inbox.mark_read(person, None if request.form.get("all") else ids)
    db.session.commit()
    flash("Marked as read." if changed else "Nothing was unread.")
    return redirect(url_for("notify.show", show=request.form.get("show") or None))


@bp.get("/-/inbox/count")
def count() -> Response:
    person = signed_in(current_user)
    unread = inbox.unread_count(person) if person is not None else 0
    return jsonify({"unread": unread})


@bp.route("/-/notifications", methods=["GET", "POST"])
def settings() -> ResponseReturnValue:
    person = person_or_login()
    chosen = preferences.settings_of(person)
    form = SettingsForm(obj=chosen)
    if form.validate_on_submit():
        try:
            preferences.save(person, **form.choices(request.form.getlist("kinds")))
        except InvalidInput as error:
            form.add_errors(error.errors)
        else:
            db.session.commit()
            flash("Your notification settings are saved.")
            return redirect(url_for("notify.settings"))
    page = render_template("notify_settings.html", form=form, chosen=chosen, kinds=list(NoticeKind))
    return page, 400 if form.errors else 200


@bp.route("/-/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; mail clients post it (RFC 8058)
def unsubscribe(token: str) -> ResponseReturnValue:
    found = preferences.read_token(token)
    if found is None:
        abort(404)
    person, stop = found
    if request.method == "POST":
        preferences.unsubscribe(person, stop)
        db.session.commit()
    return render_template("notify_unsubscribe.html", stop=stop, done=request.method == "POST")


@bp.post("/<slug>/watch")
def watch(slug: str) -> Response:
    return change_watch(slug, watching.watch, "You will hear of its edits.")


@bp.post("/<slug>/unwatch")
def unwatch(slug: str) -> Response:
    return change_watch(slug, watching.unwatch, "You no longer watch it.")


def change_watch(slug: str, change: Callable[[Person, Document], None], said: str) -> Response:
    """Watch or stop watching a document the person may see."""
    doc = require_document(slug, Action.VIEW)
    person = person_or_login()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    change(person, doc)
    db.session.commit()
    flash(said)
    return redirect(url_for("pages.view", slug=doc.slug))


@bp.get("/api/docs/<slug>/mentionable")
def mention_names(slug: str) -> Response:
    doc = require_document(slug, Action.COMMENT)
    return jsonify({"names": mentionable(doc, request.args.get("q", ""))})


@bp.get("/-/admin/mail")
def troubled_mail() -> str:
    if not is_admin(current_user):
        abort(404)
    return render_template("notify_admin_mail.html", mails=queue.troubled(), form=ConfirmForm())


@bp.post("/-/admin/mail/<int:mail_id>/retry")
def retry_mail(mail_id: int) -> Response:
    mail = db.session.get(Mail, mail_id) if is_admin(current_user) else None
    if mail is None or mail.status is MailStatus.SENT or not ConfirmForm().validate_on_submit():
        abort(404)
    queue.retry(mail)
    db.session.commit()
    flash(f"Mail {mail.id} will be sent again on the next run of the queue.")
    return redirect(url_for("notify.troubled_mail"))


def watching_now(doc: object) -> bool:
    """Whether the signed-in person watches ``doc`` (for the document header)."""
    person = signed_in(current_user)
    return person is not None and watching.watching(person, doc)  # type: ignore[arg-type]


def inbox_unread() -> int | None:
    """The header's count of unread notices; None when nobody is signed in."""
    person = signed_in(current_user)
    if person is None:
        return None
    try:
        return inbox.unread_count(person)
    except SQLAlchemyError:  # an error page after a failed transaction still renders
        return None


bp.add_app_template_global(watching_now, "watching_now")
bp.add_app_template_global(inbox_unread, "inbox_unread")
