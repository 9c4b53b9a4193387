"""Two rooms on one log, as two server processes holding one document.

Each room stores what its own clients send; what one stores reaches the other through
``follow`` (the message bus, here a direct call that a test may drop). The log decides
who takes each seq, and no update is ever stored twice.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence

import pytest

from crdt.engine import Engine
from crdt.memory import MemoryStore
from crdt.room import Room, rebuild
from crdt.store import Sender
from crdt.terms import STORED_ELSEWHERE, Limits, Stored
from crdt.updates import parse_update

DOC = 3
WAIT_S = 30.0
GOV = Sender(person_id=1, organisation_id=10, organisation_kind="government")
CSO = Sender(person_id=2, organisation_id=20, organisation_kind="civil_society")


class Cluster:
    """Two rooms over one store; each passes what it stores to the other unless told not to."""

    def __init__(self, engine: Engine, store: MemoryStore) -> None:
        self.store = store
        self.deliver = True
        self.seen: dict[str, Counter[int]] = {"a": Counter(), "b": Counter()}
        self.a = Room(DOC, engine, store, Limits(checkpoint_every=20), listener=self._to("a"))
        self.b = Room(DOC, engine, store, Limits(checkpoint_every=20), listener=self._to("b"))

    def _to(self, name: str):  # type: ignore[no-untyped-def]
        def listener(_doc_id: int, stored: Sequence[Stored]) -> None:
            for update in stored:
                self.seen[name][update.seq] += 1
                if update.origin is not STORED_ELSEWHERE and self.deliver:
                    (self.b if name == "a" else self.a).follow(update.seq, update.data)

        return listener

    def close(self) -> None:
        self.a.close()
        self.b.close()


@pytest.fixture
def cluster(engine: Engine) -> Iterator[Cluster]:
    cluster = Cluster(engine, MemoryStore())
    yield cluster
    cluster.close()


def type_into(room: Room, engine: Engine, sender: Sender, words: list[str]) -> list[bytes]:
    """Type each word at the start of the text, one update each, as a client of ``room``."""
    client_id = room.assign_client(sender.person_id).result(WAIT_S)
    doc = engine.new_doc(client_id)
    updates = []
    for word in words:
        update = doc.edit([(0, 0, word)])
        room.submit(sender, client_id, update).result(WAIT_S)
        updates.append(update)
    return updates


def stored_structs(store: MemoryStore) -> Counter[tuple[int, int]]:
    """How many log records carry each (client, clock) struct."""
    counts: Counter[tuple[int, int]] = Counter()
    for record in store.records(DOC, 0, 10**9):
        for client, spans in parse_update(record.data).structs.items():
            for clock, length in spans:
                counts.update((client, c) for c in range(clock, clock + length))
    return counts


def test_two_rooms_typing_at_once_converge_and_store_each_update_once(
    cluster: Cluster, engine: Engine
) -> None:
    words = [f"w{i} " for i in range(150)]
    for room in (cluster.a, cluster.b):  # loaded, as when their first clients joined
        room.text().result(WAIT_S)
    threads = [
        threading.Thread(target=type_into, args=(room, engine, sender, words))
        for room, sender in ((cluster.a, GOV), (cluster.b, CSO), (cluster.a, CSO))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cluster.a.follow()
    cluster.b.follow()
    text_a, head_a = cluster.a.text().result(WAIT_S)
    text_b, head_b = cluster.b.text().result(WAIT_S)
    records = cluster.store.records(DOC, 0, 10**9)
    assert [record.seq for record in records] == list(range(1, 451))
    assert head_a == head_b == 450
    assert text_a == text_b == rebuild(engine, cluster.store, DOC, 450).text()
    assert len(text_a) == 3 * sum(len(word) for word in words)
    assert set(stored_structs(cluster.store).values()) == {1}
    # Each room passed every update on exactly once: its clients see each one once.
    for seen in cluster.seen.values():
        assert seen == Counter(range(1, 451))


def test_update_resent_to_the_other_room_is_not_stored_again(
    cluster: Cluster, engine: Engine
) -> None:
    assert cluster.b.text().result(WAIT_S) == ("", 0)  # b has loaded before a's client joins
    cluster.deliver = False  # a's process dies before its message leaves
    client_id = cluster.a.assign_client(GOV.person_id).result(WAIT_S)
    doc = engine.new_doc(client_id)
    update = doc.edit([(0, 0, "acknowledged once")])
    assert cluster.a.submit(GOV, client_id, update).result(WAIT_S) == 1
    # The client reconnects to b, which has not heard of seq 1, and resends.
    assert cluster.b.submit(GOV, client_id, update).result(WAIT_S) is None
    assert len(cluster.store.records(DOC, 0, 10)) == 1
    assert cluster.b.text().result(WAIT_S) == ("acknowledged once", 1)
    # b's clients still got the update it read from the log.
    assert cluster.seen["b"] == Counter({1: 1})


def test_lost_messages_are_read_from_the_log(cluster: Cluster, engine: Engine) -> None:
    cluster.b.text().result(WAIT_S)
    cluster.deliver = False
    updates = type_into(cluster.a, engine, GOV, ["one ", "two ", "three "])
    assert cluster.b.text().result(WAIT_S) == ("", 0)
    cluster.b.follow(3, updates[2])  # only the last message arrives: 1 and 2 come from the log
    assert cluster.b.text().result(WAIT_S) == ("three two one ", 3)
    cluster.deliver = True
    type_into(cluster.a, engine, CSO, ["four "])
    both = cluster.a.text().result(WAIT_S)
    assert both[1] == 4 and "four " in both[0]
    assert cluster.b.text().result(WAIT_S) == both
    cluster.b.follow(2, updates[1])  # a late duplicate changes nothing
    assert cluster.b.text().result(WAIT_S) == both
    assert cluster.seen["b"] == Counter({1: 1, 2: 1, 3: 1, 4: 1})


def test_a_room_behind_the_log_stores_after_what_it_missed(
    cluster: Cluster, engine: Engine
) -> None:
    cluster.b.text().result(WAIT_S)
    cluster.deliver = False
    type_into(cluster.a, engine, GOV, ["one ", "two "])
    # b still thinks seq 1 is free: the log refuses, b reloads and stores its update as 3.
    type_into(cluster.b, engine, CSO, ["three "])
    records = cluster.store.records(DOC, 0, 10)
    assert [(r.seq, r.sender) for r in records] == [(1, GOV), (2, GOV), (3, CSO)]
    text, head = cluster.b.text().result(WAIT_S)
    assert head == 3 and sorted(text.split()) == ["one", "three", "two"]
    assert cluster.seen["b"] == Counter({1: 1, 2: 1, 3: 1})
