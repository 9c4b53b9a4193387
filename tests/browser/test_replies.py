"""The editor decides what to do with a refusal by its code, never by its wording."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from crdt import protocol
from tests.browser.conftest import REPO

CHECK = REPO / "tests" / "browser" / "replies_check.mjs"


def decide(replies: list[dict[str, Any]], awareness: bytes = b"\x00") -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("the editor's tests need node on PATH and `npm ci` run at the repo root")
    argument = json.dumps({"replies": replies, "awareness": list(awareness)})
    run = subprocess.run(
        [node, str(CHECK), argument], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_retry_follows_the_code_and_ignores_the_words() -> None:
    replies = [
        {"ok": False, "code": "busy", "error": "", "retry": True},
        {"ok": False, "code": "storage_unavailable", "error": "Pas de base de données."},
        {"ok": False, "code": "rate_limited", "error": "Slow down."},
        {"ok": False, "code": "missing_dependency", "error": "Later."},
        # Words that once meant "retry" to the editor, under final codes or none at all:
        {"ok": False, "code": "read_only", "error": "Storage: resend it and try again."},
        {"ok": False, "code": "forged", "error": "the update will be resent", "retry": True},
        {"ok": False, "error": "The server cannot reach its storage; try again."},
    ]
    answer = decide(replies)
    assert answer["retryable"] == [True, True, True, True, False, False, False]


def test_a_forgotten_join_is_joined_again_whatever_it_says() -> None:
    replies = [
        {"ok": False, "code": "not_joined", "error": "Anything at all."},
        {"ok": False, "code": "not_found", "error": "Join the document before sending to it."},
    ]
    assert decide(replies)["rejoin"] == [True, False]


def test_one_broken_presence_entry_does_not_hide_the_others() -> None:
    update = protocol.encode_awareness_update(
        [
            protocol.AwarenessEntry(7, 1, "Infinity"),  # what a naive relay once produced
            protocol.AwarenessEntry(8, 1, '{"user":{"name":"Maria Santos"}}'),
        ]
    )
    presence = decide([], update)["presence"]
    assert presence == {"8": {"user": {"name": "Maria Santos"}}}
