"""What the benchmarks share: the editing trace, two typists, a real app database, ingestion.

The trace is the automerge-paper editing trace (see shared/data/README.md). It is found in
$JOINTLY_DATA_DIR, else in ``shared/data`` next to the repository.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from crdt.engine import TEXT_NAME, Engine, Op
from crdt.room import Room
from crdt.store import Sender
from wiki import create_app
from wiki.documents.content import hub, sender_for
from wiki.documents.service import create_document, find_document
from wiki.extensions import db
from wiki.history import service as history
from wiki.people.directory import create_organisation, create_person, find_organisation, find_person

TRACE_FILE = "automerge-paper.json.gz"
DATA_ENV = "JOINTLY_DATA_DIR"
PASSWORD = "bench password, not a secret"
SLUG = "paper"
# People: (email, name, organisation, organisation kind). They alternate at the keyboard.
TYPISTS = (
    ("gov@example.org", "Gita Gov", "Cabinet Office", "government"),
    ("cso@example.org", "Chidi Cso", "Open Data Charity", "civil_society"),
)
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def data_dir() -> Path:
    """Where the shared data sets live: $JOINTLY_DATA_DIR, else ../shared/data."""
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class Trace:
    """The trace's edits as engine ops, and the text they end with (None for a prefix)."""

    ops: list[Op]
    end: str | None


def load_trace(limit: int | None = None) -> Trace:
    """The first ``limit`` edits of the trace (all of them if None)."""
    path = data_dir() / TRACE_FILE
    if not path.exists():
        raise SystemExit(f"{path} is missing; set {DATA_ENV} to the folder holding {TRACE_FILE}")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        raw = json.load(handle)
    ops: list[Op] = [
        (pos, deleted, text) for txn in raw["txns"] for pos, deleted, text in txn["patches"]
    ]
    if limit is not None and limit < len(ops):
        return Trace(ops[:limit], None)
    return Trace(ops, raw["endContent"])


@dataclass(frozen=True)
class Typist:
    """One person at the keyboard: who the server says they are, and their client id."""

    sender: Sender
    client_id: int


def make_updates(
    engine: Engine, ops: Sequence[Op], typists: Sequence[Typist], run: int
) -> list[tuple[int, bytes]]:
    """Each op as one update by the typist whose turn it is (turns of ``run`` ops).

    Each typist has a replica under their client id; the typist edits theirs and the other
    replica receives the update, so every position in the trace lands where it was meant
    to. The replicas are plain y-py docs where y-py imports (Yjs's wire format is the same
    whichever library writes it, and it is four times quicker than the adapter), else docs
    of ``engine``.
    """
    try:
        y_py = import_module("y_py")
    except ImportError:
        return _adapter_updates(engine, ops, typists, run)
    docs = [y_py.YDoc(client_id=t.client_id, offset_kind="utf32") for t in typists]
    texts = [doc.get_text(TEXT_NAME) for doc in docs]
    made: list[bytes] = []
    for doc in docs:
        doc.observe_after_transaction(lambda event: made.append(event.get_update()))
    updates: list[tuple[int, bytes]] = []
    for i, (index, deleted, inserted) in enumerate(ops):
        who = (i // run) % len(docs)
        made.clear()
        with docs[who].begin_transaction() as txn:
            if deleted:
                texts[who].delete_range(txn, index, deleted)
            if inserted:
                texts[who].insert(txn, index, inserted)
        update = made[-1]
        for other, doc in enumerate(docs):
            if other != who:
                y_py.apply_update(doc, update)
        updates.append((who, update))
    return updates


def _adapter_updates(
    engine: Engine, ops: Sequence[Op], typists: Sequence[Typist], run: int
) -> list[tuple[int, bytes]]:
    replicas = [engine.new_doc(t.client_id) for t in typists]
    updates: list[tuple[int, bytes]] = []
    for i, op in enumerate(ops):
        who = (i // run) % len(replicas)
        update = replicas[who].edit([op])
        for other, replica in enumerate(replicas):
            if other != who:
                replica.apply_update(update)
        updates.append((who, update))
    return updates


def submit_all(
    room: Room, typists: Sequence[Typist], updates: Sequence[tuple[int, bytes]], window: int
) -> int:
    """Submit every update, at most ``window`` unacknowledged at once; the last seq."""
    waiting: deque[Future[int | None]] = deque()
    last = 0
    for who, update in updates:
        if len(waiting) >= window:
            last = _acknowledged(waiting.popleft(), last)
        typist = typists[who]
        waiting.append(room.submit(typist.sender, typist.client_id, update))
    while waiting:
        last = _acknowledged(waiting.popleft(), last)
    return last


def _acknowledged(future: Future[int | None], last: int) -> int:
    seq = future.result()
    if seq is None or seq <= last:
        raise RuntimeError(f"update acknowledged as seq {seq} after seq {last}")
    return seq


@contextmanager
def bench_app(engine_name: str) -> Iterator[Flask]:
    """A Jointly app on a fresh SQLite file with the real schema, two typists and a document.

    The app's rooms are closed and its files removed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="jointly-bench-") as folder:
        app = create_app(
            {
                "INSTANCE_PATH": f"{folder}/instance",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                "CRDT_ENGINE": engine_name,
                "ARGON2_TIME_COST": 1,  # sign-in speed is not what is measured
                "ARGON2_MEMORY_KIB": 1024,
                "LOGIN_RATE_LIMIT": "1000 per minute",
            }
        )
        try:
            with app.app_context():
                upgrade()
                _seed()
            yield app
        finally:
            with app.app_context():
                hub().close()
                db.engine.dispose()


def _seed() -> None:
    for email, name, org, kind in TYPISTS:
        create_organisation(org, kind)
        create_person(email, name, org, "editor", PASSWORD)
    owner = find_organisation(TYPISTS[0][2])
    assert owner is not None
    create_document(SLUG, "The paper", "narrative", owner, "network", [], max_chars=10**7)
    db.session.commit()


def doc_id(app: Flask) -> int:
    """The id of the benchmark's document."""
    with app.app_context():
        doc = find_document(SLUG)
        assert doc is not None
        return doc.id


def typists(app: Flask, room: Room) -> list[Typist]:
    """The two people, each with a client id the room assigned them."""
    made = []
    with app.app_context():
        for email, *_ in TYPISTS:
            person = find_person(email)
            assert person is not None
            client_id = room.assign_client(person.id).result()
            made.append(Typist(sender_for(person, person.organisation), client_id))
    return made


def live_room(app: Flask) -> Room:
    """The app's own room for the benchmark's document."""
    with app.app_context():
        return hub().room(doc_id(app))


def sign_in(app: Flask, email: str) -> FlaskClient:
    """A test client signed in through the login form, as a browser would be."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    match = CSRF.search(page)
    assert match, "no CSRF token on /login"
    form = {"csrf_token": match.group(1), "email": email, "password": PASSWORD}
    response = client.post("/login", data=form)
    assert response.status_code == 302, response.status_code
    return client


def middle_revision(app: Flask) -> tuple[int, int]:
    """The middle revision of the benchmark's document: its number and its last seq."""
    with app.app_context():
        doc = find_document(SLUG)
        assert doc is not None
        number = max(history.latest_revision(doc) // 2, 1)
        revision = history.find_revision(doc, number)
        assert revision is not None
        return number, revision.last_seq


def raw_apply_s(engine_name: str, updates: Sequence[bytes]) -> float:
    """Seconds for the engine library itself, without Jointly's adapter, to apply every update."""
    if engine_name == "y-py":
        y_py = import_module("y_py")
        ydoc = y_py.YDoc()
        ydoc.get_text(TEXT_NAME)
        start = time.perf_counter()
        for update in updates:
            y_py.apply_update(ydoc, update)
        return time.perf_counter() - start
    pycrdt = import_module("pycrdt")
    doc = pycrdt.Doc()
    doc.get(TEXT_NAME, type=pycrdt.Text)
    start = time.perf_counter()
    for update in updates:
        doc.apply_update(update)
    return time.perf_counter() - start
