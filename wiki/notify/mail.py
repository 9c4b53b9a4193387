"""Building one mail from its notices, and handing mails to the SMTP server.

A mail is built only when it is sent: its notices are read through the inbox, so the policy
is asked at send time, and a restricted or private document gets its title and a link,
never text. Plain text plus simple HTML; no remote images, no tracking.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from types import TracebackType
from typing import Any

import click
from flask import current_app, url_for
from markupsafe import escape
from sqlalchemy import select

from wiki.extensions import db
from wiki.notify.inbox import Item, readable
from wiki.notify.preferences import Stop, unsubscribe_token
from wiki.storage.models import Mail, MailKind, Notification

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """The site's address as mails give it (``WIKI_PUBLIC_URL``)."""
    return str(current_app.config.get("PUBLIC_URL") or DEFAULT_BASE_URL).rstrip("/")


def compose(mail: Mail) -> EmailMessage | None:
    """The message for ``mail`` as its recipient may read it now; None if nothing is left."""
    person = mail.person
    if not person.active:
        return None
    query = select(Notification).where(Notification.mail_id == mail.id)
    items = readable(person, db.session.scalars(query.order_by(Notification.id)), by_mail=True)
    if not items:
        return None
    stop = Stop.IMMEDIATE if mail.kind is MailKind.IMMEDIATE else Stop.DIGEST
    unsubscribe = base_url() + url_for("notify.unsubscribe", token=unsubscribe_token(person, stop))
    settings = base_url() + url_for("notify.settings")
    if mail.kind is MailKind.IMMEDIATE:
        subject = items[0].headline
    else:
        subject = f"Jointly: your daily digest ({len(items)} {plural(len(items))})"
    message = EmailMessage()
    message["Subject"] = subject[:200]
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = formataddr((person.name, person.email))
    message["Message-ID"] = make_msgid(domain="jointly.invalid")
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(plain_text(items, unsubscribe, settings, stop))
    message.add_alternative(html_text(items, unsubscribe, settings, stop), subtype="html")
    return message


def plural(count: int) -> str:
    return "notification" if count == 1 else "notifications"


def plain_text(items: list[Item], unsubscribe: str, settings: str, stop: Stop) -> str:
    lines = []
    for item in items:
        lines.append(f"* {item.headline}")
        if item.excerpt:
            lines.extend(f"  > {line}" for line in item.excerpt.splitlines())
        lines.append(f"  {base_url()}{item.path}")
        lines.append("")
    lines.append(f"Choose what Jointly emails you: {settings}")
    lines.append(f"Stop {stop.label}, with no sign-in: {unsubscribe}")
    return "\n".join(lines) + "\n"


def html_text(items: list[Item], unsubscribe: str, settings: str, stop: Stop) -> str:
    rows = []
    for item in items:
        link = escape(base_url() + item.path)
        quote = f"<blockquote>{escape(item.excerpt)}</blockquote>" if item.excerpt else ""
        rows.append(f'<li><p><a href="{link}">{escape(item.headline)}</a></p>{quote}</li>')
    return (
        '<!doctype html><html lang="en"><body>'
        f"<ul>{''.join(rows)}</ul>"
        f'<p><a href="{escape(settings)}">Choose what Jointly emails you</a> · '
        f'<a href="{escape(unsubscribe)}">Stop {escape(stop.label)}</a></p>'
        "</body></html>"
    )


class Postman:
    """One SMTP connection for a run of the queue, opened at the first mail; or, with no
    ``MAIL_HOST``, a note of where each mail would go."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Postman:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def delivers(self) -> bool:
        """Whether mails go to a mail server, not only to the console."""
        return bool(self.config.get("MAIL_HOST"))

    def send(self, message: EmailMessage) -> None:
        """Send one message; raises OSError or smtplib.SMTPException when it was not taken."""
        if not self.delivers:
            click.echo(
                f"Mail (no WIKI_MAIL_HOST set, not sent) to {message['To']}: {message['Subject']}"
            )
            return
        if self.smtp is None:
            self.smtp = self.connect()
        try:
            self.smtp.send_message(message)
        except (OSError, smtplib.SMTPServerDisconnected):
            self.close()  # a broken connection is opened afresh for the next mail
            raise

    def connect(self) -> smtplib.SMTP:
        config = self.config
        smtp = smtplib.SMTP(
            config["MAIL_HOST"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT_S"]
        )
        try:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None
