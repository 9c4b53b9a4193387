"""Engines against each other and against real Yjs: updates cross over, and where they part."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crdt.engine import Engine, get_engine
from crdt.errors import BrokenDocument, EngineFailure
from crdt.updates import parse_state_vector
from tests.crdt.engine_helpers import EMOJI_TEXT, apply_delta, apply_ops, utf16_ops

if TYPE_CHECKING:
    from tests.crdt.conftest import YjsPeer


@pytest.mark.parametrize(("writer", "reader"), [("y-py", "pycrdt"), ("pycrdt", "y-py")])
def test_updates_from_one_engine_apply_on_the_other(writer: str, reader: str) -> None:
    source, doc = get_engine(writer).new_doc(1), get_engine(reader).new_doc(2)
    deltas = [doc.apply_update_delta(source.edit([(0, 0, EMOJI_TEXT)]))]
    deltas.append(doc.apply_update_delta(source.edit([(1, 1, "ö"), (7, 0, "🚀")])))
    back = doc.edit([(0, 0, "> ")])
    source.apply_update(back)
    assert doc.text() == source.text() == "> aöb 🎉 ü🚀"
    assert apply_delta(apply_delta("", deltas[0]), deltas[1]) == "aöb 🎉 ü🚀"
    assert parse_state_vector(doc.state_vector()) == parse_state_vector(source.state_vector())


def test_engine_updates_apply_in_yjs(engine: Engine, peer: YjsPeer) -> None:
    doc = engine.new_doc(7)
    assert peer.apply(doc.edit([(0, 0, EMOJI_TEXT)])) == EMOJI_TEXT
    ops = [(1, 2, "ß"), (5, 0, "🚀")]
    assert peer.apply(doc.edit(ops)) == doc.text() == apply_ops(EMOJI_TEXT, ops) == "aß 🎉 🚀ü"
    peer.reset(1001)
    assert peer.apply(doc.encode_state()) == doc.text()


def test_yjs_updates_apply_in_engine_with_deltas_in_code_points(
    engine: Engine, peer: YjsPeer
) -> None:
    doc = engine.new_doc(7)
    assert doc.apply_update_delta(peer.edit([(0, 0, EMOJI_TEXT)])) == [{"insert": EMOJI_TEXT}]
    ops = [(4, 1, "🎈"), (1, 1, "")]  # replace 🎉, then delete 😀
    delta = doc.apply_update_delta(peer.edit(utf16_ops(EMOJI_TEXT, ops)))
    assert delta == [{"retain": 1}, {"delete": 1}, {"retain": 2}, {"delete": 1}, {"insert": "🎈"}]
    assert doc.text() == peer.text() == apply_delta(EMOJI_TEXT, delta) == "ab 🎈 ü"


def test_yjs_and_engine_converge_on_concurrent_edits(engine: Engine, peer: YjsPeer) -> None:
    doc = engine.new_doc(7)
    peer.apply(doc.edit([(0, 0, "base 😀 text")]))
    mine = doc.edit([(0, 4, "BASE"), (len("BASE 😀 text"), 0, "!")])
    theirs = peer.edit(utf16_ops("base 😀 text", [(7, 4, "words")]))
    peer.apply(mine)
    doc.apply_update(theirs)
    # "!" follows the tombstone of "text", which Yjs and both engines put before "words".
    assert doc.text() == peer.text() == "BASE 😀 !words"
    yjs_state, yjs_vector = peer.state()
    assert parse_state_vector(yjs_vector) == parse_state_vector(doc.state_vector())
    fresh = engine.new_doc(8)
    fresh.apply_update(yjs_state)
    assert fresh.text() == doc.text()
    assert peer.apply(doc.encode_diff(yjs_vector)) == doc.text()


def test_ypy_fails_part_way_on_a_delete_that_splits_a_surrogate_pair(peer: YjsPeer) -> None:
    start = peer.edit([(0, 0, "a😀b")])
    split = peer.edit([(2, 1, "")])  # the emoji's second UTF-16 unit; Yjs writes U+FFFD
    assert peer.text() == "a\ufffdb"
    doc = get_engine("y-py").new_doc(7)
    doc.apply_update(start)
    with pytest.raises(EngineFailure, match="update is malformed"):
        doc.apply_update(split)
    with pytest.raises(BrokenDocument, match="unusable after an engine failure"):
        doc.text()


def test_pycrdt_deletes_the_wrong_character_on_a_split_surrogate_pair(peer: YjsPeer) -> None:
    # A known divergence from Yjs (which shows "a\ufffdb"); CodeMirror never splits a pair.
    start = peer.edit([(0, 0, "a😀b")])
    split = peer.edit([(2, 1, "")])
    doc = get_engine("pycrdt").new_doc(7)
    doc.apply_update(start)
    assert doc.apply_update_delta(split) == [{"retain": 2}, {"delete": 1}]
    assert doc.text() == "a😀"
