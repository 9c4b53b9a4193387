"""Fixtures for the cluster tests: a deployment per test, on SQLite or a fresh PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.editors import Editor
from tests.cluster.servers import Deployment
from tests.databases import postgres_database
from tests.harness.client import CSRF, signed_in_session

SLUG = "meeting-notes-14-may"  # a network document, which its owner lets every member edit
OWNER = "maria@civilsociety.example.org"  # of the Civil Society Network, which owns it
EDITORS = [
    "alex@cabinet.example.gov",
    "priya@business.example.gov",
    "maria@civilsociety.example.org",
    "kwame@openownership.example.org",
    "lena@pwyp.example.org",
]


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Deployment]:
    with postgres_database() as url:
        deployment = Deployment(tmp_path, url)
        yield deployment
        deployment.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    if request.param == "postgresql":
        yield request.getfixturevalue("postgres")
        return
    deployment = Deployment(tmp_path, f"sqlite:///{tmp_path / 'jointly.sqlite3'}")
    yield deployment
    deployment.close()


@pytest.fixture
def editors() -> Iterator[list[Editor]]:
    made: list[Editor] = []
    yield made
    # At once: a WebSocket's close waits up to 3 s for the server's answer.
    closing = [threading.Thread(target=editor.close) for editor in made]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join()


def ten_editors(deployment: Deployment, urls: list[str], made: list[Editor]) -> list[Editor]:
    """Two sockets for each demo editor, spread over ``urls`` in turn."""
    let_every_member_edit(deployment, urls[0])
    for index in range(10):
        email = EDITORS[index % len(EDITORS)]
        url = urls[index % len(urls)]
        made.append(Editor(f"e{index}", email, deployment.accounts[email], url, SLUG))
    return made


def let_every_member_edit(deployment: Deployment, url: str) -> None:
    """As the owner, switch on "every member may edit" on the Sharing page: members comment else."""
    with signed_in_session(url, OWNER, deployment.accounts[OWNER]) as http:
        token = CSRF.search(http.get(f"{url}/{SLUG}/sharing", timeout=10).text)
        assert token, "the Sharing page has its forms"
        answer = http.post(
            f"{url}/{SLUG}/sharing/members",
            data={"csrf_token": token.group(1), "members": "edit"},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, answer.text[:300]
