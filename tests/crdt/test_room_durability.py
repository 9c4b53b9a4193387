"""Stored before shown: an unstored edit stays out of the room; every seq rebuilds from the log."""

from __future__ import annotations

import random

from crdt.engine import Engine
from crdt.errors import UpdateRejected
from crdt.hub import Hub
from crdt.memory import MemoryStore
from crdt.room import Room, rebuild
from crdt.terms import Limits, StorageUnavailable
from tests.crdt.room_helpers import (
    DOC,
    GOV,
    WAIT_S,
    client,
    log_of,
    refusal,
    text_of,
    type_of,
    write,
)


def test_unstored_edit_is_refused_kept_out_of_the_live_text_and_stored_when_resent(
    engine: Engine, store: MemoryStore, room: Room
) -> None:
    gov_id, gov = client(room, engine, GOV)
    first = gov.edit([(0, 0, "Milestone 1.")])
    second = gov.edit([(12, 0, " Milestone 2.")])
    third = gov.edit([(0, 0, "Plan: ")])  # depends on both before it
    assert write(room, GOV, gov_id, first) == 1

    store.fail_appends = True
    futures = [room.submit(GOV, gov_id, second), room.submit(GOV, gov_id, third)]
    assert [type_of(refusal(future.result)) for future in futures] == [StorageUnavailable] * 2
    del futures
    assert text_of(room) == ("Milestone 1.", 1)  # the live doc holds nothing the log lacks
    assert room.call(lambda doc: doc.text()).result(WAIT_S) == "Milestone 1."
    # Still down: still refused, still not shown.
    assert type_of(refusal(lambda: write(room, GOV, gov_id, second))) is StorageUnavailable
    assert text_of(room) == ("Milestone 1.", 1)

    store.fail_appends = False
    assert write(room, GOV, gov_id, second) == 2
    assert write(room, GOV, gov_id, third) == 3
    assert text_of(room) == ("Plan: Milestone 1. Milestone 2.", 3)
    assert [record.data for record in log_of(store)] == [first, second, third]
    history = room.history().result(WAIT_S)
    assert (history.seq, history.text) == (3, "Plan: Milestone 1. Milestone 2.")
    assert history.attribution.text() == history.text


def test_edit_stored_before_the_failed_edit_it_builds_on_survives_checkpoints_and_restarts(
    engine: Engine, store: MemoryStore
) -> None:
    """The browser retries an edit that hit a storage failure while its next edit goes ahead.

    The room either holds the later edit until the earlier one arrives (as Yjs does) or
    refuses it for now (the client sends it again). Either way, once both are stored, the
    live text, every rebuild and a restarted room agree with the client: a checkpoint taken
    while the later edit waits must not leave it out.
    """
    room = Room(DOC, engine, store, Limits(checkpoint_every=2), history=store)
    try:
        gov_id, gov = client(room, engine, GOV)
        first = gov.edit([(0, 0, "a")])
        failed = gov.edit([(1, 0, "b")])
        later = gov.edit([(0, 0, "c")])  # written after "b", so it comes after it in the clock
        assert write(room, GOV, gov_id, first) == 1
        store.fail_appends = True
        assert type_of(refusal(lambda: write(room, GOV, gov_id, failed))) is StorageUnavailable
        store.fail_appends = False
        refused = refusal(lambda: write(room, GOV, gov_id, later))
        held = refused is None
        assert held or issubclass(refused[0], UpdateRejected), refused
        write(room, GOV, gov_id, failed)
        if not held:
            write(room, GOV, gov_id, later)
        text, head = text_of(room)
        assert (text, head) == ("cab", 3)
        assert room.history().result(WAIT_S).attribution.text() == "cab"
    finally:
        room.close()
    assert rebuild(engine, store, DOC, head).text() == "cab"
    reopened = Room(DOC, engine, store, Limits(checkpoint_every=2), history=store)
    try:
        assert text_of(reopened) == ("cab", 3)
    finally:
        reopened.close()


def test_rebuild_at_an_old_seq_gives_the_text_as_it_was(engine: Engine, store: MemoryStore) -> None:
    hub = Hub(engine, store, Limits(checkpoint_every=2), history=store)
    try:
        room = hub.room(DOC)
        gov_id, gov = client(room, engine, GOV)
        texts = [""]
        for ops in (
            [(0, 0, "One.")],
            [(4, 0, " Two.")],
            [(0, 4, "")],
            [(0, 0, "Zero.")],
            [(5, 0, " Three.")],
        ):
            assert write(room, GOV, gov_id, gov.edit(ops)) == len(texts)
            texts.append(gov.text())
        assert texts == ["", "One.", "One. Two.", " Two.", "Zero. Two.", "Zero. Three. Two."]
        for seq, text in enumerate(texts):
            assert hub.rebuild(DOC, seq).text() == text
        old = hub.rebuild(DOC, 2, client_id=12345)  # a form's base, writing under its own id
        assert (old.client_id, old.text()) == (12345, "One. Two.")
    finally:
        hub.close()


def test_checkpoints_bound_the_replay_needed_to_rebuild_any_seq(
    engine: Engine, store: MemoryStore
) -> None:
    every, updates, group = 50, 500, 10
    room = Room(DOC, engine, store, Limits(checkpoint_every=every), history=store)
    try:
        gov_id, gov = client(room, engine, GOV)
        rng = random.Random(5)
        texts = [""]
        for start in range(0, updates, group):
            futures = []
            for n in range(start, start + group):  # a group may share one commit, no more
                length = len(gov.text())
                if length > 40 and rng.random() < 0.4:
                    ops = [(rng.randrange(length - 5), 5, "")]
                else:
                    ops = [(rng.randint(0, length), 0, f"[{n}]")]
                futures.append(room.submit(GOV, gov_id, gov.edit(ops)))
                texts.append(gov.text())
            assert [f.result(WAIT_S) for f in futures] == list(range(start + 1, start + group + 1))
    finally:
        room.close()

    points = store.checkpoints[DOC]
    assert len(points) >= updates // (every + group)
    for seq, state in points:  # each checkpoint is the document at its seq
        doc = engine.new_doc()
        doc.apply_update(state)
        assert doc.text() == texts[seq]
    for seq in range(updates + 1):
        snapshot = store.snapshot(DOC, seq)
        assert snapshot.checkpoint_seq <= seq
        assert len(snapshot.tail) <= every + group, seq
        assert rebuild(engine, store, DOC, seq).text() == texts[seq]
    assert len(store.snapshot(DOC).tail) <= every + group

    reopened = Room(DOC, engine, store, Limits(checkpoint_every=every))
    try:
        assert text_of(reopened) == (texts[-1], updates)
    finally:
        reopened.close()
