"""The database goes away while people edit: clear errors, nothing acknowledged lost, recovery."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.cluster.conftest import EDITORS, SLUG
from tests.cluster.editors import Editor
from tests.cluster.proxy import Relay
from tests.cluster.servers import Deployment
from tests.databases import postgres_database
from tests.harness.client import signed_in_session

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
    wait_for(lambda: editor.delays, "the server to answer the edit made without a database")
    answer = editor.delays[0]
    assert answer["ok"] is False and answer["retry"] is True
    assert "cannot reach its database" in str(answer["error"])
    assert "sent when it is back" in str(answer["error"])
    assert "[during]" not in editor.stored_words() and editor.refusals == []
    page_answer = page.get(f"{server.url}/{SLUG}", timeout=10)
    assert page_answer.status_code == 503 and "cannot reach its database" in page_answer.text
    assert page_answer.headers["Retry-After"] == "30"

    relay.resume()
    # The editor resends, as the browser does after an answer worth a retry.
    wait_for(lambda: "[during]" in editor.stored_words(), "the server to take edits again")
    text = deployment.stored_text(SLUG)
    assert text.count("[before]") == 1 and text.count("[during]") == 1
    assert page.get(f"{server.url}/{SLUG}", timeout=10).status_code == 200
    page.close()


def wait_for(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + RECOVERY_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {RECOVERY_S} s for {what}"
        time.sleep(0.05)
