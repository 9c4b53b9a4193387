"""The pure-Python reader of Yjs updates: exact on real updates, strict and safe on bad ones."""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt.engine import Doc, Engine
from crdt.errors import (
    BrokenDocument,
    ClockGap,
    ClockOverlap,
    EngineFailure,
    ForeignClientId,
    MalformedUpdate,
    OversizedUpdate,
    UnsupportedContent,
)
from crdt.fastreader import _FastReader, _NotFast
from crdt.fullreader import _UpdateReader
from crdt.protocol import write_buf, write_uint
from crdt.updates import (
    check_update,
    encode_state_vector,
    parse_state_vector,
    parse_update,
)

if TYPE_CHECKING:
    from tests.crdt.conftest import YjsPeer

STRING, JSON, ANY, GC, SKIP = 4, 2, 8, 0, 10


def uints(*values: int) -> bytes:
    out = bytearray()
    for value in values:
        write_uint(out, value)
    return bytes(out)


def unchecked_uint(value: int) -> bytes:
    """A lib0 varuint even past 2**53, which write_uint refuses to produce."""
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes([*out, value])


def text(value: str | bytes) -> bytes:
    out = bytearray()
    write_buf(out, value.encode() if isinstance(value, str) else value)
    return bytes(out)


def item(ref: int, content: bytes, root: str = "markdown") -> bytes:
    """A parentless item at the root ``root``: info, parent marker 1, root name, content."""
    return bytes([ref]) + uints(1) + text(root) + content


def update(sections: list[tuple[int, int, list[bytes]]], deletes: bytes = b"\x00") -> bytes:
    """An update v1 from (client, first clock, structs) sections and a raw delete set."""
    out = uints(len(sections))
    for client, clock, structs in sections:
        out += uints(len(structs), client, clock) + b"".join(structs)
    return out + deletes


def test_parse_reads_engine_updates_exactly(engine: Engine) -> None:
    doc, other = engine.new_doc(7), engine.new_doc(8)
    first = parse_update(doc.edit([(0, 0, "hello")]))
    assert (first.structs, first.deletes, first.skips) == ({7: [(0, 5)]}, {}, {})
    assert first.roots == {"markdown"} and first.kinds == {"string"} and not first.nested
    assert first.writers == {7}
    second = parse_update(doc.edit([(1, 3, "EY😀")]))  # the emoji is 2 clock units, as in Yjs
    assert (second.structs, second.deletes) == ({7: [(5, 4)]}, {7: [(1, 3)]})
    assert not second.roots  # it has neighbours to take its parent from
    other.apply_update(doc.encode_state())
    deletion = parse_update(other.edit([(0, 1, ""), (1, 1, "")]))
    assert deletion.deletes == {7: [(0, 1), (6, 1)]}
    assert not deletion.structs and not deletion.writers
    other.edit([(0, 0, ">")])
    state = parse_update(other.encode_state())
    assert state.structs == {7: [(0, 9)], 8: [(0, 1)]}
    assert state.deletes == {7: [(0, 4), (6, 1)]}
    assert state.kinds <= {"string", "deleted"}


def test_parse_reads_yjs_updates_exactly(peer: YjsPeer) -> None:
    first = parse_update(peer.edit([(0, 0, "a😀b")]))
    assert (first.structs, first.deletes) == ({1000: [(0, 4)]}, {})
    assert first.writers == {1000}
    second = parse_update(peer.edit([(1, 2, ""), (2, 0, "cd")]))
    assert (second.structs, second.deletes) == ({1000: [(4, 2)]}, {1000: [(1, 2)]})
    state, vector = peer.state()
    assert parse_update(state).structs == {1000: [(0, 6)]}
    assert parse_state_vector(vector) == {1000: 6}
    assert encode_state_vector({1000: 6}) == vector


def test_parse_keeps_skip_structs_apart_from_the_structs_they_skip(peer: YjsPeer) -> None:
    parts = [peer.edit([(0, 0, "abc")]), peer.edit([(3, 0, "de")]), peer.edit([(5, 0, "f")])]
    info = parse_update(peer.merge([parts[0], parts[2]]))  # the middle update is missing
    assert info.structs == {1000: [(0, 3), (5, 1)]}
    assert info.skips == {1000: [(3, 2)]}
    assert info.writers == {1000}
    assert info.needs == {1000: 5}  # "f" follows the skipped "de"


def test_parse_says_what_state_an_update_needs_first(engine: Engine) -> None:
    doc, other = engine.new_doc(7), engine.new_doc(8)
    assert parse_update(doc.edit([(0, 0, "hello")])).needs == {}
    assert parse_update(doc.edit([(5, 0, "!"), (0, 1, "")])).needs == {7: 5}
    other.apply_update(doc.encode_state())
    assert parse_update(other.edit([(2, 0, "x")])).needs == {7: 4}  # between clocks 2 and 3
    assert parse_update(other.encode_state()).needs == {}


def test_parse_walks_every_content_type_yjs_writes(peer: YjsPeer) -> None:
    everything = ["string", "format", "embed", "any", "any_rare", "binary", "type", "xml"]
    info = parse_update(peer.contents([*everything, "hook", "doc", "deleted"]))
    assert info.kinds == {"string", "format", "embed", "any", "binary", "type", "doc", "deleted"}
    assert info.roots == {"markdown", "map", "array"}
    assert info.nested  # map entries sit under keys


def test_parse_walks_legacy_json_gc_and_nested_parents() -> None:
    json_item = item(JSON, uints(3) + text('{"a": [1, 2]}') + text("undefined") + text("null"))
    gc = bytes([GC]) + uints(4)
    nested = bytes([STRING]) + uints(0, 9, 0) + text("in a type")  # parent is item (9, 0)
    keyed = bytes([STRING | 0x20]) + uints(1) + text("map") + text("key") + text("v")
    info = parse_update(update([(5, 0, [json_item, gc, nested, keyed])], uints(1, 9, 1, 0, 2)))
    assert info.structs == {5: [(0, 3 + 4 + 9 + 1)]}
    assert info.deletes == {9: [(0, 2)]}
    assert info.kinds == {"json", "string"} and info.roots == {"markdown", "map"} and info.nested


VALID = update([(1, 0, [item(STRING, text("hi"))])])
BAD_UPDATES = [
    ("truncated", VALID[:-1], rf"unexpected end of data at byte {len(VALID) - 1}$"),
    ("trailing", VALID + b"\x00", rf"1 trailing byte\(s\) after the end at byte {len(VALID)}$"),
    ("empty", b"", "unexpected end of data at byte 0"),
    (
        "count past the end",
        uints(5, 1),
        "5 client sections cannot fit in the 1 bytes left at byte 1",
    ),
    (
        "string past the end",
        update([(1, 0, [item(STRING, uints(99) + b"hi")])]),
        "99 bytes announced but 3 left",
    ),
    ("unknown struct", update([(1, 0, [item(11, b"")])]), "unknown struct type 11"),
    ("zero length", update([(1, 0, [bytes([GC, 0])])]), "struct of length 0"),
    (
        "clock overflow",
        update([(1, 2**32 - 1, [bytes([GC, 2])])]),
        "clock 4,294,967,297 is past 2\\*\\*32",
    ),
    (
        "client twice",
        update([(1, 0, [bytes([GC, 1])]), (1, 1, [bytes([GC, 1])])]),
        "client 1 has two struct sections",
    ),
    ("flags on GC", update([(1, 0, [bytes([GC | 0x80, 1])])]), "flags 0x80 on a GC or Skip struct"),
    (
        "bad parent",
        update([(1, 0, [bytes([STRING]) + uints(2) + text("x")])]),
        "parent marker 2 is neither 0 nor 1",
    ),
    ("not UTF-8", update([(1, 0, [item(STRING, text(b"\xff\xfe"))])]), "string is not valid UTF-8"),
    (
        "not JSON",
        update([(1, 0, [item(JSON, uints(1) + text("{nope"))])]),
        "content is not valid JSON",
    ),
    ("NaN JSON", update([(1, 0, [item(5, text("NaN"))])]), "content is not valid JSON"),
    (
        "deep any",
        update([(1, 0, [item(ANY, uints(1) + bytes([117, 1]) * 70 + bytes([126]))])]),
        "nested deeper than 64",
    ),
    (
        "unknown any",
        update([(1, 0, [item(ANY, uints(1) + bytes([100]))])]),
        "unknown value type 100",
    ),
    (
        "huge integer",
        b"\x00" + uints(1) + unchecked_uint(2**53) + uints(0),
        "integer larger than 2\\*\\*53 - 1",
    ),
    ("long integer", b"\x00\x01" + b"\x80" * 8 + b"\x00", "integer longer than 8 bytes"),
    (
        "delete overflow",
        b"\x00" + uints(1, 3, 1, 2**32, 1),
        "deleted clock 4,294,967,297 is past 2\\*\\*32",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), [c[1:] for c in BAD_UPDATES], ids=[c[0] for c in BAD_UPDATES]
)
def test_parse_refuses_malformed_updates_saying_where(data: bytes, message: str) -> None:
    with pytest.raises(MalformedUpdate, match=r"^update is malformed: ") as caught:
        parse_update(data)
    assert caught.match(message)


def test_state_vectors_round_trip_in_yjs_order() -> None:
    vector = {1: 5, 2**32 + 7: 1, 300: 2**40}
    encoded = encode_state_vector(vector)
    assert parse_state_vector(encoded) == vector
    assert encoded.startswith(uints(3, 2**32 + 7, 1, 300))  # descending client ids, as Yjs
    for bad, message in [
        (b"\x01\x05\x80", "end of data"),
        (b"\x00\x00", "trailing"),
        (uints(2, 1, 1, 1, 2), "client 1 appears twice"),
    ]:
        with pytest.raises(MalformedUpdate, match=f"state vector is malformed: .*{message}"):
            parse_state_vector(bad)


def served(engine: Engine) -> tuple[Doc, Doc, dict[int, int]]:
    """A server doc with text by client 1, a client doc (id 2) in sync, and the server vector."""
    server, client = engine.new_doc(1), engine.new_doc(2)
    client.apply_update(server.edit([(0, 0, "server text")]))
    return server, client, parse_state_vector(server.state_vector())


def test_check_update_accepts_own_writes_and_deletes_of_others_text(engine: Engine) -> None:
    _, client, known = served(engine)
    info = check_update(
        client.edit([(0, 6, "my")]), max_bytes=1000, allowed_writers={2}, known=known
    )
    assert info.writers == {2} and info.deletes == {1: [(0, 6)]}


def test_check_update_accepts_known_text_echoed_back(engine: Engine) -> None:
    _, client, known = served(engine)
    client.edit([(0, 0, "> ")])
    check_update(client.encode_state(), max_bytes=1000, allowed_writers={2}, known=known)


def test_check_update_refuses_new_structs_under_another_client_id(engine: Engine) -> None:
    server, _, known = served(engine)
    impostor = engine.new_doc(1)  # writes under the server's client id
    impostor.apply_update(server.encode_state())
    forged = impostor.edit([(0, 0, "forged ")])
    with pytest.raises(
        ForeignClientId,
        match=r"^update writes under client id 1, which belongs to another session$",
    ):
        check_update(forged, max_bytes=1000, allowed_writers={2}, known=known)
    with pytest.raises(ForeignClientId, match="client id 1,"):  # new text riding on known text
        check_update(impostor.encode_state(), max_bytes=1000, allowed_writers={2}, known=known)


def test_check_update_refuses_oversized_updates_before_reading_them() -> None:
    with pytest.raises(
        OversizedUpdate, match=r"^update is 2,000,000 bytes; the limit is 1,048,576 bytes$"
    ):
        check_update(b"\xff" * 2_000_000, max_bytes=1_048_576, allowed_writers=set(), known={})


def test_check_update_refuses_content_outside_the_text(peer: YjsPeer) -> None:
    for parts, message in [
        (["embed"], "inserts embed content"),
        (["any"], "writes to 'array'"),
        (["type"], "writes to 'map'"),
    ]:
        peer.reset(1000)
        data = peer.contents(parts)
        with pytest.raises(UnsupportedContent, match=message):
            check_update(data, max_bytes=10_000, allowed_writers={1000}, known={})
        check_update(data, max_bytes=10_000, allowed_writers={1000}, known={}, text_name=None)


def test_check_update_refuses_malformed_updates() -> None:
    with pytest.raises(MalformedUpdate):
        check_update(VALID[:-1], max_bytes=1000, allowed_writers={1}, known={})


def test_check_update_refuses_a_yjs_merge_that_skips_own_edits_the_server_lacks(
    peer: YjsPeer,
) -> None:
    # A browser's outbox merges its queued updates; around one the server refused, this is it.
    first, _refused, last = (
        peer.edit(ops) for ops in ([(0, 0, "abc")], [(3, 0, "de")], [(0, 0, "f")])
    )
    merged = peer.merge([first, last])
    assert parse_update(merged).skips == {1000: [(3, 2)]}
    for known, jump in (({}, "3 to 5"), ({1000: 3}, "3 to 5"), ({1000: 4}, "4 to 5")):
        with pytest.raises(
            ClockGap,
            match=rf"^update skips edits of client id 1000 that the server does not have: it "
            rf"jumps from clock {jump}; reload the document to keep editing$",
        ):
            check_update(merged, max_bytes=1000, allowed_writers={1000}, known=known)
    for known in ({1000: 5}, {1000: 6}):  # Yjs passes over skipped clocks the server has
        check_update(merged, max_bytes=1000, allowed_writers={1000}, known=known)


def gc(length: int) -> bytes:
    return bytes([GC]) + uints(length)


def skip(length: int) -> bytes:
    return bytes([SKIP]) + uints(length)


OWN, OTHER = 7, 8
ABC = item(STRING, text("abc"))
SKIPS = [
    # (name, sections, the server's vector, refused as a gap)
    ("leading skip over clocks nobody sent", [(OWN, 0, [skip(2), ABC])], {}, True),
    ("leading skip over clocks the server has", [(OWN, 0, [skip(2), ABC])], {OWN: 2}, False),
    ("skip after the last struct", [(OWN, 3, [ABC, skip(2)])], {OWN: 3}, False),
    ("skip after a GC the server lacks", [(OWN, 3, [gc(2), skip(1), ABC])], {OWN: 3}, True),
    ("skip after a GC the server has", [(OWN, 3, [gc(2), skip(1), ABC])], {OWN: 6}, False),
    ("skip within a known run", [(OWN, 0, [ABC, skip(2), ABC])], {OWN: 8}, False),
    ("skip past the known end", [(OWN, 0, [ABC, skip(2), ABC])], {OWN: 4}, True),
    ("skip alone under another client", [(OTHER, 0, [skip(5)]), (OWN, 0, [ABC])], {}, False),
    (
        "known structs of another client, sections out of order",
        [(OWN, 0, [ABC]), (OTHER, 0, [skip(2), gc(3)])],
        {OTHER: 5},
        False,
    ),
    (
        "start past the known clock, no skip: it waits for the edits before it",
        [(OWN, 3, [ABC])],
        {},
        False,
    ),
    ("start exactly at the known clock", [(OWN, 3, [ABC, ABC])], {OWN: 3}, False),
]


def test_check_update_refuses_structs_that_a_skip_cuts_off_from_the_known_clocks() -> None:
    for name, sections, known, gap in SKIPS:
        data = update(sections)
        assert _FastReader(data).read() == _UpdateReader(data).read(), name
        try:
            check_update(data, max_bytes=1000, allowed_writers={OWN}, known=known)
        except ClockGap as refusal:
            assert gap, f"{name}: {refusal}"
            assert f"client id {OWN} that the server does not have" in str(refusal)
        else:
            assert not gap, f"{name}: accepted"


def test_check_update_refuses_a_struct_half_known_to_the_server() -> None:
    ab, cd = item(STRING, text("ab")), item(STRING, text("cd"))
    for known, refused in (
        ({OWN: 1}, True),
        ({OWN: 3}, True),
        ({OWN: 2}, False),
        ({OWN: 4}, False),
        ({}, False),
    ):
        data = update([(OWN, 0, [ab, cd])])  # two structs: clocks 0-1 and 2-3
        try:
            check_update(data, max_bytes=1000, allowed_writers={OWN}, known=known)
        except ClockOverlap as refusal:
            assert refused, f"{known}: {refusal}"
            assert f"of client id {OWN}, which the server already has" in str(refusal)
        else:
            assert not refused, f"{known}: accepted"
    # Another client's structs must be known whole anyway; only the sender's own are cut.
    check_update(
        update([(OTHER, 0, [ab])]), max_bytes=1000, allowed_writers={OWN}, known={OTHER: 2}
    )


def test_parse_counts_the_code_points_an_update_inserts(engine: Engine, peer: YjsPeer) -> None:
    assert parse_update(peer.edit([(0, 0, "a😀b")])).chars == 3  # 4 UTF-16 units, 3 code points
    assert parse_update(peer.edit([(1, 2, "")])).chars == 0
    doc = engine.new_doc(5)
    assert parse_update(doc.edit([(0, 0, "héllo 🎉")])).chars == 7
    assert parse_update(doc.edit([(0, 2, "ü"), (3, 0, "xy")])).chars == 3
    state = parse_update(doc.encode_state())  # deleted text is kept as a length only
    assert state.chars == len(doc.text()) == 8


# --- fuzzing: corrupted real updates must be refused cleanly, never crash the reader or a doc.


def corpus(engines: list[Engine], yjs: YjsPeer) -> tuple[list[bytes], list[bytes]]:
    """Real updates to corrupt, and the base state the corrupted ones are applied onto."""
    yjs.reset(2000)
    start = yjs.edit([(0, 0, "Base text 😀 shared\n")])
    updates = [start]
    for number, engine in enumerate(engines):
        doc = engine.new_doc(3000 + number)
        doc.apply_update(start)
        updates.append(doc.edit([(5, 4, "words"), (0, 0, "# ")]))
        updates.append(doc.edit([(3, 1, ""), (len(doc.text()) - 1, 0, "🎉 ü")]))
        updates.append(doc.encode_state())
        updates.append(doc.encode_diff(encode_state_vector({2000: 3})))
        yjs.apply(doc.encode_state())
        updates.append(yjs.edit([(2, 3, "X")]))
    updates.append(yjs.merge([start, updates[-1]]))
    return updates, [yjs.state()[0]]  # everything, so most corrupted updates can apply


def corrupt(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    kind = rng.randrange(5)
    at = rng.randrange(len(out) + 1)
    if kind == 0 and out:
        out[min(at, len(out) - 1)] ^= 1 << rng.randrange(8)
    elif kind == 1:
        del out[at:]
    elif kind == 2:
        out[at:at] = rng.randbytes(rng.randint(1, 4))
    elif kind == 3:
        del out[at : at + rng.randint(1, 6)]
    else:
        out[at:at] = (
            rng.randbytes(rng.randint(1, 3)) if rng.random() < 0.5 else data[: rng.randint(1, 8)]
        )
    return bytes(out)


def applies_cleanly(engine: Engine, base: list[bytes], data: bytes, outcomes: Counter[str]) -> None:
    """Apply on a doc with some text: success, or MalformedUpdate leaving the text as it was."""
    doc = engine.new_doc(99)
    for part in base:
        doc.apply_update(part)
    before = doc.text()
    try:
        doc.apply_update_delta(data)
    except EngineFailure:
        outcomes[f"{engine.name} failed"] += 1
        with pytest.raises(BrokenDocument):
            doc.text()
    except MalformedUpdate:
        outcomes[f"{engine.name} refused"] += 1
        assert doc.text() == before
    else:
        outcomes[f"{engine.name} applied"] += 1


def test_fuzzed_updates_are_refused_cleanly_by_reader_and_engines(
    engines: list[Engine], yjs: YjsPeer
) -> None:
    updates, base = corpus(engines, yjs)
    rng = random.Random(20240611)
    outcomes: Counter[str] = Counter()
    for _ in range(20_000):
        data = corrupt(rng, rng.choice(updates))
        try:
            parse_update(data)
        except MalformedUpdate:
            outcomes["refused by the reader"] += 1
            continue
        for engine in engines:
            applies_cleanly(engine, base, data, outcomes)
    assert outcomes["refused by the reader"] > 10_000
    assert all(outcomes[f"{e.name} applied"] > 1_000 for e in engines), outcomes


spliced = st.builds(
    lambda junk, at: VALID[:at] + junk + VALID[at:],
    st.binary(max_size=6),
    st.integers(0, len(VALID)),
)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64) | spliced)
def test_reader_only_ever_raises_malformed_update(engines: list[Engine], data: bytes) -> None:
    try:
        parse_update(data)
    except MalformedUpdate:
        return
    outcomes: Counter[str] = Counter()
    for engine in engines:
        applies_cleanly(engine, [VALID], data, outcomes)


def test_fast_reader_reads_what_the_full_reader_reads(engines: list[Engine], yjs: YjsPeer) -> None:
    # The fast reader serves the usual updates; where it answers, it must agree exactly.
    updates, _ = corpus(engines, yjs)
    rng = random.Random(20261202)
    answered = 0
    for _ in range(5_000):
        data = corrupt(rng, rng.choice(updates)) if rng.random() < 0.8 else rng.choice(updates)
        try:
            full = _UpdateReader(data).read()
        except MalformedUpdate:
            full = None
        try:
            fast = _FastReader(data).read()
        except (_NotFast, IndexError, UnicodeDecodeError):
            continue
        answered += 1
        assert fast == full, data.hex()
    assert answered > 1_000


def test_parse_names_the_gaps_an_update_cuts_and_the_pairs_it_inserts(engine: Engine) -> None:
    doc = engine.new_doc(5)
    first = parse_update(doc.edit([(0, 0, "a😀b🎉")]))  # units: a 0, 😀 1-2, b 3, 🎉 4-5
    assert first.pairs == ((5, 2), (5, 5))
    assert first.cuts == ()
    inserted = parse_update(doc.edit([(1, 0, "x")]))  # after "a": the gap before clock 1
    assert set(inserted.cuts) == {(5, 1)}
    deleted = parse_update(doc.edit([(3, 1, "")]))  # "b" at clocks 3-4
    assert set(deleted.cuts) == {(5, 3), (5, 4)}
    assert deleted.pairs == ()
