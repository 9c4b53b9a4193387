"""Sign-off live: the editor of a commitment turns read-only when the last signatory signs,
and editable again when someone re-opens it, without joining again."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask

from crdt import protocol
from crdt.engine import get_engine
from tests.wiki.conftest import Browser
from tests.wiki.history_helpers import text_of
from wiki.extensions import socketio
from wiki.live import NAMESPACE

SLUG = "open-data"
LEAD, PARTNER = "treasury@example.org", "watch@example.org"  # Treasury; Transparency Watch
WAIT_S = 5.0
TEXT = "# Open data\n\nThe Treasury publishes spending data every month.\n"


def cli(app: Flask, *args: str, text: str = "") -> None:
    result = app.test_cli_runner().invoke(args=list(args), input=text)
    assert result.exit_code == 0, result.output


def post(person: Browser, url: str, data: dict[str, Any]) -> Any:
    response = person.client.post(url, json=data, headers={"X-CSRFToken": person.token("/")})
    return response.status_code, response.get_json()


def access_events(client: Any) -> list[dict[str, Any]]:
    """The ``access`` events the socket heard, waiting a little for the first to come."""
    heard: list[dict[str, Any]] = []
    deadline = time.monotonic() + WAIT_S
    while not heard and time.monotonic() < deadline:
        heard = [p["args"][0] for p in client.get_received(NAMESPACE) if p["name"] == "access"]
        time.sleep(0.02)
    return heard


def send(client: Any, client_id: int, words: str) -> dict[str, Any]:
    update = get_engine().new_doc(client_id).edit([(0, 0, words)])
    frame = {"doc": SLUG, "msg": protocol.encode_sync_update(update)}
    answer: dict[str, Any] = client.emit("frame", frame, namespace=NAMESPACE, callback=True)
    return answer


def test_the_live_editor_freezes_at_the_last_signature_and_thaws_when_reopened(
    app: Flask, as_person: Any
) -> None:
    leads = ("--government-lead", "Cabinet Office", "--civil-society-lead", "Open Data Charity")
    cli(app, "create-plan", "nap", "--title", "Plan", *leads)
    commitment = ("--kind", "commitment", "--org", "Treasury", "--plan", "nap")
    cli(app, "create-doc", SLUG, *commitment, "--partner", "Transparency Watch", text=TEXT)
    lead, partner = as_person(LEAD), as_person(PARTNER)
    editor = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=lead.client)
    joined = editor.emit("join", {"doc": SLUG}, namespace=NAMESPACE, callback=True)
    assert joined["ok"] and joined["can_edit"]
    editor.get_received(NAMESPACE)

    for signer in (lead, partner):
        assert post(signer, f"/api/docs/{SLUG}/sign-offs", {"revision": 1})[0] == 201
    assert access_events(editor) == [{"doc": SLUG, "can_edit": False, "can_comment": True}]
    refused = send(editor, joined["client_id"], "Words after the sign-off. ")
    assert refused["ok"] is False and refused["code"] == "read_only"
    assert text_of(app, SLUG) == TEXT

    reason = {"reason": "The budget line moved to next year."}
    assert post(partner, f"/api/docs/{SLUG}/reopen", reason) == (
        200,
        {"slug": SLUG, "cleared": ["Treasury", "Transparency Watch"]},
    )
    assert access_events(editor) == [{"doc": SLUG, "can_edit": True, "can_comment": True}]
    assert send(editor, joined["client_id"], "Re-opened words. ") == {"ok": True}
    # A fresh replica knows none of the text, so Yjs may order its words before or after it.
    assert text_of(app, SLUG) in ("Re-opened words. " + TEXT, TEXT + "Re-opened words. ")
    editor.disconnect(namespace=NAMESPACE)
