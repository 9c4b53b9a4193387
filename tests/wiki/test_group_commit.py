"""Group commit: rooms' appends that arrive together share one transaction, and nothing else.

On the app's real database (SQLite, or PostgreSQL in the second pass), through a store of its
own over the rooms' engine, so the test counts that engine's commits. Each test first holds
the log locks of its documents, as another process storing would, so that every append it
starts meanwhile is queued before the first group is stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError

from crdt import LogRecord, Sender
from tests.wiki.history_helpers import GOV, ids, make_document
from wiki.documents.service import find_document
from wiki.storage.database import rooms_engine
from wiki.storage.store import SqlUpdateStore, lock_log

DOCS = 6
WAIT_S = 30.0
QUEUE_S = 0.5  # long enough for every append started to reach the queue


@pytest.fixture
def engine(app: Flask) -> Iterator[Engine]:
    engine = rooms_engine(app)
    yield engine
    engine.dispose()


@pytest.fixture
def doc_ids(app: Flask) -> list[int]:
    found = []
    for k in range(DOCS):
        make_document(app, f"group-{k}", "Cabinet Office")
        with app.app_context():
            doc = find_document(f"group-{k}")
            assert doc is not None
            found.append(doc.id)
    return found


def record(app: Flask, seq: int, data: bytes) -> LogRecord:
    known = ids(app)
    sender = Sender(known[GOV], known["Cabinet Office"], "government")
    return LogRecord(seq, data, sender, 12345, datetime.now(UTC))


def commits_of(engine: Engine) -> list[int]:
    """A list that grows by one with each commit on ``engine``."""
    seen: list[int] = []
    event.listen(engine, "commit", lambda _conn: seen.append(1))
    return seen


@contextmanager
def logs_held(engine: Engine, doc_ids: Sequence[int]) -> Iterator[None]:
    """Hold the documents' log locks, as another process storing would, then let go."""
    with engine.begin() as conn:
        for doc_id in sorted(doc_ids):
            lock_log(conn, doc_id)
        yield
        time.sleep(QUEUE_S)


def no_rebase(_theirs: Sequence[LogRecord]) -> tuple[Sequence[LogRecord], bytes | None]:
    raise AssertionError("nothing else was stored at these seqs")


def append_all(
    store: SqlUpdateStore, appends: Sequence[tuple[int, LogRecord, Callable[..., object]]]
) -> list[Future[None]]:
    pool = ThreadPoolExecutor(len(appends))
    futures = [
        pool.submit(store.append, doc_id, [rec], None, rebase) for doc_id, rec, rebase in appends
    ]
    pool.shutdown(wait=False)
    return futures


def test_appends_to_several_documents_at_once_share_a_transaction(
    app: Flask, engine: Engine, doc_ids: list[int]
) -> None:
    store = SqlUpdateStore(engine)
    commits = commits_of(engine)
    with logs_held(engine, doc_ids):
        futures = append_all(store, [(d, record(app, 1, b"u%d" % d), no_rebase) for d in doc_ids])
    for future in futures:
        future.result(WAIT_S)
    assert len(commits) <= 3  # the holder's, the first append's, then all the others'
    for doc_id in doc_ids:
        assert [(r.seq, r.data) for r in store.records(doc_id, 0, 10)] == [(1, b"u%d" % doc_id)]


def test_an_append_another_process_got_ahead_of_is_rebased_on_its_own_thread(
    app: Flask, engine: Engine, doc_ids: list[int]
) -> None:
    store = SqlUpdateStore(engine)
    behind, *others = doc_ids
    store.append(behind, [record(app, 1, b"theirs")], None, no_rebase)
    rebased_on: list[int] = []
    appending_on: list[int] = []

    def rebase(theirs: Sequence[LogRecord]) -> tuple[Sequence[LogRecord], bytes | None]:
        rebased_on.append(threading.get_ident())
        assert [r.data for r in theirs] == [b"theirs"]
        return [replace(ours, seq=2)], None

    def stale_append() -> None:
        appending_on.append(threading.get_ident())
        store.append(behind, [ours], None, rebase)

    ours = record(app, 1, b"ours")
    with logs_held(engine, doc_ids):
        futures = append_all(store, [(d, record(app, 1, b"u%d" % d), no_rebase) for d in others])
        stale = ThreadPoolExecutor(1).submit(stale_append)
    for future in [*futures, stale]:
        future.result(WAIT_S)
    assert rebased_on == appending_on
    assert [r.data for r in store.records(behind, 0, 10)] == [b"theirs", b"ours"]
    for doc_id in others:
        assert [r.data for r in store.records(doc_id, 0, 10)] == [b"u%d" % doc_id]


def test_a_failing_append_fails_alone_and_the_rest_of_its_group_is_stored(
    app: Flask, engine: Engine, doc_ids: list[int]
) -> None:
    store = SqlUpdateStore(engine)
    missing_doc = max(doc_ids) + 1000  # no such document: its records break a foreign key
    appends = [(d, record(app, 1, b"u%d" % d), no_rebase) for d in [*doc_ids, missing_doc]]
    with logs_held(engine, [*doc_ids, missing_doc]):
        futures = append_all(store, appends)
    *stored, failed = futures
    for future in stored:
        future.result(WAIT_S)
    with pytest.raises(IntegrityError):
        failed.result(WAIT_S)
    for doc_id in doc_ids:
        assert [r.data for r in store.records(doc_id, 0, 10)] == [b"u%d" % doc_id]
