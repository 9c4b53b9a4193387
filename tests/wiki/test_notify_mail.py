"""Mail through a real SMTP server on loopback: mentions at once, digests, unsubscribing,
access re-checked when a mail is built, and a server that is away."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.wiki.history_helpers import form_edit, new_document
from tests.wiki.notify_helpers import (
    MailServer,
    comment,
    free_port,
    html_of,
    send_now,
    text_of,
    tomorrow,
)
from wiki.extensions import db
from wiki.storage.models import Mail, MailStatus


@pytest.fixture
def smtp(app: Flask) -> Iterator[MailServer]:
    """A running SMTP server the app sends to."""
    server = MailServer(free_port())
    server.start()
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=server.port, MAIL_SENDER="jointly@test")
    yield server
    server.stop()


TEXT = "# Budget\n\nPublish the spending data every month.\n"


def test_a_cso_mention_of_a_department_reaches_its_people_at_once(
    app: Flask, as_person: Any, smtp: MailServer
) -> None:
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(gov, "budget", "Budget plan")
    form_edit(gov, "budget", TEXT)
    comment(cso, "budget", "every month", "@[Cabinet Office] can this be weekly?")
    run = send_now(app)
    assert run.sent == 1
    (mail,) = smtp.received.to("gov@example.org")  # Gita Gov works at the Cabinet Office
    assert "Chidi Cso mentioned you or your organisation" in mail["Subject"]
    assert "can this be weekly?" in text_of(mail)  # a network document: its words may go
    assert "/budget/discussion?status=all#c" in text_of(mail)
    assert mail["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/-/unsubscribe/")
    assert "<img" not in html_of(mail) and "can this be weekly?" in html_of(mail)
    assert smtp.received.to("treasury@example.org") == []  # another department
    assert smtp.received.to("cso@example.org") == []  # who wrote it


def test_a_restricted_document_is_mailed_as_its_title_and_a_link_only(
    app: Flask, as_person: Any, smtp: MailServer
) -> None:
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(cso, "asks", "Civil society asks", visibility="restricted")
    sharing = "/asks/sharing"
    cso.submit(sharing, {"grantee": "org:1", "access": "comment"}, action=f"{sharing}/grants")
    form_edit(cso, "asks", TEXT)
    comment(cso, "asks", "every month", "Secretive words for @[Gita Gov] only.")
    send_now(app)
    (mail,) = smtp.received.to("gov@example.org")
    assert "Civil society asks" in mail["Subject"]
    assert "/asks/discussion" in text_of(mail)
    assert "Secretive words" not in text_of(mail) + html_of(mail)
    assert "every month" not in text_of(mail) + html_of(mail)
    assert gov.get("/-/inbox").get_data(as_text=True).count("Secretive words") == 1  # in-app


def test_a_digest_gathers_a_days_watched_edits_into_one_mail_per_person(
    app: Flask, as_person: Any, smtp: MailServer
) -> None:
    gov, cso, watch = (as_person(f"{name}@example.org") for name in ("gov", "cso", "watch"))
    for slug in ("budget", "audit"):
        new_document(gov, slug, f"{slug.capitalize()} plan")
        for person in (cso, watch):
            assert person.submit(f"/{slug}", {}, action=f"/{slug}/watch").status_code == 302
    for step in range(3):  # three saves of each, each its own revision
        form_edit(gov, "budget", f"{TEXT}\nStep {step} of the budget.\n")
        form_edit(gov, "audit", f"{TEXT}\nStep {step} of the audit.\n")
    assert send_now(app).sent == 0  # not yet the hour of anybody's digest
    run = send_now(app, tomorrow())
    assert run.digests == 2 and run.sent == 2
    for address in ("cso@example.org", "watch@example.org"):
        (digest,) = smtp.received.to(address)
        body = text_of(digest)
        assert "daily digest (2 notifications)" in digest["Subject"]
        assert "“Budget plan” was edited (3 changes): Gita Gov" in body
        assert "“Audit plan” was edited (3 changes): Gita Gov" in body
    assert smtp.received.to("gov@example.org") == []  # her own edits


def test_unsubscribing_through_the_link_stops_the_digest(
    app: Flask, as_person: Any, smtp: MailServer
) -> None:
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(gov, "budget", "Budget plan")
    cso.submit("/budget", {}, action="/budget/watch")
    form_edit(gov, "budget", TEXT)
    send_now(app, tomorrow())
    (digest,) = smtp.received.to("cso@example.org")
    link = urlsplit(digest["List-Unsubscribe"].strip("<>")).path
    stranger = app.test_client()  # no sign-in: the signed link is enough
    assert "Stop the daily digest" in stranger.get(link).get_data(as_text=True)
    assert stranger.post(link).status_code == 200
    assert stranger.post(link[:-2] + "xx").status_code == 404  # a link it did not sign
    smtp.received.clear()
    form_edit(gov, "budget", TEXT + "\nMore.\n")
    send_now(app, tomorrow())
    assert smtp.received.to("cso@example.org") == []
    page = cso.get("/-/notifications").get_data(as_text=True)
    assert '<input id="digest" name="digest" type="checkbox" value="y">' in page  # off
    assert '<input checked id="immediate" name="immediate"' in page  # the rest stays on


def test_a_share_withdrawn_before_the_digest_is_built_leaves_that_document_out(
    app: Flask, as_person: Any, smtp: MailServer
) -> None:
    gov = as_person("gov@example.org")
    for slug, title in (("kept", "Kept draft"), ("withdrawn", "Withdrawn draft")):
        new_document(gov, slug, title, visibility="restricted")
        sharing = f"/{slug}/sharing"
        gov.submit(sharing, {"grantee": "org:3", "access": "view"}, action=f"{sharing}/grants")
    with app.app_context():
        from wiki.documents.service import find_document

        doc = find_document("withdrawn")
        assert doc is not None
        (share_id,) = [share.id for share in doc.shares]
    gov.submit("/withdrawn/sharing", {}, action=f"/withdrawn/sharing/grants/{share_id}/remove")
    send_now(app, tomorrow())
    (digest,) = smtp.received.to("cso@example.org")
    assert "“Kept draft” was shared with you" in text_of(digest)
    assert "Withdrawn draft" not in digest.as_string()


def test_smtp_down_keeps_the_mail_and_sends_it_when_back(app: Flask, as_person: Any) -> None:
    server = MailServer(free_port())  # not started: nothing listens on its port
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=server.port, MAIL_RETRY_BASE_S=60)
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(gov, "budget", "Budget plan")
    form_edit(gov, "budget", TEXT)
    started = time.monotonic()
    comment(cso, "budget", "every month", "@[Gita Gov] is this weekly?")
    assert time.monotonic() - started < 2.0  # the request never waits for mail
    run = send_now(app)
    assert (run.sent, run.retrying) == (0, 1) and "Connection" in run.errors[0]
    admin = as_person("admin@example.org")
    page = admin.get("/-/admin/mail").get_data(as_text=True)
    assert "gov@example.org" in page and "Waiting to retry" in page and "Connection" in page
    assert "weekly" not in page  # the admins see the error, not what it said
    assert as_person("cso@example.org").get("/-/admin/mail").status_code == 404
    server.start()
    try:
        assert send_now(app).sent == 0  # its next attempt is a minute away
        assert send_now(app, tomorrow()).sent == 1
        (mail,) = server.received.to("gov@example.org")
        assert "is this weekly?" in text_of(mail)
    finally:
        server.stop()
    with app.app_context():
        (stored,) = db.session.scalars(db.select(Mail))
        assert stored.status is MailStatus.SENT and stored.attempts == 2


def test_a_mail_that_keeps_failing_is_kept_as_failed_and_can_be_sent_again(
    app: Flask, as_person: Any
) -> None:
    server = MailServer(free_port())
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=server.port, MAIL_MAX_ATTEMPTS=2)
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(gov, "budget", "Budget plan")
    form_edit(gov, "budget", TEXT)
    comment(cso, "budget", "every month", "@[Gita Gov] please read")
    send_now(app)
    assert send_now(app, tomorrow()).failed == 1
    admin = as_person("admin@example.org")
    assert "Failed for good" in admin.get("/-/admin/mail").get_data(as_text=True)
    with app.app_context():
        mail_id = db.session.scalar(db.select(Mail.id))
    retried = admin.submit("/-/admin/mail", {}, action=f"/-/admin/mail/{mail_id}/retry")
    assert retried.status_code == 302
    server.start()
    try:
        assert send_now(app).sent == 1
    finally:
        server.stop()


def test_without_a_mail_server_the_command_prints_where_mails_would_go(
    app: Flask, as_person: Any
) -> None:
    gov, cso = as_person("gov@example.org"), as_person("cso@example.org")
    new_document(gov, "budget", "Budget plan")
    form_edit(gov, "budget", TEXT)
    comment(cso, "budget", "every month", "@[Gita Gov] see this")
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "no WIKI_MAIL_HOST is set" in result.output
    assert "to Gita Gov <gov@example.org>: Chidi Cso mentioned you" in result.output
    assert "1 sent" in result.output
