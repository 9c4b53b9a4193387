"""Several server processes on PostgreSQL and Redis, and a server killed mid-burst."""

from __future__ import annotations

import time

from crdt.updates import parse_state_vector, parse_update
from tests.cluster.conftest import SLUG, ten_editors
from tests.cluster.editors import Editor, settle
from tests.cluster.servers import Deployment, structs_stored_twice
from tests.harness.client import signed_in_session

CONVERGE_S = 30.0


def raw_text(deployment: Deployment, url: str) -> str:
    email = next(iter(deployment.accounts))
    with signed_in_session(url, email, deployment.accounts[email]) as http:
        return http.get(f"{url}/{SLUG}/raw", timeout=10).text


def converge(editors: list[Editor], deployment: Deployment) -> str:
    """Wait until every replica holds the stored text; that text."""
    deadline = time.monotonic() + CONVERGE_S
    while True:
        settle(editors, deadline)
        stored = deployment.stored_text(SLUG)
        texts = {editor.text() for editor in editors}
        if texts == {stored} or time.monotonic() > deadline:
            assert texts == {stored}, differences(editors, stored, deployment.stored(SLUG))
            return stored


def differences(editors: list[Editor], stored: str, log: list[bytes]) -> str:
    """Which replica lacks or has more than the log, word by word, and which log records."""
    words = {word for editor in editors for word in editor.typed}
    lines = [f"replicas differ after {CONVERGE_S} s:"]
    for editor in editors:
        text = editor.text()
        missing = sorted(word for word in words if word in stored and word not in text)
        extra = sorted(word for word in words if word in text and word not in stored)
        if missing or extra:
            lines.append(
                f"{editor.name} lacks {missing[:8]} ({len(missing)}), has {extra[:8]}, "
                f"lacks records {records_lacking(editor, log)[:12]}, "
                f"refused {editor.refusals[:2]}"
            )
    return "\n".join(lines)


def records_lacking(editor: Editor, log: list[bytes]) -> list[int]:
    """The seqs of the log records whose edits the editor's replica does not hold."""
    assert editor.doc is not None
    known = parse_state_vector(editor.doc.state_vector())
    return [
        seq
        for seq, data in enumerate(log, start=1)
        if any(
            known.get(client, 0) < clock + length
            for client, spans in parse_update(data).structs.items()
            for clock, length in spans
        )
    ]


def assert_each_word_once(text: str, editors: list[Editor]) -> None:
    counts = {word: text.count(word) for editor in editors for word in editor.typed}
    assert {word for word, count in counts.items() if count != 1} == set()


def test_ten_editors_on_two_processes_converge_and_store_each_update_once(
    postgres: Deployment, editors: list[Editor]
) -> None:
    first = postgres.server(gunicorn=True, redis=True)
    second = postgres.server(gunicorn=True, redis=True)
    ten_editors(postgres, [first.url, second.url], editors)
    for turn in range(30):
        for editor in editors:
            editor.type(f"[{editor.name}.{turn}]")
        time.sleep(0.05)
    text = converge(editors, postgres)
    assert_each_word_once(text, editors)
    assert all(editor.stored_words() == set(editor.typed) for editor in editors)
    assert [editor.refusals for editor in editors if editor.refusals] == []
    log = postgres.stored(SLUG)
    assert structs_stored_twice(log) == []
    assert raw_text(postgres, first.url) == raw_text(postgres, second.url) == text


def test_killed_server_keeps_every_acknowledged_edit_and_duplicates_none(
    deployment: Deployment, editors: list[Editor]
) -> None:
    server = deployment.server()
    ten_editors(deployment, [server.url], editors)
    for turn in range(40):
        for editor in editors:
            editor.type(f"[{editor.name}.{turn}]")
    deadline = time.monotonic() + CONVERGE_S
    while sum(len(editor.stored_words()) for editor in editors) < 100:
        refusals = [reply for editor in editors for reply in editor.refusals]
        assert time.monotonic() < deadline and not refusals, (refusals[:3], server.log_tail())
        time.sleep(0.002)
    server.kill()
    time.sleep(0.2)  # acknowledgements already on the wire reach their sockets
    acknowledged = {word for editor in editors for word in editor.stored_words()}
    typed = {word for editor in editors for word in editor.typed}
    assert len(acknowledged) < len(typed), "the server finished the burst before it was killed"

    stored = deployment.stored_text(SLUG)
    assert {word for word in acknowledged if stored.count(word) != 1} == set()

    server.start()
    for editor in editors:
        editor.connect(server.url)  # sync step 2 resends what the server lacks
    text = converge(editors, deployment)
    assert_each_word_once(text, editors)
    assert structs_stored_twice(deployment.stored(SLUG)) == []
    assert raw_text(deployment, server.url) == text
