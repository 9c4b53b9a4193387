"""The attribution shadow: who inserted and who deleted every character."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crdt import attribution as attribution_module
from crdt.attribution import FORMAT_VERSION, Attribution, Run
from crdt.delta import DeltaError
from crdt.fenwick import Fenwick
from crdt.packing import pack_ints, unpack_ints

Delta = list[dict[str, Any]]


@contextmanager
def tiny_chunks() -> Iterator[None]:
    """Chunks of two runs, so that small tests cross chunk boundaries and split chunks."""
    with patch.object(attribution_module, "CHUNK_RUNS", 2):
        yield


def ids_and_revisions(attribution: Attribution) -> list[tuple[str, int, int, int, int]]:
    """Each character as (char, seq, off, ins_rev, del_rev), tombstones included."""
    return [
        (char, run.seq, run.off + i, run.ins_rev, run.del_rev)
        for run in attribution.runs()
        for i, char in enumerate(run.text)
    ]


def test_inserted_text_is_one_visible_run() -> None:
    shadow = Attribution()
    assert shadow.apply_delta([{"insert": "hello"}], seq=4, rev=1) == (5, 0)
    assert list(shadow.runs()) == [Run(4, 0, "hello", 1, 0, 0)]
    assert shadow.visible_text_length() == 5
    assert shadow.text() == "hello"


def test_deleted_characters_stay_in_place_as_tombstones() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "hello world"}], seq=1, rev=1)
    assert shadow.apply_delta([{"retain": 2}, {"delete": 3}], seq=2, rev=2) == (0, 3)
    assert list(shadow.runs()) == [
        Run(1, 0, "he", 1, 0, 0),
        Run(1, 2, "llo", 1, 2, 2),
        Run(1, 5, " world", 1, 0, 2),
    ]
    assert shadow.text() == "he world"


def test_an_insert_lands_after_the_tombstones_at_its_index_as_in_yjs() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "abc"}], seq=1, rev=1)
    shadow.apply_delta([{"retain": 1}, {"delete": 1}], seq=2, rev=2)
    shadow.apply_delta([{"retain": 1}, {"insert": "X"}], seq=3, rev=2)
    assert [(run.text, run.del_rev) for run in shadow.runs()] == [
        ("a", 0),
        ("b", 2),
        ("X", 0),
        ("c", 0),
    ]


def test_an_insert_at_the_end_lands_after_trailing_tombstones() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "ab"}], seq=1, rev=1)
    shadow.apply_delta([{"retain": 1}, {"delete": 1}], seq=2, rev=1)
    shadow.apply_delta([{"retain": 1}, {"insert": "c"}], seq=3, rev=1)
    assert [run.text for run in shadow.runs()] == ["a", "b", "c"]


def test_ids_count_characters_across_the_inserts_of_one_delta() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "0123"}], seq=1, rev=1)
    delta: Delta = [{"insert": "ab"}, {"retain": 2}, {"delete": 1}, {"insert": "cd"}]
    assert shadow.apply_delta(delta, seq=9, rev=3) == (4, 1)
    assert ids_and_revisions(shadow) == [
        ("a", 9, 0, 3, 0),
        ("b", 9, 1, 3, 0),
        ("0", 1, 0, 1, 0),
        ("1", 1, 1, 1, 0),
        ("2", 1, 2, 1, 3),
        ("c", 9, 2, 3, 0),
        ("d", 9, 3, 3, 0),
        ("3", 1, 3, 1, 0),
    ]


def test_delete_then_retain_reads_positions_as_yjs_deltas_do() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "hello world"}], seq=1, rev=1)
    shadow.apply_delta([{"delete": 2}, {"retain": 5}, {"insert": "XY"}], seq=2, rev=2)
    assert shadow.text() == "llo wXYorld"


def test_backspacing_through_one_insert_leaves_one_tombstone_run() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "word"}], seq=1, rev=1)
    for seq, index in enumerate((3, 2, 1), start=2):
        shadow.apply_delta([{"retain": index}, {"delete": 1}], seq=seq, rev=2)
    assert list(shadow.runs()) == [Run(1, 0, "w", 1, 0, 0), Run(1, 1, "ord", 1, 2, 1)]


def test_text_at_a_revision_is_the_text_when_that_revision_ended() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "one two"}], seq=1, rev=1)
    shadow.apply_delta([{"retain": 3}, {"delete": 4}], seq=2, rev=2)
    shadow.apply_delta([{"retain": 3}, {"insert": " three"}], seq=3, rev=3)
    assert [shadow.text_at(rev) for rev in range(4)] == ["", "one two", "one", "one three"]


@pytest.mark.parametrize(
    "delta",
    [
        [{"retain": 4}],
        [{"delete": 4}],
        [{"retain": 2}, {"delete": 2}],
        [{"retain": -1}],
        [{"delete": "1"}],
        [{"insert": {"embed": 1}}],
    ],
)
def test_a_delta_that_does_not_fit_is_refused_before_any_change(delta: Delta) -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "abc"}], seq=1, rev=1)
    before = list(shadow.runs())
    with pytest.raises(DeltaError):
        shadow.apply_delta([{"insert": "x"}, *delta], seq=2, rev=1)
    assert list(shadow.runs()) == before


def test_revision_zero_is_refused_because_it_means_not_deleted() -> None:
    with pytest.raises(ValueError, match="rev"):
        Attribution().apply_delta([{"insert": "a"}], seq=1, rev=0)


def test_formatting_attributes_are_ignored() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "ab", "attributes": {"bold": True}}], seq=1, rev=1)
    shadow.apply_delta([{"retain": 1, "attributes": {"bold": None}}], seq=2, rev=1)
    assert shadow.text() == "ab"


# Each step: (insert?, position as a fraction of the text, delete length, text, new revision?)
# Each step: (kind, position as a fraction of the text, delete length, text, next revision?)
steps = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "replace", "two inserts"]),
        st.floats(0, 1),
        st.integers(1, 6),
        st.text(alphabet="ab \n", min_size=1, max_size=5),
        st.booleans(),
    ),
    max_size=60,
)


Step = tuple[str, float, int, str, bool]
Script = list[tuple[Delta, int, int]]


def script(steps: list[Step]) -> tuple[Script, list[tuple[str, int]], dict[int, str]]:
    """Deltas for the steps, and a per-character model: (deltas, visible chars, text by rev)."""
    deltas: Script = []
    model: list[tuple[str, int]] = []  # the visible characters and the revisions that made them
    texts: dict[int, str] = {0: ""}
    rev = 1
    for seq, (kind, where, length, text, next_rev) in enumerate(steps, start=1):
        rev += next_rev
        index = int(where * len(model))
        length = min(length, len(model) - index)
        if kind == "insert" or not length:
            delta: Delta = [{"retain": index}, {"insert": text}]
            model[index:index] = [(char, rev) for char in text]
        elif kind == "delete":
            delta = [{"retain": index}, {"delete": length}]
            del model[index : index + length]
        elif kind == "replace":  # a selection typed over, as one delta
            delta = [{"retain": index}, {"delete": length}, {"insert": text}]
            model[index : index + length] = [(char, rev) for char in text]
        else:  # text at both ends of a stretch, as one delta
            delta = [{"insert": text}, {"retain": index}, {"insert": text[::-1]}]
            model[index:index] = [(char, rev) for char in text[::-1]]
            model[0:0] = [(char, rev) for char in text]
        deltas.append((delta, seq, rev))
        texts[rev] = "".join(char for char, _ in model)
    return deltas, model, texts


def replay(deltas: Script, shadow: Attribution | None = None) -> Attribution:
    shadow = shadow or Attribution()
    for delta, seq, rev in deltas:
        shadow.apply_delta(delta, seq, rev)
    return shadow


@settings(max_examples=150, deadline=None)
@given(steps)
def test_visible_characters_keep_the_revision_that_inserted_them(steps: list[Step]) -> None:
    deltas, model, _ = script(steps)
    with tiny_chunks():
        shadow = replay(deltas)
    assert shadow.visible_text_length() == len(model)
    assert shadow.text() == "".join(char for char, _ in model)
    visible = [(char, ins) for char, _, _, ins, dele in ids_and_revisions(shadow) if not dele]
    assert visible == model


@settings(max_examples=100, deadline=None)
@given(steps)
def test_every_inserted_character_is_kept_once_with_a_unique_id(steps: list[Step]) -> None:
    deltas, _, _ = script(steps)
    with tiny_chunks():
        shadow = replay(deltas)
    chars = ids_and_revisions(shadow)
    inserted = sum(len(op.get("insert", "")) for delta, _, _ in deltas for op in delta)
    assert len(chars) == inserted
    assert len({(seq, off) for _, seq, off, _, _ in chars}) == inserted
    assert all(dele == 0 or dele >= ins for _, _, _, ins, dele in chars)
    starts = [run.start for run in shadow.runs()]
    assert starts == sorted(starts)


@settings(max_examples=100, deadline=None)
@given(steps)
def test_text_at_each_revision_matches_the_text_then(steps: list[Step]) -> None:
    deltas, _, texts = script(steps)
    with tiny_chunks():
        shadow = replay(deltas)
    assert {rev: shadow.text_at(rev) for rev in texts} == texts


@settings(max_examples=100, deadline=None)
@given(steps, st.integers(0, 60))
def test_serialisation_round_trips_and_the_copy_carries_on_alike(
    steps: list[Step], cut: int
) -> None:
    deltas, _, _ = script(steps)
    with tiny_chunks():
        original = replay(deltas[:cut])
        copy = Attribution.from_bytes(original.to_bytes())
        assert list(copy.runs()) == list(original.runs())
        replay(deltas[cut:], original)
        replay(deltas[cut:], copy)
    # Runs may be cut differently (chunk edges differ), the characters may not.
    assert ids_and_revisions(copy) == ids_and_revisions(original)
    assert Attribution.from_bytes(copy.to_bytes()).to_bytes() == copy.to_bytes()


def test_serialisation_keeps_non_ascii_and_large_numbers() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "naïve 😀 текст"}], seq=2**40, rev=70_000)
    shadow.apply_delta([{"retain": 3}, {"delete": 4}], seq=2**40 + 1, rev=70_001)
    restored = Attribution.from_bytes(shadow.to_bytes())
    assert list(restored.runs()) == list(shadow.runs())
    restored.apply_delta([{"insert": "é"}], seq=5, rev=70_002)
    assert restored.text() == "énaï текст"


def test_an_empty_shadow_round_trips() -> None:
    restored = Attribution.from_bytes(Attribution().to_bytes())
    assert list(restored.runs()) == []
    restored.apply_delta([{"insert": "x"}], seq=1, rev=1)
    assert restored.text() == "x"


@pytest.mark.parametrize("data", [b"", b"\x02abc", b"\x01not zlib", b"\x01x\x9c\x03\x00"])
def test_bad_serialised_data_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        Attribution.from_bytes(data)


def test_truncated_serialised_data_is_refused() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "abc"}], seq=1, rev=1)
    body = zlib.decompress(shadow.to_bytes()[1:])
    with pytest.raises(ValueError):
        Attribution.from_bytes(bytes([FORMAT_VERSION]) + zlib.compress(body[:-5]))


def test_many_edits_split_chunks_and_stay_consistent() -> None:
    shadow = Attribution()
    text = ""
    for seq in range(1, 3001):
        index = (seq * 7919) % (len(text) + 1)
        if seq % 3 == 0 and text:
            index = min(index, len(text) - 1)
            shadow.apply_delta([{"retain": index}, {"delete": 1}], seq, seq // 10 + 1)
            text = text[:index] + text[index + 1 :]
        else:
            shadow.apply_delta([{"retain": index}, {"insert": "xy"}], seq, seq // 10 + 1)
            text = text[:index] + "xy" + text[index:]
    assert shadow.text() == text
    assert shadow.run_count() > 2 * attribution_module.CHUNK_RUNS
    shadow.apply_delta([{"delete": len(text)}], 9999, 9999)
    assert shadow.text() == ""
    assert Attribution.from_bytes(shadow.to_bytes()).visible_text_length() == 0


def test_attribution_follows_a_pycrdt_document_through_concurrent_edits() -> None:
    pycrdt = pytest.importorskip("pycrdt")
    server, alice, bob = (pycrdt.Doc() for _ in range(3))
    text = server.get("text", type=pycrdt.Text)
    deltas: list[Delta] = []
    text.observe(lambda event: deltas.append(list(event.delta)))
    shadow = Attribution()

    def send(doc: Any, seq: int, rev: int) -> None:
        doc_update = doc.get_update(server.get_state())
        server.apply_update(doc_update)
        shadow.apply_delta(deltas.pop(), seq, rev)
        for other in (alice, bob):
            other.apply_update(server.get_update(other.get_state()))

    a_text, b_text = alice.get("text", type=pycrdt.Text), bob.get("text", type=pycrdt.Text)
    a_text += "Open data.\n\nPublish budgets.\n"
    send(alice, 1, 1)
    b_text.insert(len("Open data."), " For all.")  # concurrent with alice's next edit
    del a_text[0:5]
    send(alice, 2, 2)
    send(bob, 3, 3)
    assert shadow.text() == str(text) == "data. For all.\n\nPublish budgets.\n"
    assert [(run.text, run.ins_rev, run.del_rev) for run in shadow.runs()] == [
        ("Open ", 1, 2),
        ("data.", 1, 0),
        (" For all.", 3, 0),
        ("\n\nPublish budgets.\n", 1, 0),
    ]


def test_fenwick_finds_the_element_holding_a_position() -> None:
    values = [3, 0, 2, 0, 0, 5, 1]
    tree = Fenwick(values)
    flat = [i for i, value in enumerate(values) for _ in range(value)]
    assert [tree.find(x)[0] for x in range(len(flat))] == flat
    tree.add(1, 4)
    assert [tree.find(x) for x in (2, 3, 6, 7, 14)] == [(0, 2), (1, 0), (1, 3), (2, 0), (6, 0)]


def test_packed_integers_round_trip_at_every_width() -> None:
    for values, signed in [
        ([0, 255], False),
        ([0, 256], False),
        ([2**32 - 1], False),
        ([2**63], False),
        ([-128, 127], True),
        ([-(2**31), 5], True),
        ([-(2**63)], True),
        ([], False),
    ]:
        packed = pack_ints(values, signed=signed)
        assert unpack_ints(packed + b"tail", 0, len(values), signed=signed) == (
            values,
            len(packed),
        )


def test_integers_beyond_64_bits_are_refused() -> None:
    with pytest.raises(ValueError, match="64 bits"):
        pack_ints([2**64])


def test_revisions_name_inserts_and_deletions_and_follow_every_change() -> None:
    shadow = Attribution()
    shadow.apply_delta([{"insert": "abc"}], 1, 1)
    assert shadow.revisions() == {1}
    shadow.apply_delta([{"retain": 1}, {"delete": 1}], 2, 3)
    assert shadow.revisions() == {1, 3}  # remembered, but not past a change
    assert Attribution.from_bytes(shadow.to_bytes()).revisions() == {1, 3}
