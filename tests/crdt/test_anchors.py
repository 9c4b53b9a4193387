"""Anchors follow their text through edits before and inside them, as Yjs places them."""

from __future__ import annotations

import random
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crdt.anchors import Anchor, AnchorReader, InvalidAnchor, ascii_copy
from crdt.engine import Doc, Engine
from tests.crdt.conftest import YjsPeer

TEXT = "Héllo wörld 😀, the department publishes every contract.\n"
QUOTE = "publishes every"


def reader(doc: Doc) -> AnchorReader:
    return AnchorReader(doc.encode_state(), doc.text())


def units(text: str, index: int) -> int:
    """A code point index as Yjs counts it, in UTF-16 units."""
    return len(text[:index].encode("utf-16-le")) // 2


def test_an_anchor_keeps_its_words_through_edits_around_and_inside_it(engine: Engine) -> None:
    doc = engine.new_doc(client_id=7)
    doc.edit([(0, 0, TEXT)])
    start = TEXT.index(QUOTE)
    anchor = reader(doc).anchor(start, start + len(QUOTE))
    assert reader(doc).quote(anchor) == QUOTE
    doc.edit([(0, 0, "ÄÄ😀 A new start. ")])  # before it: it moves
    doc.edit([(doc.text().index("every"), 0, "always ")])  # inside it: it grows
    doc.edit([(doc.text().index(" contract"), 0, " 😀")])  # at its end: it stays outside
    assert reader(doc).quote(anchor) == "publishes always every"
    doc.edit([(doc.text().index("publishes"), len("publishes"), "")])  # its first word goes
    assert reader(doc).quote(anchor) == " always every"
    gone = doc.text().index(" always every")
    doc.edit([(gone, len(" always every"), "")])
    found = reader(doc)
    assert found.quote(anchor) == ""  # all of it was deleted: an empty range where it stood
    assert found.resolve(anchor) == (gone, gone)


def test_yjs_and_the_server_read_each_others_anchors(engine: Engine, peer: YjsPeer) -> None:
    update = peer.edit([(0, 0, TEXT)])
    doc = engine.new_doc(client_id=7)
    doc.apply_update(update)
    start = TEXT.index(QUOTE)
    end = start + len(QUOTE)
    # The editor makes an anchor the way the live editor does: start sticks right, end left.
    from_yjs = Anchor(peer.relative(units(TEXT, start), 0), peer.relative(units(TEXT, end), -1))
    ours = reader(doc).anchor(start, end)
    edit = doc.edit([(0, 0, "😀 Before. "), (len("😀 Before. ") + start + 10, 0, "ü")])
    peer.apply(edit)
    text = doc.text()
    assert reader(doc).quote(from_yjs) == reader(doc).quote(ours) == "publishes üevery"
    begin = text.index("publishes")
    assert peer.absolute(ours.start) == units(text, begin)
    assert peer.absolute(ours.end) == units(text, begin + len("publishes üevery"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"zz",
        b"\x00\x07\x00",
        b"\x05\x01\x01\x00",
        b"\x00\x99\x01\x00\x00",
        b"\x02\x01\x01\x00",
    ],
)
def test_what_is_not_a_relative_position_of_the_document_is_refused(
    engine: Engine, data: bytes
) -> None:
    doc = engine.new_doc(client_id=7)
    doc.edit([(0, 0, TEXT)])
    with pytest.raises(InvalidAnchor):
        reader(doc).resolve(Anchor(data, data))


def test_the_ascii_copy_keeps_every_id_and_length(engine: Engine) -> None:
    doc = engine.new_doc(client_id=7)
    doc.edit([(0, 0, TEXT)])
    doc.edit([(3, 2, "😀ß")])
    copy = engine.new_doc(client_id=8)
    copy.apply_update(ascii_copy(doc.encode_state()))
    assert copy.text().isascii()
    assert len(copy.text()) == len(doc.text().encode("utf-16-le")) // 2
    assert copy.state_vector() == doc.state_vector()


# Unique characters, so that each one says where it came from.
ORIGINAL = [chr(0x4E00 + i) for i in range(40)]  # CJK: three UTF-8 bytes, one UTF-16 unit
INSIDE = (10, 30)  # the anchored range of the original text


def fresh(counter: list[int], wide: bool) -> str:
    counter[0] += 1
    base = 0x1F300 if wide else 0xE000  # astral (two UTF-16 units) or private use
    return chr(base + counter[0])


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1))
def test_an_anchor_survives_200_random_concurrent_edits_before_and_inside_it(
    engine: Engine, seed: int
) -> None:
    rng = random.Random(seed)
    base = engine.new_doc(client_id=1)
    base.edit([(0, 0, "".join(ORIGINAL))])
    anchor = reader(base).anchor(*INSIDE)
    inside = set(ORIGINAL[INSIDE[0] : INSIDE[1]])
    replicas = [engine.new_doc(client_id=2 + n) for n in range(2)]
    for replica in replicas:
        replica.apply_update(base.encode_state())
    counter = [0]
    for _ in range(200):
        replica = rng.choice(replicas)
        text = replica.text()
        found = reader(replica)
        start, end = found.resolve(anchor)
        assert found.text[start:end] == "".join(c for c in text if c in inside)
        char = fresh(counter, rng.random() < 0.3)
        if rng.random() < 0.5 and end - start >= 2:  # inside: between two of its characters
            if rng.random() < 0.3:
                at = rng.randrange(start, end)
                replica.edit([(at, rng.randint(1, min(3, end - at)), "")])
            else:
                replica.edit([(rng.randint(start + 1, end - 1), 0, char)])
                inside.add(char)
        elif start > 0 and rng.random() < 0.3:  # before it
            at = rng.randrange(0, start)
            replica.edit([(at, min(rng.randint(1, 3), start - at), "")])
        elif start > 0:  # before its first character, not at it: see crdt.anchors
            replica.edit([(rng.randint(0, start - 1), 0, char)])
        if rng.random() < 0.2:  # the replicas meet now and then
            one, other = replicas
            one.apply_update(other.encode_diff(one.state_vector()))
            other.apply_update(one.encode_diff(other.state_vector()))
    one, other = replicas
    one.apply_update(other.encode_diff(one.state_vector()))
    found = reader(one)
    start, end = found.resolve(anchor)
    assert found.text[start:end] == "".join(c for c in one.text() if c in inside)
    assert all(c not in inside for c in found.text[:start] + found.text[end:])


def test_one_reader_serves_many_threads_at_once(engine: Engine) -> None:
    # Pages of one document at one log position share a reader.
    doc = engine.new_doc(client_id=7)
    doc.edit([(0, 0, TEXT)])
    shared = reader(doc)
    start = TEXT.index(QUOTE)
    anchor = shared.anchor(start, start + len(QUOTE))
    quotes: list[str] = []

    def read() -> None:
        try:
            quotes.extend(shared.quote(anchor) for _ in range(500))
        except Exception as error:
            quotes.append(repr(error))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert quotes == [QUOTE] * 2000
