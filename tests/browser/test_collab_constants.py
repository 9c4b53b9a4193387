"""The wire names the editor mirrors in constants.js match the server's, one by one."""

from __future__ import annotations

import re

import pytest

from crdt import protocol
from crdt.engine import TEXT_NAME
from tests.browser.conftest import REPO
from wiki import live as collab
from wiki.live.contract import RETRYABLE, Code
from wiki.storage.models.people import OrgKind

CONSTANTS_JS = REPO / "wiki" / "static" / "src" / "constants.js"


def js_constants() -> dict[str, str | int]:
    """``export const NAME = "text" | number;`` lines of constants.js."""
    found: dict[str, str | int] = {}
    pattern = r'^export const (\w+) = (?:"([^"]*)"|(\d+));$'
    for name, text, number in re.findall(pattern, CONSTANTS_JS.read_text(), flags=re.MULTILINE):
        found[name] = int(number) if number else text
    return found


@pytest.mark.parametrize(
    ("js_name", "server_value"),
    [
        ("Y_TEXT_NAME", TEXT_NAME),
        ("NAMESPACE", collab.NAMESPACE),
        ("EVENT_JOIN", collab.EVENT_JOIN),
        ("EVENT_FRAME", collab.EVENT_FRAME),
        ("EVENT_LEAVE", collab.EVENT_LEAVE),
        ("EVENT_ACCESS", collab.EVENT_ACCESS),
        ("EVENT_COMMENT", collab.EVENT_COMMENT),
        ("EVENT_INBOX", collab.EVENT_INBOX),
        ("MESSAGE_SYNC", protocol.MESSAGE_SYNC),
        ("MESSAGE_AWARENESS", protocol.MESSAGE_AWARENESS),
        ("MESSAGE_QUERY_AWARENESS", protocol.MESSAGE_QUERY_AWARENESS),
        ("SYNC_STEP1", protocol.SYNC_STEP1),
        ("SYNC_STEP2", protocol.SYNC_STEP2),
        ("SYNC_UPDATE", protocol.SYNC_UPDATE),
    ],
)
def test_editor_constant_matches_server(js_name: str, server_value: str | int) -> None:
    assert js_constants().get(js_name) == server_value


def test_editor_knows_every_organisation_kind() -> None:
    block = re.search(r"KIND_LABELS = \{(.*?)\};", CONSTANTS_JS.read_text(), flags=re.DOTALL)
    assert block is not None
    assert set(re.findall(r"^\s*(\w+):", block.group(1), flags=re.MULTILINE)) == {
        k.value for k in OrgKind
    }


@pytest.mark.parametrize("code", list(Code), ids=lambda code: code.name)
def test_editor_knows_every_reply_code(code: Code) -> None:
    assert js_constants().get(f"CODE_{code.name}") == code.value


def test_editor_retries_exactly_the_codes_the_server_calls_retryable() -> None:
    block = re.search(r"RETRYABLE_CODES = \[(.*?)\];", CONSTANTS_JS.read_text(), flags=re.DOTALL)
    assert block is not None
    names = re.findall(r"CODE_(\w+)", block.group(1))
    assert {Code[name] for name in names} == RETRYABLE
