"""Demo instances with settings of their own, and people who act on them through real routes.

The shared ``live_server`` runs with the production limits. The security tests need other
ones (a small document size, a small update burst, joins without limit for a race), so an
:class:`Instance` is a fresh demo database whose server processes all run with ``settings``.
:class:`Visitor` is someone signed in through ``/login`` who changes sharing, signs out or
disables accounts by posting the same forms a browser would.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import redis
import requests
import socketio
from sqlalchemy import func, select

from tests.cluster.servers import Deployment
from tests.databases import REDIS_URL
from tests.harness.client import CSRF, NAMESPACE, CollabClient, signed_in_session
from tests.harness.server import FAST_HASHING, Server
from wiki.live.cluster import channel_prefix
from wiki.storage.models import (
    ClientAssignment,
    Document,
    Organisation,
    Person,
    Share,
    UpdateRecord,
)

ANSWER_S = 5.0
BUS_WAIT_S = 10.0

# One process, no Redis: joins all but unlimited (a race opens a document hundreds of times);
# a small update allowance, kept in the process's memory.
OPEN_SETTINGS = {
    "WIKI_MAX_JOINS_PER_S": "1000",
    "WIKI_MAX_JOIN_BURST": "100000",
    "WIKI_MAX_UPDATES_PER_S": "20",
    "WIKI_MAX_UPDATE_BURST": "40",
}
# No update limit in the way: for bursts of frames, where order is the question.
FAST_SETTINGS = {"WIKI_MAX_UPDATES_PER_S": "100000", "WIKI_MAX_UPDATE_BURST": "100000"}
# One process whose long-polling windows are long enough to see from a test.
GATHER_S = 1.0
GATHER_SETTINGS = {**FAST_SETTINGS, "WIKI_POLLING_GATHER_S": str(GATHER_S)}
# Two processes sharing Redis: limits small enough to reach in a test, shared by both.
LIMITS_SETTINGS = {
    "WIKI_MAX_DOCUMENT_CHARS": "3000",
    "WIKI_MAX_UPDATES_PER_S": "1",
    "WIKI_MAX_UPDATE_BURST": "5",
    "WIKI_MAX_JOINS_PER_S": "20",
    "WIKI_MAX_JOIN_BURST": "40",
}


class Instance(Deployment):
    """A demo database whose servers run with ``settings`` (``WIKI_*`` names, JSON values)."""

    def __post_init__(self) -> None:
        self.settings = {**FAST_HASHING, **self.settings}
        super().__post_init__()

    def scalar(self, query: Any) -> Any:
        """One value read from the instance's database itself."""
        with self._engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def count(self, model: Any, slug: str) -> int:
        """How many rows of ``model`` (client ids, update log) a document has."""
        doc_id = select(Document.id).where(Document.slug == slug).scalar_subquery()
        where = model.document_id == doc_id
        return int(self.scalar(select(func.count()).select_from(model).where(where)))

    def client_ids(self, slug: str) -> int:
        return self.count(ClientAssignment, slug)

    def log_length(self, slug: str) -> int:
        return self.count(UpdateRecord, slug)

    def organisation_id(self, name: str) -> int:
        return int(self.scalar(select(Organisation.id).where(Organisation.name == name)))

    def person_id(self, email: str) -> int:
        return int(self.scalar(select(Person.id).where(Person.email == email)))

    def share_id(self, slug: str, organisation: str) -> int:
        query = (
            select(Share.id)
            .join(Document, Share.document_id == Document.id)
            .join(Organisation, Share.organisation_id == Organisation.id)
            .where(Document.slug == slug, Organisation.name == organisation)
        )
        return int(self.scalar(query))


@dataclass
class Site:
    """A demo instance and its running server processes."""

    instance: Instance
    servers: list[Server]

    @property
    def server(self) -> Server:
        return self.servers[0]

    def socket(self, email: str | None, made: list[CollabClient], server: int = 0) -> CollabClient:
        """A socket on one of the servers, signed in as ``email`` (None: a guest)."""
        url = self.servers[server].url
        http = signed_in_session(url, email, self.instance.accounts[email]) if email else None
        client = CollabClient(url, http)
        made.append(client)
        return client


def require_redis() -> None:
    """Fail, never skip, when the Redis the tests use does not answer."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        raise AssertionError(
            f"Redis does not answer at {REDIS_URL} ({error}): start it, or point "
            "JOINTLY_TEST_REDIS at one; the cross-process limits need it."
        ) from None
    finally:
        client.close()


def wait_for_bus(servers: list[Server], instance: Instance) -> None:
    """Wait until every process listens on the deployment's event channel."""
    secret = (instance.base / "instance" / "secret_key").read_text().strip()
    deployment = SimpleNamespace(config={"SECRET_KEY": secret})  # all channel_prefix reads
    channel = f"{channel_prefix(deployment)}:events"  # type: ignore[arg-type]
    listening = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + BUS_WAIT_S
    try:
        while dict(listening.pubsub_numsub(channel)).get(channel.encode(), 0) < len(servers):
            assert time.monotonic() < deadline, f"not every process subscribed to {channel}"
            time.sleep(0.02)
    finally:
        listening.close()


@dataclass
class Visitor:
    """Someone signed in on a server, posting its forms as a browser would."""

    url: str
    http: requests.Session
    token: str = ""

    @classmethod
    def sign_in(cls, server: Server, instance: Instance, email: str) -> Visitor:
        return cls.at(server.url, email, instance.accounts[email])

    @classmethod
    def at(cls, url: str, email: str, password: str) -> Visitor:
        """Sign in on the server at ``url``."""
        visitor = cls(url, signed_in_session(url, email, password))
        found = CSRF.search(visitor.http.get(f"{url}/", timeout=ANSWER_S).text)
        assert found, "the home page has the sign-out form and its CSRF token"
        visitor.token = found.group(1)
        return visitor

    def get(self, path: str) -> str:
        """A page's text; fails unless it answers 200."""
        answer = self.http.get(f"{self.url}{path}", timeout=ANSWER_S)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer.text

    def post(self, path: str, **data: str) -> None:
        """Post a form; the change is committed and enforced once this returns."""
        answer = self.http.post(
            f"{self.url}{path}",
            data={"csrf_token": self.token, **data},
            allow_redirects=False,
            timeout=ANSWER_S * 2,
        )
        assert answer.status_code == 302, (path, answer.status_code, answer.text[:300])

    def share(self, slug: str, organisation_id: int, access: str = "view") -> None:
        self.post(f"/{slug}/sharing/grants", grantee=f"org:{organisation_id}", access=access)

    def withdraw(self, slug: str, share_id: int) -> None:
        self.post(f"/{slug}/sharing/grants/{share_id}/remove")

    def grant(self, slug: str, label: str, access: str) -> None:
        """Give the grantee the Sharing page lists as ``label`` ``access``, or change theirs."""
        self.post(f"/{slug}/sharing/grants", grantee=self.grantee(slug, label), access=access)

    def grantee(self, slug: str, label: str) -> str:
        """The ``org:ID`` or ``person:ID`` of the grant form's option labelled ``label``."""
        option = rf'<option[^>]*value="((?:org|person):\d+)"[^>]*>{re.escape(label)}</option>'
        found = re.search(option, self.get(f"/{slug}/sharing"))
        assert found, f"the Sharing page of {slug} offers no grant to {label}"
        return found.group(1)

    def grant_id(self, slug: str, name: str) -> int | None:
        """The id of the grant the Sharing page lists for ``name``; None: there is none."""
        form = rf'action="/{slug}/sharing/grants/(\d+)/remove"(?:(?!</form>).)*access of {name}<'
        found = re.search(form, self.get(f"/{slug}/sharing"), re.S)
        return int(found.group(1)) if found else None

    def let_members(self, slug: str, members: str) -> None:
        """What every other member who may see ``slug`` may do: ``edit`` or ``comment``."""
        self.post(f"/{slug}/sharing/members", members=members)

    def set_visibility(self, slug: str, visibility: str) -> None:
        self.post(f"/{slug}/sharing/visibility", visibility=visibility)

    def set_embargo(self, slug: str, until: datetime, then: str) -> None:
        self.post(f"/{slug}/sharing/embargo", until=until.strftime("%Y-%m-%dT%H:%M"), then=then)

    def toggle_active(self, person_id: int) -> None:
        self.post(f"/-/admin/people/{person_id}/active")

    def sign_out(self) -> None:
        self.post("/logout")


def ask(client: CollabClient, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """Emit and wait for the answer; None when the socket closes (or nothing comes) first."""
    answered = threading.Event()
    answers: list[Any] = []

    def take(*args: Any) -> None:
        answers.append(args[0] if args else None)
        answered.set()

    try:
        client.sio.emit(event, data, namespace=NAMESPACE, callback=take)
    except socketio.exceptions.SocketIOError:
        return None
    deadline = time.monotonic() + ANSWER_S
    while not answered.wait(0.005):
        if not client.sio.connected or time.monotonic() > deadline:
            return None
    return answers[0] if isinstance(answers[0], dict) else None


def close_at_once(client: CollabClient) -> None:
    """Drop the connection without waiting seconds for the server's WebSocket close frame."""
    websocket = getattr(client.sio.eio, "ws", None)
    if websocket is not None:
        with contextlib.suppress(Exception):
            websocket.close(timeout=0)
    with contextlib.suppress(Exception):
        client.sio.disconnect()
