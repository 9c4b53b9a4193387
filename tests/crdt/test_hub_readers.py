"""Readers of the past never wait for, or hold up, a room's writers.

The text and attribution as they were at an earlier update are replayed from the stored
log on the reader's own thread, not queued on the room's worker.
"""

from __future__ import annotations

import threading
import time

from crdt.engine import Engine
from crdt.hub import Hub
from crdt.memory import MemoryStore
from crdt.terms import Limits
from tests.crdt.room_helpers import CSO, DOC, GOV, WAIT_S, client, write


def test_the_past_is_read_while_the_room_is_busy(engine: Engine) -> None:
    store = MemoryStore()
    hub = Hub(engine, store, Limits(), history=store)
    room = hub.room(DOC)
    release = threading.Event()
    try:
        gov_id, gov = client(room, engine, GOV)
        cso_id, cso = client(room, engine, CSO)
        assert write(room, GOV, gov_id, gov.edit([(0, 0, "Open data.")])) == 1
        cso.apply_update(gov.encode_state())
        assert write(room, CSO, cso_id, cso.edit([(10, 0, " By June.")])) == 2
        # The room's worker is held by a long job, as a writer's batch or a replay would.
        busy = room.call(lambda _doc: release.wait(WAIT_S))

        assert hub.text_at(DOC, 1) == "Open data."
        past = hub.history_at(DOC, 2)
        assert (past.seq, past.text) == (2, "Open data. By June.")
        authored = [(run.ins_rev, run.text) for run in past.attribution.runs() if run.visible]
        assert authored == [(1, "Open data."), (2, " By June.")]
        assert not busy.done()  # answered beside the room, not after it
    finally:
        release.set()
        hub.close()
    assert busy.result(WAIT_S) is True


def test_a_room_that_stores_no_history_reads_it_and_writes_none(engine: Engine) -> None:
    """A reader process's rooms: attribution in memory, nothing stored, even on unloading."""
    store = MemoryStore()
    writer = Hub(engine, store, Limits())  # keeps no history: whatever is stored, a reader did
    reader = Hub(engine, store, Limits(), history=store, stores_history=False)
    try:
        room = writer.room(DOC)
        gov_id, gov = client(room, engine, GOV)
        assert write(room, GOV, gov_id, gov.edit([(0, 0, "Open data.")])) == 1
        seen = reader.room(DOC).history().result(WAIT_S)
        assert (seen.seq, seen.attribution.text()) == (1, "Open data.")
        reader.unload_idle(0.01)
        time.sleep(0.05)
        assert reader.unload_idle_now() == [DOC]
    finally:
        reader.close()
        writer.close()
    assert store.revision_rows(DOC, [1]) == []
    assert store.history_checkpoint(DOC) is None
    assert store.snapshot(DOC).state is None  # nor a checkpoint of the text on unloading
