"""Every engine adapter alike: edits, updates, deltas and diffs; and which engine is chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crdt.engine import (
    EMPTY_UPDATE,
    ENGINE_ENV,
    ENGINE_NAMES,
    Engine,
    available_engines,
    get_engine,
)
from crdt.errors import EngineFailure, MalformedUpdate
from crdt.updates import parse_state_vector, parse_update
from tests.crdt.engine_helpers import EMOJI_TEXT, apply_delta

if TYPE_CHECKING:
    from tests.crdt.conftest import YjsPeer


def test_new_doc_is_empty_and_writes_under_its_client_id(engine: Engine) -> None:
    doc = engine.new_doc(42)
    assert doc.client_id == 42
    assert doc.text() == ""
    assert parse_state_vector(doc.state_vector()) == {}
    assert parse_update(doc.edit([(0, 0, "hi")])).writers == {42}


def test_new_doc_without_client_id_picks_32_bits_like_yjs(engine: Engine) -> None:
    assert all(0 <= engine.new_doc().client_id < 2**32 for _ in range(20))


def test_edit_applies_ops_in_order_in_one_update(engine: Engine) -> None:
    doc, other = engine.new_doc(1), engine.new_doc(2)
    other.apply_update(doc.edit([(0, 0, "hello world")]))
    update = doc.edit([(0, 5, "howdy"), (5, 0, ","), (len("howdy, world"), 0, "!")])
    assert doc.text() == "howdy, world!"
    info = parse_update(update)
    assert info.writers == {1} and info.deletes == {1: [(0, 5)]}
    other.apply_update(update)
    assert other.text() == "howdy, world!"


def test_edit_indexes_are_code_points_around_emoji(engine: Engine) -> None:
    doc = engine.new_doc(1)
    doc.edit([(0, 0, EMOJI_TEXT)])
    doc.edit([(2, 0, "X"), (1, 1, "")])  # insert after the emoji, then delete it
    assert doc.text() == "aXb 🎉 ü"
    doc.edit([(4, 1, "🚀🚀"), (len("aXb 🚀🚀 ü"), 0, "!")])
    assert doc.text() == "aXb 🚀🚀 ü!"


@pytest.mark.parametrize(
    "ops", [[(3, 0, "x")], [(-1, 0, "x")], [(1, 2, "")], [(0, 0, "ab"), (5, 0, "")]]
)
def test_edit_refuses_ops_outside_the_text_and_changes_nothing(
    engine: Engine, ops: list[tuple[int, int, str]]
) -> None:
    doc = engine.new_doc(1)
    doc.edit([(0, 0, "ab")])
    state = doc.encode_state()
    with pytest.raises(ValueError, match="outside a text"):
        doc.edit(ops)
    assert doc.text() == "ab" and doc.encode_state() == state


def test_edit_that_changes_nothing_returns_the_empty_update(engine: Engine) -> None:
    doc = engine.new_doc(1)
    assert doc.edit([]) == doc.edit([(0, 0, "")]) == EMPTY_UPDATE
    assert parse_update(EMPTY_UPDATE).writers == frozenset()


def test_apply_update_is_idempotent(engine: Engine) -> None:
    source, doc = engine.new_doc(1), engine.new_doc(2)
    updates = [source.edit([(0, 0, "one two")]), source.edit([(3, 4, " 2")])]
    for update in updates + updates[::-1] + updates:
        doc.apply_update(update)
    assert doc.text() == "one 2"
    assert doc.apply_update_delta(updates[0]) == []


def test_concurrent_updates_commute(engine: Engine) -> None:
    base = engine.new_doc(1)
    start = base.edit([(0, 0, "shared text")])
    left, right = engine.new_doc(2), engine.new_doc(3)
    left.apply_update(start)
    right.apply_update(start)
    a = left.edit([(0, 6, "Common"), (len("Common text"), 0, " 😀")])
    b = right.edit([(7, 4, "words"), (0, 0, "🎉")])
    texts = set()
    for order in ([start, a, b], [b, a, start], [a, start, b], [b, start, a]):
        doc = engine.new_doc(4)
        for update in order:
            doc.apply_update(update)
        texts.add(doc.text())
    assert len(texts) == 1
    (text,) = texts
    assert "shared" not in text and all(part in text for part in ("🎉", "Common", "words", "😀"))


def test_updates_that_arrive_before_their_dependencies_wait_for_them(engine: Engine) -> None:
    source, doc = engine.new_doc(1), engine.new_doc(2)
    first = source.edit([(0, 0, "hello")])
    second = source.edit([(5, 0, " world")])
    third = source.edit([(0, 1, "J")])  # depends on "hello" for its insert and its delete
    assert doc.apply_update_delta(third) == doc.apply_update_delta(second) == []
    assert doc.text() == ""
    assert doc.apply_update_delta(first) == [{"insert": "Jello world"}]
    assert doc.text() == "Jello world"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_delivery_order_converges_with_deltas_that_add_up(engine: Engine, data: Any) -> None:
    writers = [engine.new_doc(client) for client in (1, 2, 3)]
    updates: list[bytes] = []
    for _ in range(data.draw(st.integers(2, 8), label="edits")):
        writer = data.draw(st.sampled_from(writers))
        for update in data.draw(st.lists(st.sampled_from(updates), max_size=3)) if updates else []:
            writer.apply_update(update)  # what this writer has seen before it types
        length = len(writer.text())
        index = data.draw(st.integers(0, length))
        delete = data.draw(st.integers(0, length - index))
        insert = data.draw(st.text(st.sampled_from("xü😀\n"), max_size=3))
        updates.append(writer.edit([(index, delete, insert)]))
    everything = engine.new_doc(8)
    for update in updates:
        everything.apply_update(update)
    doc, mirror = engine.new_doc(9), ""
    for update in data.draw(st.permutations(updates), label="delivery"):
        mirror = apply_delta(mirror, doc.apply_update_delta(update))
    assert doc.text() == mirror == everything.text()


def test_out_of_order_delivery_shows_what_yjs_shows(engine: Engine, peer: YjsPeer) -> None:
    writer, other = engine.new_doc(1), engine.new_doc(3)
    first = writer.edit([(0, 0, "y")])
    theirs = other.edit([(0, 0, "c")])
    writer.apply_update(theirs)
    second = writer.edit([(2, 0, "z")])  # after the other client's "c"
    doc, seen = engine.new_doc(9), []
    for update in (second, theirs, first):  # raw pycrdt shows "cz" too early; raw y-py loses "z"
        doc.apply_update(update)
        seen.append((doc.text(), peer.apply(update)))
    assert seen == [("", ""), ("c", "c"), ("ycz", "ycz")]


def test_delta_reports_retain_insert_delete(engine: Engine) -> None:
    source, doc = engine.new_doc(1), engine.new_doc(2)
    assert doc.apply_update_delta(source.edit([(0, 0, "hello world")])) == [
        {"insert": "hello world"}
    ]
    update = source.edit([(0, 1, "J"), (6, 5, "there")])
    assert doc.apply_update_delta(update) == [
        {"delete": 1},
        {"insert": "J"},
        {"retain": 5},
        {"delete": 5},
        {"insert": "there"},
    ]
    assert doc.text() == "Jello there"


def test_delta_counts_code_points_around_emoji(engine: Engine) -> None:
    source, doc = engine.new_doc(1), engine.new_doc(2)
    doc.apply_update(source.edit([(0, 0, EMOJI_TEXT)]))
    delta = doc.apply_update_delta(source.edit([(1, 1, ""), (4, 0, "😺")]))
    assert delta == [{"retain": 1}, {"delete": 1}, {"retain": 3}, {"insert": "😺"}]
    assert doc.text() == apply_delta(EMOJI_TEXT, delta) == "ab 🎉😺 ü"


edits = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 1), st.text(st.sampled_from("ab ü😀🎉\n"), max_size=4)),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(edits, min_size=1, max_size=4))
def test_deltas_replayed_on_a_string_rebuild_the_text(engine: Engine, steps: list[Any]) -> None:
    source, doc = engine.new_doc(1), engine.new_doc(2)
    mirror = ""
    for step in steps:
        text, ops = source.text(), []
        for at, span, insert in step:
            index = int(at * len(text))
            delete = int(span * (len(text) - index))
            ops.append((index, delete, insert))
            text = text[:index] + insert + text[index + delete :]
        mirror = apply_delta(mirror, doc.apply_update_delta(source.edit(ops)))
        assert mirror == doc.text() == source.text() == text


def test_delta_after_plain_applies_is_still_right(engine: Engine) -> None:
    source, doc = engine.new_doc(1), engine.new_doc(2)
    doc.apply_update(source.edit([(0, 0, "😀 one")]))
    doc.apply_update(source.edit([(2, 0, "ü")]))
    assert doc.apply_update_delta(source.edit([(3, 0, "!")])) == [{"retain": 3}, {"insert": "!"}]


def test_encode_diff_carries_only_what_the_state_vector_lacks(engine: Engine) -> None:
    ahead, behind = engine.new_doc(1), engine.new_doc(2)
    behind.apply_update(ahead.edit([(0, 0, "first ")]))
    ahead.edit([(6, 0, "second")])
    diff = ahead.encode_diff(behind.state_vector())
    assert parse_update(diff).structs == {1: [(6, 6)]}
    behind.apply_update(diff)
    assert behind.text() == "first second"
    assert parse_update(ahead.encode_diff(ahead.state_vector())).structs == {}
    assert parse_update(ahead.encode_state()).structs == {1: [(0, 12)]}


def test_encode_diff_refuses_a_malformed_state_vector(engine: Engine) -> None:
    doc = engine.new_doc(1)
    doc.edit([(0, 0, "x")])
    with pytest.raises(MalformedUpdate, match="state vector is malformed"):
        doc.encode_diff(b"\x05\x01")
    assert doc.text() == "x"


@pytest.mark.parametrize("garbage", [b"", b"\x01", b"\xff" * 12, b"\x01\x01\x07\x00\x04"])
def test_undecodable_update_is_malformed_and_changes_nothing(
    engine: Engine, garbage: bytes
) -> None:
    doc = engine.new_doc(1)
    doc.edit([(0, 0, "kept")])
    with pytest.raises(MalformedUpdate, match="update is malformed") as caught:
        doc.apply_update_delta(garbage)
    assert not isinstance(caught.value, EngineFailure)
    assert doc.text() == "kept"


def test_both_engines_are_available() -> None:
    assert available_engines() == list(ENGINE_NAMES)


def test_get_engine_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, "pycrdt")
    assert get_engine().name == "pycrdt"
    monkeypatch.delenv(ENGINE_ENV)
    assert get_engine().name == "y-py"
    assert get_engine("pycrdt").name == "pycrdt"


def test_get_engine_names_the_setting_and_choices_for_an_unknown_engine() -> None:
    with pytest.raises(ValueError, match=rf"'automerge'.*{ENGINE_ENV}.*y-py, pycrdt"):
        get_engine("automerge")
