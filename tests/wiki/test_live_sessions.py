"""A socket's events reuse the session read when it connected; pages read their own."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from wiki.documents.service import create_document
from wiki.extensions import db, socketio
from wiki.live import NAMESPACE
from wiki.people.directory import find_organisation


def count_cookie_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A counter of session cookies Flask decodes from now on."""
    reads = [0]
    decode = SecureCookieSessionInterface.open_session

    def counted(self: Any, app: Flask, request: Any) -> Any:
        reads[0] += 1
        return decode(self, app, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counted)
    return reads


def test_a_sockets_frames_do_not_decode_the_session_cookie_again(
    app: Flask, as_person: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        owner = find_organisation("Cabinet Office")
        assert owner is not None
        create_document("plan", "Plan", "page", owner, "network", [], max_chars=10_000)
        db.session.commit()
    http = as_person("gov@example.org").client
    reads = count_cookie_reads(monkeypatch)
    client = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=http)
    answer = client.emit("join", {"doc": "plan"}, namespace=NAMESPACE, callback=True)
    assert answer["ok"] and answer["can_edit"]  # the person was read from the session
    after_join = reads[0]
    for _ in range(5):
        client.emit("leave", {"doc": "plan"}, namespace=NAMESPACE, callback=True)
        assert client.emit("join", {"doc": "plan"}, namespace=NAMESPACE, callback=True)["ok"]
    assert after_join == 1
    assert reads[0] == after_join
    assert http.get("/").status_code == 200
    assert reads[0] == after_join + 1  # a page still reads its own request's cookie
    client.disconnect(namespace=NAMESPACE)
