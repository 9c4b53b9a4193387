"""y-protocols framing: round trips, and bytes identical to what y-protocols writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crdt.engine import Engine
from crdt.errors import CrdtError, ProtocolError, UpdateRejected
from crdt.protocol import (
    AwarenessEntry,
    Message,
    decode_awareness,
    decode_message,
    encode_awareness,
    encode_awareness_update,
    encode_query_awareness,
    encode_sync_step1,
    encode_sync_step2,
    encode_sync_update,
    write_uint,
)

if TYPE_CHECKING:
    from tests.crdt.conftest import YjsPeer


def test_messages_round_trip() -> None:
    payload = b"\x01\x02\x03" * 50  # long enough for a two-byte length
    assert decode_message(encode_sync_step1(payload)) == Message("sync", 0, payload)
    assert decode_message(encode_sync_step2(payload)) == Message("sync", 1, payload)
    assert decode_message(encode_sync_update(payload)) == Message("sync", 2, payload)
    assert decode_message(encode_awareness(payload)) == Message("awareness", None, payload)
    assert decode_message(encode_query_awareness()) == Message("query", None, b"")


def test_sync_messages_are_byte_for_byte_those_of_y_protocols(
    engine: Engine, peer: YjsPeer
) -> None:
    doc = engine.new_doc(5)
    update = doc.edit([(0, 0, "hello 😀")])
    peer.apply(update)
    peer.edit([(0, 0, "> ")])
    theirs = peer.sync(doc.state_vector(), update)
    assert encode_sync_step1(theirs["sv"]) == theirs["step1"]
    assert encode_sync_step2(theirs["step2_payload"]) == theirs["step2"]
    assert encode_sync_update(update) == theirs["update"]
    assert decode_message(theirs["step1"]) == Message("sync", 0, theirs["sv"])
    step2 = decode_message(theirs["step2"])
    assert step2.subtype == 1
    doc.apply_update(step2.payload)
    assert doc.text() == "> hello 😀"


def test_awareness_from_y_protocols_round_trips_exactly(peer: YjsPeer) -> None:
    states = [
        {"user": {"name": "Ana", "colour": "#30bced"}},
        {"user": {"name": "Ana ✓"}, "cursor": None},
    ]
    theirs = peer.awareness(77, states)
    entries = decode_awareness(theirs["update"])
    assert entries == [
        AwarenessEntry(77, 2, json.dumps(states[-1], separators=(",", ":"), ensure_ascii=False))
    ]
    assert encode_awareness_update(entries) == theirs["update"]
    assert encode_awareness(theirs["update"]) == theirs["message"]
    assert decode_message(theirs["message"]) == Message("awareness", None, theirs["update"])


def test_awareness_removal_reads_as_null(peer: YjsPeer) -> None:
    theirs = peer.awareness(78, [{"user": {"name": "Ben"}}], remove=True)
    assert decode_awareness(theirs["update"]) == [AwarenessEntry(78, 2, "null")]


def test_rewritten_awareness_is_read_by_y_protocols(peer: YjsPeer) -> None:
    claimed = decode_awareness(
        peer.awareness(79, [{"user": {"name": "I am the minister"}}])["update"]
    )
    rewritten = [
        AwarenessEntry(e.client_id, e.clock, json.dumps({"user": {"name": "Chidi (CSO)"}}))
        for e in claimed
    ]
    rewritten.append(AwarenessEntry(80, 3, json.dumps({"user": {"name": "Dana ünïcode 😀"}})))
    held = peer.apply_awareness(encode_awareness_update(rewritten))
    assert held == [
        [79, 1, {"user": {"name": "Chidi (CSO)"}}],
        [80, 3, {"user": {"name": "Dana ünïcode 😀"}}],
    ]


BAD_MESSAGES = [
    ("empty", b"", "unexpected end of data at byte 0"),
    ("auth", b"\x02\x00", "unknown message type 2 at byte 1"),
    ("unknown sync", b"\x00\x03\x00", "unknown sync message type 3"),
    ("short payload", b"\x00\x02\x05abc", "5 bytes announced but 3 left"),
    ("trailing", b"\x01\x01\x00\x00", "1 trailing byte"),
    ("query with a body", b"\x03\x00", "1 trailing byte"),
]


@pytest.mark.parametrize(
    ("data", "message"), [c[1:] for c in BAD_MESSAGES], ids=[c[0] for c in BAD_MESSAGES]
)
def test_bad_framing_raises_protocol_error(data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=r"^message is malformed: ") as caught:
        decode_message(data)
    assert caught.match(message)
    assert isinstance(caught.value, UpdateRejected)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\x01\x05\x01\x03{}", "3 bytes announced but 2 left"), (b"\x01\x01\x01\x01\xff", "UTF-8")],
)
def test_bad_awareness_update_raises_protocol_error(data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=rf"^awareness update is malformed: .*{message}"):
        decode_awareness(data)


def test_varuints_are_those_of_lib0() -> None:
    for value, expected in [(0, b"\x00"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02")]:
        out = bytearray()
        write_uint(out, value)
        assert bytes(out) == expected
    for bad in (-1, 2**53):
        with pytest.raises(ValueError, match="outside"):
            write_uint(bytearray(), bad)


@given(st.binary(max_size=40))
def test_decoding_any_bytes_raises_only_protocol_error(data: bytes) -> None:
    for decode in (decode_message, decode_awareness):
        try:
            decode(data)
        except CrdtError as error:
            assert isinstance(error, ProtocolError)


entries = st.lists(
    st.builds(
        AwarenessEntry,
        st.integers(0, 2**53 - 1),
        st.integers(0, 2**32),
        st.text().map(json.dumps) | st.just("null"),
    ),
    max_size=5,
)


@given(entries, st.sampled_from([encode_sync_step1, encode_sync_step2, encode_sync_update]))
def test_awareness_and_sync_round_trip_any_content(
    entries: list[AwarenessEntry], frame: Callable[[bytes], bytes]
) -> None:
    update = encode_awareness_update(entries)
    assert decode_awareness(update) == entries
    assert decode_message(encode_awareness(update)).payload == update
    assert decode_message(frame(update)).payload == update
