"""What a room refuses to keep: holes in a client's clock, and text past the size limit.

The room's live text, its encoded state, its state vector and its log must always describe
one and the same document, and an update the room refuses must leave all of them as they
were. Updates are made by hand (as an attacker would) with the helpers of test_updates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crdt.engine import Doc, Engine
from crdt.errors import ClockGap, ClockOverlap, DocumentTooLarge, UpdateRejected
from crdt.memory import MemoryStore
from crdt.room import Room, rebuild
from crdt.store import Sender
from crdt.terms import Limits, MissingDependency
from crdt.updates import encode_state_vector, parse_state_vector, parse_update
from tests.crdt.update_helpers import GC, SKIP, STRING, item, text, uints, update

DOC = 9
WAIT_S = 30.0
FRACTION = 1 << 16
GOV = Sender(person_id=1, organisation_id=10, organisation_kind="government")
CSO = Sender(person_id=2, organisation_id=20, organisation_kind="civil_society")
STRANGER = 4242  # a client id nobody was given
HAS_ORIGIN = 0x80
PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Seen:
    """What a room shows: its text, its state vector and the seq of its newest update."""

    text: str
    vector: dict[int, int]
    head: int


def on_doc(room: Room, fn: Callable[[Doc], bytes]) -> bytes:
    return room.call(fn).result(WAIT_S)


def coherent(engine: Engine, store: MemoryStore, room: Room) -> Seen:
    """Check that the room's text, state, vector and log agree; what the room shows."""
    text, head = room.text().result(WAIT_S)
    state = on_doc(room, lambda doc: doc.encode_state())
    vector = parse_state_vector(on_doc(room, lambda doc: doc.state_vector()))
    info = parse_update(state)
    assert info.skips == {}
    assert info.structs == {client: [(0, clock)] for client, clock in vector.items()}
    fresh = engine.new_doc()
    fresh.apply_update(state)
    replayed = rebuild(engine, store, DOC, head)
    assert fresh.text() == replayed.text() == text
    assert parse_state_vector(replayed.state_vector()) == vector
    for client, clock in vector.items():  # sync step 1 may point anywhere in a client's clock
        for known in {0, clock // 2, clock - 1, clock}:
            sv = encode_state_vector({client: known})
            on_doc(room, lambda doc, sv=sv: doc.encode_diff(sv))
    return Seen(text, vector, head)


def outcome(room: Room, sender: Sender, client_id: int, data: bytes) -> type[Exception] | None:
    """Submit; None if the room took it (stored or nothing new), else the refusal's type."""
    try:
        room.submit(sender, client_id, data).result(WAIT_S)
    except UpdateRejected as refusal:
        return type(refusal)
    return None


# --- holes in a client's clock


@dataclass(frozen=True)
class Part:
    """One hand-made struct: text (after a character, or at the start), a GC or a Skip."""

    kind: str
    length: int
    after: int | None  # which known character the text follows, as a fraction; None: start


@dataclass(frozen=True)
class Forgery:
    """An update under the sender's own client id, beside a section under another id."""

    start: int  # clock of the first struct, relative to the room's clock for the id
    parts: tuple[Part, ...]
    neighbour: str  # "none", "known" (skip and GC over another's known clocks), "stranger"
    neighbour_first: bool
    typed_at: int  # where the other editor types afterwards, as a fraction


PARTS = st.builds(
    Part,
    kind=st.sampled_from(["text", "text", "text", "skip", "skip", "gc"]),
    length=st.integers(1, 3),
    after=st.none() | st.integers(0, FRACTION - 1),
)
FORGERIES = st.builds(
    Forgery,
    start=st.integers(-3, 2),
    parts=st.lists(PARTS, min_size=1, max_size=5).map(tuple),
    neighbour=st.sampled_from(["none", "known", "stranger"]),
    neighbour_first=st.booleans(),
    typed_at=st.integers(0, FRACTION - 1),
)


@dataclass
class Forged:
    data: bytes
    contiguous: bool  # every new struct follows on from the clocks the room has
    straddles: bool  # a struct holds both clocks the room has and new ones
    skips: bool
    new_chars: list[tuple[int, int]]  # ids of the characters it would add


def forge(plan: Forgery, client: int, known: int, chars: list[tuple[int, int]]) -> Forged:
    """Build ``plan`` under ``client`` for a room that has its clocks up to ``known``.

    Text follows only characters that exist (``chars``, or the update's own new ones), so
    the only thing that may be missing is a client's own clocks.
    """
    clock = start = max(0, known + plan.start)
    structs: list[bytes] = []
    reached, contiguous, straddles, new = known, True, False, list[tuple[int, int]]()
    for n, part in enumerate(plan.parts):
        if part.kind == "skip":
            structs.append(bytes([SKIP]) + uints(part.length))
            clock += part.length
            continue
        contiguous = contiguous and clock <= reached
        straddles = straddles or clock < known < clock + part.length
        reached = max(reached, clock + part.length)
        if part.kind == "gc":
            structs.append(bytes([GC]) + uints(part.length))
        elif part.after is None:
            structs.append(item(STRING, text("pqrst"[n] * part.length)))
        else:
            pool = chars + new
            origin = pool[part.after * len(pool) // FRACTION] if pool else None
            body = text("PQRST"[n] * part.length)
            structs.append(
                item(STRING, body)
                if origin is None
                else bytes([HAS_ORIGIN | STRING]) + uints(*origin) + body
            )
        if part.kind == "text":
            new += [(client, k) for k in range(max(clock, known), clock + part.length)]
        clock += part.length
    sections = [(client, start, structs)]
    skips = any(p.kind == "skip" for p in plan.parts)
    return Forged(update(sections), contiguous, straddles, skips, new)


def neighbour(plan: Forgery, seen: Seen, other: int) -> list[tuple[int, int, list[bytes]]]:
    """A section under someone else's id that adds nothing: only Skips and known clocks."""
    if plan.neighbour == "stranger":
        return [(STRANGER, 0, [bytes([SKIP]) + uints(3)])]
    clock = seen.vector.get(other, 0)
    if plan.neighbour == "known" and clock > 1:
        return [(other, 0, [bytes([SKIP]) + uints(1), bytes([GC]) + uints(clock - 1)])]
    return []


def with_neighbour(
    forged: Forged, sections: list[tuple[int, int, list[bytes]]], first: bool
) -> bytes:
    """The forged update with the neighbour's sections spliced in before or after its own."""
    own = forged.data[1:-1]  # one section, then the empty delete set
    others = update(sections)[1:-1]
    body = others + own if first else own + others
    return uints(1 + len(sections)) + body + b"\x00"


@PROPERTY
@given(plans=st.lists(FORGERIES, min_size=1, max_size=8))
def test_room_refuses_structs_cut_off_from_their_clock_and_stays_coherent(
    engine: Engine, plans: list[Forgery]
) -> None:
    """Hand-made updates with Skips, GCs and sections in any order, then a real editor types.

    The room takes an update exactly when every new struct follows on from the clocks it
    has; one that straddles them is a ClockOverlap, one a Skip cuts off is a ClockGap, one
    that starts past them waits for what comes before (MissingDependency). The other
    editor's text lands where its editor shows it.
    """
    store = MemoryStore()
    room = Room(DOC, engine, store, Limits(), history=store)
    try:
        gov_id = room.assign_client(GOV.person_id).result(WAIT_S)
        cso_id = room.assign_client(CSO.person_id).result(WAIT_S)
        editor = engine.new_doc(cso_id)
        chars: list[tuple[int, int]] = []
        seen = coherent(engine, store, room)
        for plan in plans:
            forged = forge(plan, gov_id, seen.vector.get(gov_id, 0), chars)
            data = with_neighbour(forged, neighbour(plan, seen, cso_id), plan.neighbour_first)
            refused = outcome(room, GOV, gov_id, data)
            expected = (
                ClockOverlap
                if forged.straddles
                else None
                if forged.contiguous
                else ClockGap
                if forged.skips
                else MissingDependency
            )
            assert refused is expected, parse_update(data)
            before, seen = seen, coherent(engine, store, room)
            if refused is not None:
                assert seen == before
            elif seen.head > before.head:
                chars += forged.new_chars

            editor.apply_update(on_doc(room, lambda doc: doc.encode_state()))
            at = plan.typed_at * (len(editor.text()) + 1) // FRACTION
            typed = editor.edit([(at, 0, "Z")])
            assert outcome(room, CSO, cso_id, typed) is None
            for start, length in parse_update(typed).structs[cso_id]:
                chars += [(cso_id, clock) for clock in range(start, start + length)]
            seen = coherent(engine, store, room)
            assert seen.text == editor.text()
    finally:
        room.close()


# --- the size limit


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def limited(engine: Engine, store: MemoryStore, limit: int) -> Room:
    return Room(DOC, engine, store, Limits(max_document_chars=limit), history=store)


@pytest.fixture
def room(engine: Engine, store: MemoryStore) -> Iterator[Room]:
    room = limited(engine, store, 20)
    yield room
    room.close()


def synced(room: Room, engine: Engine, sender: Sender) -> tuple[int, Doc]:
    """A new client id for ``sender`` and a doc holding the room's document under it."""
    client_id = room.assign_client(sender.person_id).result(WAIT_S)
    doc = engine.new_doc(client_id)
    doc.apply_update(on_doc(room, lambda live: live.encode_state()))
    return client_id, doc


def refusal(
    room: Room, sender: Sender, client_id: int, data: bytes
) -> tuple[type[Exception], str] | None:
    try:
        room.submit(sender, client_id, data).result(WAIT_S)
    except UpdateRejected as error:
        return type(error), str(error)
    return None


def test_live_edits_past_the_character_limit_are_refused_and_change_nothing(
    engine: Engine, store: MemoryStore, room: Room
) -> None:
    gov_id, gov = synced(room, engine, GOV)
    assert refusal(room, GOV, gov_id, gov.edit([(0, 0, "a" * 12)])) is None
    assert refusal(room, GOV, gov_id, gov.edit([(12, 0, "b" * 8)])) is None  # at the limit
    before = coherent(engine, store, room)
    assert refusal(room, GOV, gov_id, gov.edit([(0, 0, "c")])) == (
        DocumentTooLarge,
        "the text would be 21 characters long; the limit is 20",
    )
    assert coherent(engine, store, room) == before
    assert before.text == "a" * 12 + "b" * 8

    cso_id, cso = synced(room, engine, CSO)  # that editor's copy holds the refused "c"
    assert refusal(room, CSO, cso_id, cso.edit([(0, 5, "")])) is None  # deleting always passes
    assert refusal(room, CSO, cso_id, cso.edit([(0, 10, "d" * 10)])) is None  # 15 in, 15 out
    assert refusal(room, CSO, cso_id, cso.edit([(15, 0, "🎉" * 5)])) is None  # code points
    assert room.text().result(WAIT_S)[0] == "d" * 10 + "b" * 5 + "🎉" * 5
    assert refusal(room, CSO, cso_id, cso.edit([(0, 0, "e")])) == (
        DocumentTooLarge,
        "the text would be 21 characters long; the limit is 20",
    )
    assert coherent(engine, store, room).text == "d" * 10 + "b" * 5 + "🎉" * 5


def test_replacing_most_of_a_text_near_the_limit_is_not_refused(
    engine: Engine, store: MemoryStore, room: Room
) -> None:
    gov_id, gov = synced(room, engine, GOV)
    assert refusal(room, GOV, gov_id, gov.edit([(0, 0, "x" * 19)])) is None
    # Inserts 18 into a text of 19: only applying it tells that 18 are deleted as well.
    assert refusal(room, GOV, gov_id, gov.edit([(0, 18, "y" * 18)])) is None
    assert refusal(room, GOV, gov_id, gov.edit([(0, 19, "z" * 20)])) is None
    assert coherent(engine, store, room).text == "z" * 20


def test_form_edit_merged_with_live_edits_past_the_limit_is_refused(
    engine: Engine, store: MemoryStore, room: Room
) -> None:
    gov_id, gov = synced(room, engine, GOV)
    assert refusal(room, GOV, gov_id, gov.edit([(0, 0, "Live text.")])) is None
    assert refusal(room, GOV, gov_id, gov.edit([(10, 0, " More.")])) is None  # 16 characters
    form_id, form = room.form_update(CSO.person_id, 1, "Live text. Form text.").result(WAIT_S)
    assert refusal(room, CSO, form_id, form) == (
        DocumentTooLarge,
        "the text would be 27 characters long; the limit is 20",
    )
    assert coherent(engine, store, room).text == "Live text. More."


def test_text_already_past_a_lowered_limit_may_shrink_but_not_grow(
    engine: Engine, store: MemoryStore
) -> None:
    roomy = limited(engine, store, 100)
    try:
        gov_id, gov = synced(roomy, engine, GOV)
        assert refusal(roomy, GOV, gov_id, gov.edit([(0, 0, "w" * 30)])) is None
    finally:
        roomy.close()
    room = limited(engine, store, 20)
    try:
        cso_id, cso = synced(room, engine, CSO)
        assert refusal(room, CSO, cso_id, cso.edit([(0, 3, "abc")])) is None  # same length
        assert refusal(room, CSO, cso_id, cso.edit([(0, 5, "xy")])) is None  # shorter
        assert refusal(room, CSO, cso_id, cso.edit([(0, 1, "")])) is None
        before = coherent(engine, store, room)
        assert len(before.text) == 26
        assert refusal(room, CSO, cso_id, cso.edit([(0, 1, "12")])) == (
            DocumentTooLarge,
            "the text would be 27 characters long; the limit is 20",
        )
        assert coherent(engine, store, room) == before
    finally:
        room.close()


EDITS = st.lists(
    st.tuples(
        st.integers(0, FRACTION - 1),
        st.integers(0, 12),
        st.text(alphabet="ab🎉ü", max_size=12),
    ),
    min_size=1,
    max_size=12,
)


@PROPERTY
@given(limit=st.integers(0, 30), edits=EDITS)
def test_room_takes_an_edit_exactly_when_it_leaves_the_text_within_the_limit(
    engine: Engine, limit: int, edits: list[tuple[int, int, str]]
) -> None:
    store = MemoryStore()
    room = limited(engine, store, limit)
    try:
        client_id, doc = synced(room, engine, GOV)
        for where, count, insert in edits:
            before = room.text().result(WAIT_S)[0]
            at = where * (len(before) + 1) // FRACTION
            data = doc.edit([(at, min(count, len(before) - at), insert)])
            wanted = doc.text()
            refused = refusal(room, GOV, client_id, data)
            if len(wanted) <= max(limit, len(before)):
                assert refused is None
                assert room.text().result(WAIT_S)[0] == wanted
            else:
                assert refused is not None and refused[0] is DocumentTooLarge
                assert room.text().result(WAIT_S)[0] == before
                client_id, doc = synced(room, engine, GOV)  # that copy can no longer be sent
        assert len(coherent(engine, store, room).text) <= limit
    finally:
        room.close()
