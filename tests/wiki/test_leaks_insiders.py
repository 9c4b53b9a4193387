"""Insiders of a restricted draft: they see the marker the crawl looks for and hear its comments."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.wiki.conftest import Browser
from tests.wiki.leak_helpers import FORMER, MARKER, PLAN, SECRET, signed_in_outsiders
from wiki.extensions import socketio
from wiki.live import NAMESPACE


@pytest.fixture
def outsiders(app: Flask, as_person: Any) -> dict[str, FlaskClient]:
    """Each outsider's client, once the restricted draft is planted."""
    return signed_in_outsiders(app, as_person)


def test_the_crawl_sees_the_marker_where_it_is_shared(
    app: Flask, outsiders: dict[str, FlaskClient], as_person: Any
) -> None:
    # The crawl can fail: the same requests by someone it is shared with do show the marker.
    app.config["WTF_CSRF_ENABLED"] = True
    insider: Browser = as_person("cso@example.org")
    assert MARKER in insider.get(f"/{SECRET}").get_data(as_text=True)
    assert insider.get(f"/{FORMER}/revisions/1").headers["Location"] == f"/{SECRET}/revisions/1"
    assert MARKER in insider.get(f"/{SECRET}/revisions/1").get_data(as_text=True)
    assert MARKER in insider.get("/-/search", query_string={"q": MARKER}).get_data(as_text=True)
    comments = insider.get(f"/api/docs/{SECRET}/comments").get_data(as_text=True)
    assert f"A {MARKER} comment." in comments and f"A {MARKER} reply." in comments
    assert f"A {MARKER} reply." in insider.get(f"/{SECRET}/discussion").get_data(as_text=True)
    for plan_page in ("commitments", "commitments.csv", "sign-off"):
        assert MARKER in insider.get(f"/plans/{PLAN}/{plan_page}").get_data(as_text=True)
    assert MARKER in insider.get(f"/api/plans/{PLAN}").get_data(as_text=True)
    exported = insider.submit("/", {}, action=f"/plans/{PLAN}/export.html")
    assert MARKER in exported.get_data(as_text=True)
    mentioned: Browser = as_person("gov@example.org")
    assert MARKER in mentioned.get("/-/inbox").get_data(as_text=True)


def test_a_comment_event_reaches_those_it_is_shared_with_and_no_outsider(
    app: Flask, outsiders: dict[str, FlaskClient], as_person: Any
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    insider: Browser = as_person("cso@example.org")
    sockets = {
        who: socketio.test_client(app, namespace=NAMESPACE, flask_test_client=http)
        for who, http in {**outsiders, "insider": insider.client}.items()
    }
    for client in sockets.values():
        client.emit("join", {"doc": SECRET}, namespace=NAMESPACE, callback=True)
        client.get_received(NAMESPACE)  # what joining brought
    said = {"quote": "Kept text.", "kind": "comment", "body": f"Another {MARKER} comment."}
    assert insider.submit(f"/{SECRET}/discussion/new", said).status_code == 302
    heard = {who: client.get_received(NAMESPACE) for who, client in sockets.items()}
    for client in sockets.values():
        client.disconnect(namespace=NAMESPACE)
    events = [event for event in heard.pop("insider") if event["name"] == "comment"]
    assert len(events) == 1 and f"Another {MARKER} comment." in repr(events)
    for who, received in heard.items():
        assert received == [], who
