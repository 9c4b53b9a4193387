"""The leak crawl: a restricted draft shows nothing of itself to anyone it is not shared with.

A marker is planted in the title, the text, an old revision, a deleted passage, a comment
and a reply of a restricted document, a commitment of a plan whose register, sign-off
board, CSV and API every outsider may read. For each outsider, every route of the URL map (read
from Flask, so new routes are crawled too) is requested with every method it takes, once
with the restricted slug and once with a slug that does not exist, in its address and as the
``slug`` field of its query and form, and every ``/collab`` event is sent the same two
ways. The marker must appear in no body, header or frame, and the two answers must be the
same. A form that creates a document answers with the address it gave it, which for the
restricted slug cannot be that slug: the crawl reads that address as the slug it sent, and
removes what the form created before the next request, so that every request meets the
same documents. So does a form that starts a plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from werkzeug.routing import Rule

from crdt import protocol
from tests.wiki.leak_helpers import (
    FORMER,
    GONE,
    GONE_MARKER,
    MARKER,
    OUTSIDERS,
    PLAN,
    SECRET,
    signed_in_outsiders,
)
from wiki.extensions import db, socketio
from wiki.live import NAMESPACE
from wiki.storage.models import Document, Plan

MISSING = "no-such-draft"
# Outsiders who may create documents.
EDITORS = {
    "treasury@example.org",
    "watch@example.org",
    "coordinator@example.org",
    "admin@example.org",
}
DECOY = "Yx3Nothing"  # sent where the marker is sent, to a route that echoes its input
QUERY = {"old": "1", "new": "2", "revision": "1", "page": "1", "number": "1"}
FORM = {
    "base": "0",
    "kind": "page",
    "visibility": "public",
    "grantee": "org:2",
    "access": "edit",
    "confirm": "1",
}
WORD_FIELDS = ("q", "text", "title", "name", "body", "quote", "replacement")
UNCOMPARED_HEADERS = {
    "Content-Length",
    "Set-Cookie",
    "Date",
    "Expires",
    "Last-Modified",
    "ETag",
    "X-Request-ID",  # one per request, by design
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
}
VOLATILE = [
    (re.compile(r"nonce-[A-Za-z0-9_-]+|nonce=\"[^\"]*\""), "NONCE"),
    (re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2} UTC)?"), "TIME"),  # an export's time
    (re.compile(r'name="csrf_token"[^>]*value="[^"]*"'), "CSRF"),
]


def urls(rule: Rule, slug: str) -> str:
    # person 2 (not an outsider) is enabled and disabled again: each route is asked twice.
    values = {
        "slug": slug,
        "plan_slug": PLAN,
        "ext": extension(rule),
        "number": 1,
        "share_id": 1,
        "person_id": 2,
        "paragraph_id": "p-1",
        "comment_id": 1,
        "change": "resolve",
        "decision": "accept",
    }
    args = {name: values.get(name, 1) for name in rule.arguments}
    path = rule.build(args, append_unknown=False)
    assert path is not None
    return path[1]


def extension(rule: Rule) -> str:
    """HTML where a route takes any format (the plan as one page, whose text the crawl can
    read), else the first format it takes: zipped files, answered alike for both slugs."""
    allowed = re.search(r"<any\(([^)]*)\):ext>", rule.rule)
    return allowed.group(1).split(",")[0].strip() if allowed else "html"


def normalised(text: str, slug: str, word: str, made: list[str] | None = None) -> str:
    for address in made or ():  # a document a form created, whatever address it got
        text = text.replace(address, slug)
    text = text.replace(slug, "SLUG").replace(word, "WORD")
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


Answer = tuple[int, str, list[tuple[str, str]], list[str]]


def answer(app: Flask, http: FlaskClient, method: str, url: str, word: str, slug: str) -> Answer:
    """Status, body, headers and the addresses of documents it made, which are then removed.

    Every free-text field carries ``word``, and the ``slug`` field carries ``slug``.
    """
    with http.session_transaction() as session:  # notices left by the previous route
        session.pop("_flashes", None)
    fields = {"slug": slug, **{name: word for name in WORD_FIELDS}}
    before = newest_document(app)
    if method == "GET":
        response = http.get(url, query_string={**QUERY, **fields})
    else:
        response = http.open(url, method=method, data={**FORM, **fields})
    readable = response.mimetype.startswith("text/") or response.mimetype.endswith("json")
    # A Word or OpenDocument file is a zip stamped with its time: its type stands for it.
    body = response.get_data(as_text=True) if readable else f"<{response.mimetype}>"
    response.close()  # a static file's handle
    return response.status_code, body, list(response.headers.items()), remove_after(app, before)


def newest_document(app: Flask) -> tuple[int, int]:
    """The ids of the newest document and plan."""
    with app.app_context():
        documents = db.session.scalar(select(func.max(Document.id))) or 0
        return documents, db.session.scalar(select(func.max(Plan.id))) or 0


def remove_after(app: Flask, newest: tuple[int, int]) -> list[str]:
    """Delete the documents and plans made after ``newest``; their addresses."""
    with app.app_context():
        made = list(db.session.scalars(select(Document).where(Document.id > newest[0])))
        plans = list(db.session.scalars(select(Plan).where(Plan.id > newest[1])))
        for row in [*made, *plans]:
            db.session.delete(row)
        db.session.commit()
        return [row.slug for row in [*made, *plans]]


def comparable(answer: Answer, slug: str, word: str) -> tuple[int, str, list[tuple[str, str]]]:
    """Status, body and the headers that must match, normalised: lengths follow the slug,
    counters and cookies move."""
    status, body, headers, made = answer
    kept = [
        (name, normalised(value, slug, word, made))
        for name, value in headers
        if name not in UNCOMPARED_HEADERS
    ]
    return status, normalised(body, slug, word, made), kept


def crawl(
    app: Flask,
    http: FlaskClient,
    who: str,
    slug: str = SECRET,
    word: str = MARKER,
    hidden: str = MARKER,
) -> tuple[int, int]:
    """Request every route both ways; how many were compared, and how many made a document.

    ``word`` is sent in every free-text field with ``slug``; ``hidden`` must show nowhere.
    """
    compared = made = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            where = (who, slug, method, rule.rule)
            secret = answer(app, http, method, urls(rule, slug), word, slug)
            control = answer(app, http, method, urls(rule, MISSING), DECOY, MISSING)
            mine, theirs = comparable(secret, slug, word), comparable(control, MISSING, DECOY)
            assert mine[0] == theirs[0], where
            assert mine[1] == theirs[1], where
            assert mine[2] == theirs[2], where
            if {"slug", "plan_slug"} & set(rule.arguments):  # what no route may echo
                assert hidden not in secret[1] + repr(secret[2]), where
            if rule.endpoint.startswith("notify."):  # the inbox and its settings
                assert hidden not in secret[1] + control[1], where
            compared += 1
            made += len(secret[3]) + len(control[3])
    return compared, made


def socket_answers(app: Flask, http: FlaskClient, slug: str) -> list[Any]:
    """Every ``/collab`` event about ``slug``, and what came back, frames included."""
    client = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=http)
    step1 = protocol.encode_sync_step1(b"\x00")
    acks = [
        client.emit("join", {"doc": slug}, namespace=NAMESPACE, callback=True),
        client.emit("frame", {"doc": slug, "msg": step1}, namespace=NAMESPACE, callback=True),
        client.emit(
            "frame",
            {"doc": slug, "msg": protocol.encode_query_awareness()},
            namespace=NAMESPACE,
            callback=True,
        ),
        client.emit("leave", {"doc": slug}, namespace=NAMESPACE, callback=True),
    ]
    received = client.get_received(NAMESPACE)
    client.disconnect(namespace=NAMESPACE)
    return [acks, received]


@pytest.fixture
def outsiders(app: Flask, as_person: Any) -> dict[str, FlaskClient]:
    """Each outsider's client, once the restricted draft is planted."""
    return signed_in_outsiders(app, as_person)


def test_restricted_draft_leaks_through_no_route(
    app: Flask, outsiders: dict[str, FlaskClient]
) -> None:
    for who, http in outsiders.items():
        compared, made = crawl(app, http, who)
        assert compared >= len(list(app.url_map.iter_rules())) - 2, who
        # The new-document form was filled in well enough to make one, from either slug;
        # the coordinator's form to start the next plan too.
        expected = (2 if OUTSIDERS[who] in EDITORS else 0) + (2 if "coordinator" in who else 0)
        assert made == expected, who


def test_former_addresses_and_deleted_drafts_leak_through_no_route(
    app: Flask, outsiders: dict[str, FlaskClient], as_person: Any
) -> None:
    for who in ("anonymous", "member of an organisation not shared with"):
        for slug in (FORMER, GONE):
            compared, _made = crawl(app, outsiders[who], who, slug)
            assert compared >= len(list(app.url_map.iter_rules())) - 2, who
    # A deleted draft is missing to its owner too (who still reads the plan's other drafts).
    app.config["WTF_CSRF_ENABLED"] = True  # to sign in
    owner = as_person("gov@example.org").client
    app.config["WTF_CSRF_ENABLED"] = False
    compared, _made = crawl(app, owner, "owner", GONE, DECOY, GONE_MARKER)
    assert compared >= len(list(app.url_map.iter_rules())) - 2


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL the app's request session sends inside the block, in order."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_hidden_document_costs_the_queries_a_missing_one_does(
    app: Flask, outsiders: dict[str, FlaskClient]
) -> None:
    # A refusal that takes one query more than "not found" can be timed from outside.
    for who, http in outsiders.items():
        for rule in app.url_map.iter_rules():
            if "slug" not in rule.arguments:
                continue
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                sent = []
                for slug in (SECRET, MISSING):
                    with statements(app) as queries:
                        http.open(urls(rule, slug), method=method).close()
                    sent.append(queries)
                assert sent[0] == sent[1], (who, method, rule.rule)
                assert sent[0], (who, method, rule.rule)  # the listener heard the request


def test_restricted_draft_leaks_through_no_socket_event(
    app: Flask, outsiders: dict[str, FlaskClient]
) -> None:
    for who, http in outsiders.items():
        secret = socket_answers(app, http, SECRET)
        assert MARKER not in repr(secret), who
        assert repr(secret).replace(SECRET, "SLUG") == repr(
            socket_answers(app, http, MISSING)
        ).replace(MISSING, "SLUG"), who
