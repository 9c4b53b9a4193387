"""What check_update lets into a room: a client's own writes and deletes of others' text.

It refuses new structs under another client's id, updates over the size limit, content
outside the text, malformed updates, structs that a skip cuts off from the clocks the server
has (as a Yjs merge around a refused update does) and structs the server half has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crdt.engine import Doc, Engine
from crdt.errors import (
    ClockGap,
    ClockOverlap,
    ForeignClientId,
    MalformedUpdate,
    OversizedUpdate,
    UnsupportedContent,
)
from crdt.fastreader import _FastReader
from crdt.fullreader import _UpdateReader
from crdt.updates import check_update, parse_state_vector, parse_update
from tests.crdt.update_helpers import GC, SKIP, STRING, VALID, item, text, uints, update

if TYPE_CHECKING:
    from tests.crdt.conftest import YjsPeer


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
