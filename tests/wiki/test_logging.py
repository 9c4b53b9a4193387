"""Logs an operator can read: one format for the app, the socket layer and gunicorn."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request

from crdt.engine import get_engine
from crdt.memory import MemoryStore
from crdt.room import Room
from crdt.store import Sender
from crdt.terms import Limits, StorageUnavailable
from tests.harness.server import REPO
from wiki.extensions import socketio
from wiki.live import NAMESPACE
from wiki.logs import DATE_FORMAT, LOG_FORMAT, ContextFilter, UtcFormatter, current_context

LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (?P<level>[A-Z]+) \[(?P<pid>\d+)\] (?P<logger>\S+) "
    r"(?P<context>\S+): (?P<message>.*)$"
)
GOV = Sender(person_id=1, organisation_id=10, organisation_kind="government")


@pytest.fixture
def requests_output() -> Iterator[io.StringIO]:
    """What ``wiki.requests`` writes, through Jointly's formatter and context filter."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(UtcFormatter(LOG_FORMAT, DATE_FORMAT))
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("wiki.requests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def test_each_request_is_one_line_with_time_level_process_and_its_id(
    app: Flask, requests_output: io.StringIO
) -> None:
    client = app.test_client()
    answer = client.get("/login?next=/secret-plan", headers={"X-Request-ID": "proxy-42"})
    assert answer.headers["X-Request-ID"] == "proxy-42"
    made_up = client.get("/login", headers={"X-Request-ID": 'no spaces; or quotes"'})
    own_id = made_up.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{8}", own_id)
    lines = requests_output.getvalue().splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    first, second = (match.groupdict() for match in parsed if match)
    assert first["level"] == "INFO" and first["logger"] == "wiki.requests"
    assert first["context"] == "req=proxy-42" and second["context"] == f"req={own_id}"
    assert first["message"].startswith("GET /login 200 ")
    assert "secret-plan" not in requests_output.getvalue()  # the query is never logged


def test_a_socket_event_is_named_by_its_socket_id(app: Flask) -> None:
    assert current_context() == "-"
    with app.test_request_context("/socket.io/"):
        request.sid = "Xy12"  # type: ignore[attr-defined]  # as Flask-SocketIO sets it
        assert current_context() == "sid=Xy12"


def with_gunicorn_settings(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter, after it has read gunicorn's settings file."""
    preamble = (
        "import logging, logging.config, runpy\n"
        "settings = runpy.run_path('deploy/gunicorn.conf.py')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", preamble + script],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )


def test_gunicorn_the_socket_layer_and_the_app_share_the_one_format() -> None:
    """gunicorn's settings file hands its loggers the app's configuration."""
    script = (
        "logging.config.dictConfig(settings['logconfig_dict'])\n"
        "assert 'wiki' not in __import__('sys').modules, 'the app was imported in the master'\n"
        "logging.getLogger('gunicorn.error').info('Booting worker')\n"
        "logging.getLogger('engineio.server').warning('too many packets')\n"
        "logging.getLogger('engineio.server').info('a packet')\n"
        "logging.getLogger('wiki.live.namespace').error('a bug')\n"
    )
    done = with_gunicorn_settings(script)
    lines = done.stderr.splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["level"], m["logger"], m["message"]) for m in parsed if m] == [
        ("INFO", "gunicorn.error", "Booting worker"),
        ("WARNING", "engineio.server", "too many packets"),
        ("ERROR", "wiki.live.namespace", "a bug"),
    ]


def test_gunicorn_builds_no_access_line_its_level_drops() -> None:
    """Over long-polling every message is a request: its access line is not made for nothing."""
    script = (
        "from gunicorn.config import Config\n"
        "config = Config()\n"
        "config.set('logconfig_dict', settings['logconfig_dict'])\n"
        "logger = settings['logger_class'](config)\n"
        "print(logger.access_log_enabled)\n"
        "logging.getLogger('gunicorn.access').setLevel(logging.INFO)\n"
        "print(logger.access_log_enabled)\n"
    )
    done = with_gunicorn_settings(script)
    assert done.stdout.split() == ["False", "True"]


def test_a_lost_store_is_refused_with_one_line_and_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStore()
    room = Room(1, get_engine(), store, Limits(), history=store)
    try:
        client_id = room.assign_client(GOV.person_id).result(30)
        writer = get_engine().new_doc(client_id)
        update = writer.edit([(0, 0, "Draft")])
        del writer
        store.fail_appends = True
        with caplog.at_level(logging.INFO), pytest.raises(StorageUnavailable):
            room.submit(GOV, client_id, update).result(30)
    finally:
        room.close()
    failures = [r for r in caplog.records if r.name == "crdt.commit"]
    assert [(r.levelname, r.exc_info) for r in failures] == [("WARNING", None)]
    assert (
        failures[0].getMessage() == "room 1: storing 1 updates failed: OSError storage unavailable"
    )


def test_a_closed_socket_is_logged_with_its_reason(
    app: Flask, as_person: Any, caplog: pytest.LogCaptureFixture
) -> None:
    http = as_person("gov@example.org").client
    client = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=http)
    with caplog.at_level(logging.INFO, logger="wiki.live.namespace"):
        client.disconnect(namespace=NAMESPACE)
    closed = [r.getMessage() for r in caplog.records if r.name == "wiki.live.namespace"]
    assert closed == ["socket closed: client disconnect"]
