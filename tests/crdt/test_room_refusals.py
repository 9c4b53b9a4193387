"""What a room refuses and leaves as it was: forged client ids, bad, oversized or split updates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crdt.engine import Engine
from crdt.errors import (
    ForeignClientId,
    MalformedUpdate,
    OversizedUpdate,
    SplitCharacter,
    UpdateRejected,
)
from crdt.memory import MemoryStore
from crdt.room import Room
from crdt.terms import Limits
from tests.crdt.room_helpers import (
    CSO,
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

if TYPE_CHECKING:
    from tests.crdt.conftest import YjsPeer


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
