"""The room: one owner per live document, each update stored once and acknowledged in order."""

from __future__ import annotations

import gc
import random
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from crdt.engine import Engine
from crdt.memory import MemoryStore
from crdt.room import Room
from crdt.store import Sender
from crdt.terms import Limits, Stored
from tests.crdt.room_helpers import CSO, DOC, GOV, WAIT_S, client, log_of, text_of, write

WRITERS = 20
EDITS_EACH = 25


def test_twenty_concurrent_writers_are_each_stored_once_with_gapless_seqs(
    engine: Engine, store: MemoryStore, room: Room
) -> None:
    start = threading.Barrier(WRITERS)

    def writer(i: int) -> tuple[Sender, int, list[tuple[bytes, int | None]]]:
        sender = Sender(100 + i, 10 + i % 3, "government" if i % 2 else "civil_society")
        client_id, doc = client(room, engine, sender)  # this thread's doc, dropped here
        rng = random.Random(i)
        start.wait(WAIT_S)
        sent = []
        for n in range(EDITS_EACH):
            text = doc.text()
            if text and rng.random() < 0.3:
                at = rng.randrange(len(text))
                ops = [(at, min(len(text) - at, rng.randint(1, 4)), "")]
            else:
                ops = [(rng.randint(0, len(text)), 0, f"<{i}.{n}>")]
            update = doc.edit(ops)
            sent.append((update, room.submit(sender, client_id, update)))
        return sender, client_id, [(update, future.result(WAIT_S)) for update, future in sent]

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        results = list(pool.map(writer, range(WRITERS)))

    total = WRITERS * EDITS_EACH
    acked = {
        seq: (update, sender, client_id)
        for sender, client_id, sent in results
        for update, seq in sent
    }
    assert all(seq is not None for _, _, sent in results for _, seq in sent)
    assert sorted(acked) == list(range(1, total + 1))  # every seq handed out exactly once
    for _, _, sent in results:  # one sender's updates are stored in the order it sent them
        seqs = [seq for _, seq in sent]
        assert seqs == sorted(seqs)

    stored = log_of(store)
    assert [record.seq for record in stored] == list(range(1, total + 1))
    assert Counter(record.data for record in stored) == Counter(u for u, _, _ in acked.values())
    for record in stored:  # each record is the update acknowledged with its seq, and its sender
        assert (record.data, record.sender, record.client_id) == acked[record.seq]

    # A replica that got the updates in another order than the log's: writer by writer.
    replica = engine.new_doc()
    for _, _, sent in reversed(results):
        for update, _ in sent:
            replica.apply_update(update)
    assert text_of(room) == (replica.text(), total)


def test_resent_update_is_acknowledged_with_none_and_stored_once(
    engine: Engine, store: MemoryStore, room: Room
) -> None:
    gov_id, gov = client(room, engine, GOV)
    insert = gov.edit([(0, 0, "Draft for consultation")])
    delete = gov.edit([(0, 6, "")])
    assert write(room, GOV, gov_id, insert) == 1
    assert write(room, GOV, gov_id, insert) is None
    # Sent twice without waiting: both land in one batch, and the second is still a duplicate.
    futures = [room.submit(GOV, gov_id, delete) for _ in range(2)]
    assert [future.result(WAIT_S) for future in futures] == [2, None]
    assert write(room, GOV, gov_id, delete) is None  # a delete seen before is nothing new
    assert write(room, GOV, gov_id, gov.encode_state()) is None  # a full resync, all known
    assert [record.data for record in log_of(store)] == [insert, delete]
    assert text_of(room) == ("for consultation", 2)


def test_closed_room_leaves_no_engine_object_for_another_thread_to_drop(
    engine: Engine, store: MemoryStore
) -> None:
    """y-py panics if a doc is freed off its thread; the room's docs must die on its worker."""
    unraisable: list[Any] = []
    previous, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        room = Room(DOC, engine, store, Limits(), history=store)
        gov_id, gov = client(room, engine, GOV)
        assert write(room, GOV, gov_id, gov.edit([(0, 0, "Hello")])) == 1
        assert room.history().result(WAIT_S).text == "Hello"
        room.close()
        gc.collect()  # on this thread, not the room's
    finally:
        sys.unraisablehook = previous
    assert [str(hook.exc_value) for hook in unraisable] == []


def test_updates_stored_in_one_batch_reach_the_listener_in_one_call_in_log_order(
    engine: Engine, store: MemoryStore
) -> None:
    calls: list[list[tuple[int, object]]] = []

    def listener(_doc_id: int, stored: Sequence[Stored]) -> None:
        calls.append([(update.seq, update.origin) for update in stored])

    room = Room(DOC, engine, store, Limits(), listener=listener)
    try:
        gov_id, gov = client(room, engine, GOV)
        cso_id, cso = client(room, engine, CSO)
        alone = gov.edit([(0, 0, "Alone. ")])
        assert room.submit(GOV, gov_id, alone, origin="gov-socket").result(WAIT_S) == 1
        cso.apply_update(alone)
        together = [
            (GOV, gov_id, gov.edit([(7, 0, "First. ")]), "gov-socket"),
            (CSO, cso_id, cso.edit([(0, 0, "Second. ")]), "cso-socket"),
        ]
        # Hold the worker so that both updates are queued before it takes the next batch.
        release = threading.Event()
        room.call(lambda _doc: release.wait(WAIT_S))
        futures = [room.submit(sender, cid, data, origin=o) for sender, cid, data, o in together]
        release.set()
        assert [future.result(WAIT_S) for future in futures] == [2, 3]
    finally:
        room.close()
    assert calls == [[(1, "gov-socket")], [(2, "gov-socket"), (3, "cso-socket")]]
