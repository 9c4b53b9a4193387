"""A real SMTP server on a free loopback port (aiosmtpd), and helpers for notification tests."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

from tests.wiki.conftest import Browser
from wiki.extensions import db
from wiki.notify import queue
from wiki.notify.cli import run_once
from wiki.storage.models import Comment
from wiki.storage.models.types import utcnow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Received:
    """What the SMTP server was given, one parsed message per mail."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


class MailServer:
    """An aiosmtpd server that can be started, stopped and started again on one port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received = Received()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.received, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def send_now(app: Flask, at: datetime | None = None) -> queue.Run:
    """One pass of ``notify send`` as of ``at`` (default now)."""
    with app.app_context():
        return run_once(at)


def tomorrow() -> datetime:
    """A day on: every person's digest hour has come since."""
    return utcnow() + timedelta(days=1)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def comment(person: Browser, slug: str, quote: str, body: str) -> None:
    said = {"quote": quote, "kind": "comment", "body": body}
    response = person.submit(f"/{slug}/discussion/new", said)
    assert response.status_code == 302, response.get_data(as_text=True)


def last_comment_id(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(db.select(db.func.max(Comment.id)))
        assert found is not None
        return int(found)


def wait_until(check: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
