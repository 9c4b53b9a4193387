"""How a room stores the history it attributes: few commits under steady typing, nothing lost.

Flask-free, on the in-process MemoryStore; the store counts what the room asks of it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest

from crdt.engine import Engine
from crdt.memory import MemoryStore
from crdt.recent import RecentLog
from crdt.room import SAVE_EVERY_S, SAVE_IDLE_S, Room
from crdt.store import HistoryCheckpoint, LogRecord, RevisionRow, Sender
from crdt.terms import Limits

DOC = 7
WAIT_S = 30.0
GOV = Sender(person_id=1, organisation_id=10, organisation_kind="government")
KEYSTROKES = 40
TYPE_EVERY_S = 0.02  # longer than a room's idle wait, shorter than its wait to store


class CountingStore(MemoryStore):
    """The memory store, counting the history commits and the log reads made of it."""

    def __init__(self) -> None:
        super().__init__()
        self.saves = 0
        self.reads = 0

    def save_history(
        self, doc_id: int, revisions: Sequence[RevisionRow], checkpoint: HistoryCheckpoint | None
    ) -> None:
        self.saves += 1
        super().save_history(doc_id, revisions, checkpoint)

    def records(self, doc_id: int, after_seq: int, limit: int) -> Sequence[LogRecord]:
        self.reads += 1
        return super().records(doc_id, after_seq, limit)


@pytest.fixture
def store() -> CountingStore:
    return CountingStore()


@pytest.fixture
def room(engine: Engine, store: CountingStore) -> Iterator[Room]:
    room = Room(DOC, engine, store, Limits(), history=store)
    yield room
    room.close()


def type_steadily(room: Room, engine: Engine) -> None:
    """One person types KEYSTROKES characters, one every TYPE_EVERY_S, each acknowledged."""
    client_id = room.assign_client(GOV.person_id).result(WAIT_S)
    doc = engine.new_doc(client_id)
    for k in range(KEYSTROKES):
        room.submit(GOV, client_id, doc.edit([(k, 0, "x")])).result(WAIT_S)
        time.sleep(TYPE_EVERY_S)


def stored_last_seq(store: MemoryStore) -> int:
    return max((row.last_seq for row in store.revisions.get(DOC, {}).values()), default=0)


def test_steady_typing_is_stored_in_few_commits_and_in_full_once_it_pauses(
    room: Room, engine: Engine, store: CountingStore
) -> None:
    type_steadily(room, engine)
    # About one commit per SAVE_EVERY_S while typing (a stalled machine adds some), not one
    # per keystroke.
    assert store.saves <= KEYSTROKES / 4
    deadline = time.monotonic() + SAVE_IDLE_S + SAVE_EVERY_S + 5.0
    while stored_last_seq(store) < KEYSTROKES and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stored_last_seq(store) == KEYSTROKES


def test_a_history_request_stores_everything_attributed_before_it_answers(
    room: Room, engine: Engine, store: CountingStore
) -> None:
    type_steadily(room, engine)
    history = room.history().result(WAIT_S)
    assert history.seq == KEYSTROKES
    assert stored_last_seq(store) == KEYSTROKES  # at once, without waiting for a pause
    assert history.text == "x" * KEYSTROKES


def test_attribution_reads_what_its_room_stored_from_memory(
    room: Room, engine: Engine, store: CountingStore
) -> None:
    type_steadily(room, engine)
    room.history().result(WAIT_S)
    assert store.reads == 0


def test_the_recent_log_answers_only_what_it_holds_without_a_gap() -> None:
    store = CountingStore()
    now = datetime.now(UTC)
    records = [LogRecord(seq, b"u%d" % seq, GOV, 5, now) for seq in range(1, 7)]
    store.append(DOC, records, None, lambda theirs: (theirs, None))
    recent = RecentLog(store, keep=3)
    recent.add(records[:4])  # keeps 2, 3, 4
    assert [r.seq for r in recent.records(DOC, 2, 5)] == [3, 4]
    assert store.reads == 0
    assert [r.seq for r in recent.records(DOC, 0, 2)] == [1, 2]  # seq 1 is not kept
    assert store.reads == 1
    recent.add(records[5:])  # seq 5 is missing: what came before the gap is forgotten
    assert [r.seq for r in recent.records(DOC, 2, 5)] == [3, 4, 5, 6]
    assert [r.seq for r in recent.records(DOC, 5, 5)] == [6]
    assert store.reads == 2
    recent.clear()
    assert [r.seq for r in recent.records(DOC, 5, 5)] == [6]
    assert store.reads == 3
