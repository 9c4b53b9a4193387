"""The database goes away while people edit: clear errors, nothing acknowledged lost, recovery."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from crdt import protocol
from tests.cluster.conftest import EDITORS, SLUG
from tests.cluster.editors import Editor
from tests.cluster.proxy import Relay
from tests.cluster.servers import Deployment
from tests.databases import postgres_database
from tests.protocol.collab_client import signed_in_session

RECOVERY_S = 30.0


@pytest.fixture
def relayed(tmp_path: Path) -> Iterator[tuple[Deployment, Relay]]:
    """A deployment whose server reaches PostgreSQL through a relay the test can cut."""
    with postgres_database() as url:
        parsed = make_url(url)
        relay = Relay((parsed.host or "127.0.0.1", parsed.port or 5432))
        deployment = Deployment(tmp_path, parsed.set(port=relay.port).render_as_string(False))
        yield deployment, relay
        deployment.close()
        relay.cut()


def test_lost_database_gives_clear_errors_loses_nothing_and_recovers(
    relayed: tuple[Deployment, Relay], editors: list[Editor]
) -> None:
    deployment, relay = relayed
    server = deployment.server()
    email = EDITORS[0]
    editor = Editor("e0", email, deployment.accounts[email], server.url, SLUG)
    editors.append(editor)
    page = signed_in_session(server.url, email, deployment.accounts[email])
    editor.type("[before]")
    wait_for(lambda: "[before]" in editor.stored_words(), "the first edit to be stored")

    relay.cut()
    editor.type("[during]")
    wait_for(lambda: editor.refusals, "the server to answer the edit made without a database")
    refusal = editor.refusals[0]
    assert refusal["ok"] is False and refusal["retry"] is True
    assert "cannot reach its database" in str(refusal["error"])
    assert "sent when it is back" in str(refusal["error"])
    answer = page.get(f"{server.url}/{SLUG}", timeout=10)
    assert answer.status_code == 503 and "cannot reach its database" in answer.text
    assert answer.headers["Retry-After"] == "30"

    relay.resume()
    assert editor.client is not None
    # As the editor does after a refusal worth retrying: sync again, resending what is unsaved.
    wait_for(lambda: resync(editor), "the server to take edits again")
    text = deployment.stored_text(SLUG)
    assert text.count("[before]") == 1 and text.count("[during]") == 1
    assert page.get(f"{server.url}/{SLUG}", timeout=10).status_code == 200
    page.close()


def resync(editor: Editor) -> bool:
    """Send sync step 1 and answer the server's step 1 with everything it lacks."""
    client, doc = editor.client, editor.doc
    assert client is not None and doc is not None
    editor.apply_frames()
    if client.send(SLUG, protocol.encode_sync_step1(doc.state_vector())).get("ok") is not True:
        return False
    doc.apply_update(client.next_frame().payload)  # step 2: what we lacked
    theirs = client.next_frame().payload  # step 1: the server's state vector
    reply = client.send(SLUG, protocol.encode_sync_step2(doc.encode_diff(theirs)))
    return reply.get("ok") is True


def wait_for(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + RECOVERY_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {RECOVERY_S} s for {what}"
        time.sleep(0.05)
