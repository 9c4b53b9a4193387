"""``flask --app wiki notify send``: gather edits, make the digests that are due, send mail."""

from __future__ import annotations

import time
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from wiki.extensions import db
from wiki.notify import queue, watching
from wiki.notify.mail import base_url

notify_cli = AppGroup("notify", help="Notifications: the mail queue and the daily digests.")


def run_once(now: datetime | None = None) -> queue.Run:
    """One pass, as of ``now``: edits of watched documents, digests due, then the queue."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.test_request_context(base_url=base_url()):  # for the links in the mails
        watching.gather_edits()
        db.session.commit()
        digests = queue.build_digests(now)
        run = queue.drain(now)
        run.digests = digests
    return run


@notify_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, one pass every --every seconds.")
@click.option("--every", "every_s", default=60, show_default=True, type=int)
def send(loop: bool, every_s: int) -> None:
    """Send what is due; a failed mail is kept and tried again later with backoff."""
    if not current_app.config.get("MAIL_HOST"):
        click.echo("notify: no WIKI_MAIL_HOST is set, so mails are printed here, not sent.")
    while True:
        run = run_once()
        if run.sent or run.digests or run.retrying or run.failed or run.dropped:
            click.echo(
                f"notify: {run.digests} digests made, {run.sent} sent, {run.dropped} with "
                f"nothing left to tell, {run.retrying} to retry, {run.failed} failed"
            )
        for error in run.errors[:3]:
            click.echo(f"notify: {error}", err=True)
        db.session.remove()
        if not loop:
            return
        time.sleep(max(every_s, 1))
