"""A steady stream of edits is attributed in batches, not with a commit per update."""

from __future__ import annotations

import time
from collections.abc import Sequence

from crdt.engine import Engine
from crdt.memory import MemoryStore
from crdt.room import ATTRIBUTE_AFTER_S, Room
from crdt.store import HistoryCheckpoint, RevisionRow
from crdt.terms import Limits
from tests.crdt.test_room import DOC, GOV, WAIT_S, client, write

UPDATES = 40
EVERY_S = 0.02  # a typist's pace: the room is idle between updates, many times over


class CountingStore(MemoryStore):
    """The in-process store, counting the attribution commits a room makes."""

    def __init__(self) -> None:
        super().__init__()
        self.saves = 0

    def save_history(
        self, doc_id: int, revisions: Sequence[RevisionRow], checkpoint: HistoryCheckpoint | None
    ) -> None:
        self.saves += 1
        super().save_history(doc_id, revisions, checkpoint)


def test_a_stream_of_single_updates_is_attributed_a_few_times_and_in_full(engine: Engine) -> None:
    store = CountingStore()
    room = Room(DOC, engine, store, Limits(), history=store)
    try:
        gov_id, gov = client(room, engine, GOV)
        started = time.monotonic()
        for i in range(UPDATES):
            write(room, GOV, gov_id, gov.edit([(i, 0, "a")]))
            time.sleep(EVERY_S)
        streamed_s = time.monotonic() - started
        time.sleep(ATTRIBUTE_AFTER_S * 2)  # the last ones are attributed once the room waits

        # About one attribution per ATTRIBUTE_AFTER_S of the stream (and one after it),
        # where attributing in every idle gap made one commit per update.
        expected = streamed_s / ATTRIBUTE_AFTER_S + 2
        assert store.saves <= min(expected, UPDATES / 4), (store.saves, expected)
        assert max(row.last_seq for row in store.revisions[DOC].values()) == UPDATES
        history = room.history().result(WAIT_S)
        assert history.text == "a" * UPDATES
    finally:
        del gov
        room.close()
