"""The pure-Python reader of Yjs updates: exact on real updates, strict on malformed ones.

It reads the structs, deletes, skips, roots and content kinds of updates made by each engine
and by Yjs, says what state an update needs first, counts the code points it inserts and
names the gaps it cuts; a malformed update or state vector is refused, saying where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crdt.engine import Engine
from crdt.errors import MalformedUpdate
from crdt.updates import encode_state_vector, parse_state_vector, parse_update
from tests.crdt.update_helpers import ANY, GC, JSON, STRING, VALID, item, text, uints, update

if TYPE_CHECKING:
    from tests.crdt.conftest import YjsPeer


def unchecked_uint(value: int) -> bytes:
    """A lib0 varuint even past 2**53, which write_uint refuses to produce."""
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes([*out, value])


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


def test_parse_counts_the_code_points_an_update_inserts(engine: Engine, peer: YjsPeer) -> None:
    assert parse_update(peer.edit([(0, 0, "a😀b")])).chars == 3  # 4 UTF-16 units, 3 code points
    assert parse_update(peer.edit([(1, 2, "")])).chars == 0
    doc = engine.new_doc(5)
    assert parse_update(doc.edit([(0, 0, "héllo 🎉")])).chars == 7
    assert parse_update(doc.edit([(0, 2, "ü"), (3, 0, "xy")])).chars == 3
    state = parse_update(doc.encode_state())  # deleted text is kept as a length only
    assert state.chars == len(doc.text()) == 8


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
