"""The room: one owner per live document, durable before acknowledged, refusing what is unsafe.

Flask-free: the room runs on the in-process MemoryStore, on each engine in turn. Client
documents are made, used and dropped on the thread that made them (y-py requires it).
"""

from __future__ import annotations

import gc
import random
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest

from crdt.engine import Doc, Engine
from crdt.errors import (
    ForeignClientId,
    MalformedUpdate,
    OversizedUpdate,
    SplitCharacter,
    UpdateRejected,
)
from crdt.hub import Hub
from crdt.memory import MemoryStore
from crdt.room import Room, rebuild
from crdt.store import LogRecord, Sender
from crdt.terms import Limits, StorageUnavailable, Stored

if TYPE_CHECKING:
    from tests.crdt.conftest import YjsPeer

DOC = 7
WAIT_S = 30.0
GOV = Sender(person_id=1, organisation_id=10, organisation_kind="government")
CSO = Sender(person_id=2, organisation_id=20, organisation_kind="civil_society")


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def room(engine: Engine, store: MemoryStore) -> Iterator[Room]:
    room = Room(DOC, engine, store, Limits(), history=store)
    yield room
    room.close()


def log_of(store: MemoryStore) -> list[LogRecord]:
    return list(store.records(DOC, 0, 10**9))


def text_of(room: Room) -> tuple[str, int]:
    return room.text().result(WAIT_S)


def client(room: Room, engine: Engine, sender: Sender) -> tuple[int, Doc]:
    """A client id the room assigned to ``sender`` and an empty doc writing under it."""
    client_id = room.assign_client(sender.person_id).result(WAIT_S)
    return client_id, engine.new_doc(client_id)


def write(room: Room, sender: Sender, client_id: int, update: bytes) -> int | None:
    return room.submit(sender, client_id, update).result(WAIT_S)


def refusal(call: Callable[[], object]) -> tuple[type[BaseException], str] | None:
    """What ``call`` raised, as (type, message), or None if it returned.

    Only the type and message leave here: an exception kept in a test's locals would tie
    the test's frame, and the y-py docs in it, into a cycle that the garbage collector may
    break on another thread (y-py panics when a doc is dropped off its thread).
    """
    try:
        call()
    except Exception as error:
        return type(error), str(error)
    return None


def type_of(outcome: tuple[type[BaseException], str] | None) -> type[BaseException] | None:
    return None if outcome is None else outcome[0]


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


def test_update_under_another_persons_client_id_is_refused_and_changes_nothing(
    engine: Engine, store: MemoryStore, room: Room
) -> None:
    gov_id, gov = client(room, engine, GOV)
    cso_id, cso = client(room, engine, CSO)
    first = gov.edit([(0, 0, "Publish budgets.")])
    assert write(room, GOV, gov_id, first) == 1

    forger = engine.new_doc(gov_id)  # the CSO session writing as the government's client
    forger.apply_update(first)
    forged = forger.edit([(0, 16, "Hide budgets.")])
    never_assigned = engine.new_doc(cso_id + 1 if cso_id + 1 != gov_id else cso_id + 2)
    unassigned = never_assigned.edit([(0, 0, "Nobody gave me this id. ")])
    attempts = [
        (CSO, gov_id, forged, gov_id),  # claims the victim's id
        (CSO, cso_id, forged, gov_id),  # claims its own id, writes under the victim's
        (CSO, cso_id, unassigned, never_assigned.client_id),
        (GOV, gov_id, unassigned, never_assigned.client_id),
    ]
    for sender, claimed, update, writer in attempts:
        assert refusal(lambda: write(room, sender, claimed, update)) == (  # noqa: B023
            ForeignClientId,
            f"update writes under client id {writer}, which belongs to another session",
        )
    assert [record.data for record in log_of(store)] == [first]
    assert text_of(room) == ("Publish budgets.", 1)

    # The victim's own next edit, and the forger's edit under its own id, still go through.
    assert write(room, GOV, gov_id, gov.edit([(16, 0, " Monthly.")])) == 2
    cso.apply_update(room.call(lambda doc: doc.encode_state()).result(WAIT_S))
    assert write(room, CSO, cso_id, cso.edit([(0, 0, "We agree: ")])) == 3
    assert text_of(room) == ("We agree: Publish budgets. Monthly.", 3)


def test_malformed_updates_are_refused_and_change_nothing(
    engine: Engine, store: MemoryStore, room: Room
) -> None:
    gov_id, gov = client(room, engine, GOV)
    first = gov.edit([(0, 0, "Open contracting")])
    assert write(room, GOV, gov_id, first) == 1
    second = gov.edit([(4, 0, " up")])
    for bad in (
        b"",
        b"\x00",
        first[:-1],
        second[: len(second) // 2],
        b"\xff" * 12,
        first + b"\x00",
    ):
        refused = refusal(lambda: write(room, GOV, gov_id, bad))  # noqa: B023
        assert refused is not None and issubclass(refused[0], MalformedUpdate), refused
    assert log_of(store)[-1].seq == 1 and len(log_of(store)) == 1
    assert text_of(room) == ("Open contracting", 1)
    assert write(room, GOV, gov_id, second) == 2  # the room still works
    assert text_of(room) == ("Open up contracting", 2)


def test_oversized_update_is_refused_with_the_limit_and_changes_nothing(
    engine: Engine, store: MemoryStore
) -> None:
    room = Room(DOC, engine, store, Limits(max_update_bytes=64), history=store)
    try:
        gov_id, gov = client(room, engine, GOV)
        small = gov.edit([(0, 0, "Short.")])
        big = gov.edit([(6, 0, " " + "x" * 100)])
        assert len(big) > 64 >= len(small)
        assert write(room, GOV, gov_id, small) == 1
        assert refusal(lambda: write(room, GOV, gov_id, big)) == (
            OversizedUpdate,
            f"update is {len(big):,} bytes; the limit is 64 bytes",
        )
        assert [record.data for record in log_of(store)] == [small]
        assert text_of(room) == ("Short.", 1)
    finally:
        room.close()


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


def test_update_cutting_a_character_in_two_is_refused_and_changes_nothing(
    engine: Engine, store: MemoryStore, yjs: YjsPeer
) -> None:
    # Yjs counts UTF-16 units, so its edits can name the inside of an emoji; no editor does.
    room = Room(DOC, engine, store, Limits(), history=store)
    try:
        gov_id = room.assign_client(GOV.person_id).result(WAIT_S)
        yjs.reset(gov_id)
        first = yjs.edit([(0, 0, "a😀b")])  # the emoji is units 1 and 2
        assert write(room, GOV, gov_id, first) == 1
        for ops in ([(2, 1, "")], [(1, 1, "")], [(2, 0, "x")]):
            editor_id = room.assign_client(GOV.person_id).result(WAIT_S)
            yjs.reset(editor_id)  # a fresh session of the same person, synced
            yjs.apply(first)
            refused = refusal(lambda: write(room, GOV, editor_id, yjs.edit(ops)))  # noqa: B023
            assert type_of(refused) is SplitCharacter, (ops, refused)
            assert text_of(room) == ("a😀b", 1)
        assert [record.data for record in log_of(store)] == [first]
        editor_id = room.assign_client(GOV.person_id).result(WAIT_S)
        yjs.reset(editor_id)
        yjs.apply(first)
        assert write(room, GOV, editor_id, yjs.edit([(3, 0, "!"), (1, 2, "")])) == 2
        assert text_of(room) == ("a!b", 2)
    finally:
        room.close()


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


def test_text_hung_on_a_struct_the_room_lacks_is_not_credited_to_that_structs_author(
    engine: Engine, store: MemoryStore, room: Room
) -> None:
    """A client may not get its text credited to someone else by anchoring it to their future.

    The CSO session makes up a struct under the government client's next clock, types
    "EVIL" after it, and sends only its own struct. When the government editor's real next
    edit fills that clock, the room must not credit "EVIL" to the government editor: it
    either refuses the dangling update or credits it to the CSO person who sent it.
    """
    gov_id, gov = client(room, engine, GOV)
    cso_id, cso = client(room, engine, CSO)
    first = gov.edit([(0, 0, "Gov ")])
    assert write(room, GOV, gov_id, first) == 1

    cso.apply_update(first)
    imagined = engine.new_doc(gov_id)  # made up locally, never sent
    imagined.apply_update(first)
    cso.apply_update(imagined.edit([(4, 0, "text")]))
    dangling = cso.edit([(8, 0, "EVIL")])
    outcome = refusal(lambda: write(room, CSO, cso_id, dangling))
    refused = outcome is not None
    assert not refused or issubclass(outcome[0], UpdateRejected), outcome
    assert write(room, GOV, gov_id, gov.edit([(4, 0, "text")])) is not None

    history = room.history().result(WAIT_S)
    assert history.text == ("Gov text" if refused else "Gov textEVIL")
    owner = {
        "G": GOV.person_id,
        "o": GOV.person_id,
        "v": GOV.person_id,
        " ": GOV.person_id,
        "t": GOV.person_id,
        "e": GOV.person_id,
        "x": GOV.person_id,
        "E": CSO.person_id,
        "V": CSO.person_id,
        "I": CSO.person_id,
        "L": CSO.person_id,
    }
    assert credited(store, history.attribution) == [(ch, owner[ch]) for ch in history.text]


def credited(store: MemoryStore, attribution: Any) -> list[tuple[str, int | None]]:
    """Each visible character with the person of the revision that inserted it."""
    runs = [run for run in attribution.runs() if run.visible]
    rows = {row.number: row for row in store.revision_rows(DOC, {r.ins_rev for r in runs})}
    return [(ch, rows[run.ins_rev].person_id) for run in runs for ch in run.text]


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
